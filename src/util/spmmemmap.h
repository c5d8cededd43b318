/*
 * spmmemmap.h: how a guest NUMA cell's memory is typed, and how QEMU is told
 *
 * Both enums are shared by every layer: the domain model (conf), the QEMU
 * capabilities and layout (qemu) and the shim's launch data (shim).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmenum.h"

/* The typing of a cell's memory: <cell memmap=''>, node.N.memmap= in the
 * launch data. */
typedef enum {
    SPM_MEMMAP_NORMAL = 0, /* default: ordinary RAM; never formatted */
    SPM_MEMMAP_SPM,        /* E820 soft reserved (0xEFFFFFFF) + SRAT node */
    SPM_MEMMAP_RESERVED,   /* E820 reserved (type 2) */

    SPM_MEMMAP_LAST
} spmMemmap;
SPM_ENUM_DECL(spmMemmap); /* "normal", "spm", "reserved" */

/* The form: how a QEMU binary offers typed memory, and so how the shim
 * hands typed cells to it. */
typedef enum {
    SPM_FORM_NONE = 0,    /* no interface at all */
    SPM_FORM_SP_MEM,      /* -numa node,nodeid=N + -device sp-mem (QEMU 11.1) */
    SPM_FORM_MEMMAP_TYPE, /* -numa node,...,memmap-type= (unmerged series) */

    SPM_FORM_LAST
} spmForm;
SPM_ENUM_DECL(spmForm); /* "none", "sp-mem", "memmap-type" */
