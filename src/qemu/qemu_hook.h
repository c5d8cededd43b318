/*
 * qemu_hook.h: the decision of the libvirt qemu hook (tools/virt-spm-hook.c)
 *
 * libvirt runs the hook as
 *
 *     virt-spm-hook GUEST OPERATION SUB-OPERATION EXTRA
 *
 * with the domain XML on standard input.  This module decides, from that
 * argv and that XML, whether the operation may go on; the hook itself only
 * reads standard input and prints.  tests/fuzz/fuzz_hook.c fuzzes it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#define SPM_QEMU_HOOK_PROG "virt-spm-hook"

typedef enum {
    SPM_QEMU_HOOK_ALLOW = 0,  /* the operation goes on */
    SPM_QEMU_HOOK_REFUSE = 1, /* libvirt fails the operation with the message */
    SPM_QEMU_HOOK_USAGE = 3,  /* not called the way libvirt calls hooks */
} spmQEMUHookVerdict;

/*
 * Whether deciding on @argv (as main() gets it, @argc entries) needs the
 * domain XML: only the operations the hook may refuse read it.
 */
bool spmQEMUHookNeedsDomainXML(int argc, const char *const *argv);

/*
 * Decides on the operation @argv (@argc entries, argv[0] the program)
 * with the domain XML @xml (@len bytes; NULL when it could not be read,
 * with the reason queued as an error).  Returns the verdict, the exit
 * status of the hook.  For a refusal or a usage error *@message is the
 * text for standard error, whole lines, and the errors still queued
 * (spmErrorPrintAll) belong before it; for an allowed operation *@message
 * is NULL and nothing is queued by the decision.
 */
spmQEMUHookVerdict spmQEMUHookDecide(int argc, const char *const *argv, const char *xml, size_t len,
                                     char **message);
