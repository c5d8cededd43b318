/*
 * qemuhostileprobetest.c: probing a hostile "QEMU" ends in time, with
 * bounded memory, and leaves no process, socket or directory behind
 *
 * The emulators are tests/hostileqemu/fake-qemu.py in its modes: one that
 * hangs (ignoring SIGTERM), one that forks a child and hangs, one that
 * prints without end, one that floods its monitor with events, one that
 * sends a message without end, one that dies of SIGSEGV in the middle of a
 * reply, one that never opens its socket.  Each probe must fail with an
 * error within its timeouts (plus a margin), grow this process's peak RSS
 * by less than SPM_TEST_RSS_MAX, and leave the probe directory empty, no
 * child to reap and none of the fake's processes alive.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemu_capabilities.h"
#include "qemu_monitor_qmp.h"
#include "spmerror.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPM_TEST_TIMEOUT_MS 1500
/* a python fake needs a while to get going on a loaded 2-CPU machine: the
 * modes that must reach their socket before they misbehave need the time */
#define SPM_TEST_START_TIMEOUT_MS 6000
/* what a probe may take beyond its two timeouts (start, one command) */
#define SPM_TEST_MARGIN_MS 3000
/* peak RSS growth allowed: the 32 MiB message limit, twice, and slack */
#define SPM_TEST_RSS_MAX_KIB (96 * 1024)

#ifdef __SANITIZE_ADDRESS__
/* ASan keeps freed memory in quarantine (256 MiB by default) before reuse:
 * a flood of small messages would then grow the peak RSS by what the probe
 * freed, not by what it holds.  A small quarantine keeps the bound about
 * the probe. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "quarantine_size_mb=8";
}
#endif

static char *testTmpDir;
static char *testProbeDir;

typedef struct {
    const char *mode;
    const char *error; /* a text the errors must contain */
} testHostile;

/* Whether @pid runs (a zombie does not: its parent may be an init that
 * reaps late). */
static bool
testAlive(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    const char *paren;

    if (!g_file_get_contents(path, &stat, NULL, NULL))
        return false;
    if (!(paren = strrchr(stat, ')')))
        return true;
    return paren[1] != ' ' || (paren[2] != 'Z' && paren[2] != 'X');
}

/* No process from @pidfile is alive (they may take a moment to die). */
static int
testNoSurvivors(const char *pidfile)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) pids = NULL;
    size_t i;

    if (!g_file_get_contents(pidfile, &text, NULL, NULL))
        return 0; /* it never ran */
    pids = g_strsplit(text, "\n", -1);
    for (i = 0; pids[i]; i++) {
        pid_t pid = atoi(pids[i]);
        int tries;

        if (pid <= 0)
            continue;
        for (tries = 0; tries < 100 && testAlive(pid); tries++)
            g_usleep(10 * 1000);
        if (testAlive(pid)) {
            printf("# the fake's process %d survived the probe\n", (int)pid);
            kill(pid, SIGKILL);
            return -1;
        }
    }
    return 0;
}

static long
testPeakRSSKiB(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int
testProbeHostile(const void *opaque)
{
    const testHostile *th = opaque;
    g_autofree char *fake = g_build_filename(spmTestSrcdir(), "hostileqemu", "fake-qemu.py", NULL);
    g_autofree char *pidfile = g_strdup_printf("%s/%s.pids", testTmpDir, th->mode);
    g_autofree char *wrapper = g_strdup_printf("%s/qemu-%s", testTmpDir, th->mode);
    g_autofree char *script =
        g_strdup_printf("#!/bin/sh\nexec python3 '%s' %s '%s' \"$@\"\n", fake, th->mode, pidfile);
    spmQEMUProbeOptions opts = {
        .startTimeoutMs = SPM_TEST_START_TIMEOUT_MS,
        .commandTimeoutMs = SPM_TEST_TIMEOUT_MS,
        .tmpdir = testProbeDir,
    };
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autofree char *errors = NULL;
    long rssBefore = testPeakRSSKiB();
    gint64 start;
    gint64 tookMs;
    long grewKiB;

    if (!g_file_set_contents(wrapper, script, -1, NULL) || chmod(wrapper, 0755) < 0)
        return -1;
    start = g_get_monotonic_time();
    caps = spmQEMUCapsProbeFull(wrapper, &opts);
    tookMs = (g_get_monotonic_time() - start) / 1000;
    grewKiB = testPeakRSSKiB() - rssBefore;
    errors = spmTestFormatErrors();
    printf("# %s: %lld ms, peak RSS +%ld KiB\n", th->mode, (long long)tookMs, grewKiB);
    if (caps || spmErrorCount() == 0) {
        printf("# the probe of a hostile QEMU did not fail\n");
        return -1;
    }
    if (!strstr(errors, th->error)) {
        printf("# missing error '%s' among:\n# %s", th->error, errors);
        return -1;
    }
    spmErrorReset();
    if (tookMs > SPM_TEST_START_TIMEOUT_MS + SPM_TEST_TIMEOUT_MS + SPM_TEST_MARGIN_MS) {
        printf("# the probe took %lld ms\n", (long long)tookMs);
        return -1;
    }
    if (grewKiB > SPM_TEST_RSS_MAX_KIB) {
        printf("# the probe grew the peak RSS by %ld KiB\n", grewKiB);
        return -1;
    }
    if (spmTestCheckNoLeftovers(testProbeDir) < 0 || testNoSurvivors(pidfile) < 0)
        return -1;
    unlink(wrapper);
    unlink(pidfile);
    return 0;
}

static int
mymain(void)
{
    static const testHostile cases[] = {
        {"hang", "did not open its monitor within 6000 ms"},
        {"fork-hang", "did not open its monitor within 6000 ms"},
        /* killed by SIGXFSZ, or (python ignores it) failing with EFBIG */
        {"print", "during startup"},
        {"flood", "no answer from the monitor"},
        {"flood-line", "exceeds the limit of"},
        {"crash", "killed by signal"},
        {"no-socket", "exited with status 0 during startup"},
    };
    g_autoptr(GError) gerr = NULL;
    g_autofree char *python = g_find_program_in_path("python3");
    int ret = 0;
    size_t i;

    if (!python) {
        printf("1..0 # SKIP python3 is not installed\n");
        return 0;
    }
    /* The bounds are of the probe's time and memory, which valgrind
     * multiplies; the ASan/UBSan pass runs this test instead. */
    if (spmTestUnderValgrind()) {
        printf("1..0 # SKIP time and memory bounds do not hold under valgrind\n");
        return 0;
    }
    if (!(testTmpDir = g_dir_make_tmp("qemuhostileprobetest-XXXXXX", &gerr)))
        return -1;
    testProbeDir = g_build_filename(testTmpDir, "probes", NULL);
    if (mkdir(testProbeDir, 0700) < 0)
        return -1;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *title = g_strdup_printf("a QEMU that does '%s'", cases[i].mode);

        if (spmTestRun(title, testProbeHostile, &cases[i]) < 0)
            ret = -1;
    }

    spmTestRemoveTree(testTmpDir);
    g_free(testProbeDir);
    g_free(testTmpDir);
    return ret;
}

SPM_TEST_MAIN(mymain)
