/*
 * fuzzregressiontest.c: replays tests/fuzz/regressions/ through the fuzz
 * targets' entry points
 *
 * tests/fuzz/regressions/TARGET/ holds inputs a fuzz target once crashed
 * on (TARGET is the libFuzzer target's name, e.g. fuzz_keyval); each is
 * run through the same function the target calls, so that they run in the
 * unit suite with any compiler.  Every target also gets a few fixed inputs,
 * so that the entry points are built and exercised without clang.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"

#include "fuzz/fuzz.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    spmFuzzFunc func;
} spmFuzzTarget;

static const spmFuzzTarget targets[] = {
    {"fuzz_caps_file", spmFuzzCapsFile}, {"fuzz_domain_xml", spmFuzzDomainXML},
    {"fuzz_keyval", spmFuzzKeyval},      {"fuzz_launch_data", spmFuzzLaunchData},
    {"fuzz_number", spmFuzzNumber},      {"fuzz_qmp_stream", spmFuzzQMPStream},
    {"fuzz_shim_argv", spmFuzzShimArgv}, {"fuzz_hook", spmFuzzHook},
    {"fuzz_iomem", spmFuzzIomem},        {"fuzz_nova", spmFuzzNova},
};

typedef struct {
    const spmFuzzTarget *target;
    const char *path; /* NULL: @data */
    const char *data;
    size_t len;
} spmFuzzCase;

static int
testFuzzReplay(const void *opaque)
{
    const spmFuzzCase *tc = opaque;
    g_autofree char *buf = NULL;
    gsize len = tc->len;
    g_autoptr(GError) err = NULL;

    if (tc->path) {
        if (!g_file_get_contents(tc->path, &buf, &len, &err)) {
            printf("# %s\n", err->message);
            return -1;
        }
        tc->target->func((const uint8_t *)buf, len);
    } else {
        /* a copy of exactly @len bytes, so that ASan sees any overread */
        buf = g_malloc(tc->len + 1);
        memcpy(buf, tc->data, tc->len);
        tc->target->func((const uint8_t *)buf, len);
    }
    return 0;
}

static const char *const fixedInputs[] = {
    "",
    "x",
    "\x01\x01{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 3, \"minor\": 1, \"major\": 11}}, "
    "\"capabilities\": []}}\r\n{\"return\": {}, \"id\": \"spm-1\"}\r\n",
    "v=1,form=sp-mem,maxmem=6442450944,node.1.memmap=spm,node.1.addr=0x140000000,"
    "node.1.size=1073741824",
    "\x01size=3G,slots=2,maxmem=8G,,x,flag",
    "0x1000",
    "<domain type='kvm'><name>f</name><memory unit='GiB'>3</memory><vcpu>2</vcpu>"
    "<os><type machine='q35'>hvm</type></os><cpu><numa>"
    "<cell id='0' cpus='0-1' memory='2' unit='GiB'/>"
    "<cell id='1' memory='1' unit='GiB' memmap='spm'/></numa></cpu></domain>",
};

static int
mymain(void)
{
    g_autofree char *top = g_build_filename(spmTestSrcdir(), "fuzz", "regressions", NULL);
    int ret = 0;
    size_t i;
    size_t j;

    spmFuzzPrivateCache();
    for (i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_autofree char *dirpath = g_build_filename(top, targets[i].name, NULL);
        g_autoptr(GDir) dir = g_dir_open(dirpath, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        for (j = 0; j < G_N_ELEMENTS(fixedInputs); j++) {
            spmFuzzCase tc = {&targets[i], NULL, fixedInputs[j], strlen(fixedInputs[j])};
            g_autofree char *title = g_strdup_printf("%s fixed input %zu", targets[i].name, j);

            if (spmTestRun(title, testFuzzReplay, &tc) < 0)
                ret = -1;
        }

        while (dir && (name = g_dir_read_name(dir)))
            g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_sort(names, spmTestCompareStrings);
        for (j = 0; j < names->len; j++) {
            g_autofree char *path = g_build_filename(dirpath, g_ptr_array_index(names, j), NULL);
            g_autofree char *title =
                g_strdup_printf("%s %s", targets[i].name, (char *)g_ptr_array_index(names, j));
            spmFuzzCase tc = {&targets[i], path, NULL, 0};

            if (spmTestRun(title, testFuzzReplay, &tc) < 0)
                ret = -1;
        }
    }
    return ret;
}

SPM_TEST_MAIN(mymain)
