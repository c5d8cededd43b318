/*
 * domainschematest.c: every domain XML under tests/ and examples/ against
 * virt-spm's RELAX NG schema
 *
 * Files in tests/domainschemainvaliddata/, and documents whose leading
 * comment says "schema-invalid", must fail; every other <domain> document
 * must validate.  A few sanity cases check that the schema really
 * extends libvirt's (stock attributes validate, memmap values are checked).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_schema.h"
#include "spmerror.h"
#include "spmfile.h"

#include <string.h>

typedef struct {
    char *path;
    bool expectValid;
} spmSchemaCase;

static int
testSchemaFile(const void *opaque)
{
    const spmSchemaCase *tc = opaque;
    g_autofree char *buf = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    size_t len;
    int rc;

    if (spmFileReadAll(tc->path, SPM_FILE_READ_MAX, &buf, &len) < 0 ||
        !(doc = spmXMLParse(buf, len, tc->path)))
        return -1;
    rc = spmSchemaValidateDoc(doc, NULL);
    if (rc == -2)
        return -1;
    if (tc->expectValid && rc != 0)
        return -1;
    if (!tc->expectValid) {
        if (rc == 0) {
            printf("# %s validated but must not\n", tc->path);
            return -1;
        }
        if (!spmErrorHasCode(SPM_ERR_XML_INVALID_SCHEMA))
            return -1;
    }
    return 0;
}

static bool
testIsDomainDocument(const char *path, bool *schemaInvalid)
{
    g_autofree char *buf = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr cur;
    size_t len;
    bool ret;

    *schemaInvalid = false;
    if (spmFileReadAll(path, SPM_FILE_READ_MAX, &buf, &len) < 0)
        return false;
    doc = spmXMLParse(buf, len, path);
    ret = doc && xmlStrEqual(xmlDocGetRootElement(doc)->name, BAD_CAST "domain");
    /* a test document that must fail the schema says so in a comment
     * before its root: <!-- schema-invalid: why --> */
    for (cur = doc ? doc->children : NULL; ret && cur && cur->type != XML_ELEMENT_NODE;
         cur = cur->next) {
        if (cur->type == XML_COMMENT_NODE && cur->content &&
            strstr((const char *)cur->content, "schema-invalid"))
            *schemaInvalid = true;
    }
    spmErrorReset();
    return ret;
}

static void
testCollect(const char *dir, GPtrArray *out)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    if (!d)
        return;
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, ent, NULL);

        bool invalid;

        /* not through symlinks: the captured sysfs trees in tests/hostdata
         * have links that lead back up the tree */
        if (g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            continue;
        if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
            testCollect(path, out);
        } else if (g_str_has_suffix(ent, ".xml") && testIsDomainDocument(path, &invalid)) {
            if (invalid || strstr(path, "/domainschemainvaliddata/"))
                g_ptr_array_add(out, g_strdup_printf("!%s", path));
            else
                g_ptr_array_add(out, g_steal_pointer(&path));
        }
    }
}

static int
mymain(void)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *top = g_path_get_dirname(spmTestSrcdir());
    g_autofree char *examples = g_build_filename(top, "examples", NULL);
    size_t invalid = 0;
    int ret = 0;
    size_t i;

    testCollect(spmTestSrcdir(), files);
    testCollect(examples, files);
    g_ptr_array_sort(files, spmTestCompareStrings);
    if (files->len < 10) {
        printf("# found only %u domain documents\n", files->len);
        return -1;
    }

    for (i = 0; i < files->len; i++) {
        spmSchemaCase tc = {g_ptr_array_index(files, i), true};
        g_autofree char *title = NULL;

        if (tc.path[0] == '!') {
            tc.path++;
            tc.expectValid = false;
            invalid++;
        }
        title = g_strdup_printf("%s %s", tc.expectValid ? "valid" : "invalid",
                                tc.path + strlen(top) + 1);
        if (spmTestRun(title, testSchemaFile, &tc) < 0)
            ret = -1;
    }
    if (invalid == 0) {
        printf("# no schema-invalid cases found\n");
        ret = -1;
    }
    return ret;
}

SPM_TEST_MAIN(mymain)
