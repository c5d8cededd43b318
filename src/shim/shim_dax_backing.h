/*
 * shim_dax_backing.h: back a typed NUMA node with a host device-dax device
 *
 * When the launch data names a dax device for node N (node.N.dax=PATH,
 * node.N.dax-align=BYTES, node.N.size=BYTES; `virt-spm define` puts them
 * there from the domain's <spmhost:backing>, checked against the host),
 * the shim turns N's memory backend, whatever libvirt made it, into
 *
 *   memory-backend-file,mem-path=PATH,align=BYTES,share=on
 *
 * keeping every other property libvirt gave it (id, size, host-nodes,
 * policy, prealloc, ...).  Properties only the other backends take
 * (memfd's hugetlb, hugetlbsize, seal) and those the rewrite sets are
 * replaced.  The size must be node.N.size.  glib only: the shim links no
 * libdaxctl; everything comes from the launch data.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "shim_launch_data.h"

/* The launch data rules of the dax keys of @node (called by
 * spmLaunchDataValidate). */
int spmLaunchDaxValidate(const spmLaunchNode *node);

/* Appends @node's dax keys, if any, to the launch data text @buf. */
void spmLaunchDaxFormat(GString *buf, const spmLaunchNode *node);

/*
 * Rewrites the memory backend of every dax-backed node of @data in @argv.
 * 0 with *@newargv NULL when no node is dax-backed, 0 with the rewritten
 * argv (a new NULL-terminated vector) otherwise, -1 after reporting an
 * error (no -numa node N, no single backend, or a malformed one).
 */
int spmShimDaxBackingApply(const char *const *argv, const spmLaunchData *data, char ***newargv);
