/*
 * qemu_process_probe.c: a QEMU process started only to be asked questions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_process_probe.h"
#include "spmerror.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU

#define SPM_QEMU_PROBE_SOCKET "qmp.monitor"
#define SPM_QEMU_PROBE_LOG "qemu.log"
/* How much of QEMU's standard error an error message quotes. */
#define SPM_QEMU_PROBE_TAIL_MAX 1024
/* How long a QEMU that closed its monitor gets to exit before we look. */
#define SPM_QEMU_PROBE_EXIT_GRACE_MS 200
/* The most a probed binary may write into any file (its log): a probe's
 * QEMU writes a few lines; one that writes more dies of SIGXFSZ instead of
 * filling the temporary directory. */
#define SPM_QEMU_PROBE_FILE_SIZE_MAX (4 * 1024 * 1024)

struct _spmQEMUProbeProcess {
    char *binary;
    char *dir;
    char *socketPath;
    char *logPath;
    pid_t pid;  /* -1 once reaped */
    pid_t pgid; /* its process group (setsid in the child), -1 before the fork */
    int status; /* wait status once reaped */
    bool exitReported;
    spmQMPClient *client;
};


char **
spmQEMUProbeProcessBuildArgv(const char *binary, const char *socketPath)
{
    g_autoptr(GString) qmp = g_string_new("unix:");
    GPtrArray *argv = g_ptr_array_new();
    const char *p;

    /* QEMU's option parser takes ",," for a comma inside a value */
    for (p = socketPath; *p; p++) {
        if (*p == ',')
            g_string_append_c(qmp, ',');
        g_string_append_c(qmp, *p);
    }
    g_string_append(qmp, ",server=on,wait=off");

    g_ptr_array_add(argv, g_strdup(binary));
    g_ptr_array_add(argv, g_strdup("-S"));
    g_ptr_array_add(argv, g_strdup("-no-user-config"));
    g_ptr_array_add(argv, g_strdup("-nodefaults"));
    g_ptr_array_add(argv, g_strdup("-nographic"));
    g_ptr_array_add(argv, g_strdup("-machine"));
    g_ptr_array_add(argv, g_strdup("none,accel=tcg"));
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_string_free(g_steal_pointer(&qmp), FALSE));
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(argv, FALSE);
}


/* The last lines of QEMU's standard error, on one line, or NULL. */
static char *
spmQEMUProbeProcessLogTail(spmQEMUProbeProcess *proc)
{
    g_autofree char *buf = NULL;
    char *start;
    off_t size;
    ssize_t got;
    int fd;

    if (!proc->logPath || (fd = open(proc->logPath, O_RDONLY | O_CLOEXEC)) < 0)
        return NULL;

    buf = g_new0(char, SPM_QEMU_PROBE_TAIL_MAX + 1);
    size = lseek(fd, 0, SEEK_END);
    if (size > SPM_QEMU_PROBE_TAIL_MAX)
        lseek(fd, size - SPM_QEMU_PROBE_TAIL_MAX, SEEK_SET);
    else
        lseek(fd, 0, SEEK_SET);
    got = read(fd, buf, SPM_QEMU_PROBE_TAIL_MAX);
    close(fd);
    if (got <= 0)
        return NULL;
    buf[got] = '\0';

    /* start at a line boundary when the tail was cut */
    start = buf;
    if (size > SPM_QEMU_PROBE_TAIL_MAX && strchr(buf, '\n'))
        start = strchr(buf, '\n') + 1;
    g_strstrip(start);
    if (!*start)
        return NULL;
    g_strdelimit(start, "\r\n", ' ');
    return g_strdup(start);
}


/* "exited with status 1" / "was killed by signal 9" */
static char *
spmQEMUProbeProcessDescribeStatus(int status)
{
    if (WIFEXITED(status))
        return g_strdup_printf(_("exited with status %1$d"), WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return g_strdup_printf(_("was killed by signal %1$d"), WTERMSIG(status));
    return g_strdup_printf(_("ended with wait status %1$d"), status);
}


static void
spmQEMUProbeProcessReportEnd(spmQEMUProbeProcess *proc, const char *when)
{
    g_autofree char *tail = spmQEMUProbeProcessLogTail(proc);
    g_autofree char *how = spmQEMUProbeProcessDescribeStatus(proc->status);

    proc->exitReported = true;
    if (tail)
        spmReportError(SPM_ERR_OPERATION_FAILED, _("QEMU '%1$s' %2$s %3$s: %4$s"), proc->binary,
                       how, when, tail);
    else
        spmReportError(SPM_ERR_OPERATION_FAILED, _("QEMU '%1$s' %2$s %3$s"), proc->binary, how,
                       when);
}


/* Reaps QEMU if it has exited.  Returns true when it has. */
static bool
spmQEMUProbeProcessTryReap(spmQEMUProbeProcess *proc)
{
    pid_t rc;

    if (proc->pid < 0)
        return true;
    do {
        rc = waitpid(proc->pid, &proc->status, WNOHANG);
    } while (rc < 0 && errno == EINTR);
    if (rc == proc->pid || (rc < 0 && errno == ECHILD)) {
        proc->pid = -1;
        return true;
    }
    return false;
}


static void
spmQEMUProbeProcessKill(spmQEMUProbeProcess *proc)
{
    /* its whole process group (the child made one with setsid): a "QEMU"
     * that forked leaves nothing behind, also when it exited itself */
    if (proc->pgid > 0)
        kill(-proc->pgid, SIGKILL);
    if (proc->pid < 0)
        return;
    kill(proc->pid, SIGKILL);
    while (waitpid(proc->pid, &proc->status, 0) < 0 && errno == EINTR)
        ;
    proc->pid = -1;
}


static void
spmQEMUProbeProcessSleepMs(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}


void
spmQEMUProbeProcessReportExit(spmQEMUProbeProcess *proc)
{
    gint64 deadline = g_get_monotonic_time() + SPM_QEMU_PROBE_EXIT_GRACE_MS * 1000;

    if (proc->exitReported)
        return;
    while (!spmQEMUProbeProcessTryReap(proc)) {
        if (g_get_monotonic_time() >= deadline)
            return;
        spmQEMUProbeProcessSleepMs(1);
    }
    spmQEMUProbeProcessReportEnd(proc, _("while being probed"));
}


void
spmQEMUProbeProcessFree(spmQEMUProbeProcess *proc)
{
    if (!proc)
        return;
    g_clear_pointer(&proc->client, spmQMPClientFree);
    spmQEMUProbeProcessKill(proc);
    if (proc->socketPath)
        unlink(proc->socketPath);
    if (proc->logPath)
        unlink(proc->logPath);
    if (proc->dir && rmdir(proc->dir) < 0 && errno != ENOENT)
        SPM_DEBUG("cannot remove '%s': %s", proc->dir, g_strerror(errno));
    g_free(proc->binary);
    g_free(proc->dir);
    g_free(proc->socketPath);
    g_free(proc->logPath);
    g_free(proc);
}


/* Moves @fd to a descriptor >= 10 (in the child, before dup2 onto 0..3). */
static int
spmQEMUProbeChildLift(int fd)
{
    return fcntl(fd, F_DUPFD_CLOEXEC, 10);
}


/* Runs in the child between fork and exec: async-signal-safe calls only. */
G_GNUC_NORETURN static void
spmQEMUProbeChild(const char *path, char **argv, char **envp, int nullfd, int logfd, int errfd,
                  pid_t parent)
{
    sigset_t all;
    int err;

    if ((nullfd = spmQEMUProbeChildLift(nullfd)) < 0 ||
        (logfd = spmQEMUProbeChildLift(logfd)) < 0 || (errfd = spmQEMUProbeChildLift(errfd)) < 0)
        goto fail;
    if (dup2(nullfd, STDIN_FILENO) < 0 || dup2(logfd, STDOUT_FILENO) < 0 ||
        dup2(logfd, STDERR_FILENO) < 0 || dup3(errfd, 3, O_CLOEXEC) < 0)
        goto fail;
    errfd = 3;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 4, ~0U, 0) < 0)
#endif
    {
        long maxfd = sysconf(_SC_OPEN_MAX);
        int fd;

        for (fd = 4; fd < (maxfd > 0 && maxfd < 65536 ? maxfd : 65536); fd++)
            close(fd);
    }

    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    setsid();
    signal(SIGXFSZ, SIG_DFL);
    {
        struct rlimit fsize = {SPM_QEMU_PROBE_FILE_SIZE_MAX, SPM_QEMU_PROBE_FILE_SIZE_MAX};

        if (setrlimit(RLIMIT_FSIZE, &fsize) < 0)
            goto fail;
    }
    /* QEMU must not outlive the prober */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(127);

    execve(path, argv, envp);

fail:
    err = errno;
    if (errfd >= 0) {
        ssize_t ignored = write(errfd, &err, sizeof(err));
        (void)ignored;
    }
    _exit(127);
}


static int
spmQEMUProbeProcessSpawn(spmQEMUProbeProcess *proc)
{
    g_auto(GStrv) argv = spmQEMUProbeProcessBuildArgv(proc->binary, proc->socketPath);
    g_auto(GStrv) envp = g_environ_setenv(g_get_environ(), "LC_ALL", "C", TRUE);
    pid_t parent = getpid();
    int pipefd[2] = {-1, -1};
    int nullfd = -1;
    int logfd = -1;
    int childErrno = 0;
    ssize_t got;
    pid_t pid;
    int ret = -1;

    if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        spmReportSystemError(errno, _("cannot open '%1$s'"), "/dev/null");
        goto cleanup;
    }
    if ((logfd = open(proc->logPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        spmReportSystemError(errno, _("cannot create '%1$s'"), proc->logPath);
        goto cleanup;
    }
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        spmReportSystemError(errno, "%s", _("cannot create a pipe"));
        goto cleanup;
    }

    if ((pid = fork()) < 0) {
        spmReportSystemError(errno, _("cannot start QEMU '%1$s'"), proc->binary);
        goto cleanup;
    }
    if (pid == 0)
        spmQEMUProbeChild(proc->binary, argv, envp, nullfd, logfd, pipefd[1], parent);

    proc->pid = pid;
    proc->pgid = pid;
    close(pipefd[1]);
    pipefd[1] = -1;

    /* EOF: exec succeeded; an int: the errno of the failed exec */
    do {
        got = read(pipefd[0], &childErrno, sizeof(childErrno));
    } while (got < 0 && errno == EINTR);
    if (got == sizeof(childErrno)) {
        spmQEMUProbeProcessKill(proc);
        spmReportSystemError(childErrno, _("cannot execute QEMU '%1$s'"), proc->binary);
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (nullfd >= 0)
        close(nullfd);
    if (logfd >= 0)
        close(logfd);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    return ret;
}


/* Waits for the monitor socket and connects.  Returns the fd or -1. */
static int
spmQEMUProbeProcessConnect(spmQEMUProbeProcess *proc, gint64 deadline, int timeoutMs)
{
    int delayMs = 1;

    for (;;) {
        int fd = spmQMPConnectUnix(proc->socketPath);

        if (fd >= 0)
            return fd;
        if (errno != ENOENT && errno != ECONNREFUSED) {
            spmReportSystemError(errno, _("cannot connect to the monitor of QEMU '%1$s'"),
                                 proc->binary);
            return -1;
        }
        if (spmQEMUProbeProcessTryReap(proc)) {
            spmQEMUProbeProcessReportEnd(proc, _("during startup"));
            return -1;
        }
        if (g_get_monotonic_time() >= deadline) {
            g_autofree char *tail = spmQEMUProbeProcessLogTail(proc);

            spmReportError(SPM_ERR_OPERATION_TIMEOUT,
                           _("QEMU '%1$s' did not open its monitor within %2$d ms%3$s%4$s"),
                           proc->binary, timeoutMs, tail ? ": " : "", tail ? tail : "");
            return -1;
        }
        spmQEMUProbeProcessSleepMs(delayMs);
        /* QEMU opens the socket within tens of ms; back off slowly after that */
        if (g_get_monotonic_time() + 200000 < deadline && delayMs < 10)
            delayMs++;
    }
}


spmQEMUProbeProcess *
spmQEMUProbeProcessStart(const char *binary, const spmQEMUProbeOptions *opts)
{
    g_autoptr(spmQEMUProbeProcess) proc = g_new0(spmQEMUProbeProcess, 1);
    spmQEMUProbeOptions defaults = {0};
    g_autofree char *tmpl = NULL;
    int startMs;
    gint64 deadline;
    int fd;

    if (!opts)
        opts = &defaults;
    startMs =
        opts->startTimeoutMs > 0 ? opts->startTimeoutMs : SPM_QEMU_PROBE_DEFAULT_START_TIMEOUT_MS;
    proc->pid = -1;
    proc->pgid = -1;
    proc->binary = g_strdup(binary);

    if (access(binary, X_OK) < 0) {
        spmReportSystemError(errno, _("cannot execute QEMU '%1$s'"), binary);
        return NULL;
    }

    tmpl = g_build_filename(opts->tmpdir ? opts->tmpdir : g_get_tmp_dir(), "virt-spm-probe-XXXXXX",
                            NULL);
    if (!g_mkdtemp_full(tmpl, 0700)) {
        spmReportSystemError(errno, _("cannot create a directory for probing QEMU '%1$s'"), binary);
        return NULL;
    }
    proc->dir = g_steal_pointer(&tmpl);
    proc->socketPath = g_build_filename(proc->dir, SPM_QEMU_PROBE_SOCKET, NULL);
    proc->logPath = g_build_filename(proc->dir, SPM_QEMU_PROBE_LOG, NULL);

    deadline = g_get_monotonic_time() + (gint64)startMs * 1000;
    if (spmQEMUProbeProcessSpawn(proc) < 0)
        return NULL;
    SPM_DEBUG("probing '%s' as pid %lld in '%s'", binary, (long long)proc->pid, proc->dir);

    if ((fd = spmQEMUProbeProcessConnect(proc, deadline, startMs)) < 0)
        return NULL;
    if (!(proc->client = spmQMPClientNew(fd, binary)))
        return NULL;
    if (opts->maxMessage > 0)
        spmQMPClientSetMaxMessage(proc->client, opts->maxMessage);

    /* the greeting and qmp_capabilities get the start timeout too */
    spmQMPClientSetTimeout(proc->client, startMs);
    if (spmQMPClientHandshake(proc->client) < 0) {
        spmQEMUProbeProcessReportExit(proc);
        return NULL;
    }
    spmQMPClientSetTimeout(proc->client, opts->commandTimeoutMs);
    return g_steal_pointer(&proc);
}


spmQMPClient *
spmQEMUProbeProcessGetClient(spmQEMUProbeProcess *proc)
{
    return proc->client;
}
