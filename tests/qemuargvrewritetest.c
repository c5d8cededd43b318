/*
 * qemuargvrewritetest.c: the shim's argv rewrite, launch data and keyval code
 *
 * Golden cases (tests/qemuargvrewritedata/, see README.md there): INPUT.in.args
 * is libvirt's argv in libvirt's .args layout; NAME.launch holds the launch
 * data that replaces the @DATA@ placeholder (where libvirt puts the
 * <qemu:commandline> arguments); the rewritten argv must equal NAME.out.args,
 * or the errors must equal NAME.err.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "shim_argv_rewrite.h"
#include "shim_launch_data.h"
#include "shim_node_numbering.h"
#include "spmerror.h"
#include "spmkeyval.h"

#include <string.h>

/* ---- golden cases ---- */

typedef struct _testCase testCase;
struct _testCase {
    const char *name;  /* NAME.launch, NAME.out.args / NAME.err */
    const char *input; /* INPUT.in.args */
    bool fail;         /* expect NAME.err */
    bool noLaunch;     /* drop "-virt-spm-launch @DATA@" (no <qemu:commandline>) */
};

static int
testRewrite(const void *opaque)
{
    const testCase *tc = opaque;
    g_autofree char *inPath =
        g_strdup_printf("%s/qemuargvrewritedata/%s.in.args", spmTestSrcdir(), tc->input);
    g_autofree char *launchPath =
        g_strdup_printf("%s/qemuargvrewritedata/%s.launch", spmTestSrcdir(), tc->name);
    g_autofree char *outPath = g_strdup_printf("%s/qemuargvrewritedata/%s.%s", spmTestSrcdir(),
                                               tc->name, tc->fail ? "err" : "out.args");
    g_autofree char *in = spmTestLoadFile(inPath);
    g_autofree char *launch = NULL;
    g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) newargv = NULL;
    g_autofree char *actual = NULL;
    size_t placeholders = 0;
    size_t i;
    int rc;

    if (spmTestArgsParse(in, env, argv) < 0) {
        printf("# cannot parse %s\n", inPath);
        return -1;
    }
    if (g_file_test(launchPath, G_FILE_TEST_EXISTS)) {
        launch = spmTestLoadFile(launchPath);
        g_strchomp(launch);
    }
    for (i = 1; i + 1 < argv->len; i++) {
        if (!SPM_STREQ(g_ptr_array_index(argv, i), "@DATA@"))
            continue;
        placeholders++;
        if (tc->noLaunch) {
            g_ptr_array_remove_range(argv, i - 1, 2);
            i -= 2;
            continue;
        }
        if (!launch) {
            printf("# %s has @DATA@ but %s is missing\n", inPath, launchPath);
            return -1;
        }
        g_free(g_ptr_array_index(argv, i));
        g_ptr_array_index(argv, i) = g_strdup(launch);
    }
    if (launch && placeholders == 0) {
        printf("# %s has no @DATA@ for %s\n", inPath, launchPath);
        return -1;
    }

    rc = spmQEMUArgvRewrite((const char *const *)argv->pdata, &newargv);
    if (rc < 0) {
        if (!tc->fail)
            return -1;
        actual = spmTestFormatErrors();
        spmErrorReset();
        return spmTestCompareToFile(actual, outPath);
    }
    if (tc->fail) {
        printf("# rewrite succeeded, expected the errors of %s\n", outPath);
        return -1;
    }
    if ((rc == 0) != tc->noLaunch || (rc == 0) != !newargv) {
        printf("# rewrite returned %d, expected %d\n", rc, tc->noLaunch ? 0 : 1);
        return -1;
    }
    actual = spmTestArgsFormat(env, newargv ? newargv : (char **)argv->pdata);
    return spmTestCompareToFile(actual, outPath);
}


/* ---- keyval ---- */

typedef struct _testKeyval testKeyval;
struct _testKeyval {
    const char *str;
    const char *implied;
    const char *pairs;     /* "key=value|flag|..." or NULL when parsing fails */
    const char *formatted; /* NULL: same as str */
};

static int
testKeyvalParse(const void *opaque)
{
    const testKeyval *tc = opaque;
    g_autoptr(spmKeyval) kv = NULL;
    g_autoptr(GString) dump = g_string_new(NULL);
    g_autofree char *formatted = NULL;
    size_t i;

    if (spmKeyvalParse(tc->str, tc->implied, &kv) < 0) {
        if (tc->pairs)
            return -1;
        spmErrorReset();
        return 0;
    }
    if (!tc->pairs) {
        printf("# '%s' parsed, expected an error\n", tc->str);
        return -1;
    }
    for (i = 0; i < kv->npairs; i++) {
        if (i > 0)
            g_string_append_c(dump, '|');
        g_string_append(dump, kv->pairs[i].key);
        if (kv->pairs[i].value)
            g_string_append_printf(dump, "=%s", kv->pairs[i].value);
    }
    if (!SPM_STREQ(dump->str, tc->pairs)) {
        printf("# '%s' parsed as '%s', expected '%s'\n", tc->str, dump->str, tc->pairs);
        return -1;
    }
    formatted = spmKeyvalFormat(kv);
    if (!SPM_STREQ(formatted, tc->formatted ? tc->formatted : tc->str)) {
        printf("# '%s' formatted as '%s'\n", tc->str, formatted);
        return -1;
    }
    return 0;
}

static int
testKeyvalEdit(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(spmKeyval) kv = NULL;
    g_autofree char *out = NULL;
    g_autofree char *escaped = spmKeyvalEscape("a,b,,c");

    if (!SPM_STREQ(escaped, "a,,b,,,,c"))
        return -1;
    if (spmKeyvalParse("node,nodeid=1,cpus=0-1,cpus=4,memdev=ram-node1", "type", &kv) < 0)
        return -1;
    if (spmKeyvalCount(kv, "cpus") != 2 || !SPM_STREQ(spmKeyvalGet(kv, "cpus"), "4") ||
        spmKeyvalGet(kv, "mem") || spmKeyvalRemove(kv, "memdev") != 1 ||
        spmKeyvalRemove(kv, "memdev") != 0)
        return -1;
    spmKeyvalAppend(kv, "x", "a,b");
    spmKeyvalAppend(kv, "flag", NULL);
    out = spmKeyvalFormat(kv);
    if (!SPM_STREQ(out, "node,nodeid=1,cpus=0-1,cpus=4,x=a,,b,flag"))
        return -1;
    g_clear_pointer(&out, g_free);
    /* removing the implied first pair writes the rest with their keys */
    spmKeyvalRemove(kv, "type");
    out = spmKeyvalFormat(kv);
    return SPM_STREQ(out, "nodeid=1,cpus=0-1,cpus=4,x=a,,b,flag") ? 0 : -1;
}


/* ---- launch data ---- */

typedef struct _testLaunch testLaunch;
struct _testLaunch {
    const char *str;
    const char *formatted; /* NULL: parsing must fail */
};

static int
testLaunchParse(const void *opaque)
{
    const testLaunch *tc = opaque;
    g_autoptr(spmLaunchData) data = NULL;
    g_autoptr(spmLaunchData) again = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *formatted2 = NULL;

    if (spmLaunchDataParse(tc->str, &data) < 0) {
        if (tc->formatted)
            return -1;
        if (spmErrorCount() != 1) {
            printf("# expected exactly one error\n");
            return -1;
        }
        spmErrorReset();
        return 0;
    }
    if (!tc->formatted) {
        printf("# '%s' parsed, expected an error\n", tc->str);
        return -1;
    }
    if (!(formatted = spmLaunchDataFormat(data)))
        return -1;
    if (!SPM_STREQ(formatted, tc->formatted)) {
        printf("# formatted as '%s'\n", formatted);
        return -1;
    }
    /* the formatter's output parses back to the same data */
    if (spmLaunchDataParse(formatted, &again) < 0 || !(formatted2 = spmLaunchDataFormat(again)) ||
        !SPM_STREQ(formatted, formatted2))
        return -1;
    return 0;
}

/* ---- renaming node ids (shim_node_numbering.h) ---- */

typedef struct _testRename testRename;
struct _testRename {
    const char *option;
    const char *value;
    const char *renamed; /* NULL: refused */
};

/* cell -> QEMU node id for every rename case: 0->2, 1->0, 2->1 */
static const unsigned int testRenamePxm[] = {2, 0, 1};

static int
testRenameValue(const void *opaque)
{
    const testRename *tc = opaque;
    g_autofree char *got = spmNodeNumberingRenameValue(tc->option, tc->value, testRenamePxm,
                                                       G_N_ELEMENTS(testRenamePxm));

    if (!tc->renamed) {
        if (got) {
            printf("# renamed to '%s', expected a refusal\n", got);
            return -1;
        }
        if (spmErrorCount() != 1) {
            printf("# expected exactly one error\n");
            return -1;
        }
        spmErrorReset();
        return 0;
    }
    if (!got || !SPM_STREQ(got, tc->renamed)) {
        printf("# renamed to '%s', expected '%s'\n", got ? got : "(error)", tc->renamed);
        return -1;
    }
    return 0;
}

static int
testRenumberMoveToEnd(const void *opaque G_GNUC_UNUSED)
{
    unsigned int pxm[6];
    static const unsigned int expect[6] = {0, 5, 1, 2, 3, 4};
    static const unsigned int last[3] = {0, 1, 2};

    spmNodeNumberingMoveToEnd(6, 1, pxm);
    if (memcmp(pxm, expect, sizeof(pxm)) != 0 || spmNodeNumberingValidate(pxm, 6) < 0 ||
        spmNodeNumberingIsIdentity(pxm, 6))
        return -1;
    /* the last cell moved to the end: nothing moves */
    spmNodeNumberingMoveToEnd(3, 2, pxm);
    if (memcmp(pxm, last, sizeof(last)) != 0 || !spmNodeNumberingIsIdentity(pxm, 3))
        return -1;
    return 0;
}

static int
testLaunchBuild(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(spmLaunchData) data = spmLaunchDataNew(SPM_FORM_SP_MEM);
    g_autofree char *str = NULL;
    spmLaunchNode *node;

    data->maxmem = 6 * SPM_GIB;
    /* added out of order: the formatter writes them sorted */
    if (!(node = spmLaunchDataAddNode(data, 3)))
        return -1;
    node->memmap = SPM_MEMMAP_SPM;
    node->addr = 0x188000000ULL;
    node->size = SPM_GIB;
    if (!(node = spmLaunchDataAddNode(data, 1)))
        return -1;
    node->memmap = SPM_MEMMAP_SPM;
    node->addr = 0x140000000ULL;
    node->size = SPM_GIB;
    if (spmLaunchDataAddNode(data, 3) || spmErrorCount() != 1)
        return -1;
    spmErrorReset();
    if (!spmLaunchDataGetNode(data, 1) || spmLaunchDataGetNode(data, 2))
        return -1;
    if (!(str = spmLaunchDataFormat(data)))
        return -1;
    if (!SPM_STREQ(str,
                   "v=1,form=sp-mem,maxmem=6442450944,slots=0,"
                   "node.1.memmap=spm,node.1.addr=0x140000000,node.1.size=1073741824,"
                   "node.3.memmap=spm,node.3.addr=0x188000000,node.3.size=1073741824")) {
        printf("# formatted as '%s'\n", str);
        return -1;
    }
    /* invalid data is not formatted */
    data->nodes[0].memmap = SPM_MEMMAP_RESERVED;
    g_clear_pointer(&str, g_free);
    if ((str = spmLaunchDataFormat(data)) || spmErrorCount() != 1)
        return -1;
    spmErrorReset();
    return 0;
}


static int
mymain(void)
{
    static const testCase cases[] = {
        /* sp-mem form on real libvirt 9.0 argv */
        {"spmem-numa2", "numa2", false, false},
        {"spmem-numa5", "numa5", false, false},
        {"spmem-hugepages", "hugepages", false, false},
        {"spmem-memnode", "memnode", false, false},
        {"spmem-memfd", "memfd", false, false},
        {"spmem-hotplug", "hotplug", false, false},
        {"spmem-hotplug-maxmem", "hotplug", false, false},
        {"spmem-hmat", "hmat", false, false},
        {"spmem-distances", "distances", false, false},
        {"spmem-escape", "escape", false, false},
        /* memmap-type form */
        {"memmap-numa2", "numa2", false, false},
        {"memmap-reserved-numa2", "numa2", false, false},
        {"memmap-numa5", "numa5", false, false},
        {"memmap-hotplug", "hotplug", false, false},
        /* no <qemu:commandline>: untouched */
        {"passthrough-numa2", "numa2", false, true},
        /* hand-edited inputs (README.md) */
        {"spmem-m-size-k", "numa2-m-size-k", false, false},
        {"spmem-keyval", "numa2-keyval", false, false},
        {"spmem-commas", "numa2-commas", false, false},
        {"memmap-commas", "numa2-commas", false, false},
        /* refusals: launch data */
        {"err-version", "numa2", true, false},
        {"err-no-version", "numa2", true, false},
        {"err-no-form", "numa2", true, false},
        {"err-bad-form", "numa2", true, false},
        {"err-unknown-key", "numa2", true, false},
        {"err-repeated-key", "numa2", true, false},
        {"err-bad-number", "numa2", true, false},
        {"err-no-nodes", "numa2", true, false},
        {"err-reserved-spmem", "numa2", true, false},
        {"err-no-addr", "numa2", true, false},
        {"err-memmap-addr", "numa2", true, false},
        {"err-memmap-maxmem", "numa2", true, false},
        {"err-no-maxmem", "numa2", true, false},
        {"err-duplicate-launch", "numa2-launch-twice", true, false},
        {"err-launch-no-value", "numa2-launch-last", true, false},
        /* refusals: launch data and argv disagree */
        {"err-node-missing", "numa2", true, false},
        {"err-size-mismatch", "numa2", true, false},
        {"err-size-mismatch-memmap", "numa2", true, false},
        {"err-maxmem-small", "numa2", true, false},
        {"err-no-ram-left", "numa2", true, false},
        {"err-legacy-mem", "numa2-legacy-mem", true, false},
        {"err-no-memdev", "numa2-no-memdev", true, false},
        {"err-backend-missing", "numa2-backend-missing", true, false},
        {"err-backend-twice", "numa2-backend-twice", true, false},
        {"err-node-twice", "numa2-node-twice", true, false},
        {"err-m-unparsable", "numa2-m-unparsable", true, false},
        {"err-m-twice", "numa2-m-twice", true, false},
        {"err-m-fraction", "numa2-m-fraction", true, false},
        {"err-option-no-value", "numa2-option-no-value", true, false},
        {"err-object-json", "numa2-object-json", true, false},
        /* dax backing: the node's backend becomes a file backend on the device */
        {"dax-numa2", "numa2", false, false},
        {"dax-memnode", "memnode", false, false},
        {"dax-memfd", "memfd", false, false},
        {"dax-hugepages", "hugepages", false, false},
        {"dax-keyval", "numa2-keyval", false, false},
        {"dax-memmap-numa2", "numa2", false, false},
        {"err-dax-no-align", "numa2", true, false},
        {"err-dax-align-not-pow2", "numa2", true, false},
        {"err-dax-relative", "numa2", true, false},
        {"err-dax-align-only", "numa2", true, false},
        {"err-dax-size-misaligned", "numa2", true, false},
        {"err-dax-no-size", "numa2", true, false},
        {"err-dax-backend-missing", "numa2-backend-missing", true, false},
        /* a memory device on a typed node (added behind virt-spm's back) */
        {"err-dimm-on-typed-node", "hotplug", true, false},
        {"err-memmap-dimm-on-typed-node", "hotplug", true, false},
        {"err-keyval-dimm-on-typed-node", "hotplug-keyval-node1", true, false},
        /* QEMU's node ids renumbered (pxm.N) */
        {"spmem-renumber-numa5", "numa5", false, false},
        {"spmem-renumber-distances", "distances", false, false},
        {"spmem-renumber-hmat", "hmat", false, false},
        {"spmem-renumber-hotplug", "hotplug", false, false},
        {"err-pxm-boot-ram-order", "numa2", true, false},
        {"err-pxm-count", "numa2", true, false},
        {"err-pxm-global", "numa2-global-node", true, false},
    };
    static const testKeyval keyvals[] = {
        {"node,nodeid=1,cpus=0-1,cpus=4,memdev=ram-node1", "type",
         "type=node|nodeid=1|cpus=0-1|cpus=4|memdev=ram-node1", NULL},
        {"3072", "size", "size=3072", NULL},
        {"size=3145728k,slots=1,maxmem=4194304k", "size", "size=3145728k|slots=1|maxmem=4194304k",
         NULL},
        {"guest=spm,,esc,debug-threads=on", NULL, "guest=spm,esc|debug-threads=on", NULL},
        {"a,,b,c=d,,,,e", "first", "first=a,b|c=d,,e", NULL},
        {"type=node,nodeid=0", "type", "type=node|nodeid=0", NULL},
        {"node,share,nodeid=1", "type", "type=node|share|nodeid=1", NULL},
        {"a=1,", NULL, "a=1", "a=1"},
        {"a=,b=x=y", NULL, "a=|b=x=y", NULL},
        {"", NULL, "", NULL},
        {"=1", NULL, NULL, NULL},
        {"a=1,=2", NULL, NULL, NULL},
        {"flag,,x", NULL, NULL, NULL},
        /* an empty bare value is written with its key: "" would drop it */
        {",", "type", "type=", "type="},
        {",nodeid=1", "type", "type=|nodeid=1", "type=,nodeid=1"},
    };
    static const testLaunch launches[] = {
        {"v=1,form=sp-mem,maxmem=3221225472,slots=0,node.1.memmap=spm,"
         "node.1.addr=0x100000000,node.1.size=1073741824",
         "v=1,form=sp-mem,maxmem=3221225472,slots=0,node.1.memmap=spm,"
         "node.1.addr=0x100000000,node.1.size=1073741824"},
        /* any key order, decimal or hex numbers, slots defaults to 0 */
        {"node.1.size=0x40000000,node.1.addr=4294967296,node.1.memmap=spm,maxmem=0xC0000000,"
         "form=sp-mem,v=1",
         "v=1,form=sp-mem,maxmem=3221225472,slots=0,node.1.memmap=spm,"
         "node.1.addr=0x100000000,node.1.size=1073741824"},
        {"v=1,form=memmap-type,node.3.memmap=reserved,node.1.memmap=spm,node.1.size=1024",
         "v=1,form=memmap-type,node.1.memmap=spm,node.1.size=1024,node.3.memmap=reserved"},
        {"v=1,form=sp-mem,maxmem=3221225472,slots=4,node.0.memmap=spm,"
         "node.0.addr=0x100000000,node.0.size=1073741824",
         "v=1,form=sp-mem,maxmem=3221225472,slots=4,node.0.memmap=spm,"
         "node.0.addr=0x100000000,node.0.size=1073741824"},
        {"v=1,form=memmap-type,node.01.memmap=spm", NULL},
        {"v=1,form=memmap-type,node.1.memmap=normal", NULL},
        {"v=1,form=memmap-type,node.1.memmap=none", NULL},
        {"v=1,form=memmap-type,node..memmap=spm", NULL},
        {"v=1,form=memmap-type,node.1.=spm", NULL},
        {"v=1,form=memmap-type,node.1.size=1024", NULL},
        {"v=1,form=memmap-type,node.4294967296.memmap=spm", NULL},
        {"v=1,form=memmap-type,node.1.memmap", NULL},
        {"v=1,form=none,node.1.memmap=spm", NULL},
        {"v=01,form=memmap-type,node.1.memmap=spm", NULL},
        {"v=1,form=sp-mem,maxmem=3221225473,node.1.memmap=spm,node.1.addr=0x100000000,"
         "node.1.size=1073741824",
         NULL},
        {"v=1,form=sp-mem,maxmem=3221225472,node.1.memmap=spm,node.1.addr=0xffffffffffffffff,"
         "node.1.size=1073741824",
         NULL},
        {"v=1,form=sp-mem,maxmem=3221225472,node.1.memmap=spm,node.1.addr=0x1,"
         "node.1.size=18446744073709551616",
         NULL},
        {"v=1,form=sp-mem,maxmem=3221225472,node.1.memmap=spm,node.1.addr=0x100000000", NULL},
        {"v=1,form=sp-mem,maxmem=-1,node.1.memmap=spm,node.1.addr=0x1,node.1.size=1", NULL},
        {"v=1,form=sp-mem,maxmem= 1024,node.1.memmap=spm,node.1.addr=0x1,node.1.size=1", NULL},
        {"v=1,form=sp-mem,maxmem=0x,node.1.memmap=spm,node.1.addr=0x1,node.1.size=1", NULL},
        /* QEMU node ids: all cells or none, a permutation, written for all cells */
        {"v=1,form=memmap-type,pxm.1=0,node.1.memmap=spm,pxm.0=1",
         "v=1,form=memmap-type,node.1.memmap=spm,pxm.0=1,pxm.1=0"},
        {"v=1,form=memmap-type,node.1.memmap=spm,pxm.0=0,pxm.1=1",
         "v=1,form=memmap-type,node.1.memmap=spm"},
        {"v=1,form=memmap-type,node.1.memmap=spm,pxm.1=0", NULL},
        {"v=1,form=memmap-type,node.1.memmap=spm,pxm.0=0,pxm.1=0", NULL},
        {"v=1,form=memmap-type,node.1.memmap=spm,pxm.0=1,pxm.1=2", NULL},
        {"v=1,form=memmap-type,node.1.memmap=spm,pxm.0=1,pxm.1=0,pxm.01=0", NULL},
        {"v=1,form=memmap-type,node.1.memmap=spm,pxm.0=1,pxm.1=0x0", NULL},
        {"v=1,form=memmap-type,node.1.memmap=spm,pxm.x=1", NULL},
        {"v=1,form=memmap-type,node.1.memmap=spm,pxm.5000=1", NULL},
        {"v=1,form=memmap-type,node.3.memmap=spm,pxm.0=1,pxm.1=0", NULL},
    };
    static const testRename renames[] = {
        {"-numa", "node,nodeid=0,cpus=0-1,initiator=0,memdev=ram-node0",
         "node,nodeid=2,cpus=0-1,initiator=2,memdev=ram-node0"},
        {"-numa", "dist,src=1,dst=2,val=21", "dist,src=0,dst=1,val=21"},
        {"--numa", "cpu,node-id=1,socket-id=0", "cpu,node-id=0,socket-id=0"},
        {"-numa",
         "hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-latency,latency=5",
         "hmat-lb,initiator=2,target=0,hierarchy=memory,data-type=access-latency,latency=5"},
        {"-numa", "hmat-cache,node-id=2,size=10K,level=1", "hmat-cache,node-id=1,size=10K,level=1"},
        {"-numa", "type=dist,src=0,dst=0,val=10", "type=dist,src=2,dst=2,val=10"},
        {"-numa", "bogus,node=1", NULL},
        {"-numa", "node,nodeid=3", NULL},
        {"-numa", "node,nodeid=0x1", NULL},
        {"-numa", "node,nodeid=-1", NULL},
        {"-device", "{\"driver\":\"pc-dimm\",\"node\":0,\"memdev\":\"m\",\"id\":\"dimm0\"}",
         "{\"driver\":\"pc-dimm\",\"node\":2,\"memdev\":\"m\",\"id\":\"dimm0\"}"},
        {"-device", "{ \"driver\" : \"sp-mem\", \"node\" : 1 , \"addr\":4294967296}",
         "{ \"driver\" : \"sp-mem\", \"node\" : 0 , \"addr\":4294967296}"},
        {"-device", "{\"driver\":\"pxb-pcie\",\"bus_nr\":254,\"numa_node\":2,\"id\":\"pci.1\"}",
         "{\"driver\":\"pxb-pcie\",\"bus_nr\":254,\"numa_node\":1,\"id\":\"pci.1\"}"},
        {"-device", "{\"driver\":\"pc-dimm\",\"node\":\"1\"}", NULL},
        {"-device", "{\"driver\":\"pc-dimm\",\"node\":1.0}", NULL},
        {"-device", "{\"driver\":\"pc-dimm\",\"node\":", NULL},
        {"-device", "{\"driver\":\"virtio-net-pci\",\"id\":\"net0\"}",
         "{\"driver\":\"virtio-net-pci\",\"id\":\"net0\"}"},
        {"-device", "pc-dimm,node=1,memdev=m,,x,id=d", "pc-dimm,node=0,memdev=m,,x,id=d"},
        {"-device", "pxb,numa_node=0,bus_nr=4", "pxb,numa_node=2,bus_nr=4"},
        {"-object", "{\"qom-type\":\"acpi-generic-initiator\",\"id\":\"gi0\",\"node\":1}",
         "{\"qom-type\":\"acpi-generic-initiator\",\"id\":\"gi0\",\"node\":0}"},
        {"-object",
         "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node1\",\"host-nodes\":[1],\"size\":1}",
         "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node1\",\"host-nodes\":[1],\"size\":1}"},
        {"-global", "pc-dimm.node=1", NULL},
        {"-global", "driver=pxb,property=numa_node,value=1", NULL},
        {"-global", "driver=cfi.pflash01,property=secure,value=on",
         "driver=cfi.pflash01,property=secure,value=on"},
        {"-machine", "q35,node=1", "q35,node=1"},
    };
    int ret = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *title = g_strdup_printf("rewrite %s", cases[i].name);

        if (spmTestRun(title, testRewrite, &cases[i]) < 0)
            ret = -1;
    }
    for (i = 0; i < G_N_ELEMENTS(keyvals); i++) {
        g_autofree char *title = g_strdup_printf("keyval '%s'", keyvals[i].str);

        if (spmTestRun(title, testKeyvalParse, &keyvals[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("keyval edit", testKeyvalEdit, NULL) < 0)
        ret = -1;
    for (i = 0; i < G_N_ELEMENTS(launches); i++) {
        g_autofree char *title = g_strdup_printf("launch data '%s'", launches[i].str);

        if (spmTestRun(title, testLaunchParse, &launches[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("launch data build", testLaunchBuild, NULL) < 0)
        ret = -1;
    for (i = 0; i < G_N_ELEMENTS(renames); i++) {
        g_autofree char *title =
            g_strdup_printf("rename node ids '%s %s'", renames[i].option, renames[i].value);

        if (spmTestRun(title, testRenameValue, &renames[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("renumber: a cell to the end", testRenumberMoveToEnd, NULL) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
