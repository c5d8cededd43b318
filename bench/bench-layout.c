/*
 * bench-layout.c: computing the guest-physical layout of large guests
 *
 *   bench-layout [--nodes N ...] [--iterations K]
 *
 * For each size: a q35 domain with N NUMA cells, the first N/2 normal with a
 * vCPU each, the last N/2 typed spm and memory-only (the guest numbers its
 * nodes as the cells only in that order), and N DIMMs on the normal cells
 * (64 nodes: 32 typed, 64 DIMMs, the target of issue 4).  The gaps between
 * the SPM ranges make the layout renumber QEMU's nodes, so the SRAT is
 * built twice: the worst case.  Prints the median time of filling the
 * layout input from the parsed domain, of the layout itself (placement,
 * E820, SRAT, per-node maps), and of formatting the table and the JSON, plus
 * the layout time per node so that linear growth shows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "benchutil.h"
#include "domain_conf.h"
#include "qemu_layout.h"
#include "spmerror.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPM_BENCH_CELL_GIB 4
#define SPM_BENCH_DIMM_MIB 512

static char *
benchGenerateDomain(size_t nnodes, size_t ndimms)
{
    GString *xml = g_string_new(NULL);
    size_t i;

    g_string_append_printf(xml,
                           "<domain type='kvm'>\n"
                           "  <name>bench-layout-%zu</name>\n"
                           "  <maxMemory slots='%zu' unit='GiB'>%zu</maxMemory>\n"
                           "  <vcpu placement='static'>%zu</vcpu>\n"
                           "  <os firmware='efi'>\n"
                           "    <type arch='x86_64' machine='q35'>hvm</type>\n"
                           "  </os>\n"
                           "  <features><acpi/></features>\n"
                           "  <cpu mode='host-passthrough'>\n"
                           "    <numa>\n",
                           nnodes, ndimms,
                           nnodes * SPM_BENCH_CELL_GIB + ndimms * SPM_BENCH_DIMM_MIB / 1024 + 64,
                           nnodes);
    for (i = 0; i < nnodes; i++) {
        bool typed = i >= nnodes - nnodes / 2;

        if (typed)
            g_string_append_printf(xml,
                                   "      <cell id='%zu' memory='%d' unit='GiB' memmap='spm'/>\n",
                                   i, SPM_BENCH_CELL_GIB);
        else
            g_string_append_printf(xml,
                                   "      <cell id='%zu' cpus='%zu' memory='%d' unit='GiB'/>\n", i,
                                   i, SPM_BENCH_CELL_GIB);
    }
    g_string_append(xml, "    </numa>\n  </cpu>\n  <devices>\n");
    for (i = 0; i < ndimms; i++) {
        g_string_append_printf(xml,
                               "    <memory model='dimm'>\n"
                               "      <target><size unit='MiB'>%d</size><node>%zu</node></target>\n"
                               "    </memory>\n",
                               SPM_BENCH_DIMM_MIB, i % (nnodes - nnodes / 2));
    }
    g_string_append(xml, "  </devices>\n</domain>\n");
    return g_string_free(xml, FALSE);
}

static int
benchOne(size_t nnodes, size_t iterations)
{
    g_autofree char *xml = benchGenerateDomain(nnodes, nnodes);
    g_autoptr(spmDomainDef) def = spmDomainDefParseString(xml, strlen(xml), "bench");
    spmQEMULayoutHost host = {
        .vendor = SPM_QEMU_CPU_VENDOR_AMD,
        .physBits = 52,
        .hugepageSize = 2 * SPM_MIB,
    };
    g_autofree double *fill = g_new0(double, iterations);
    g_autofree double *lay = g_new0(double, iterations);
    g_autofree double *fmt = g_new0(double, iterations);
    size_t i;
    double layoutUs;

    if (!def)
        return -1;
    for (i = 0; i < iterations; i++) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(spmQEMULayoutInput) input = spmQEMULayoutInputFromDomain(def, NULL, &host);
        gint64 t1 = g_get_monotonic_time();
        g_autoptr(spmQEMULayout) layout = input ? spmQEMULayoutCompute(input) : NULL;
        gint64 t2 = g_get_monotonic_time();
        g_autofree char *table = NULL;
        g_autofree char *json = NULL;

        if (!layout)
            return -1;
        table = spmQEMULayoutFormatTable(layout, input);
        json = spmQEMULayoutFormatJSON(layout, input);
        fill[i] = t1 - t0;
        lay[i] = t2 - t1;
        fmt[i] = g_get_monotonic_time() - t2;
        spmErrorReset();
    }
    layoutUs = spmBenchMedian(lay, iterations);
    printf("%6zu %6zu %6zu %10.1f %10.1f %10.3f %12.1f\n", nnodes, nnodes / 2, nnodes,
           spmBenchMedian(fill, iterations), layoutUs, layoutUs / nnodes,
           spmBenchMedian(fmt, iterations));
    return 0;
}

int
main(int argc, char **argv)
{
    g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(size_t));
    size_t iterations = 201;
    size_t i;
    int a;

    for (a = 1; a < argc; a++) {
        if (SPM_STREQ(argv[a], "--nodes") && a + 1 < argc) {
            size_t n = strtoul(argv[++a], NULL, 10);
            if (n < 2) {
                fprintf(stderr, "--nodes needs at least 2\n");
                return 3;
            }
            g_array_append_val(sizes, n);
        } else if (SPM_STREQ(argv[a], "--iterations") && a + 1 < argc) {
            iterations = strtoul(argv[++a], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--nodes N ...] [--iterations K]\n", argv[0]);
            return 3;
        }
    }
    if (sizes->len == 0) {
        size_t defaults[] = {16, 32, 64, 128, 256};
        g_array_append_vals(sizes, defaults, G_N_ELEMENTS(defaults));
    }
    if (iterations == 0)
        iterations = 1;

    printf("median of %zu runs, microseconds; q35, host-passthrough on an AMD host\n", iterations);
    printf("%6s %6s %6s %10s %10s %10s %12s\n", "nodes", "typed", "dimms", "input", "layout",
           "layout/nd", "table+json");
    for (i = 0; i < sizes->len; i++) {
        if (benchOne(g_array_index(sizes, size_t, i), iterations) < 0) {
            spmErrorPrintAll(stderr, "bench-layout");
            return 1;
        }
    }
    return 0;
}
