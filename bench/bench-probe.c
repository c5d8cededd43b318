/*
 * bench-probe.c: how long a capabilities probe takes, against the bare
 * minimum, and how fast a cache hit is
 *
 *   bench-probe [--emulator PATH] [--runs N] [--hits N]
 *
 * Measures, in this one run and with the same QEMU argv:
 *  - bare minimum: spawn, QMP greeting, qmp_capabilities, query-qmp-schema
 *    (the whole reply read), quit, reap;
 *  - cold probe: spmQEMUCapsProbeFull (every query and its interpretation);
 *  - cache hit: spmQEMUCapsLookup with a valid cache file;
 *  - peak memory (max RSS) of a process doing one probe, and of QEMU.
 * Times are medians (and minimums) over the runs.  bench/bench-probe.sh
 * adds the comparison with libvirt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "benchutil.h"
#include "qemu_capscache.h"
#include "qemu_monitor_qmp.h"
#include "qemu_process_probe.h"
#include "spmerror.h"
#include "spmfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>


/* Sends @cmd and reads its reply (skipping events). */
static int
benchCommand(int fd, GByteArray *buf, const char *cmd, ssize_t *replyLen)
{
    g_autofree char *request = g_strdup_printf("{\"execute\": \"%s\"}\r\n", cmd);

    if (write(fd, request, strlen(request)) != (ssize_t)strlen(request))
        return -1;
    for (;;) {
        g_autofree char *line = spmFileReadLine(fd, buf, 0);

        if (!line)
            return -1;
        if (g_str_has_prefix(line, "{\"event\"") || g_str_has_prefix(line, "{\"timestamp\""))
            continue;
        if (replyLen)
            *replyLen = strlen(line) + 1; /* with its newline */
        return 0;
    }
}


/* spawn -> greeting -> qmp_capabilities -> query-qmp-schema -> quit -> reap */
static int
benchBareMinimum(const char *binary, double *ms, ssize_t *schemaBytes)
{
    g_autofree char *dir = g_dir_make_tmp("bench-probe-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "qmp.monitor", NULL);
    g_auto(GStrv) argv = spmQEMUProbeProcessBuildArgv(binary, sock);
    g_autoptr(GByteArray) buf = g_byte_array_new();
    g_autofree char *greeting = NULL;
    gint64 start = g_get_monotonic_time();
    int status;
    int fd = -1;
    pid_t pid;
    int ret = -1;

    if ((pid = fork()) == 0) {
        int null = open("/dev/null", O_RDWR);

        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        execv(binary, argv);
        _exit(127);
    }
    if (pid < 0)
        goto cleanup;
    while ((fd = spmQMPConnectUnix(sock)) < 0) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            pid = -1;
            goto cleanup;
        }
        g_usleep(1000);
    }
    greeting = spmFileReadLine(fd, buf, 0);
    if (!greeting || benchCommand(fd, buf, "qmp_capabilities", NULL) < 0 ||
        benchCommand(fd, buf, "query-qmp-schema", schemaBytes) < 0 ||
        benchCommand(fd, buf, "quit", NULL) < 0)
        goto cleanup;
    if (waitpid(pid, &status, 0) == pid)
        pid = -1;
    *ms = (g_get_monotonic_time() - start) / 1000.0;
    ret = 0;

cleanup:
    if (fd >= 0)
        close(fd);
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    unlink(sock);
    rmdir(dir);
    return ret;
}


/* Max RSS (KiB) of a child that runs @probe, and of the largest of its
 * children (QEMU). */
static int
benchPeakMemory(const char *binary, bool probe, long *self, long *children)
{
    int pipefd[2];
    long vals[2] = {0, 0};
    int status;
    pid_t pid;

    if (pipe(pipefd) < 0)
        return -1;
    if ((pid = fork()) == 0) {
        struct rusage ru;
        long out[2];

        close(pipefd[0]);
        if (probe) {
            spmQEMUCaps *caps = spmQEMUCapsProbe(binary);

            if (!caps)
                _exit(1);
            spmQEMUCapsFree(caps);
        }
        getrusage(RUSAGE_SELF, &ru);
        out[0] = ru.ru_maxrss;
        getrusage(RUSAGE_CHILDREN, &ru);
        out[1] = ru.ru_maxrss;
        if (write(pipefd[1], out, sizeof(out)) != sizeof(out))
            _exit(1);
        _exit(0);
    }
    close(pipefd[1]);
    if (pid < 0 || read(pipefd[0], vals, sizeof(vals)) != sizeof(vals)) {
        close(pipefd[0]);
        return -1;
    }
    close(pipefd[0]);
    waitpid(pid, &status, 0);
    *self = vals[0];
    *children = vals[1];
    return 0;
}


int
main(int argc, char **argv)
{
    g_autofree char *emulator = NULL;
    gint runs = 10;
    gint hits = 1000;
    GOptionEntry entries[] = {
        {"emulator", 0, 0, G_OPTION_ARG_FILENAME, &emulator,
         "QEMU binary (default /usr/bin/qemu-system-x86_64)", "PATH"},
        {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "probes per measurement (10)", "N"},
        {"hits", 0, 0, G_OPTION_ARG_INT, &hits, "cache lookups (1000)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- time QEMU capability probes");
    g_autoptr(GError) err = NULL;
    g_autofree double *bare = NULL;
    g_autofree double *cold = NULL;
    g_autofree double *hit = NULL;
    g_autofree char *cacheDir = NULL;
    g_autoptr(spmQEMUCaps) warm = NULL;
    ssize_t schemaBytes = 0;
    long rssBase = 0;
    long rssProbe = 0;
    long rssQEMU = 0;
    long unused = 0;
    double bareMs;
    double coldMs;
    double hitUs;
    gint i;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "bench-probe: %s\n", err->message);
        return 2;
    }
    if (!emulator)
        emulator = g_strdup("/usr/bin/qemu-system-x86_64");
    runs = MAX(runs, 1);
    hits = MAX(hits, 1);
    bare = g_new0(double, runs);
    cold = g_new0(double, runs);
    hit = g_new0(double, hits);

    /* interleaved, so that both see the same machine state */
    for (i = 0; i < runs; i++) {
        gint64 start;
        spmQEMUCaps *caps;

        if (benchBareMinimum(emulator, &bare[i], &schemaBytes) < 0) {
            fprintf(stderr, "bench-probe: the bare minimum failed for %s\n", emulator);
            return 1;
        }
        start = g_get_monotonic_time();
        if (!(caps = spmQEMUCapsProbe(emulator))) {
            spmErrorPrintAll(stderr, "bench-probe");
            return 1;
        }
        cold[i] = (g_get_monotonic_time() - start) / 1000.0;
        spmQEMUCapsFree(caps);
    }

    /* cache hits, in a private cache directory */
    cacheDir = g_dir_make_tmp("bench-probe-cache-XXXXXX", NULL);
    g_setenv("VIRT_SPM_CACHE_DIR", cacheDir, TRUE);
    if (!(warm = spmQEMUCapsLookup(emulator, 0))) {
        spmErrorPrintAll(stderr, "bench-probe");
        return 1;
    }
    for (i = 0; i < hits; i++) {
        gint64 start = g_get_monotonic_time();
        spmQEMUCaps *caps = spmQEMUCapsLookup(emulator, 0);

        hit[i] = (double)(g_get_monotonic_time() - start);
        if (!caps || !spmQEMUCapsGetStamp(caps)) {
            fprintf(stderr, "bench-probe: a cache lookup probed\n");
            return 1;
        }
        spmQEMUCapsFree(caps);
    }
    {
        g_autofree char *file = spmQEMUCapsCachePath(warm ? spmQEMUCapsGetBinary(warm) : emulator);
        g_autofree char *capsdir = g_path_get_dirname(file);
        g_autofree char *qemudir = g_path_get_dirname(capsdir);

        unlink(file);
        rmdir(capsdir);
        rmdir(qemudir);
        rmdir(cacheDir);
    }

    if (benchPeakMemory(emulator, false, &rssBase, &unused) < 0 ||
        benchPeakMemory(emulator, true, &rssProbe, &rssQEMU) < 0)
        return 1;

    bareMs = spmBenchMedian(bare, runs);
    coldMs = spmBenchMedian(cold, runs);
    hitUs = spmBenchMedian(hit, hits);
    printf("emulator: %s (QEMU %s, SPM form %s)\n", emulator, spmQEMUCapsGetVersionString(warm),
           spmFormTypeToString(spmQEMUCapsGetSpmForm(warm)));
    printf("bare minimum (spawn, greeting, query-qmp-schema of %zd bytes, quit): "
           "median %.1f ms, min %.1f ms (%d runs)\n",
           schemaBytes, bareMs, bare[0], runs);
    printf("cold probe (spmQEMUCapsProbe): median %.1f ms, min %.1f ms (%d runs)\n", coldMs,
           cold[0], runs);
    printf("cold probe / bare minimum: %.2fx (target <= 2x)\n", coldMs / bareMs);
    printf("cache hit (spmQEMUCapsLookup): median %.0f us, max %.0f us "
           "(%d lookups; target <= 1000 us)\n",
           hitUs, hit[hits - 1], hits);
    printf("peak RSS of a probing process: %ld KiB (%ld KiB before probing), QEMU: %ld KiB\n",
           rssProbe, rssBase, rssQEMU);
    printf("RESULT cold_ms=%.1f bare_ms=%.1f hit_us=%.0f rss_kib=%ld\n", coldMs, bareMs, hitUs,
           rssProbe);
    return 0;
}
