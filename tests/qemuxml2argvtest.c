/*
 * qemuxml2argvtest.c: domain XML to the final QEMU argv, libvirt style
 *
 * For every qemuxml2argvdata/NAME.xml and capability set CAPS (11.1.3 with
 * sp-mem, 10.2.2-memmap-type, 7.2.22 without SPM):
 *   - the domain rules, the capability rules and the layout run first; a
 *     refusal is NAME.x86_64-CAPS.err;
 *   - otherwise libvirt's own argv for the domain, recorded from a real
 *     libvirt 9.0 beside it (NAME.x86_64-BASE.libvirt.args, or its refusal
 *     in .libvirt.err), gets the shim's rewrite with the launch data virt-spm
 *     computes, and must equal NAME.x86_64-CAPS.args.
 * No daemon runs here; tests/libvirtbaselinetest.py checks that libvirt still
 * produces the recorded baselines.  A data file that no case uses fails the
 * test, as in libvirt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_conf.h"
#include "qemu_validate.h"
#include "shim_argv_rewrite.h"
#include "qemu_define.h"
#include "spmerror.h"

#include <string.h>

#define DATADIR "qemuxml2argvdata"

typedef struct {
    const char *caps;     /* the capability set */
    const char *baseline; /* whose libvirt argv it starts from */
} spmArgvSet;

/* Each set starts from libvirt's argv recorded with its own binary. */
static const spmArgvSet sets[] = {
    {"11.1.3", "11.1.3"},
    {"10.2.2-memmap-type", "10.2.2-memmap-type"},
    {"7.2.22", "7.2.22"},
};

typedef struct {
    const char *name;
    const spmArgvSet *set;
    GHashTable *used;
} spmArgvCase;

static char *
testDataPath(const spmArgvCase *tc, const char *caps, const char *suffix)
{
    g_autofree char *file = g_strdup_printf("%s.x86_64-%s%s", tc->name, caps, suffix);

    g_hash_table_add(tc->used, g_strdup(file));
    return g_build_filename(spmTestSrcdir(), DATADIR, file, NULL);
}

/* The outcome is either an argv (@args) or a refusal (@err): compare it
 * with the expected file and make sure the other one does not exist. */
static int
testCompareOutcome(const spmArgvCase *tc, const char *args, const char *err)
{
    g_autofree char *argsPath = testDataPath(tc, tc->set->caps, ".args");
    g_autofree char *errPath = testDataPath(tc, tc->set->caps, ".err");
    const char *other = args ? errPath : argsPath;

    if (g_file_test(other, G_FILE_TEST_EXISTS)) {
        if (spmTestRegenerate()) {
            remove(other);
        } else {
            printf("# expected %s, got the other outcome:\n%s", other, args ? args : err);
            return -1;
        }
    }
    return spmTestCompareToFile(args ? args : err, args ? argsPath : errPath);
}

static int
testXML2Argv(const void *opaque)
{
    const spmArgvCase *tc = opaque;
    g_autofree char *xmlPath = g_strdup_printf("%s/%s/%s.xml", spmTestSrcdir(), DATADIR, tc->name);
    g_autofree char *replies = g_strdup_printf("%s/qemucapabilitiesdata/caps_%s_x86_64.replies",
                                               spmTestSrcdir(), tc->set->caps);
    g_autofree char *baseArgs = testDataPath(tc, tc->set->baseline, ".libvirt.args");
    g_autofree char *baseErr = testDataPath(tc, tc->set->baseline, ".libvirt.err");
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmLaunchData) launch = NULL;
    g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) newargv = NULL;
    g_autofree char *text = NULL;
    g_autofree char *out = NULL;
    /* a fixed host: the layout of host-passthrough guests depends on it */
    spmQEMULayoutHost host = {
        .vendor = SPM_QEMU_CPU_VENDOR_INTEL,
        .physBits = 46,
        .hugepageSize = 2 * 1024 * 1024,
    };
    size_t i;

    if (!(caps = spmQEMUCapsNewFromReplies(replies, "/usr/bin/qemu-system-x86_64")))
        return -1;

    /* virt-spm's own checks, in the order define runs them */
    if ((def = spmDomainDefParseFile(xmlPath)) && spmQEMUValidateRules(def) == 0 &&
        spmQEMUDefinePrepare(def, caps, &host, &launch) == 0) {
        /* warnings are not part of the outcome */
        spmErrorReset();
    }
    if (spmErrorCount() > 0) {
        g_autoptr(GString) errs = g_string_new(NULL);

        for (i = 0; i < spmErrorTotal(); i++) {
            const spmError *err = spmErrorGet(i);
            g_autofree char *msg = NULL;

            if (err->level != SPM_ERR_LEVEL_ERROR)
                continue;
            msg = spmErrorFormat(err);
            g_string_append_printf(errs, "%s\n", msg);
        }
        spmErrorReset();
        return testCompareOutcome(tc, NULL, errs->str);
    }

    /* libvirt's refusal of the stripped domain is the outcome too */
    if (g_file_test(baseErr, G_FILE_TEST_EXISTS)) {
        g_autofree char *err = spmTestLoadFile(baseErr);
        return testCompareOutcome(tc, NULL, err);
    }
    if (!g_file_test(baseArgs, G_FILE_TEST_EXISTS)) {
        printf("# no recorded libvirt baseline %s (record it with tests/qemuxml2argv-record.py)\n",
               baseArgs);
        return -1;
    }
    text = spmTestLoadFile(baseArgs);
    if (spmTestArgsParse(text, env, argv) < 0) {
        printf("# cannot read %s\n", baseArgs);
        return -1;
    }
    if (launch) {
        if (spmQEMUArgvApplyLaunchData((const char *const *)argv->pdata, launch, &newargv) < 0) {
            g_autofree char *errs = spmTestFormatErrors();
            spmErrorReset();
            return testCompareOutcome(tc, NULL, errs);
        }
        out = spmTestArgsFormat(env, newargv);
    } else {
        out = spmTestArgsFormat(env, (char *const *)argv->pdata);
    }
    return testCompareOutcome(tc, out, NULL);
}

static int
testAllFilesUsed(const void *opaque)
{
    GHashTable *used = (GHashTable *)opaque;
    g_autoptr(GPtrArray) files = spmTestListDir(DATADIR, "");
    int ret = 0;
    size_t i;

    for (i = 0; i < files->len; i++) {
        const char *f = g_ptr_array_index(files, i);

        if (g_str_has_suffix(f, ".xml") || SPM_STREQ(f, "README.md"))
            continue;
        if (!g_hash_table_contains(used, f)) {
            printf("# %s is used by no case\n", f);
            ret = -1;
        }
    }
    return ret;
}

static int
mymain(void)
{
    g_autoptr(GPtrArray) files = spmTestListDir(DATADIR, ".xml");
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int ret = 0;
    size_t i;
    size_t s;

    if (files->len == 0)
        return -1;
    for (i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autofree char *name = g_strndup(file, strlen(file) - strlen(".xml"));

        for (s = 0; s < G_N_ELEMENTS(sets); s++) {
            spmArgvCase tc = {name, &sets[s], used};
            g_autofree char *title = g_strdup_printf("%s x86_64-%s", name, sets[s].caps);

            if (spmTestRun(title, testXML2Argv, &tc) < 0)
                ret = -1;
        }
    }
    if (!spmTestRegenerate() && spmTestRun("every data file is used", testAllFilesUsed, used) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
