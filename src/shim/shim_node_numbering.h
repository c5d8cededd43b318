/*
 * shim_node_numbering.h: the guest's NUMA node N is the domain's cell N
 *
 * A Linux guest numbers its NUMA nodes in the order it first meets each
 * proximity domain (PXM) in the SRAT: the processor entries first (in vCPU
 * order), then the memory entries in table order.  QEMU makes a node's id
 * its PXM, lists boot RAM in node-id order, the sp-mem ranges by address,
 * and every other part of the device-memory window (the hotplug umbrella)
 * under its highest node id.  When the highest cell is a memory-only typed
 * cell and a gap of the window comes before its sp-mem range, the guest
 * meets that cell too early and the cells after the gap get other node
 * numbers than their ids.
 *
 * virt-spm's layout (src/qemu/qemu_layout_tables.c) predicts the guest's
 * numbering.  When it differs from the cells, the layout gives QEMU other
 * node ids (spmNodeNumberingMoveToEnd): the last cell that the guest meets
 * before the device-memory window gets QEMU's highest id, so that it owns
 * the umbrella, and the cells after it move down by one.  Those cells have
 * no boot RAM, so no address moves.  When that does not give every cell its
 * own number either, virt-spm refuses the domain.
 *
 * `virt-spm define` stores the QEMU node id of every cell in the launch
 * data ("pxm.N=M": cell N is QEMU node M; absent: the cell ids), and the
 * shim renames every node id on QEMU's command line with it
 * (spmNodeNumberingApply), after its other rewrites:
 *   -numa node,nodeid=,initiator=    -numa dist,src=,dst=
 *   -numa cpu,node-id=               -numa hmat-lb,initiator=,target=
 *   -numa hmat-cache,node-id=        -device node=, numa_node=
 *   -object node=
 * Memory backends name host nodes (host-nodes=), which stay.  A -global of
 * a node or numa_node property cannot be renamed and is refused.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/*
 * Fills @pxm (@ncells entries) with QEMU node ids: the cell ids, except that
 * cell @last gets the highest id and the cells after it move down by one.
 */
void spmNodeNumberingMoveToEnd(size_t ncells, unsigned int last, unsigned int *pxm);

/* true when @pxm maps every cell to its own id (or @n is 0). */
bool spmNodeNumberingIsIdentity(const unsigned int *pxm, size_t n);

/* Checks that @pxm is a permutation of 0..@n-1; -1 with an error otherwise. */
int spmNodeNumberingValidate(const unsigned int *pxm, size_t n);

/*
 * Reads launch data key @key ("pxm.N") with @value into *@pxm, growing it
 * (unset entries are G_MAXUINT).  Returns 0 when @key is not a pxm key, 1
 * when it was read, -1 with an error (bad number, cell given twice).
 */
int spmNodeNumberingParseKey(const char *key, const char *value, unsigned int **pxm, size_t *npxm);

/* Appends ",pxm.N=M" for every cell to @buf (nothing for the identity). */
void spmNodeNumberingFormat(GString *buf, const unsigned int *pxm, size_t n);

/*
 * The value of QEMU option @option ("-numa", "-device", "-object",
 * "-global"; with or without a second dash) with every guest node id
 * renamed through @pxm; a copy of @value when it names no node (or @option
 * is none of those).  NULL with an error for a node id that is not a
 * decimal number below @npxm, or a value that cannot be read.
 */
char *spmNodeNumberingRenameValue(const char *option, const char *value, const unsigned int *pxm,
                                  size_t npxm);

/*
 * Renames the node ids in the NULL-terminated @argv (argv[0] is the
 * program; every option is followed by its value), in place.  The argv must
 * have exactly @npxm "-numa node" options.  -1 with an error otherwise.
 */
int spmNodeNumberingApply(char **argv, const unsigned int *pxm, size_t npxm);
