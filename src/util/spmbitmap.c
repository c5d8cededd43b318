/*
 * spmbitmap.c: bitmaps for cpusets and node sets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmbitmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SPM_BITS_PER_UNIT 64

struct _spmBitmap {
    size_t nbits;
    size_t nunits;
    guint64 *units;
};

spmBitmap *
spmBitmapNew(size_t nbits)
{
    spmBitmap *map = g_new0(spmBitmap, 1);

    map->nbits = nbits;
    map->nunits = (nbits + SPM_BITS_PER_UNIT - 1) / SPM_BITS_PER_UNIT;
    map->units = g_new0(guint64, map->nunits ? map->nunits : 1);
    return map;
}

void
spmBitmapFree(spmBitmap *map)
{
    if (!map)
        return;
    g_free(map->units);
    g_free(map);
}


void
spmBitmapSetBit(spmBitmap *map, size_t bit)
{
    if (bit >= map->nbits) {
        size_t nunits = bit / SPM_BITS_PER_UNIT + 1;

        if (nunits > map->nunits) {
            map->units = g_renew(guint64, map->units, nunits);
            memset(map->units + map->nunits, 0, (nunits - map->nunits) * sizeof(guint64));
            map->nunits = nunits;
        }
        map->nbits = bit + 1;
    }
    map->units[bit / SPM_BITS_PER_UNIT] |= 1ULL << (bit % SPM_BITS_PER_UNIT);
}

void
spmBitmapClearBit(spmBitmap *map, size_t bit)
{
    if (bit >= map->nbits)
        return;
    map->units[bit / SPM_BITS_PER_UNIT] &= ~(1ULL << (bit % SPM_BITS_PER_UNIT));
}

bool
spmBitmapIsBitSet(const spmBitmap *map, size_t bit)
{
    if (bit >= map->nbits)
        return false;
    return (map->units[bit / SPM_BITS_PER_UNIT] >> (bit % SPM_BITS_PER_UNIT)) & 1;
}

size_t
spmBitmapCountBits(const spmBitmap *map)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < map->nunits; i++)
        n += __builtin_popcountll(map->units[i]);
    return n;
}

bool
spmBitmapIsEmpty(const spmBitmap *map)
{
    size_t i;

    for (i = 0; i < map->nunits; i++) {
        if (map->units[i])
            return false;
    }
    return true;
}

ssize_t
spmBitmapLastSetBit(const spmBitmap *map)
{
    size_t i;

    for (i = map->nunits; i > 0; i--) {
        guint64 u = map->units[i - 1];
        if (u)
            return (i - 1) * SPM_BITS_PER_UNIT + (63 - __builtin_clzll(u));
    }
    return -1;
}

ssize_t
spmBitmapNextSetBit(const spmBitmap *map, ssize_t pos)
{
    size_t bit = pos < 0 ? 0 : (size_t)pos + 1;

    while (bit < map->nbits) {
        guint64 u = map->units[bit / SPM_BITS_PER_UNIT] >> (bit % SPM_BITS_PER_UNIT);

        if (u)
            return bit + __builtin_ctzll(u);
        bit = (bit / SPM_BITS_PER_UNIT + 1) * SPM_BITS_PER_UNIT;
    }
    return -1;
}

ssize_t
spmBitmapFirstCommonBit(const spmBitmap *a, const spmBitmap *b)
{
    size_t n = MIN(a->nunits, b->nunits);
    size_t i;

    for (i = 0; i < n; i++) {
        guint64 u = a->units[i] & b->units[i];
        if (u)
            return i * SPM_BITS_PER_UNIT + __builtin_ctzll(u);
    }
    return -1;
}

bool
spmBitmapOverlaps(const spmBitmap *a, const spmBitmap *b)
{
    return spmBitmapFirstCommonBit(a, b) >= 0;
}

bool
spmBitmapEqual(const spmBitmap *a, const spmBitmap *b)
{
    size_t n = MAX(a->nunits, b->nunits);
    size_t i;

    for (i = 0; i < n; i++) {
        guint64 ua = i < a->nunits ? a->units[i] : 0;
        guint64 ub = i < b->nunits ? b->units[i] : 0;
        if (ua != ub)
            return false;
    }
    return true;
}

static bool
spmBitmapParseNumber(const char **cur, size_t maxbit, size_t *value, char **errmsg, const char *str)
{
    const char *p = *cur;
    char *end = NULL;
    unsigned long long v;

    if (!g_ascii_isdigit(*p)) {
        *errmsg = g_strdup_printf(_("expected a number at '%1$s'"), p);
        return false;
    }
    errno = 0;
    v = strtoull(p, &end, 10);
    if (errno == ERANGE || v > maxbit) {
        *errmsg = g_strdup_printf(_("'%1$.*2$s' exceeds the maximum of %3$zu"), p, (int)(end - p),
                                  maxbit);
        return false;
    }
    *value = v;
    *cur = end;
    (void)str;
    return true;
}

spmBitmap *
spmBitmapParse(const char *str, size_t maxbit, char **errmsg)
{
    g_autoptr(spmBitmap) map = spmBitmapNew(0);
    g_autoptr(spmBitmap) neg = spmBitmapNew(0);
    const char *cur = str;
    bool any = false;

    *errmsg = NULL;
    if (!str) {
        *errmsg = g_strdup(_("empty set"));
        return NULL;
    }

    while (*cur) {
        bool negate = false;
        size_t first;
        size_t last;
        size_t i;

        while (g_ascii_isspace(*cur))
            cur++;
        if (*cur == '^') {
            negate = true;
            cur++;
        }
        if (!spmBitmapParseNumber(&cur, maxbit, &first, errmsg, str))
            return NULL;
        last = first;
        if (*cur == '-') {
            if (negate) {
                *errmsg = g_strdup(_("a range cannot be excluded with '^'"));
                return NULL;
            }
            cur++;
            if (!spmBitmapParseNumber(&cur, maxbit, &last, errmsg, str))
                return NULL;
            if (last < first) {
                *errmsg = g_strdup_printf(_("range %1$zu-%2$zu is reversed"), first, last);
                return NULL;
            }
        }
        while (g_ascii_isspace(*cur))
            cur++;
        if (*cur == ',') {
            cur++;
            if (!*cur) {
                *errmsg = g_strdup(_("trailing ','"));
                return NULL;
            }
        } else if (*cur) {
            *errmsg = g_strdup_printf(_("unexpected character '%1$c'"), *cur);
            return NULL;
        }

        for (i = first; i <= last; i++) {
            if (negate)
                spmBitmapSetBit(neg, i);
            else
                spmBitmapSetBit(map, i);
        }
        if (!negate)
            any = true;
    }

    if (!any) {
        *errmsg = g_strdup(_("empty set"));
        return NULL;
    }

    {
        ssize_t b = -1;
        while ((b = spmBitmapNextSetBit(neg, b)) >= 0)
            spmBitmapClearBit(map, b);
    }
    if (spmBitmapIsEmpty(map)) {
        *errmsg = g_strdup(_("every listed number is excluded"));
        return NULL;
    }
    return g_steal_pointer(&map);
}

GPtrArray *
spmBitmapFormatRanges(const spmBitmap *map)
{
    GPtrArray *ranges = g_ptr_array_new_with_free_func(g_free);
    ssize_t start = spmBitmapNextSetBit(map, -1);

    while (start >= 0) {
        ssize_t end = start;
        ssize_t next;

        while ((next = spmBitmapNextSetBit(map, end)) == end + 1)
            end = next;
        if (end == start)
            g_ptr_array_add(ranges, g_strdup_printf("%zd", start));
        else
            g_ptr_array_add(ranges, g_strdup_printf("%zd-%zd", start, end));
        start = next;
    }
    return ranges;
}

char *
spmBitmapFormat(const spmBitmap *map)
{
    g_autoptr(GPtrArray) ranges = spmBitmapFormatRanges(map);

    g_ptr_array_add(ranges, NULL);
    return g_strjoinv(",", (char **)ranges->pdata);
}
