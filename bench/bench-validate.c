/*
 * bench-validate.c: parse + semantic validation of large generated domains
 * and of the MI300A example, against xmllint --relaxng of libvirt's schema
 * on the same files.
 *
 *   bench-validate [--cells N ...] [--iterations K] [--example FILE]
 *
 * Prints, for each size, the median time of parsing into the model and of
 * the semantic rules alone, and per cell, so that linear growth shows; then
 * the ratio against xmllint (median of 5 runs each).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "benchutil.h"
#include "domain_conf.h"
#include "domain_schema.h"
#include "qemu_validate.h"
#include "spmerror.h"
#include "spmfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPM_BENCH_VCPUS_PER_CELL 4
#define SPM_BENCH_DIMMS 64

static char *
benchGenerateDomain(size_t ncells)
{
    GString *xml = g_string_new(NULL);
    size_t vcpus = ncells * SPM_BENCH_VCPUS_PER_CELL;
    size_t i;

    g_string_append_printf(xml,
                           "<domain type='kvm'>\n"
                           "  <name>bench-%zu</name>\n"
                           "  <maxMemory slots='%d' unit='GiB'>4096</maxMemory>\n"
                           "  <vcpu placement='static'>%zu</vcpu>\n"
                           "  <os firmware='efi'>\n"
                           "    <type arch='x86_64' machine='q35'>hvm</type>\n"
                           "  </os>\n"
                           "  <features><acpi/><apic/></features>\n"
                           "  <cpu mode='host-passthrough'>\n"
                           "    <numa>\n",
                           ncells, SPM_BENCH_DIMMS, vcpus);
    for (i = 0; i < ncells; i++) {
        /* every fourth cell (never cell 0) is typed */
        bool typed = i % 4 == 3;

        g_string_append_printf(
            xml, "      <cell id='%zu' cpus='%zu-%zu' memory='%d' unit='GiB'%s/>\n", i,
            i * SPM_BENCH_VCPUS_PER_CELL, (i + 1) * SPM_BENCH_VCPUS_PER_CELL - 1, typed ? 4 : 1,
            typed ? " memmap='spm'" : "");
    }
    g_string_append(xml,
                    "    </numa>\n"
                    "  </cpu>\n"
                    "  <numatune>\n"
                    "    <memory mode='strict' nodeset='0-1'/>\n");
    for (i = 0; i < ncells; i++)
        g_string_append_printf(xml, "    <memnode cellid='%zu' mode='strict' nodeset='%zu'/>\n", i,
                               i % 2);
    g_string_append(
        xml,
        "  </numatune>\n"
        "  <memoryBacking><hugepages><page size='2' unit='MiB'/></hugepages></memoryBacking>\n"
        "  <devices>\n"
        "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n");
    for (i = 0; i < SPM_BENCH_DIMMS; i++) {
        size_t node = (i * 4) % ncells; /* cells 0, 4, 8...: never typed */

        g_string_append_printf(
            xml,
            "    <memory model='dimm'>\n"
            "      <target><size unit='MiB'>512</size><node>%zu</node></target>\n"
            "    </memory>\n",
            node);
    }
    g_string_append(xml, "    <memballoon model='none'/>\n  </devices>\n</domain>\n");
    return g_string_free(xml, FALSE);
}

/* Median microseconds of parse and of validate over @iterations runs. */
static int
benchOurs(const char *xml, size_t iterations, double *parseUs, double *validateUs)
{
    g_autofree double *p = g_new0(double, iterations);
    g_autofree double *v = g_new0(double, iterations);
    size_t len = strlen(xml);
    size_t i;

    for (i = 0; i < iterations; i++) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(spmDomainDef) def = spmDomainDefParseString(xml, len, "bench");
        gint64 t1 = g_get_monotonic_time();
        size_t errors;

        if (!def)
            return -1;
        errors = spmQEMUValidateRules(def);
        p[i] = t1 - t0;
        v[i] = g_get_monotonic_time() - t1;
        if (errors > 0)
            return -1;
        spmErrorReset();
    }
    *parseUs = spmBenchMedian(p, iterations);
    *validateUs = spmBenchMedian(v, iterations);
    return 0;
}

/* Median microseconds of one xmllint --relaxng run over 5. */
static double
benchXmllint(const char *path, const char *rng)
{
    double t[5];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(t); i++) {
        const char *argv[] = {"xmllint", "--noout", "--relaxng", rng, path, NULL};
        gint64 t0 = g_get_monotonic_time();
        int status = 0;

        if (!g_spawn_sync(NULL, (char **)argv, NULL,
                          G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                              G_SPAWN_STDERR_TO_DEV_NULL,
                          NULL, NULL, NULL, NULL, &status, NULL))
            return -1;
        t[i] = g_get_monotonic_time() - t0;
    }
    return spmBenchMedian(t, G_N_ELEMENTS(t));
}

static int
benchOne(const char *label, const char *xml, const char *path, size_t ncells, size_t iterations,
         const char *rng)
{
    double parseUs;
    double validateUs;
    double lintUs;

    if (benchOurs(xml, iterations, &parseUs, &validateUs) < 0) {
        spmErrorPrintAll(stderr, "bench-validate");
        return -1;
    }
    lintUs = path ? benchXmllint(path, rng) : -1;
    printf("%-22s %6zu %10.1f %10.1f %12.3f %12.1f %9.4f\n", label, ncells, parseUs, validateUs,
           ncells ? validateUs / ncells : 0, lintUs,
           lintUs > 0 ? (parseUs + validateUs) / lintUs : 0);
    return 0;
}

int
main(int argc, char **argv)
{
    g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(size_t));
    const char *example = SPM_SOURCE_ROOT "/examples/mi300a.xml";
    const char *rng = SPM_LIBVIRT_SCHEMA_DIR "/domain.rng";
    size_t iterations = 51;
    int i;

    for (i = 1; i < argc; i++) {
        if (SPM_STREQ(argv[i], "--cells") && i + 1 < argc) {
            size_t n = strtoul(argv[++i], NULL, 10);
            g_array_append_val(sizes, n);
        } else if (SPM_STREQ(argv[i], "--iterations") && i + 1 < argc) {
            iterations = strtoul(argv[++i], NULL, 10);
        } else if (SPM_STREQ(argv[i], "--example") && i + 1 < argc) {
            example = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--cells N ...] [--iterations K] [--example FILE]\n",
                    argv[0]);
            return 3;
        }
    }
    if (sizes->len == 0) {
        size_t defaults[] = {32, 64, 128, 256, 512};
        g_array_append_vals(sizes, defaults, G_N_ELEMENTS(defaults));
    }
    if (iterations == 0)
        iterations = 1;

    printf("# median of %zu runs; xmllint: median of 5 runs of xmllint --relaxng %s\n", iterations,
           rng);
    printf("%-22s %6s %10s %10s %12s %12s %9s\n", "input", "cells", "parse_us", "rules_us",
           "rules_us/cell", "xmllint_us", "ratio");

    for (i = 0; i < (int)sizes->len; i++) {
        size_t n = g_array_index(sizes, size_t, i);
        g_autofree char *xml = benchGenerateDomain(n);
        g_autofree char *tmp = NULL;
        g_autofree char *label = g_strdup_printf("generated-%zu", n);
        int fd = g_file_open_tmp("bench-validate-XXXXXX.xml", &tmp, NULL);
        int rc;

        if (fd < 0 || write(fd, xml, strlen(xml)) < 0) {
            fprintf(stderr, "cannot write a temporary file\n");
            return 4;
        }
        close(fd);
        rc = benchOne(label, xml, tmp, n, iterations, rng);
        unlink(tmp);
        if (rc < 0)
            return 1;
    }

    {
        g_autofree char *buf = NULL;
        size_t len;
        g_autoptr(spmDomainDef) def = NULL;

        if (spmFileReadAll(example, SPM_FILE_READ_MAX, &buf, &len) < 0) {
            spmErrorPrintAll(stderr, "bench-validate");
            return 4;
        }
        def = spmDomainDefParseString(buf, len, example);
        if (benchOne("mi300a-example", buf, example, def ? def->numa.ncells : 0, iterations, rng) <
            0)
            return 1;
    }
    printf("# ratio = (parse + rules) / xmllint; rules = the semantic validation alone\n");
    return 0;
}
