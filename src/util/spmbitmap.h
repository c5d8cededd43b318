/*
 * spmbitmap.h: bitmaps for cpusets and node sets ("0-3,^2,8")
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* The largest bit number a parsed set may contain, as libvirt's cpumask. */
#define SPM_BITMAP_PARSE_MAX 16383

typedef struct _spmBitmap spmBitmap;

spmBitmap *spmBitmapNew(size_t nbits);
void spmBitmapFree(spmBitmap *map);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmBitmap, spmBitmapFree);

/* Grows the map as needed. */
void spmBitmapSetBit(spmBitmap *map, size_t bit);
void spmBitmapClearBit(spmBitmap *map, size_t bit);
bool spmBitmapIsBitSet(const spmBitmap *map, size_t bit);
size_t spmBitmapCountBits(const spmBitmap *map);
bool spmBitmapIsEmpty(const spmBitmap *map);
/* The highest set bit, or -1 when empty. */
ssize_t spmBitmapLastSetBit(const spmBitmap *map);
/* The next set bit after @pos (pass -1 to start), or -1. */
ssize_t spmBitmapNextSetBit(const spmBitmap *map, ssize_t pos);
bool spmBitmapOverlaps(const spmBitmap *a, const spmBitmap *b);
/* First bit set in both, or -1. */
ssize_t spmBitmapFirstCommonBit(const spmBitmap *a, const spmBitmap *b);
bool spmBitmapEqual(const spmBitmap *a, const spmBitmap *b);

/*
 * Parses a set such as "0-3,^2,8".  Returns NULL with *errmsg set to an
 * untranslated-free description of the problem (caller frees it) when the
 * string is not a valid set or names a bit above @maxbit.
 */
spmBitmap *spmBitmapParse(const char *str, size_t maxbit, char **errmsg);
/* Formats as ranges, "0-3,5"; "" for an empty map. */
char *spmBitmapFormat(const spmBitmap *map);
/* Ranges for QEMU's key=value syntax, one string per range: "0-3", "5". */
GPtrArray *spmBitmapFormatRanges(const spmBitmap *map);
