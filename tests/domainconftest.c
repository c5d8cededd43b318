/*
 * domainconftest.c: the domain model parses and formats without losing
 * anything, and editing the typing changes only 'memmap' attributes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_conf.h"
#include "spmerror.h"

#include <string.h>

static spmDomainDef *
testParse(const char *path)
{
    spmDomainDef *def = spmDomainDefParseFile(path);

    if (!def)
        printf("# cannot parse %s\n", path);
    return def;
}

/* format(parse(x)) has the same canonical form as x (for documents without
 * an explicit memmap='normal', which is never formatted) */
static int
testRoundTrip(const void *opaque)
{
    const char *path = opaque;
    g_autoptr(spmDomainDef) def = testParse(path);
    g_autofree char *input = spmTestLoadFile(path);
    g_autofree char *output = NULL;
    g_autofree char *canonIn = NULL;
    g_autofree char *canonOut = NULL;

    if (!def)
        return -1;
    output = spmDomainDefFormat(def, 0);
    canonIn = spmTestCanonicalXML(input);
    canonOut = spmTestCanonicalXML(output);
    if (!canonIn || !canonOut || strcmp(canonIn, canonOut) != 0) {
        printf("# round trip of %s differs\n", path);
        if (spmTestDebug())
            printf("# got:\n%s", output);
        return -1;
    }
    return 0;
}

static int
testFormatTo(const char *inName, const char *outName, unsigned int flags,
             int (*edit)(spmDomainDef *def))
{
    g_autofree char *in = g_strdup_printf("%s/domainconfdata/%s", spmTestSrcdir(), inName);
    g_autofree char *out = g_strdup_printf("%s/domainconfdata/%s", spmTestSrcdir(), outName);
    g_autoptr(spmDomainDef) def = testParse(in);
    g_autofree char *output = NULL;

    if (!def)
        return -1;
    if (edit && edit(def) < 0)
        return -1;
    output = spmDomainDefFormat(def, flags);
    return spmTestCompareToFile(output, out);
}

static int
testNormalNotFormatted(const void *opaque)
{
    return testFormatTo("normal-explicit.xml", "normal-explicit.out.xml", 0, NULL);
}

static int
testStripMemmap(const void *opaque)
{
    return testFormatTo("roundtrip-unmodelled.xml", "roundtrip-unmodelled.nomemmap.xml",
                        SPM_DOMAIN_FORMAT_NO_MEMMAP, NULL);
}

static int
testEditRetype(spmDomainDef *def)
{
    /* cell 1 spm -> reserved, cell 0 untouched (normal) */
    if (spmDomainDefSetCellMemmap(def, 1, SPM_MEMMAP_RESERVED) < 0)
        return -1;
    if (spmDomainDefSetCellMemmap(def, 0, SPM_MEMMAP_NORMAL) < 0)
        return -1;
    /* no such cell: must fail and leave everything as it was */
    if (spmDomainDefSetCellMemmap(def, 9, SPM_MEMMAP_SPM) == 0)
        return -1;
    spmErrorReset();
    return 0;
}

static int
testEdit(const void *opaque)
{
    return testFormatTo("roundtrip-unmodelled.xml", "roundtrip-unmodelled.retyped.xml", 0,
                        testEditRetype);
}

/* The edit changes exactly one attribute value and nothing else: compare
 * with the input edited by libxml2 directly. */
static int
testEditIsMinimal(const void *opaque)
{
    g_autofree char *in =
        g_strdup_printf("%s/domainconfdata/roundtrip-unmodelled.xml", spmTestSrcdir());
    g_autofree char *before = spmTestLoadFile(in);
    g_autoptr(spmDomainDef) def = testParse(in);
    g_autoptr(xmlDoc) doc = spmXMLParse(before, strlen(before), in);
    g_autoptr(xmlBuffer) buf = xmlBufferCreate();
    g_autofree char *after = NULL;
    g_autofree char *canonAfter = NULL;
    g_autofree char *canonExpect = NULL;
    xmlNodePtr cell;

    if (!def || !doc || testEditRetype(def) < 0)
        return -1;
    after = spmDomainDefFormat(def, 0);

    cell = spmXMLFindPath(xmlDocGetRootElement(doc), "cpu/numa/cell");
    cell = cell ? spmXMLNextElement(cell, "cell") : NULL;
    if (!cell)
        return -1;
    xmlSetProp(cell, BAD_CAST "memmap", BAD_CAST "reserved");
    xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 0);

    canonAfter = spmTestCanonicalXML(after);
    canonExpect = spmTestCanonicalXML((const char *)xmlBufferContent(buf));
    if (!canonAfter || !canonExpect)
        return -1;
    /* The comment before the root is kept by the formatter but not by this
     * single-node dump: compare from the root element on. */
    if (!strstr(canonAfter, canonExpect)) {
        printf("# the edit changed more than the memmap attribute\n");
        return -1;
    }
    return 0;
}

static int
testModel(const void *opaque)
{
    g_autofree char *in =
        g_strdup_printf("%s/domainconfdata/roundtrip-unmodelled.xml", spmTestSrcdir());
    g_autoptr(spmDomainDef) def = testParse(in);
    const spmNumaCell *cell;

    if (!def)
        return -1;
    if (g_strcmp0(def->name, "roundtrip") != 0 || g_strcmp0(def->virtType, "kvm") != 0 ||
        def->vcpus != 4 || def->vcpusCurrent != 2 || def->memoryKiB != 3145728 || !def->acpi ||
        g_strcmp0(def->os.firmware, "efi") != 0 || g_strcmp0(def->os.machine, "pc-q35-7.2") != 0 ||
        def->numa.ncells != 2 || def->numa.ninterconnects != 2 ||
        g_strcmp0(def->memballoonModel, "virtio") != 0) {
        printf("# domain-level values parsed wrong\n");
        return -1;
    }
    cell = spmDomainDefGetCell(def, 0);
    if (!cell || cell->memKiB != 2097152 || spmBitmapCountBits(cell->cpus) != 4 ||
        cell->memAccess != SPM_DOMAIN_MEMORY_ACCESS_SHARED || cell->discard != SPM_TRISTATE_YES ||
        cell->memmap != SPM_MEMMAP_NORMAL || cell->ndistances != 2 || cell->ncaches != 1 ||
        cell->caches[0].sizeKiB != 10 || cell->caches[0].lineBytes != 8) {
        printf("# cell 0 parsed wrong\n");
        return -1;
    }
    cell = spmDomainDefGetCell(def, 1);
    if (!cell || cell->memmap != SPM_MEMMAP_SPM || cell->cpus || cell->memKiB != 1048576) {
        printf("# cell 1 parsed wrong\n");
        return -1;
    }
    if (spmDomainDefCountTypedCells(def) != 1 || spmDomainDefCellsMemoryKiB(def) != 3145728) {
        printf("# helpers compute wrong values\n");
        return -1;
    }
    return 0;
}

/* A unit-scaled example: MI300A, 96 GiB in six cells, memory device model fields */
static int
testUnits(const void *opaque)
{
    g_autofree char *top = g_path_get_dirname(spmTestSrcdir());
    g_autofree char *in = g_build_filename(top, "examples", "mi300a.xml", NULL);
    g_autoptr(spmDomainDef) def = testParse(in);
    size_t i;

    if (!def)
        return -1;
    if (def->memoryKiB != 96ULL * 1024 * 1024 || def->numa.ncells != 6 ||
        spmDomainDefCountTypedCells(def) != 4 || def->numatune.nmemnodes != 6 ||
        def->mb.nhugepages != 1 || def->mb.hugepages[0].sizeKiB != 2048)
        return -1;
    for (i = 0; i < def->numa.ncells; i++) {
        if (def->numa.cells[i].memKiB != 16ULL * 1024 * 1024)
            return -1;
    }
    return 0;
}

static int
mymain(void)
{
    g_autofree char *top = g_path_get_dirname(spmTestSrcdir());
    const char *dirs[] = {"tests/domainconfdata", "tests/domainvalidatedata", "examples"};
    int ret = 0;
    size_t d;
    size_t i;

    for (d = 0; d < G_N_ELEMENTS(dirs); d++) {
        g_autofree char *dir = g_build_filename(top, dirs[d], NULL);
        g_autoptr(GDir) gd = g_dir_open(dir, 0, NULL);
        g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
        const char *ent;

        while (gd && (ent = g_dir_read_name(gd))) {
            /* outputs and explicit-normal inputs do not round trip by design */
            if (g_str_has_suffix(ent, ".xml") && !strstr(ent, ".out.") &&
                !strstr(ent, ".nomemmap.") && !strstr(ent, ".retyped.") &&
                !strstr(ent, "normal-explicit"))
                g_ptr_array_add(files, g_build_filename(dir, ent, NULL));
        }
        g_ptr_array_sort(files, spmTestCompareStrings);
        for (i = 0; i < files->len; i++) {
            const char *path = g_ptr_array_index(files, i);
            g_autofree char *title = g_strdup_printf("round trip %s", path + strlen(top) + 1);

            if (spmTestRun(title, testRoundTrip, path) < 0)
                ret = -1;
        }
    }

    if (spmTestRun("memmap='normal' is never formatted", testNormalNotFormatted, NULL) < 0)
        ret = -1;
    if (spmTestRun("format without memmap for stock libvirt", testStripMemmap, NULL) < 0)
        ret = -1;
    if (spmTestRun("retyping a cell", testEdit, NULL) < 0)
        ret = -1;
    if (spmTestRun("retyping changes only the memmap attribute", testEditIsMinimal, NULL) < 0)
        ret = -1;
    if (spmTestRun("model values", testModel, NULL) < 0)
        ret = -1;
    if (spmTestRun("units and the MI300A example", testUnits, NULL) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
