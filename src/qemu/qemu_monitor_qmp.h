/*
 * qemu_monitor_qmp.h: a small, bounded QMP client
 *
 * One command at a time over a connected stream socket: the greeting,
 * qmp_capabilities, then commands with ids.  Asynchronous events are
 * skipped, replies are matched by id, and every wait is bounded by a
 * per-command timeout and a cap on the size of one message.  EOF, garbage,
 * an oversized or a missing reply make the client unusable ("broken") with
 * one error reported; nothing blocks longer than the timeout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#include "qemu_json.h"

/* The default time QEMU gets to answer one command (or to greet). */
#define SPM_QMP_DEFAULT_TIMEOUT_MS 30000
/* The default cap on one message: query-qmp-schema is about 250 KiB. */
#define SPM_QMP_DEFAULT_MAX_MESSAGE (32 * 1024 * 1024)

typedef struct _spmQMPClient spmQMPClient;

/*
 * Wraps the connected socket @fd, which the client owns from now on (it is
 * closed by spmQMPClientFree, even on failure).  @name labels the peer in
 * messages, usually the QEMU binary path.
 */
spmQMPClient *spmQMPClientNew(int fd, const char *name);
void spmQMPClientFree(spmQMPClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQMPClient, spmQMPClientFree);

/* Connects a stream socket to the unix socket @path.  Returns the fd, or -1
 * with errno set and nothing reported (callers retry while QEMU starts). */
int spmQMPConnectUnix(const char *path);

void spmQMPClientSetTimeout(spmQMPClient *client, int timeoutMs);
void spmQMPClientSetMaxMessage(spmQMPClient *client, size_t maxBytes);

/*
 * Waits for the greeting and negotiates capabilities (qmp_capabilities).
 * Returns 0 or -1 with an error reported.
 */
int spmQMPClientHandshake(spmQMPClient *client);

/* The QEMU version announced in the greeting (major*1000000+minor*1000+micro),
 * or 0 before the greeting. */
unsigned int spmQMPClientGetGreetingVersion(const spmQMPClient *client);

/*
 * Runs @cmd with the arguments @args (an object, borrowed; NULL for none).
 * On success returns 0 and, when @ret is non-NULL, a new reference to the
 * "return" member in *ret.  Returns -1 with an error reported when the
 * transport failed (timeout, EOF, garbage, oversized message; the client is
 * then broken) and -2 with an SPM_ERR_QMP_ERROR reported when QEMU answered
 * with an error (the message names its class).
 */
int spmQMPClientCommand(spmQMPClient *client, const char *cmd, json_object *args,
                        json_object **ret);


/* true once a transport failure made the connection unusable */
bool spmQMPClientIsBroken(const spmQMPClient *client);

/* Number of asynchronous events skipped so far. */
size_t spmQMPClientGetEventCount(const spmQMPClient *client);
