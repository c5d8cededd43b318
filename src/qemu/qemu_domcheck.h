/*
 * qemu_domcheck.h: is the running guest what virt-spm defined and predicted?
 *
 * For each typed cell of a running domain, what QEMU really built (read over
 * QMP: query-memory-devices, query-memdev, query-memory-size-summary; never
 * HMP "info numa", which aborts QEMU 11.1.3 when an sp-mem device exists) is
 * compared with the domain's XML, the launch data define stored, and the
 * layout virt-spm predicts today:
 *   - sp-mem form: the device spm-nodeN (its node, address and size), the
 *     backend it uses (ram-nodeN, and that backend's size);
 *   - memmap-type form: the backend ram-nodeN and its size; QMP shows
 *     neither a node's memmap-type nor the E820 table, so whether QEMU
 *     typed the node's range cannot be seen from outside the guest (the
 *     row says so, and it is not counted as drift);
 *   - both: QEMU's boot RAM (base-memory) and device memory
 *     (plugged-memory) against the layout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "qemu_layout.h"
#include "shim_launch_data.h"

typedef enum {
    SPM_QEMU_DOMCHECK_MATCH = 0, /* QEMU has what was expected */
    SPM_QEMU_DOMCHECK_DRIFT,     /* QEMU has something else */
    SPM_QEMU_DOMCHECK_UNSEEN,    /* QEMU does not show it */

    SPM_QEMU_DOMCHECK_LAST
} spmQEMUDomcheckStatus;
SPM_ENUM_DECL(spmQEMUDomcheckStatus);

typedef struct {
    int cell;       /* the typed cell; -1 for the whole guest */
    char *field;    /* "device", "node", "addr", "size", "backend", ... */
    char *expected; /* NULL: nothing expected (an extra device) */
    char *actual;   /* NULL: QEMU has none */
    spmQEMUDomcheckStatus status;
    char *meaning; /* what a drift (or an unseen field) means for the guest */
} spmQEMUDomcheckRow;

typedef struct _spmQEMUDomcheck spmQEMUDomcheck;
struct _spmQEMUDomcheck {
    char *domain;
    spmForm form;
    GPtrArray *rows;  /* spmQEMUDomcheckRow */
    GPtrArray *notes; /* char *: plain statements about what was checked */
    size_t ndrift;
};

void spmQEMUDomcheckFree(spmQEMUDomcheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMUDomcheck, spmQEMUDomcheckFree);

/* The QMP replies (as virDomainQemuMonitorCommand returns them, with
 * "return"), owned by the caller. */
typedef struct {
    const char *memoryDevices; /* query-memory-devices */
    const char *memdev;        /* query-memdev */
    const char *sizeSummary;   /* query-memory-size-summary */
} spmQEMUDomcheckReplies;

/*
 * Compares.  @stored is the launch data in libvirt's XML (NULL: none),
 * @layout the layout virt-spm predicts today for the user's XML (memmap
 * restored).  NULL with an error when a reply is not QMP's.
 */
spmQEMUDomcheck *spmQEMUDomcheckCompare(const char *domain, const spmLaunchData *stored,
                                        const spmQEMULayout *layout,
                                        const spmQEMUDomcheckReplies *replies);

/* A drift row added by the caller (e.g. for a domain without launch data). */
void spmQEMUDomcheckAddRow(spmQEMUDomcheck *check, int cell, const char *field,
                           const char *expected, const char *actual, spmQEMUDomcheckStatus status,
                           const char *meaning);

char *spmQEMUDomcheckFormatTable(const spmQEMUDomcheck *check);
char *spmQEMUDomcheckFormatJSON(const spmQEMUDomcheck *check);
