/*
 * qemudomchecktest.c: "virt-spm domcheck"'s comparison with recorded QMP
 * replies (qemudomcheckdata/README.md): a match, a moved sp-mem device, a
 * domain started without its launch data, and the memmap-type form, whose
 * typing QMP does not show.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_conf.h"
#include "qemu_capabilities.h"
#include "qemu_domcheck.h"
#include "qemu_layout.h"
#include "spmerror.h"

#define SPM_FROM_THIS_FILE SPM_FROM_NONE

/* what define stores for the minimal example */
#define MINIMAL_LAUNCH                                             \
    "v=1,form=sp-mem,maxmem=3221225472,slots=0,node.1.memmap=spm," \
    "node.1.addr=0x100000000,node.1.size=1073741824"

typedef struct {
    const char *name;   /* the replies and the expected table */
    const char *caps;   /* capability set */
    const char *launch; /* stored launch data, NULL: none */
    size_t ndrift;
} spmDomcheckTestData;

static int
testDomcheck(const void *opaque)
{
    const spmDomcheckTestData *data = opaque;
    g_autofree char *xmlpath = g_strdup_printf("%s/../examples/minimal-spm.xml", spmTestSrcdir());
    g_autofree char *capspath =
        g_strdup_printf("%s/qemucapabilitiesdata/caps_%s_x86_64.xml", spmTestSrcdir(), data->caps);
    g_autofree char *devices = NULL;
    g_autofree char *memdev = NULL;
    g_autofree char *summary = NULL;
    g_autofree char *outpath = NULL;
    g_autofree char *table = NULL;
    g_autofree char *json = NULL;
    spmQEMULayoutHost host = {
        .vendor = SPM_QEMU_CPU_VENDOR_AMD, .physBits = 48, .hugepageSize = 2 * SPM_MIB};
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmQEMULayoutInput) input = NULL;
    g_autoptr(spmQEMULayout) layout = NULL;
    g_autoptr(spmLaunchData) stored = NULL;
    g_autoptr(spmQEMUDomcheck) check = NULL;
    spmQEMUDomcheckReplies replies;

    g_autofree char *devicesPath = g_strdup_printf(
        "%s/qemudomcheckdata/%s.query-memory-devices.json", spmTestSrcdir(), data->name);
    g_autofree char *memdevPath =
        g_strdup_printf("%s/qemudomcheckdata/%s.query-memdev.json", spmTestSrcdir(), data->name);
    g_autofree char *summaryPath = g_strdup_printf(
        "%s/qemudomcheckdata/%s.query-memory-size-summary.json", spmTestSrcdir(), data->name);

    devices = spmTestLoadFile(devicesPath);
    memdev = spmTestLoadFile(memdevPath);
    summary = spmTestLoadFile(summaryPath);
    if (!(def = spmDomainDefParseFile(xmlpath)) || !(caps = spmQEMUCapsLoadFile(capspath)) ||
        !(input = spmQEMULayoutInputFromDomain(def, caps, &host)) ||
        !(layout = spmQEMULayoutCompute(input)) ||
        (data->launch && spmLaunchDataParse(data->launch, &stored) < 0))
        return -1;
    replies.memoryDevices = devices;
    replies.memdev = memdev;
    replies.sizeSummary = summary;
    if (!(check = spmQEMUDomcheckCompare("spm-minimal", stored, layout, &replies)))
        return -1;
    if (check->ndrift != data->ndrift) {
        printf("# %zu drifted fields, expected %zu\n", check->ndrift, data->ndrift);
        return -1;
    }
    table = spmQEMUDomcheckFormatTable(check);
    json = spmQEMUDomcheckFormatJSON(check);
    outpath = g_strdup_printf("%s/qemudomcheckdata/%s.out", spmTestSrcdir(), data->name);
    if (spmTestCompareToFile(table, outpath) < 0)
        return -1;
    g_free(outpath);
    outpath = g_strdup_printf("%s/qemudomcheckdata/%s.json", spmTestSrcdir(), data->name);
    return spmTestCompareToFile(json, outpath);
}

static int
testBadReply(const void *opaque G_GNUC_UNUSED)
{
    spmQEMULayout layout = {.form = SPM_FORM_SP_MEM};
    spmQEMUDomcheckReplies replies = {"{\"error\": {\"class\": \"GenericError\"}}",
                                      "{\"return\": []}", "{\"return\": {}}"};
    spmQEMUDomcheck *check = spmQEMUDomcheckCompare("g", NULL, &layout, &replies);

    if (check || !spmErrorHasCode(SPM_ERR_QMP_ERROR)) {
        spmQEMUDomcheckFree(check);
        return -1;
    }
    spmErrorReset();
    return 0;
}

static int
mymain(void)
{
    static const spmDomcheckTestData cases[] = {
        {"match", "11.1.3", MINIMAL_LAUNCH, 0},
        {"moved", "11.1.3", MINIMAL_LAUNCH, 1},
        {"nolaunch", "11.1.3", NULL, 3},
        {"memmap", "10.2.2-memmap-type", NULL, 0},
    };
    int ret = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        ret |= spmTestRun(cases[i].name, testDomcheck, &cases[i]);
    ret |= spmTestRun("a QMP error reply", testBadReply, NULL);
    return ret;
}

SPM_TEST_MAIN(mymain)
