/*
 * domainmetadatatest.c: virt-spm's <metadata> element: build, insert into a
 * domain, read back, remove without leaving anything behind
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_metadata.h"
#include "spmerror.h"

#include <string.h>

static int
testInsertParseRemove(const void *opaque)
{
    const char *name = opaque;
    g_autofree char *in = g_strdup_printf("%s/../examples/%s.xml", spmTestSrcdir(), name);
    g_autofree char *out =
        g_strdup_printf("%s/domainmetadatadata/%s.inserted.xml", spmTestSrcdir(), name);
    g_autofree char *original = spmTestLoadFile(in);
    g_autoptr(spmDomainDef) def = spmDomainDefParseFile(in);
    g_autoptr(spmDomainMetadata) md = NULL;
    g_autoptr(spmDomainMetadata) back = NULL;
    g_autofree char *inserted = NULL;
    g_autofree char *removed = NULL;
    g_autofree char *canonA = NULL;
    g_autofree char *canonB = NULL;
    size_t i;

    if (!def)
        return -1;
    md = spmDomainMetadataFromDef(def, "/opt/qemu/bin/qemu-system-x86_64");
    if (spmDomainMetadataInsert(def->doc, md) < 0)
        return -1;
    inserted = spmDomainDefFormat(def, SPM_DOMAIN_FORMAT_NO_MEMMAP);
    if (spmTestCompareToFile(inserted, out) < 0)
        return -1;

    if (spmDomainMetadataParseDoc(def->doc, &back) != 1 || back->ncells != md->ncells ||
        g_strcmp0(back->emulator, md->emulator) != 0)
        return -1;
    for (i = 0; i < md->ncells; i++) {
        if (back->cells[i].id != md->cells[i].id || back->cells[i].memmap != md->cells[i].memmap)
            return -1;
    }

    /* inserting twice replaces, never duplicates */
    if (spmDomainMetadataInsert(def->doc, md) < 0)
        return -1;
    {
        g_autofree char *twice = spmDomainDefFormat(def, SPM_DOMAIN_FORMAT_NO_MEMMAP);
        if (strcmp(twice, inserted) != 0) {
            printf("# a second insert changed the document\n");
            return -1;
        }
    }

    if (!spmDomainMetadataRemove(def->doc) || spmDomainMetadataRemove(def->doc))
        return -1;
    removed = spmDomainDefFormat(def, 0);
    canonA = spmTestCanonicalXML(original);
    canonB = spmTestCanonicalXML(removed);
    if (!canonA || !canonB || strcmp(canonA, canonB) != 0) {
        printf("# removing the metadata did not give the original back\n");
        return -1;
    }
    return 0;
}

static int
testDamaged(const void *opaque)
{
    const char *xml = "<domain type='qemu'><name>d</name><metadata>"
                      "<spm:spm xmlns:spm='" SPM_METADATA_NS "'>"
                      "<spm:cell id='x' memmap='spm'/></spm:spm></metadata></domain>";
    g_autoptr(xmlDoc) doc = spmXMLParse(xml, strlen(xml), "damaged");
    g_autoptr(spmDomainMetadata) md = NULL;

    if (!doc || spmDomainMetadataParseDoc(doc, &md) != -1 || md)
        return -1;
    if (!spmErrorHasCode(SPM_ERR_XML_ERROR))
        return -1;
    return 0;
}

static int
testAbsentAndForeign(const void *opaque)
{
    /* another application's element in <metadata> is not ours */
    const char *xml =
        "<domain type='qemu'><name>d</name><metadata>"
        "<spm:spm xmlns:spm='http://example.org/other'><spm:cell id='1' memmap='spm'/>"
        "</spm:spm></metadata></domain>";
    g_autoptr(xmlDoc) doc = spmXMLParse(xml, strlen(xml), "foreign");
    g_autoptr(spmDomainMetadata) md = NULL;

    if (!doc || spmDomainMetadataParseDoc(doc, &md) != 0 || md)
        return -1;
    return spmDomainMetadataRemove(doc) ? -1 : 0;
}

static int
mymain(void)
{
    int ret = 0;

    if (spmTestRun("insert/parse/remove minimal-spm", testInsertParseRemove, "minimal-spm") < 0)
        ret = -1;
    if (spmTestRun("insert/parse/remove mi300a", testInsertParseRemove, "mi300a") < 0)
        ret = -1;
    if (spmTestRun("damaged metadata is an error", testDamaged, NULL) < 0)
        ret = -1;
    if (spmTestRun("absent or foreign metadata", testAbsentAndForeign, NULL) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
