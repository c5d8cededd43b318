/*
 * spmunits.h: integers and scaled sizes as libvirt's XML writes them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* The largest memory size virt-spm accepts: 2^62 bytes (4 EiB). */
#define SPM_MEMORY_MAX_BYTES (1ULL << 62)

/*
 * Parses a decimal unsigned integer ("0", "64"; surrounding blanks allowed).
 * Returns false on anything else (signs, hex, garbage, overflow).
 */
bool spmStrToULL(const char *str, unsigned long long *value);
bool spmStrToUInt(const char *str, unsigned int *value);

/*
 * Multiplies @value by the factor of @unit, using libvirt's unit names
 * (b/bytes, KB, k/KiB, MB, M/MiB, GB, G/GiB, TB, T/TiB, PB, P/PiB, EB, E/EiB;
 * the first letter is case-insensitive, as in libvirt).  A NULL or empty unit
 * means @defaultScale.  Fails, with *errmsg set, for an unknown unit or a
 * result above @limit.
 */
bool spmScaleInteger(unsigned long long *value, const char *unit, unsigned long long defaultScale,
                     unsigned long long limit, char **errmsg);

/* "64 GiB", "1536 MiB", "12345 KiB": the largest unit that divides exactly. */
char *spmFormatSizeKiB(unsigned long long kib);
