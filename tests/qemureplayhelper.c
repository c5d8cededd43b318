/*
 * qemureplayhelper.c: a fake QEMU binary for process-level probe tests
 *
 *   qemureplayhelper --replies FILE [--fault FAULT[:COMMAND]] [--huge BYTES]
 *                    [--count FILE] [--stderr TEXT] [--die-at-start]
 *                    [--hang-at-start] -- QEMU-ARGUMENTS...
 *
 * It insists on exactly the arguments virt-spm probes with, then behaves
 * like QEMU started with -qmp unix:PATH,server=on,wait=off: it listens on
 * PATH, serves one monitor connection from FILE (with the fault, see
 * qemumonitorreplay.h) and keeps running until killed or sent "quit".
 * --count appends a line to FILE on every start (to count probes),
 * --stderr prints TEXT on standard error first, --die-at-start fails like a
 * QEMU that rejects its command line, --hang-at-start never opens the
 * socket.  It never outlives 60 seconds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemumonitorreplay.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SPM_HELPER_LIFETIME_S 60


/* The socket path from "unix:PATH,server=on,wait=off" (",," is a comma). */
static char *
spmHelperSocketPath(const char *spec)
{
    g_autoptr(GString) path = g_string_new(NULL);
    const char *p;

    if (!g_str_has_prefix(spec, "unix:"))
        return NULL;
    for (p = spec + 5; *p; p++) {
        if (*p == ',') {
            if (p[1] != ',')
                break;
            p++;
        }
        g_string_append_c(path, *p);
    }
    if (!SPM_STREQ(p, ",server=on,wait=off"))
        return NULL;
    return g_string_free(g_steal_pointer(&path), FALSE);
}


static char *
spmHelperCheckArgs(int argc, char **argv)
{
    const char *expected[] = {
        "-S", "-no-user-config", "-nodefaults", "-nographic", "-machine", "none,accel=tcg", "-qmp",
    };
    size_t i;

    if (argc != (int)G_N_ELEMENTS(expected) + 1 || !argv)
        return NULL;
    for (i = 0; i < G_N_ELEMENTS(expected); i++) {
        if (!SPM_STREQ(argv[i], expected[i]))
            return NULL;
    }
    return spmHelperSocketPath(argv[i]);
}


static int
spmHelperListen(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return -1;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}


static void
spmHelperWaitForever(void)
{
    for (;;)
        pause();
}


int
main(int argc, char **argv)
{
    g_autofree char *replies = NULL;
    g_autofree char *fault = NULL;
    g_autofree char *count = NULL;
    g_autofree char *text = NULL;
    g_autofree char *socketPath = NULL;
    gint64 huge = 0;
    gboolean dieAtStart = FALSE;
    gboolean hangAtStart = FALSE;
    GOptionEntry entries[] = {
        {"replies", 0, 0, G_OPTION_ARG_FILENAME, &replies, "replies file", "FILE"},
        {"fault", 0, 0, G_OPTION_ARG_STRING, &fault, "fault to inject", "FAULT[:COMMAND]"},
        {"huge", 0, 0, G_OPTION_ARG_INT64, &huge, "size of a huge reply", "BYTES"},
        {"count", 0, 0, G_OPTION_ARG_FILENAME, &count, "append a line per start", "FILE"},
        {"stderr", 0, 0, G_OPTION_ARG_STRING, &text, "print on stderr first", "TEXT"},
        {"die-at-start", 0, 0, G_OPTION_ARG_NONE, &dieAtStart, "fail at start", NULL},
        {"hang-at-start", 0, 0, G_OPTION_ARG_NONE, &hangAtStart, "never listen", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("-- QEMU-ARGUMENTS");
    g_autoptr(GError) err = NULL;
    g_autoptr(spmQMPReplay) replay = NULL;
    spmQMPReplayConfig config = {0};
    spmQEMUReplies *recorded;
    spmQMPReplayResult rc;
    int lfd;
    int cfd;

    alarm(SPM_HELPER_LIFETIME_S);
    signal(SIGPIPE, SIG_IGN);

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || !replies) {
        fprintf(stderr, "qemureplayhelper: %s\n", err ? err->message : "--replies is required");
        return 2;
    }
    /* what follows the program name (GOption may leave the "--") */
    argv++;
    argc--;
    if (argc > 0 && SPM_STREQ(argv[0], "--")) {
        argv++;
        argc--;
    }
    if (!(socketPath = spmHelperCheckArgs(argc, argv))) {
        g_autofree char *joined = g_strjoinv(" ", argv);
        fprintf(stderr, "qemureplayhelper: unexpected QEMU arguments: %s\n", joined);
        return 2;
    }

    if (count) {
        g_autofree char *line = g_strdup_printf("%lld\n", (long long)getpid());
        int fd = open(count, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

        if (fd < 0 || write(fd, line, strlen(line)) < 0)
            return 2;
        close(fd);
    }
    if (text)
        fprintf(stderr, "%s\n", text);
    if (dieAtStart) {
        fprintf(stderr, "qemu-system-x86_64: -machine none,accel=tcg: simulated startup failure\n");
        return 1;
    }
    if (hangAtStart)
        spmHelperWaitForever();

    if (fault && spmQMPReplayParseFault(fault, &config) < 0) {
        fprintf(stderr, "qemureplayhelper: unknown fault '%s'\n", fault);
        return 2;
    }
    config.hugeSize = huge > 0 ? (size_t)huge : 0;
    if (!(recorded = spmQEMURepliesNewFromFile(replies))) {
        fprintf(stderr, "qemureplayhelper: cannot load '%s'\n", replies);
        return 2;
    }
    replay = spmQMPReplayNew(recorded, &config);

    if ((lfd = spmHelperListen(socketPath)) < 0) {
        fprintf(stderr, "qemureplayhelper: cannot listen on '%s': %s\n", socketPath,
                g_strerror(errno));
        return 1;
    }
    do {
        cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    } while (cfd < 0 && errno == EINTR);
    if (cfd < 0)
        return 1;

    rc = spmQMPReplayServe(replay, cfd);
    if (rc == SPM_QMP_REPLAY_EXITED) {
        fprintf(stderr, "qemu-system-x86_64: simulated crash while answering\n");
        _exit(1);
    }
    close(cfd);
    if (spmQMPReplayGotQuit(replay))
        return 0;

    /* like QEMU with wait=off: keep running until killed */
    spmHelperWaitForever();
    return 0;
}
