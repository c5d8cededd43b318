/*
 * bench-shim.c: what the emulator shim adds to starting QEMU
 *
 *   bench-shim [--qemu PATH] [--runs N] [--shim PATH] [--inherit-env] [--start]
 *
 * Times fork + exec + wait of QEMU with -version (QEMU exits right after
 * checking its option names), started directly and through an emulator link
 * to virt-spm-shim, in interleaved rounds:
 *   direct       QEMU -version
 *   passthrough  LINK -version                      (no launch data)
 *   direct-big   QEMU -version <rewritten 5-node libvirt argv>
 *   rewrite      LINK -version <libvirt argv + launch data for 4 typed nodes>
 *   exec-floor   FLOOR QEMU -version                (bench-exec-floor: a program
 *                                                    linked as the shim is that only
 *                                                    execs QEMU, i.e. the least a
 *                                                    wrapper can cost)
 * With --start, QEMU starts the guest instead, as libvirt starts it: the
 * same libvirt argv without -version, paused (-S), its QMP monitor on stdin,
 * which says qmp_capabilities and quit as soon as the monitor answers; the
 * two "direct"/"passthrough" modes then use that argv without launch data
 * (an untyped guest of the same shape).  That needs a QEMU with sp-mem and
 * the pc-q35-11.1 machine, such as the reference QEMU.
 * and prints the shim overhead (passthrough against direct, rewrite against
 * direct-big) in ms and as a percentage of the direct exec's median: the
 * median of the per-round differences of wall time and of CPU time, and the
 * difference of the wall-time medians; then min/median/mean/p90 per mode.
 * Target: <= 3% of a direct exec (bench/README.md).  The default QEMU is /usr/bin/qemu-system-x86_64;
 * --qemu takes any other, such as a wrapper script (whose cost both sides
 * pay).
 *
 * Every child gets the environment libvirt gives QEMU (its
 * virCommandAddEnvPassCommon: LC_ALL=C, and PATH, HOME, USER, LOGNAME,
 * TMPDIR, LD_PRELOAD and LD_LIBRARY_PATH passed on when set), since that is
 * what the shim starts with under libvirt; --inherit-env passes the
 * caller's environment instead.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "benchutil.h"
#include "shim_argv_rewrite.h"
#include "shim_emulator_link.h"
#include "spmerror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MODES 5

static const char *const benchModeNames[BENCH_MODES] = {
    "direct", "passthrough", "direct-big", "rewrite", "exec-floor",
};

/* libvirt 9.0's argv for tests/qemuargvrewritedata/xml/numa5.xml (QEMU 11.1) */
static const char *const benchLibvirtArgs[] = {
    "-name",
    "guest=spm5,debug-threads=on",
    "-S",
    "-machine",
    "pc-q35-11.1,usb=off,dump-guest-core=off",
    "-accel",
    "tcg",
    "-cpu",
    "qemu64",
    "-m",
    "4864",
    "-overcommit",
    "mem-lock=off",
    "-smp",
    "6,sockets=6,cores=1,threads=1",
    "-object",
    "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node0\",\"size\":2147483648}",
    "-numa",
    "node,nodeid=0,cpus=0-1,cpus=4,memdev=ram-node0",
    "-object",
    "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node1\",\"size\":1073741824}",
    "-numa",
    "node,nodeid=1,cpus=2,memdev=ram-node1",
    "-object",
    "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node2\",\"size\":536870912}",
    "-numa",
    "node,nodeid=2,cpus=3,cpus=5,memdev=ram-node2",
    "-object",
    "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node3\",\"size\":1073741824}",
    "-numa",
    "node,nodeid=3,memdev=ram-node3",
    "-object",
    "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node4\",\"size\":268435456}",
    "-numa",
    "node,nodeid=4,memdev=ram-node4",
    "-uuid",
    "c7a5fdbd-edaf-9455-926a-d65c16db1802",
    "-display",
    "none",
    "-no-user-config",
    "-nodefaults",
    "-chardev",
    "socket,id=charmonitor,path=/nonexistent/monitor.sock,server=on,wait=off",
    "-mon",
    "chardev=charmonitor,id=monitor,mode=control",
    "-rtc",
    "base=utc",
    "-no-shutdown",
    "-boot",
    "strict=on",
    "-device",
    "{\"driver\":\"pcie-root-port\",\"port\":8,\"chassis\":1,\"id\":\"pci.1\","
    "\"bus\":\"pcie.0\",\"multifunction\":true,\"addr\":\"0x1\"}",
    "-device",
    "{\"driver\":\"qemu-xhci\",\"id\":\"usb\",\"bus\":\"pci.1\",\"addr\":\"0x0\"}",
    "-virt-spm-launch",
    "v=1,form=sp-mem,maxmem=5502926848,slots=0,"
    "node.1.memmap=spm,node.1.addr=0x100000000,node.1.size=1073741824,"
    "node.2.memmap=spm,node.2.addr=0x148000000,node.2.size=536870912,"
    "node.3.memmap=spm,node.3.addr=0x170000000,node.3.size=1073741824,"
    "node.4.memmap=spm,node.4.addr=0x1b8000000,node.4.size=268435456",
    "-sandbox",
    "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
    "-msg",
    "timestamp=on",
};

static double
benchNow(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* What libvirt puts in QEMU's environment (virCommandAddEnvPassCommon). */
static char **
benchLibvirtEnv(void)
{
    static const char *const passed[] = {
        "LD_PRELOAD", "LD_LIBRARY_PATH", "PATH", "HOME", "USER", "LOGNAME", "TMPDIR",
    };
    GPtrArray *env = g_ptr_array_new();
    size_t i;

    g_ptr_array_add(env, g_strdup("LC_ALL=C"));
    for (i = 0; i < G_N_ELEMENTS(passed); i++) {
        const char *value = g_getenv(passed[i]);

        if (value)
            g_ptr_array_add(env, g_strdup_printf("%s=%s", passed[i], value));
    }
    g_ptr_array_add(env, NULL);
    return (char **)g_ptr_array_free(env, FALSE);
}

/* fork + exec + wait; returns the wall time in ms, or -1, and the CPU time
 * (user + system) the child used in *@cpu. */
static const char *benchStdin = "/dev/null";

static double
benchRun(const char *path, char *const *argv, char *const *envp, double *cpu)
{
    double start = benchNow();
    struct rusage usage;
    int status;
    pid_t pid;

    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        int in = open(benchStdin, O_RDONLY);

        if (null < 0 || in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
            dup2(null, STDERR_FILENO) < 0)
            _exit(127);
        execve(path, argv, envp);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    *cpu = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
        (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
    return benchNow() - start;
}

/* libvirt's argv for the guest, without its launch data unless @launch;
 * with @start, its QMP monitor on stdin (the recorded argv names a socket
 * libvirt would have made). */
static void
benchAddLibvirtArgs(GPtrArray *args, bool start, bool launch)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(benchLibvirtArgs); i++) {
        const char *arg = benchLibvirtArgs[i];

        if (SPM_STREQ(arg, "-virt-spm-launch") && !launch) {
            i++;
            continue;
        }
        if (start && i > 0 && SPM_STREQ(benchLibvirtArgs[i - 1], "-chardev"))
            arg = "stdio,id=charmonitor";
        g_ptr_array_add(args, g_strdup(arg));
    }
}

static char **
benchArgv(const char *argv0, bool big, bool launch, bool start)
{
    GPtrArray *args = g_ptr_array_new();

    g_ptr_array_add(args, g_strdup(argv0));
    if (!start)
        g_ptr_array_add(args, g_strdup("-version"));
    /* the big modes carry the launch data: the shim reads it, or
     * direct-big gets what the shim makes of it */
    if (big || start)
        benchAddLibvirtArgs(args, start, big);
    g_ptr_array_add(args, NULL);
    if (big && !launch) {
        /* what the shim hands to QEMU */
        char **rewritten = NULL;

        if (spmQEMUArgvRewrite((const char *const *)args->pdata, &rewritten) != 1) {
            spmErrorPrintAll(stderr, "bench-shim");
            exit(1);
        }
        g_ptr_array_free(args, TRUE);
        return rewritten;
    }
    return (char **)g_ptr_array_free(args, FALSE);
}

/* bench-exec-floor in front of the direct mode's argv */
static char **
benchFloorArgv(const char *floor, char **directArgv)
{
    GPtrArray *args = g_ptr_array_new();
    size_t i;

    g_ptr_array_add(args, g_strdup(floor));
    for (i = 0; directArgv[i]; i++)
        g_ptr_array_add(args, g_strdup(directArgv[i]));
    g_ptr_array_add(args, NULL);
    return (char **)g_ptr_array_free(args, FALSE);
}

/* The median of the per-round differences @shim[i] - @direct[i]: rounds
 * are interleaved, so this cancels what the machine's load does to both
 * sides of a round. */
static double
benchPairedOverhead(const double *shim, const double *direct, unsigned int runs)
{
    g_autofree double *diffs = g_new0(double, runs);
    unsigned int i;

    for (i = 0; i < runs; i++)
        diffs[i] = shim[i] - direct[i];
    return spmBenchMedian(diffs, runs);
}

/* One overhead line: mode @shim against mode @against, as a share of the
 * medians of mode @base. */
static void
benchPrintOverhead(const char *label, double *const *times, double *const *cpus,
                   const double *median, const double *cpuMedian, int shim, int against, int base,
                   unsigned int runs)
{
    double wall = benchPairedOverhead(times[shim], times[against], runs);
    double cpu = benchPairedOverhead(cpus[shim], cpus[against], runs);
    double diff = median[shim] - median[against];

    printf("  %-12s %+7.3f ms %+5.1f%%  %+7.3f ms %+5.1f%%   %+7.3f ms %+5.1f%%\n", label, wall,
           100 * wall / median[base], cpu, 100 * cpu / cpuMedian[base], diff,
           100 * diff / median[base]);
}

int
main(int argc, char **argv)
{
    const char *qemu = "/usr/bin/qemu-system-x86_64";
    const char *shim = SPM_BENCH_SHIM;
    unsigned int runs = 300;
    bool inheritEnv = false;
    bool start = false;
    g_auto(GStrv) env = NULL;
    g_autofree char *qmpScript = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *base = NULL;
    g_autofree char *link = NULL;
    char **argvs[BENCH_MODES] = {NULL};
    const char *paths[BENCH_MODES];
    double *times[BENCH_MODES];
    double *cpus[BENCH_MODES];
    double median[BENCH_MODES];
    double cpuMedian[BENCH_MODES];
    double cpu;
    unsigned int i;
    int m;

    for (i = 1; i < (unsigned int)argc; i++) {
        if (SPM_STREQ(argv[i], "--qemu") && i + 1 < (unsigned int)argc) {
            qemu = argv[++i];
        } else if (SPM_STREQ(argv[i], "--shim") && i + 1 < (unsigned int)argc) {
            shim = argv[++i];
        } else if (SPM_STREQ(argv[i], "--runs") && i + 1 < (unsigned int)argc) {
            runs = strtoul(argv[++i], NULL, 10);
        } else if (SPM_STREQ(argv[i], "--inherit-env")) {
            inheritEnv = true;
        } else if (SPM_STREQ(argv[i], "--start")) {
            start = true;
        } else {
            fprintf(stderr,
                    "usage: %s [--qemu PATH] [--runs N] [--shim PATH] [--inherit-env] [--start]\n",
                    argv[0]);
            return 1;
        }
    }
    if (runs < 10)
        runs = 10;
    env = inheritEnv ? g_get_environ() : benchLibvirtEnv();

    if (!(tmp = g_dir_make_tmp("bench-shim-XXXXXX", NULL)))
        return 1;
    base = g_build_filename(tmp, "emulators", NULL);
    if (spmEmulatorLinkCreate(base, qemu, shim, &link) < 0) {
        spmErrorPrintAll(stderr, "bench-shim");
        return 1;
    }
    if (start) {
        /* what libvirt says on the monitor of a guest it starts paused,
         * cut short: the handshake, then quit */
        qmpScript = g_build_filename(tmp, "qmp", NULL);
        if (!g_file_set_contents(qmpScript,
                                 "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n", -1,
                                 NULL))
            return 1;
        benchStdin = qmpScript;
    }

    paths[0] = qemu;
    paths[1] = link;
    paths[2] = qemu;
    paths[3] = link;
    argvs[0] = benchArgv(qemu, false, false, start);
    argvs[1] = benchArgv(link, false, false, start);
    argvs[2] = benchArgv(qemu, true, false, start);
    argvs[3] = benchArgv(link, true, true, start);
    paths[4] = SPM_BENCH_EXEC_FLOOR;
    argvs[4] = benchFloorArgv(SPM_BENCH_EXEC_FLOOR, argvs[0]);

    for (m = 0; m < BENCH_MODES; m++) {
        times[m] = g_new0(double, runs);
        cpus[m] = g_new0(double, runs);
    }
    /* warm-up: page cache, dynamic loader caches */
    for (i = 0; i < 20; i++) {
        for (m = 0; m < BENCH_MODES; m++) {
            if (benchRun(paths[m], argvs[m], env, &cpu) < 0) {
                fprintf(stderr, "bench-shim: mode %s failed to run\n", benchModeNames[m]);
                return 1;
            }
        }
    }
    for (i = 0; i < runs; i++) {
        for (m = 0; m < BENCH_MODES; m++) {
            if ((times[m][i] = benchRun(paths[m], argvs[m], env, &cpus[m][i])) < 0)
                return 1;
        }
    }

    printf("QEMU: %s\nshim: %s\nruns: %u per mode, interleaved\nenvironment: %s\nQEMU does: %s\n\n",
           qemu, shim, runs, inheritEnv ? "inherited" : "libvirt's (LC_ALL=C)",
           start ? "start the guest paused, answer QMP, quit (--start)" : "-version");
    /* the overheads first: the medians below sort the samples */
    for (m = 0; m < BENCH_MODES; m++) {
        g_autofree double *sortedTimes = g_new(double, runs);
        g_autofree double *sortedCpus = g_new(double, runs);

        memcpy(sortedTimes, times[m], runs * sizeof(double));
        memcpy(sortedCpus, cpus[m], runs * sizeof(double));
        median[m] = spmBenchMedian(sortedTimes, runs);
        cpuMedian[m] = spmBenchMedian(sortedCpus, runs);
    }
    printf("shim overhead, as %% of the direct exec's median (target <= 3%% of wall time):\n");
    printf("  %-12s %-16s  %-16s   %s\n", "", "wall, paired", "CPU, paired",
           "wall, difference of medians");
    benchPrintOverhead("passthrough", times, cpus, median, cpuMedian, 1, 0, 0, runs);
    benchPrintOverhead("rewrite", times, cpus, median, cpuMedian, 3, 2, 2, runs);
    printf("  (paired: the median of the per-round differences, which cancels most of\n"
           "  what other load on the machine does to both sides of a round)\n\n");
    printf("the floor: one more exec of the smallest program linked as the shim is\n"
           "(bench-exec-floor), as %% of the direct exec's median:\n");
    benchPrintOverhead("exec-floor", times, cpus, median, cpuMedian, 4, 0, 0, runs);
    printf("the shim above that floor, as %% of the direct exec's median:\n");
    benchPrintOverhead("passthrough", times, cpus, median, cpuMedian, 1, 4, 0, runs);
    printf("\n");

    printf("wall time (fork to reaped exit)      CPU time (user + system)\n");
    printf("%-12s %8s %8s %8s %8s   %8s %8s  (ms)\n", "mode", "min", "median", "mean", "p90", "min",
           "median");
    for (m = 0; m < BENCH_MODES; m++) {
        double sum = 0;

        spmBenchSort(times[m], runs);
        spmBenchSort(cpus[m], runs);
        for (i = 0; i < runs; i++)
            sum += times[m][i];
        printf("%-12s %8.3f %8.3f %8.3f %8.3f   %8.3f %8.3f\n", benchModeNames[m], times[m][0],
               median[m], sum / runs, times[m][runs * 9 / 10], cpus[m][0], cpuMedian[m]);
        g_free(times[m]);
        g_free(cpus[m]);
        g_strfreev(argvs[m]);
    }

    {
        g_autofree char *dir = g_path_get_dirname(link);
        g_autofree char *target = g_build_filename(dir, SPM_EMULATOR_LINK_TARGET, NULL);

        unlink(link);
        unlink(target);
        if (qmpScript)
            unlink(qmpScript);
        rmdir(dir);
        rmdir(base);
        rmdir(tmp);
    }
    return 0;
}
