/*
 * qemu_process_probe.h: a QEMU process started only to be asked questions
 *
 * The binary runs the way libvirt probes it:
 *   BINARY -S -no-user-config -nodefaults -nographic -machine none,accel=tcg
 *          -qmp unix:DIR/qmp.monitor,server=on,wait=off
 * with DIR a private temporary directory, standard input from /dev/null and
 * standard output and error in DIR/qemu.log.  The child dies with the
 * thread that started it (PR_SET_PDEATHSIG), and spmQEMUProbeProcessFree
 * kills and reaps it and removes DIR on every path.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "qemu_monitor_qmp.h"

/* How long QEMU gets from exec to its greeting, by default. */
#define SPM_QEMU_PROBE_DEFAULT_START_TIMEOUT_MS 30000

typedef struct {
    int startTimeoutMs;   /* exec .. greeting; 0: the default */
    int commandTimeoutMs; /* per command; 0: SPM_QMP_DEFAULT_TIMEOUT_MS */
    size_t maxMessage;    /* per message; 0: SPM_QMP_DEFAULT_MAX_MESSAGE */
    const char *tmpdir;   /* parent of the private directory; NULL: g_get_tmp_dir() */
} spmQEMUProbeOptions;

typedef struct _spmQEMUProbeProcess spmQEMUProbeProcess;

/*
 * Starts @binary, connects to its monitor and completes the QMP handshake.
 * Returns NULL with an error reported (quoting the tail of QEMU's standard
 * error when QEMU exited) after cleaning up everything it created.
 */
spmQEMUProbeProcess *spmQEMUProbeProcessStart(const char *binary, const spmQEMUProbeOptions *opts);

/* The connected monitor (owned by @proc). */
spmQMPClient *spmQEMUProbeProcessGetClient(spmQEMUProbeProcess *proc);

/*
 * After a failed command: if QEMU exited by itself (within a short grace
 * period), reports how it ended and the tail of its standard error.
 */
void spmQEMUProbeProcessReportExit(spmQEMUProbeProcess *proc);

/* Kills and reaps QEMU, removes the private directory, frees @proc. */
void spmQEMUProbeProcessFree(spmQEMUProbeProcess *proc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMUProbeProcess, spmQEMUProbeProcessFree);

/* The full argv used to probe @binary with its monitor at @socketPath. */
char **spmQEMUProbeProcessBuildArgv(const char *binary, const char *socketPath);
