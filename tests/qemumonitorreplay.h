/*
 * qemumonitorreplay.h: a fake QMP server that answers from a .replies file
 *
 * It greets like QEMU (the version comes from the recorded query-version),
 * insists on qmp_capabilities first, answers each command with the
 * recording for that command and those arguments (with the request's id),
 * and CommandNotFound otherwise.  A fault can be injected to test how a
 * client copes with a bad peer.
 *
 * Two ways to use it:
 *  - in-process: spmQMPReplayThreadStart() serves one end of a socketpair
 *    from a thread and hands out the other end;
 *  - as a fake QEMU binary: tests/qemureplayhelper (see there) listens on
 *    the -qmp socket like QEMU does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmenum.h"
#include "qemu_replies.h"

typedef enum {
    SPM_QMP_REPLAY_FAULT_NONE = 0,
    SPM_QMP_REPLAY_FAULT_NO_GREETING,  /* never greets; waits for the peer to close */
    SPM_QMP_REPLAY_FAULT_BAD_GREETING, /* greets with something that is not QMP */
    SPM_QMP_REPLAY_FAULT_SLOW,         /* never answers COMMAND; waits for the peer to close */
    SPM_QMP_REPLAY_FAULT_TRUNCATE,     /* sends half the reply to COMMAND, then closes */
    SPM_QMP_REPLAY_FAULT_GARBAGE,      /* answers COMMAND with invalid JSON */
    SPM_QMP_REPLAY_FAULT_HUGE,         /* answers COMMAND with a valid hugeSize-byte reply */
    SPM_QMP_REPLAY_FAULT_ERROR,        /* answers COMMAND with a GenericError */
    SPM_QMP_REPLAY_FAULT_EXIT,         /* closes (the helper: exits 1) when COMMAND arrives */
    SPM_QMP_REPLAY_FAULT_NOISE,        /* events and a stale reply before every reply */
    SPM_QMP_REPLAY_FAULT_DRIP,         /* every message in small pieces (partial reads) */
    SPM_QMP_REPLAY_FAULT_NOT_OBJECT,   /* answers COMMAND with a JSON array */
    SPM_QMP_REPLAY_FAULT_ODD_REPLY,    /* answers COMMAND with an object that is no reply */
    SPM_QMP_REPLAY_FAULT_WRONG_TYPES,  /* answers COMMAND with a return of the wrong type */

    SPM_QMP_REPLAY_FAULT_LAST
} spmQMPReplayFault;
SPM_ENUM_DECL(spmQMPReplayFault);

typedef struct {
    spmQMPReplayFault fault;
    const char *command; /* the command the fault applies to; NULL: every command */
    size_t hugeSize;     /* for SPM_QMP_REPLAY_FAULT_HUGE */
} spmQMPReplayConfig;

typedef struct _spmQMPReplay spmQMPReplay;

/* Takes ownership of @replies; @config may be NULL (no fault). */
spmQMPReplay *spmQMPReplayNew(spmQEMUReplies *replies, const spmQMPReplayConfig *config);
void spmQMPReplayFree(spmQMPReplay *replay);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQMPReplay, spmQMPReplayFree);

/*
 * Parses "FAULT" or "FAULT:COMMAND" (e.g. "slow:query-machines") into
 * @config (command points into @spec).  Returns -1 for an unknown fault.
 */
int spmQMPReplayParseFault(const char *spec, spmQMPReplayConfig *config);

typedef enum {
    SPM_QMP_REPLAY_DONE = 0, /* the peer closed, or "quit" */
    SPM_QMP_REPLAY_EXITED,   /* SPM_QMP_REPLAY_FAULT_EXIT fired */
    SPM_QMP_REPLAY_IO_ERROR, /* the connection failed */
} spmQMPReplayResult;

/* Serves one connection on @fd (not closed) until it ends. */
spmQMPReplayResult spmQMPReplayServe(spmQMPReplay *replay, int fd);

/* Number of commands received so far (qmp_capabilities included). */
size_t spmQMPReplayGetCommandCount(const spmQMPReplay *replay);
/* true once "quit" was answered */
bool spmQMPReplayGotQuit(const spmQMPReplay *replay);

/*
 * Writes an executable script DIR/NAME that runs tests/qemureplayhelper as
 * a fake QEMU answering from @replies, with @extraArgs (helper options such
 * as "--fault slow:query-machines", already shell-quoted) before the QEMU
 * arguments.  Returns the script's path.
 */
char *spmQMPReplayWriteFakeQEMU(const char *dir, const char *name, const char *replies,
                                const char *extraArgs);

typedef struct _spmQMPReplayThread spmQMPReplayThread;

/* Serves @replay (owned by the caller, must outlive the thread) from a new
 * thread on one end of a socketpair; *clientfd receives the other end. */
spmQMPReplayThread *spmQMPReplayThreadStart(spmQMPReplay *replay, int *clientfd);
/* Waits for the server thread to finish (close the client end first). */
spmQMPReplayResult spmQMPReplayThreadJoin(spmQMPReplayThread *thread);

/* A server that writes @len bytes of @data, then closes: for fuzzing. */
spmQMPReplayThread *spmQMPReplayThreadStartRaw(const char *data, size_t len, int *clientfd);
