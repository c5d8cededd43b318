/*
 * qemuvalidatetest.c: domains checked against the capabilities of each
 * recorded QEMU
 *
 * tests/qemuvalidatedata/NAME.xml is validated against every
 * tests/qemucapabilitiesdata/caps_*.replies; NAME.out holds the result for
 * each (SPM_TEST_REGENERATE_OUTPUT=1 rewrites it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemu_capabilities.h"
#include "qemu_validate.h"
#include "spmerror.h"

#include <stdio.h>
#include <string.h>

#define TEST_BINARY "/usr/bin/qemu-system-x86_64"

static const char *testCapsNames[] = {
    "caps_11.1.3_x86_64",
    "caps_10.2.2-memmap-type_x86_64",
    "caps_7.2.22_x86_64",
};
static spmQEMUCaps *testCaps[G_N_ELEMENTS(testCapsNames)];


static int
testValidate(const void *opaque)
{
    const char *name = opaque;
    g_autofree char *xml = g_strdup_printf("%s/qemuvalidatedata/%s.xml", spmTestSrcdir(), name);
    g_autofree char *out = g_strdup_printf("%s/qemuvalidatedata/%s.out", spmTestSrcdir(), name);
    g_autoptr(spmDomainDef) def = spmDomainDefParseFile(xml);
    g_autoptr(GString) actual = g_string_new(NULL);
    size_t i;

    if (!def)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(testCapsNames); i++) {
        g_autofree char *errors = NULL;
        int n;

        spmErrorReset();
        n = spmQEMUValidateDomainDef(def, testCaps[i]);
        errors = spmTestFormatErrors();
        if (n != (int)spmErrorCount()) {
            printf("# %d errors returned, %zu reported\n", n, spmErrorCount());
            return -1;
        }
        g_string_append_printf(actual, "%s: %d error%s\n%s", testCapsNames[i], n, n == 1 ? "" : "s",
                               errors);
    }
    spmErrorReset();
    return spmTestCompareToFile(actual->str, out);
}


/* A QEMU without HMAT cannot take interconnects. */
static int
testValidateNoHMAT(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *xml = g_strdup_printf("%s/qemuvalidatedata/hmat.xml", spmTestSrcdir());
    g_autoptr(spmDomainDef) def = spmDomainDefParseFile(xml);
    g_autofree char *path =
        g_strdup_printf("%s/qemucapabilitiesdata/%s.replies", spmTestSrcdir(), testCapsNames[0]);
    g_autoptr(spmQEMUCaps) caps = spmQEMUCapsNewFromReplies(path, TEST_BINARY);

    if (!def || !caps)
        return -1;
    if (spmQEMUValidateDomainDef(def, caps) != 0)
        return -1;
    spmQEMUCapsClear(caps, SPM_QEMU_CAPS_NUMA_HMAT);
    if (spmQEMUValidateDomainDef(def, caps) != 1 ||
        !strstr(spmGetLastError()->message,
                "NUMA interconnects and caches need HMAT, which QEMU '" TEST_BINARY
                "' (11.1.3) does not offer"))
        return -1;
    return 0;
}


static int
mymain(void)
{
    int ret = 0;
    const char *domains[] = {
        "untyped",    "spm-cell",  "reserved-cell", "machine-versioned",
        "arch-other", "arch-i686", "hmat",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(testCapsNames); i++) {
        g_autofree char *path = g_strdup_printf("%s/qemucapabilitiesdata/%s.replies",
                                                spmTestSrcdir(), testCapsNames[i]);

        if (!(testCaps[i] = spmQEMUCapsNewFromReplies(path, TEST_BINARY)))
            return -1;
    }

    for (i = 0; i < G_N_ELEMENTS(domains); i++) {
        if (spmTestRun(domains[i], testValidate, domains[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("no HMAT", testValidateNoHMAT, NULL) < 0)
        ret = -1;

    for (i = 0; i < G_N_ELEMENTS(testCapsNames); i++)
        spmQEMUCapsFree(testCaps[i]);
    return ret;
}

SPM_TEST_MAIN(mymain)
