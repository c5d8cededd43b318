/*
 * domainvalidatetest.c: every SPM rule, one passing and one failing case each
 *
 * Data: domainvalidatedata/{ok,fail}-NAME.xml and domainschemainvaliddata/NAME.xml,
 * each with NAME.err holding every error and warning reported, one per line.
 * ok- cases must report no error, fail- and schema-invalid cases at least one,
 * so that regenerating cannot silently turn a failure into a pass.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_conf.h"
#include "qemu_validate.h"
#include "spmerror.h"

#include <string.h>

typedef struct {
    const char *dir;
    char *name;
    bool expectValid;
} spmValidateCase;

static int
testValidateCase(const void *opaque)
{
    const spmValidateCase *tc = opaque;
    g_autofree char *xmlPath = g_strdup_printf("%s/%s/%s.xml", spmTestSrcdir(), tc->dir, tc->name);
    g_autofree char *errPath = g_strdup_printf("%s/%s/%s.err", spmTestSrcdir(), tc->dir, tc->name);
    g_autoptr(spmDomainDef) def = NULL;
    g_autofree char *actual = NULL;
    size_t errors;

    if ((def = spmDomainDefParseFile(xmlPath)))
        spmQEMUValidateRules(def);
    errors = spmErrorCount();
    actual = spmTestFormatErrors();

    if (tc->expectValid && errors > 0) {
        printf("# expected no error, got:\n%s", actual);
        return -1;
    }
    if (!tc->expectValid && errors == 0) {
        printf("# expected at least one error, got none\n");
        return -1;
    }
    return spmTestCompareToFile(actual, errPath);
}

static int
testValidateDir(const char *dir, bool schemaValid)
{
    g_autoptr(GPtrArray) files = spmTestListDir(dir, ".xml");
    int ret = 0;
    size_t i;

    if (files->len == 0) {
        printf("# no test data in %s\n", dir);
        return -1;
    }
    for (i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autofree char *name = g_strndup(file, strlen(file) - strlen(".xml"));
        g_autofree char *title = g_strdup_printf("%s/%s", dir, name);
        spmValidateCase tc = {dir, name, false};

        if (schemaValid) {
            if (g_str_has_prefix(name, "ok-")) {
                tc.expectValid = true;
            } else if (!g_str_has_prefix(name, "fail-")) {
                printf("# %s: case names start with ok- or fail-\n", name);
                ret = -1;
                continue;
            }
        }
        if (spmTestRun(title, testValidateCase, &tc) < 0)
            ret = -1;
    }
    return ret;
}

static int
mymain(void)
{
    int ret = 0;

    if (testValidateDir("domainvalidatedata", true) < 0)
        ret = -1;
    if (testValidateDir("domainschemainvaliddata", false) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
