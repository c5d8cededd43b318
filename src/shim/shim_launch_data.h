/*
 * shim_launch_data.h: the launch data virt-spm hands to its emulator shim
 *
 * `virt-spm define` stores the SPM part of a domain, which stock libvirt
 * cannot express, as two extra QEMU arguments in the domain's
 * <qemu:commandline>:
 *
 *   -virt-spm-launch v=1,form=sp-mem,maxmem=6442450944,slots=0,
 *                    node.1.memmap=spm,node.1.addr=0x140000000,node.1.size=1073741824
 *
 * (one argument, no line break).  A real QEMU refuses the unknown option and
 * does not start, so the domain cannot boot its SPM cells as ordinary RAM
 * without the shim; the shim removes both arguments and rewrites argv.
 *
 * DATA is a QEMU-style key=value string (src/util/spmkeyval.h):
 *   v=1                      version; any other version is refused
 *   form=sp-mem|memmap-type  how QEMU is told about the typed nodes
 *   maxmem=BYTES             sp-mem only, required: the -m maxmem virt-spm's
 *                            layout computed (RAM + SPM + gaps between ranges)
 *   slots=N                  sp-mem only, optional (default 0): -m slots
 *   node.N.memmap=spm|reserved   one per typed guest NUMA node N; sp-mem
 *                            can only do spm
 *   node.N.size=BYTES        size of node N's memory backend; required for
 *                            sp-mem, optional for memmap-type; the shim
 *                            refuses to start when the backend differs
 *   node.N.addr=GPA          sp-mem only, required, non-zero: the pinned
 *                            guest-physical base of the sp-mem device
 *   pxm.N=M                  optional, for every cell N or none: QEMU gets
 *                            cell N as NUMA node M (its ACPI proximity
 *                            domain), so that the guest numbers its nodes as
 *                            the cells (shim_node_numbering.h); without these
 *                            keys QEMU's node ids are the cell ids; node.N
 *                            keys always use cell ids
 *   node.N.dax=PATH          optional: the host device-dax device backing
 *                            node N (src/shim/shim_dax_backing.h); needs
 *   node.N.dax-align=BYTES   the device's alignment, and node.N.size
 * Numbers are decimal or 0x-prefixed hexadecimal.  Every key may appear
 * once; unknown keys are refused.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmenum.h"
#include "spmmemmap.h"

/* The QEMU option that carries the launch data (a real QEMU rejects it). */
#define SPM_LAUNCH_OPTION "-virt-spm-launch"

/* The only version this code reads and writes. */
#define SPM_LAUNCH_DATA_VERSION 1

typedef struct _spmLaunchNode spmLaunchNode;
struct _spmLaunchNode {
    unsigned int id; /* guest NUMA node id */
    spmMemmap memmap;
    unsigned long long size;     /* backend size in bytes; 0: not given */
    unsigned long long addr;     /* sp-mem guest-physical base; 0: not given */
    char *daxPath;               /* host /dev/daxX.Y backing the node, or NULL */
    unsigned long long daxAlign; /* its alignment in bytes */
};

typedef struct _spmLaunchData spmLaunchData;
struct _spmLaunchData {
    unsigned int version; /* SPM_LAUNCH_DATA_VERSION */
    spmForm form;
    unsigned long long maxmem; /* bytes; sp-mem form */
    unsigned int slots;        /* sp-mem form */
    spmLaunchNode *nodes;      /* sorted by id, ids unique */
    size_t nnodes;
    unsigned int *pxm; /* QEMU node id of each cell (pxm.N); NULL: the cell ids */
    size_t npxm;
};

spmLaunchData *spmLaunchDataNew(spmForm form);
void spmLaunchDataFree(spmLaunchData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmLaunchData, spmLaunchDataFree);

/* Adds node @id (kept sorted); fails if @id is already there. */
spmLaunchNode *spmLaunchDataAddNode(spmLaunchData *data, unsigned int id);

/* Node @id or NULL. */
const spmLaunchNode *spmLaunchDataGetNode(const spmLaunchData *data, unsigned int id);

/* Checks the rules listed at the top of this file. */
int spmLaunchDataValidate(const spmLaunchData *data);

/* Parses and validates DATA. */
int spmLaunchDataParse(const char *str, spmLaunchData **data);

/* Validates and formats @data; NULL (with an error) if it is invalid. */
char *spmLaunchDataFormat(const spmLaunchData *data);
