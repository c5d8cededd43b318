/*
 * spmunits.h: integers and scaled sizes as libvirt's XML writes them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* The largest memory size virt-spm accepts: 2^62 bytes (4 EiB). */
#define SPM_MEMORY_MAX_BYTES (1ULL << 62)

/* What spmParseNumber() accepts besides plain decimal digits. */
typedef enum {
    SPM_NUMBER_BLANKS = 1 << 0, /* blanks around the number (XML attribute values) */
    SPM_NUMBER_HEX = 1 << 1,    /* "0x"-prefixed hexadecimal (launch data) */
    SPM_NUMBER_SIZE = 1 << 2,   /* a QEMU size suffix b, k, m, g, t, p or e (1024-based,
                                 * any case) after decimal digits; without one the
                                 * number is in @unit */
} spmNumberFlags;

/*
 * The one parser of unsigned integers and sizes: decimal digits, plus what
 * @flags (spmNumberFlags) allow.  Signs, fractions, exponents, empty strings
 * and overflow are refused (false, *@value untouched).  @unit scales a size
 * without suffix (SPM_NUMBER_SIZE; 0 means bytes) and is ignored otherwise.
 */
bool spmParseNumber(const char *str, unsigned int flags, unsigned long long unit,
                    unsigned long long *value);
/* The same for an unsigned int (no size suffix); false above G_MAXUINT. */
bool spmParseUInt(const char *str, unsigned int flags, unsigned int *value);

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
