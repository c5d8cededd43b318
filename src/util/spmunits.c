/*
 * spmunits.c: integers and scaled sizes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmunits.h"

#include <errno.h>
#include <string.h>

bool
spmParseNumber(const char *str, unsigned int flags, unsigned long long unit,
               unsigned long long *value)
{
    static const char suffixes[] = "BKMGTPE";
    const char *p = str;
    const char *end;
    const char *parsed = NULL;
    unsigned int base = 10;
    unsigned long long scale = 1;
    guint64 v;

    if (!str)
        return false;
    end = str + strlen(str);
    if (flags & SPM_NUMBER_BLANKS) {
        while (g_ascii_isspace(*p))
            p++;
        while (end > p && g_ascii_isspace(end[-1]))
            end--;
    }
    if ((flags & SPM_NUMBER_HEX) && end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if ((flags & SPM_NUMBER_SIZE) && end > p) {
        /* a suffix follows decimal digits only: b and e are hex digits */
        const char *s = base == 10 ? strchr(suffixes, g_ascii_toupper(end[-1])) : NULL;

        if (s) {
            scale = 1ULL << (10 * (s - suffixes));
            end--;
        } else if (unit > 0) {
            scale = unit;
        }
    }
    if (p == end)
        return false;
    for (parsed = p; parsed < end; parsed++) {
        if (base == 16 ? !g_ascii_isxdigit(*parsed) : !g_ascii_isdigit(*parsed))
            return false;
    }

    /* only digits of @base stand between p and end: glib stops at end and
     * says ERANGE on overflow */
    errno = 0;
    v = g_ascii_strtoull(p, (char **)&parsed, base);
    if (errno != 0 || parsed != end || v > G_MAXUINT64 / scale)
        return false;
    *value = v * scale;
    return true;
}

bool
spmParseUInt(const char *str, unsigned int flags, unsigned int *value)
{
    unsigned long long v;

    if (!spmParseNumber(str, flags & ~SPM_NUMBER_SIZE, 0, &v) || v > G_MAXUINT)
        return false;
    *value = v;
    return true;
}

static bool
spmUnitFactor(const char *unit, unsigned long long *factor)
{
    unsigned long long base;
    int power;
    size_t len = strlen(unit);

    switch (g_ascii_tolower(unit[0])) {
    case 'b':
        if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "byte") == 0 ||
            g_ascii_strcasecmp(unit, "bytes") == 0) {
            *factor = 1;
            return true;
        }
        return false;
    case 'k':
        power = 1;
        break;
    case 'm':
        power = 2;
        break;
    case 'g':
        power = 3;
        break;
    case 't':
        power = 4;
        break;
    case 'p':
        power = 5;
        break;
    case 'e':
        power = 6;
        break;
    default:
        return false;
    }

    if (len == 1) {
        base = 1024;
    } else if (len == 2 && g_ascii_tolower(unit[1]) == 'b') {
        base = 1000;
    } else if (len == 3 && g_ascii_tolower(unit[1]) == 'i' && g_ascii_tolower(unit[2]) == 'b') {
        base = 1024;
    } else {
        return false;
    }

    *factor = 1;
    while (power--)
        *factor *= base;
    return true;
}

bool
spmScaleInteger(unsigned long long *value, const char *unit, unsigned long long defaultScale,
                unsigned long long limit, char **errmsg)
{
    unsigned long long factor = defaultScale;

    *errmsg = NULL;
    if (unit && *unit && !spmUnitFactor(unit, &factor)) {
        *errmsg = g_strdup_printf(
            _("unknown unit '%1$s'; use b, KiB, MiB, GiB, TiB (or KB, MB, GB, TB)"), unit);
        return false;
    }
    if (factor && *value > limit / factor) {
        *errmsg = g_strdup_printf(_("value %1$llu %2$s is too large (the maximum is %3$llu bytes)"),
                                  *value, unit && *unit ? unit : "", limit);
        return false;
    }
    *value *= factor;
    return true;
}

char *
spmFormatSizeKiB(unsigned long long kib)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    size_t i = 0;

    while (kib && kib % 1024 == 0 && i + 1 < G_N_ELEMENTS(units)) {
        kib /= 1024;
        i++;
    }
    return g_strdup_printf("%llu %s", kib, units[i]);
}
