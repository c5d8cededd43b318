/*
 * qemu_layout_priv.h: what the parts of the layout share (qemu_layout.c,
 * qemu_layout_input.c, qemu_layout_tables.c, qemu_layout_format.c);
 * nothing outside src/qemu/qemu_layout*.c includes it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "qemu_layout.h"

/* QEMU's constants (hw/i386/pc*.c, hw/i386/acpi-build.c) */
#define SPM_QEMU_FOUR_GIB (4ULL * SPM_GIB)
#define SPM_QEMU_Q35_LOWMEM_SMALL 0xB0000000ULL   /* 2.75 GiB */
#define SPM_QEMU_Q35_LOWMEM_LARGE 0x80000000ULL   /* 2 GiB */
#define SPM_QEMU_PC_LOWMEM_DEFAULT 0xE0000000ULL  /* 3.5 GiB */
#define SPM_QEMU_PC_LOWMEM_GIGABYTE 0xC0000000ULL /* 3 GiB */
#define SPM_QEMU_Q35_HOLE64_SIZE (32ULL * SPM_GIB)
#define SPM_QEMU_PC_HOLE64_SIZE (2ULL * SPM_GIB)
#define SPM_QEMU_AMD_HT_SIZE (SPM_QEMU_AMD_ABOVE_1TB_START - SPM_QEMU_AMD_HT_START)
#define SPM_QEMU_HOLE_640K_START 0xA0000ULL
#define SPM_QEMU_HOLE_640K_END 0x100000ULL
#define SPM_QEMU_MAX_RAM_SLOTS 256
#define SPM_QEMU_DEFAULT_PHYS_BITS 40
/* memory-backend-ram regions are aligned to QEMU_VMALLOC_ALIGN on x86-64 hosts */
#define SPM_QEMU_RAM_BACKEND_ALIGN (2ULL * SPM_MIB)
#define SPM_QEMU_HOST_PAGE_SIZE 4096ULL
/* libvirt rounds cells to 1 MiB and DIMM-like devices to 2 MiB on x86 */
#define SPM_LIBVIRT_CELL_ALIGN SPM_MIB
#define SPM_LIBVIRT_DIMM_ALIGN (2ULL * SPM_MIB)

#define SPM_LIBVIRT_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* An occupied interval of the device-memory window, kept sorted by start. */
typedef struct {
    unsigned long long start;
    unsigned long long end; /* exclusive */
    bool spm;
    size_t idx; /* into spmems or devices */
} spmQEMUOccupied;

/* The state of one spmQEMULayoutCompute() run. */
typedef struct {
    const spmQEMULayoutInput *in;
    spmQEMULayout *out;
    size_t ntyped;
    bool spmForm;                /* typed cells become sp-mem devices */
    bool amdRules;               /* AMD vCPU and machine type >= 7.1 */
    bool bounded;                /* the window size is fixed (<maxMemory>) */
    unsigned long long devSizes; /* Σ sizes of every memory device */
    spmQEMUOccupied *occ;
    size_t nocc;
    size_t occFirstHole;          /* occ[0..n) are packed back to back from D */
    unsigned long long memoSize;  /* the last auto-placed device: nothing of this */
    unsigned long long memoAlign; /* size or more with this alignment fits */
    unsigned long long memoEnd;   /* below its end */
    unsigned long long lastEnd;   /* highest end of a memory device */
    unsigned long long maxUsed4G; /* the highest address before any relocation */
    unsigned int *pxm;            /* QEMU's node id (PXM) of each cell */
} spmQEMULayoutCtx;

/* qemu_layout.c */
char *spmQEMUSize(unsigned long long bytes);
unsigned long long spmQEMULayoutSplitThreshold(const spmQEMULayoutInput *in);
void spmQEMULayoutSplit(const spmQEMULayoutInput *in, unsigned long long ram,
                        unsigned long long *below, unsigned long long *above);

/* qemu_layout_tables.c */
void spmQEMUE820Append(GArray *e820, unsigned long long addr, unsigned long long size,
                       unsigned int type);
unsigned int spmQEMUMemmapE820Type(spmMemmap memmap);
unsigned long long spmQEMUNodeBootRAM(const spmQEMULayoutCtx *ctx, size_t i);
unsigned long long spmQEMUMemmapRAMEnd(const spmQEMULayoutCtx *ctx);
void spmQEMULayoutMemmap(spmQEMULayoutCtx *ctx, GArray *e820);
void spmQEMULayoutGuestE820(spmQEMULayout *layout);
void spmQEMULayoutSrat(spmQEMULayoutCtx *ctx, GArray *srat);
void spmQEMULayoutGuestNodes(spmQEMULayoutCtx *ctx, GArray *srat);
