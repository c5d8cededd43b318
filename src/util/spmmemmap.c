/*
 * spmmemmap.c: how a guest NUMA cell's memory is typed, and how QEMU is told
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmmemmap.h"

SPM_ENUM_IMPL(spmMemmap, SPM_MEMMAP_LAST, "normal", "spm", "reserved");
SPM_ENUM_IMPL(spmForm, SPM_FORM_LAST, "none", "sp-mem", "memmap-type");
