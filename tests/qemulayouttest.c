/*
 * qemulayouttest.c: the guest-physical layout QEMU builds, predicted
 *
 * Each case is a domain in qemulayoutdata/NAME.xml, laid out for a QEMU
 * described by a caps file of qemucapabilitiesdata/ and a fixed host.  A
 * layout is compared with NAME.txt (the table, then any warnings), and for
 * some cases with NAME.json and NAME.svg; a rejection with NAME.err.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_conf.h"
#include "qemu_capabilities.h"
#include "qemu_layout.h"
#include "spmerror.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_NONE

typedef enum {
    LAYOUT_JSON = 1 << 0, /* also compare NAME.json */
    LAYOUT_SVG = 1 << 1,  /* also compare NAME.svg */
} spmLayoutTestFlags;

typedef struct {
    const char *name;
    const char *caps; /* qemucapabilitiesdata/caps_<caps>_x86_64.xml */
    spmQEMUCPUVendor hostVendor;
    unsigned int hostBits;
    unsigned int flags;
} spmLayoutTestData;

static GHashTable *spmLayoutCapsCache;


static spmQEMUCaps *
spmLayoutTestCaps(const char *version)
{
    spmQEMUCaps *caps;
    g_autofree char *path = NULL;

    if ((caps = g_hash_table_lookup(spmLayoutCapsCache, version)))
        return caps;
    path = g_strdup_printf("%s/qemucapabilitiesdata/caps_%s_x86_64.xml", spmTestSrcdir(), version);
    if (!(caps = spmQEMUCapsLoadFile(path)))
        return NULL;
    g_hash_table_insert(spmLayoutCapsCache, g_strdup(version), caps);
    return caps;
}


/* All queued warnings, one per line; "" when there are none. */
static char *
spmLayoutTestWarnings(void)
{
    g_autoptr(GString) str = g_string_new(NULL);
    size_t i;

    for (i = 0; i < spmErrorTotal(); i++) {
        const spmError *err = spmErrorGet(i);
        g_autofree char *msg = NULL;

        if (err->level != SPM_ERR_LEVEL_WARNING)
            continue;
        msg = spmErrorFormat(err);
        g_string_append_printf(str, "warning: %s\n", msg);
    }
    return g_string_free(g_steal_pointer(&str), FALSE);
}


static int
spmLayoutTestCompare(const char *name, const char *ext, const char *actual)
{
    g_autofree char *path = g_strdup_printf("%s/qemulayoutdata/%s.%s", spmTestSrcdir(), name, ext);

    return spmTestCompareToFile(actual, path);
}


static int
spmLayoutTestOne(const void *opaque)
{
    const spmLayoutTestData *data = opaque;
    g_autofree char *xmlpath =
        g_strdup_printf("%s/qemulayoutdata/%s.xml", spmTestSrcdir(), data->name);
    spmQEMULayoutHost host = {
        .vendor = data->hostVendor ? data->hostVendor : SPM_QEMU_CPU_VENDOR_AMD,
        .physBits = data->hostBits ? data->hostBits : 48,
        .hugepageSize = 2 * SPM_MIB,
    };
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMULayoutInput) input = NULL;
    g_autoptr(spmQEMULayout) layout = NULL;
    spmQEMUCaps *caps = NULL;
    g_autofree char *table = NULL;
    g_autofree char *warnings = NULL;
    g_autofree char *actual = NULL;

    if (!(def = spmDomainDefParseFile(xmlpath)))
        return -1;
    if (data->caps && !(caps = spmLayoutTestCaps(data->caps)))
        return -1;
    spmErrorReset();

    if ((input = spmQEMULayoutInputFromDomain(def, caps, &host)))
        layout = spmQEMULayoutCompute(input);

    if (!layout) {
        g_autofree char *errs = spmTestFormatErrors();

        if (spmErrorCount() == 0) {
            fprintf(stderr, "%s: no layout and no error\n", data->name);
            return -1;
        }
        return spmLayoutTestCompare(data->name, "err", errs);
    }
    if (spmErrorCount() > 0) {
        fprintf(stderr, "%s: a layout together with errors\n", data->name);
        return -1;
    }
    if (g_str_has_prefix(data->name, "fail-")) {
        /* a rejection case that is not rejected must not pass unnoticed */
        fprintf(stderr, "%s: expected a rejection, got a layout\n", data->name);
        return -1;
    }

    table = spmQEMULayoutFormatTable(layout, input);
    warnings = spmLayoutTestWarnings();
    actual = g_strdup_printf("%s%s%s", table, *warnings ? "--\n" : "", warnings);
    if (spmLayoutTestCompare(data->name, "txt", actual) < 0)
        return -1;

    if (data->flags & LAYOUT_JSON) {
        g_autofree char *json = spmQEMULayoutFormatJSON(layout, input);

        if (spmLayoutTestCompare(data->name, "json", json) < 0)
            return -1;
    }
    if (data->flags & LAYOUT_SVG) {
        g_autofree char *svg = spmQEMULayoutFormatSVG(layout, input);
        xmlDocPtr doc = xmlReadMemory(svg, strlen(svg), "layout.svg", NULL, XML_PARSE_NONET);

        if (!doc) {
            fprintf(stderr, "%s: the SVG is not well-formed XML\n", data->name);
            return -1;
        }
        xmlFreeDoc(doc);
        if (spmLayoutTestCompare(data->name, "svg", svg) < 0)
            return -1;
    }

    /* the -m and sp-mem arguments are what the table says */
    if (layout->nspmems > 0) {
        g_auto(spmQEMULayoutArgs) qargs = {0};
        g_autofree char *expect = g_strdup_printf(
            input->deviceKeyval ? "addr=%llu" : "\"addr\":%llu}", layout->spmems[0].addr);
        const char *dev;

        if (spmQEMULayoutGetArgs(layout, input, &qargs) < 0)
            return -1;
        dev = qargs.devices[0];
        if (!g_str_has_suffix(dev, expect)) {
            fprintf(stderr, "%s: sp-mem device '%s'\n", data->name, dev);
            return -1;
        }
    }
    return 0;
}


/* ---------------------------------------------------------------------- */
/* Cases built in code */

static spmQEMULayoutInput *
spmLayoutTestInputNew(size_t nnodes, size_t ntyped, size_t ndimms)
{
    spmQEMULayoutInput *in = g_new0(spmQEMULayoutInput, 1);
    size_t i;

    in->family = SPM_QEMU_MACHINE_FAMILY_Q35;
    in->machine = g_strdup("pc-q35-11.1");
    in->machineMajor = 11;
    in->machineMinor = 1;
    in->cpuModel = g_strdup("qemu64");
    in->vendor = SPM_QEMU_CPU_VENDOR_AMD;
    in->physBits = 46;
    in->form = SPM_FORM_SP_MEM;
    in->nnodes = nnodes;
    in->nodes = g_new0(spmQEMULayoutNode, nnodes);
    for (i = 0; i < nnodes; i++) {
        in->nodes[i].id = i;
        in->nodes[i].size = 4 * SPM_GIB;
        in->nodes[i].firstCPU = i;
        /* the typed cells are the last ones */
        if (i >= nnodes - ntyped) {
            in->nodes[i].memmap = SPM_MEMMAP_SPM;
            in->nodes[i].firstCPU = -1;
        }
    }
    if (ndimms > 0) {
        in->hasMaxMemory = true;
        in->slots = ndimms;
        in->maxMemory = (nnodes * 4 + ndimms) * SPM_GIB;
        in->ndevs = ndimms;
        in->devs = g_new0(spmQEMULayoutMemDev, ndimms);
        for (i = 0; i < ndimms; i++) {
            in->devs[i].model = SPM_MEMORY_MODEL_DIMM;
            in->devs[i].alias = g_strdup_printf("dimm%zu", i);
            in->devs[i].size = SPM_GIB;
            in->devs[i].node = i % (nnodes - ntyped);
        }
    }
    return in;
}


/* 64 nodes, 32 typed, 64 DIMMs: the benchmark's guest.  Every range is
 * inside the window, SPM ranges of different nodes never touch, and no two
 * memory devices overlap. */
static int
spmLayoutTestBig(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(spmQEMULayoutInput) in = spmLayoutTestInputNew(64, 32, 64);
    g_autoptr(spmQEMULayout) layout = spmQEMULayoutCompute(in);
    unsigned long long winEnd;
    size_t i;
    size_t j;

    if (!layout)
        return -1;
    winEnd = layout->deviceMemBase + layout->deviceMemSize;
    if (layout->nspmems != 32 || layout->ndevices != 64)
        return -1;
    for (i = 0; i < layout->nspmems; i++) {
        const spmQEMULayoutSpMem *a = &layout->spmems[i];

        if (a->addr < layout->deviceMemBase || a->addr + a->size > winEnd ||
            a->addr % SPM_QEMU_LAYOUT_BLOCK_SIZE)
            return -1;
        if (i > 0 &&
            a->addr <
                layout->spmems[i - 1].addr + layout->spmems[i - 1].size + SPM_QEMU_LAYOUT_SPM_GAP)
            return -1;
    }
    for (i = 0; i < layout->ndevices; i++) {
        const spmQEMULayoutDevice *d = &layout->devices[i];

        if (d->addr < layout->deviceMemBase || d->addr + d->size > winEnd)
            return -1;
        for (j = 0; j < layout->nspmems; j++) {
            const spmQEMULayoutSpMem *s = &layout->spmems[j];
            if (d->addr < s->addr + s->size && s->addr < d->addr + d->size)
                return -1;
        }
        for (j = 0; j < i; j++) {
            const spmQEMULayoutDevice *e = &layout->devices[j];
            if (d->addr < e->addr + e->size && e->addr < d->addr + d->size)
                return -1;
        }
    }
    /* the SRAT: RAM entries, padding, then the window split around 32 SPM ranges */
    if (layout->srat[layout->nsrat - 1].kind != SPM_QEMU_SRAT_HOTPLUG)
        return -1;
    return 0;
}


/* Without <maxMemory> the effective maxmem is boot RAM plus SPM plus gaps. */
static int
spmLayoutTestMemoryArgs(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(spmQEMULayoutInput) in = spmLayoutTestInputNew(4, 2, 0);
    g_auto(spmQEMULayoutArgs) qargs = {0};
    g_autoptr(spmQEMULayout) layout = NULL;
    g_autoptr(spmQEMULayout) withMax = NULL;
    g_autoptr(spmQEMULayout) tooSmall = NULL;
    const char *marg;

    if (!(layout = spmQEMULayoutCompute(in)))
        return -1;
    if (layout->ramSize != 8 * SPM_GIB || layout->slots != 0 ||
        layout->maxMem != 8 * SPM_GIB + 8 * SPM_GIB + SPM_QEMU_LAYOUT_SPM_GAP) {
        fprintf(stderr, "args %llu %llu %u\n", layout->ramSize, layout->maxMem, layout->slots);
        return -1;
    }
    if (spmQEMULayoutGetArgs(layout, in, &qargs) < 0)
        return -1;
    marg = qargs.memory;
    if (!SPM_STREQ(marg, "size=8388608k,maxmem=16908288k")) {
        fprintf(stderr, "-m %s\n", marg);
        return -1;
    }

    /* with <maxMemory> it is taken as it is, slots included */
    in->hasMaxMemory = true;
    in->maxMemory = 32 * SPM_GIB;
    in->slots = 3;
    if (!(withMax = spmQEMULayoutCompute(in)) || withMax->maxMem != 32 * SPM_GIB ||
        withMax->slots != 3)
        return -1;

    /* and a rejection fails the layout */
    in->maxMemory = 12 * SPM_GIB;
    if ((tooSmall = spmQEMULayoutCompute(in)))
        return -1;
    spmErrorReset();
    return 0;
}


static int
spmLayoutTestCPUModels(const void *opaque G_GNUC_UNUSED)
{
    static const struct {
        const char *model;
        spmQEMUCPUVendor vendor;
        bool is32;
    } models[] = {
        {"qemu64", SPM_QEMU_CPU_VENDOR_AMD, false},
        {"qemu64-v1", SPM_QEMU_CPU_VENDOR_AMD, false},
        {"EPYC-Genoa-v2", SPM_QEMU_CPU_VENDOR_AMD, false},
        {"Opteron_G5", SPM_QEMU_CPU_VENDOR_AMD, false},
        {"phenom", SPM_QEMU_CPU_VENDOR_AMD, false},
        {"athlon-v1", SPM_QEMU_CPU_VENDOR_AMD, false},
        {"max", SPM_QEMU_CPU_VENDOR_AMD, false},
        {"kvm64", SPM_QEMU_CPU_VENDOR_INTEL, false},
        {"Skylake-Server-v5", SPM_QEMU_CPU_VENDOR_INTEL, false},
        {"SapphireRapids", SPM_QEMU_CPU_VENDOR_INTEL, false},
        {"Dhyana-v2", SPM_QEMU_CPU_VENDOR_OTHER, false},
        {"YongFeng", SPM_QEMU_CPU_VENDOR_OTHER, false},
        {"pentium3", SPM_QEMU_CPU_VENDOR_INTEL, true},
        {"pentium", SPM_QEMU_CPU_VENDOR_INTEL, true},
        {"qemu32-v1", SPM_QEMU_CPU_VENDOR_INTEL, true},
        {"n270", SPM_QEMU_CPU_VENDOR_INTEL, true},
        {"Penryn", SPM_QEMU_CPU_VENDOR_INTEL, false},
        {NULL, SPM_QEMU_CPU_VENDOR_AMD, false},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(models); i++) {
        if (spmQEMULayoutCPUModelVendor(models[i].model) != models[i].vendor ||
            spmQEMULayoutCPUModelIs32Bit(models[i].model) != models[i].is32) {
            fprintf(stderr, "model '%s'\n", models[i].model ? models[i].model : "(null)");
            return -1;
        }
    }
    return 0;
}


static int
spmLayoutTestMachines(const void *opaque G_GNUC_UNUSED)
{
    static const struct {
        const char *name;
        bool ok;
        spmQEMUMachineFamily family;
        unsigned int major;
        unsigned int minor;
    } machines[] = {
        {"q35", true, SPM_QEMU_MACHINE_FAMILY_Q35, 0, 0},
        {"pc", true, SPM_QEMU_MACHINE_FAMILY_PC, 0, 0},
        {NULL, true, SPM_QEMU_MACHINE_FAMILY_PC, 0, 0},
        {"pc-q35-11.1", true, SPM_QEMU_MACHINE_FAMILY_Q35, 11, 1},
        {"pc-i440fx-7.0", true, SPM_QEMU_MACHINE_FAMILY_PC, 7, 0},
        {"pc-q35-9", false, SPM_QEMU_MACHINE_FAMILY_NONE, 0, 0},
        {"pc-q35-9.2.1", false, SPM_QEMU_MACHINE_FAMILY_NONE, 0, 0},
        {"microvm", false, SPM_QEMU_MACHINE_FAMILY_NONE, 0, 0},
        {"pc-1.0", false, SPM_QEMU_MACHINE_FAMILY_NONE, 0, 0},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(machines); i++) {
        spmQEMUMachineFamily family;
        unsigned int major;
        unsigned int minor;
        bool ok = spmQEMUMachineParse(machines[i].name, &family, &major, &minor);

        if (ok != machines[i].ok ||
            (ok &&
             (family != machines[i].family || major != machines[i].major ||
              minor != machines[i].minor))) {
            fprintf(stderr, "machine '%s'\n", machines[i].name ? machines[i].name : "(null)");
            return -1;
        }
    }
    return 0;
}


/* The default host probe must not crash and gives sane values here. */
static int
spmLayoutTestHostProbe(const void *opaque G_GNUC_UNUSED)
{
    spmQEMULayoutHost host;

    spmQEMULayoutHostProbe(&host);
    if (host.hugepageSize == 0 ||
        (host.physBits != 0 && (host.physBits < 32 || host.physBits > 64)))
        return -1;
    return 0;
}


static const spmLayoutTestData *spmLayoutCases;
static size_t spmLayoutNCases;


/* Every file in qemulayoutdata/ belongs to a case, and the right kind of case. */
static int
spmLayoutTestDataFiles(const void *opaque G_GNUC_UNUSED)
{
    static const char *const exts[] = {".xml", ".txt", ".err", ".json", ".svg"};
    int ret = 0;
    size_t e;
    size_t i;
    size_t j;

    for (e = 0; e < G_N_ELEMENTS(exts); e++) {
        g_autoptr(GPtrArray) files = spmTestListDir("qemulayoutdata", exts[e]);

        for (i = 0; i < files->len; i++) {
            const char *file = g_ptr_array_index(files, i);
            g_autofree char *name = g_strndup(file, strlen(file) - strlen(exts[e]));
            bool found = false;

            for (j = 0; j < spmLayoutNCases; j++) {
                if (SPM_STREQ(spmLayoutCases[j].name, name))
                    found = true;
            }
            if (!found) {
                fprintf(stderr, "qemulayoutdata/%s belongs to no case\n", file);
                ret = -1;
            }
        }
    }
    return ret;
}


static int
mymain(void)
{
    int ret = 0;
    static const spmLayoutTestData cases[] = {
        {"q35-basic", "11.1.3", 0, 0, LAYOUT_JSON | LAYOUT_SVG},
        {"q35-maxmem", "11.1.3", 0, 0, 0},
        {"pc-basic", "11.1.3", 0, 0, 0},
        {"q35-versioned", "11.1.3", 0, 0, 0},
        {"q35-split", "11.1.3", 0, 0, 0},
        {"q35-split-small", "11.1.3", 0, 0, 0},
        {"pc-split", "11.1.3", 0, 0, 0},
        {"pc-split-small", "11.1.3", 0, 0, 0},
        {"q35-two-normal", "11.1.3", 0, 0, 0},
        {"q35-spm-2", "11.1.3", 0, 0, 0},
        {"q35-spm-4", "11.1.3", 0, 0, LAYOUT_JSON},
        {"fail-nodes-spm-middle", "11.1.3", 0, 0, 0},
        {"q35-spm-4-hmat", "11.1.3", 0, 0, 0},
        {"fail-nodes-spm-before-normal", "11.1.3", 0, 0, 0},
        {"fail-nodes-cpu-order", "11.1.3", 0, 0, 0},
        {"q35-apu", "11.1.3", 0, 0, LAYOUT_JSON},
        {"q35-dimms", "11.1.3", 0, 0, LAYOUT_JSON | LAYOUT_SVG},
        {"q35-dimm-pinned", "11.1.3", 0, 0, 0},
        {"q35-nvdimm-virtiomem", "11.1.3", 0, 0, 0},
        {"q35-maxmem-slots", "11.1.3", 0, 0, 0},
        {"q35-hugepages-1g", "11.1.3", 0, 0, 0},
        {"q35-memfd", "11.1.3", 0, 0, 0},
        {"q35-large", "11.1.3", 0, 0, 0},
        {"q35-amd-relocation", "11.1.3", 0, 0, LAYOUT_SVG},
        {"q35-intel-large", "11.1.3", 0, 0, 0},
        {"q35-kvm-intel-model", "11.1.3", SPM_QEMU_CPU_VENDOR_AMD, 48, 0},
        {"q35-kvm-vendor-id", "11.1.3", SPM_QEMU_CPU_VENDOR_AMD, 48, 0},
        {"q35-host-passthrough", "11.1.3", SPM_QEMU_CPU_VENDOR_AMD, 48, 0},
        {"q35-old-machine", "11.1.3", 0, 0, 0},
        {"q35-phys-bits-36", "11.1.3", 0, 0, 0},
        {"q35-max-ram-below-4g", "11.1.3", 0, 0, 0},
        {"q35-keyval-device", "11.1.3", 0, 0, LAYOUT_JSON},
        {"pc-hole64", "11.1.3", 0, 0, 0},
        {"mm-q35-basic", "10.2.2-memmap-type", 0, 0, LAYOUT_JSON},
        {"mm-pc-basic", "10.2.2-memmap-type", 0, 0, 0},
        {"mm-q35-normal-after", "10.2.2-memmap-type", 0, 0, 0},
        {"mm-q35-apu-hmat", "10.2.2-memmap-type", 0, 0, 0},
        {"mm-q35-spm-normal-spm", "10.2.2-memmap-type", 0, 0, 0},
        {"fail-mm-adjacent", "10.2.2-memmap-type", 0, 0, 0},
        {"fail-mm-straddle", "10.2.2-memmap-type", 0, 0, 0},
        {"fail-mm-below4g", "10.2.2-memmap-type", 0, 0, 0},
        {"fail-mm-relocation", "10.2.2-memmap-type", 0, 0, 0},
        {"fail-mm-misaligned", "10.2.2-memmap-type", 0, 0, 0},
        {"fail-budget", "11.1.3", 0, 0, 0},
        {"fail-window", "11.1.3", 0, 0, 0},
        {"fail-size", "11.1.3", 0, 0, 0},
        {"fail-hugepage-size", "11.1.3", 0, 0, 0},
        {"fail-reserved-spmem", "11.1.3", 0, 0, 0},
        {"fail-phys-bits", "11.1.3", 0, 0, 0},
        {"fail-relocation-phys-bits", "11.1.3", 0, 0, 0},
        {"fail-dimm-overlap", "11.1.3", 0, 0, 0},
        {"fail-dimm-misaligned", "11.1.3", 0, 0, 0},
        {"fail-dimm-below", "11.1.3", 0, 0, 0},
        {"fail-no-form", "7.2.22", 0, 0, 0},
        {"fail-32bit", "11.1.3", 0, 0, 0},
        {"fail-slots", "11.1.3", 0, 0, 0},
        {"fail-dimm-slots", "11.1.3", 0, 0, 0},
        {"fail-maxmem-equal", "11.1.3", 0, 0, 0},
        {"fail-all-typed", "11.1.3", 0, 0, 0},
        {"fail-sgx", "11.1.3", 0, 0, 0},
        {"fail-host-passthrough-tcg", "11.1.3", 0, 0, 0},
        {"plain-dimm", "11.1.3", 0, 0, 0},
        {"plain-nonuma", "11.1.3", 0, 0, 0},
    };
    size_t i;

    spmLayoutCases = cases;
    spmLayoutNCases = G_N_ELEMENTS(cases);
    spmLayoutCapsCache =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)spmQEMUCapsFree);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *title = g_strdup_printf("layout %s", cases[i].name);

        if (spmTestRun(title, spmLayoutTestOne, &cases[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("every data file is used", spmLayoutTestDataFiles, NULL) < 0)
        ret = -1;
    if (spmTestRun("64 nodes, 32 typed, 64 DIMMs", spmLayoutTestBig, NULL) < 0)
        ret = -1;
    if (spmTestRun("effective -m", spmLayoutTestMemoryArgs, NULL) < 0)
        ret = -1;
    if (spmTestRun("CPU model vendors", spmLayoutTestCPUModels, NULL) < 0)
        ret = -1;
    if (spmTestRun("machine type names", spmLayoutTestMachines, NULL) < 0)
        ret = -1;
    if (spmTestRun("host probe", spmLayoutTestHostProbe, NULL) < 0)
        ret = -1;
    g_hash_table_destroy(spmLayoutCapsCache);
    return ret;
}

SPM_TEST_MAIN(mymain)
