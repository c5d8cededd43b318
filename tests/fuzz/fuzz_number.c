/*
 * fuzz_number.c: spmParseNumber() and spmParseUInt() with every flag
 * combination
 *
 * Invariants: a refusal leaves the value untouched; an accepted number
 * formatted back in decimal parses to the same value with no flag; a size
 * is its number times its unit; spmParseUInt() agrees with
 * spmParseNumber() below G_MAXUINT; spmFormatSizeKiB() gives a size
 * spmScaleInteger() reads back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "spmerror.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FUZZ_SENTINEL 0x5a5a5a5a5a5a5a5aULL

static const unsigned long long spmFuzzUnits[] = {0, 1, 1024, 1024 * 1024};

static void
spmFuzzNumberOne(const char *str, unsigned int flags, unsigned long long unit)
{
    unsigned long long value = SPM_FUZZ_SENTINEL;
    unsigned long long back = SPM_FUZZ_SENTINEL;
    unsigned int uvalue = 0x5a5a5a5a;
    g_autofree char *dec = NULL;

    if (!spmParseNumber(str, flags, unit, &value)) {
        if (value != SPM_FUZZ_SENTINEL)
            spmFuzzFail("spmParseNumber changed the value of a refused number", str);
        if (!(flags & SPM_NUMBER_SIZE) && spmParseUInt(str, flags, &uvalue))
            spmFuzzFail("spmParseUInt accepted what spmParseNumber refused", str);
        if (uvalue != 0x5a5a5a5a)
            spmFuzzFail("spmParseUInt changed the value of a refused number", str);
        return;
    }

    dec = g_strdup_printf("%llu", value);
    if (!spmParseNumber(dec, 0, 0, &back) || back != value)
        spmFuzzFail("a parsed number formatted in decimal does not parse back", str);

    if (flags & SPM_NUMBER_SIZE) {
        /* the number without its suffix, times the suffix or @unit */
        static const char suffixes[] = "BKMGTPE";
        g_autofree char *digits = g_strdup(str);
        unsigned long long scale = unit ? unit : 1;
        const char *suffix;
        size_t len;
        bool hex;

        if (flags & SPM_NUMBER_BLANKS)
            g_strstrip(digits);
        len = strlen(digits);
        /* a suffix follows decimal digits only */
        hex = (flags & SPM_NUMBER_HEX) && g_ascii_strncasecmp(digits, "0x", 2) == 0;
        if (!hex && len > 0 && (suffix = strchr(suffixes, g_ascii_toupper(digits[len - 1])))) {
            scale = 1ULL << (10 * (suffix - suffixes));
            digits[len - 1] = '\0';
        }
        if (!spmParseNumber(digits, flags & ~SPM_NUMBER_SIZE, 0, &back) ||
            back > G_MAXUINT64 / scale || back * scale != value)
            spmFuzzFail("a size is not its number times its unit", str);
        return;
    }

    if (spmParseUInt(str, flags, &uvalue) != (value <= G_MAXUINT))
        spmFuzzFail("spmParseUInt and spmParseNumber disagree", str);
    if (value <= G_MAXUINT && uvalue != value)
        spmFuzzFail("spmParseUInt and spmParseNumber give different values", str);
}

static void
spmFuzzNumberSize(unsigned long long kib)
{
    g_autofree char *str = spmFormatSizeKiB(kib);
    g_auto(GStrv) parts = NULL;
    unsigned long long value = 0;
    g_autofree char *errmsg = NULL;

    if (!str)
        spmFuzzFail("spmFormatSizeKiB returned NULL", NULL);
    parts = g_strsplit(str, " ", 0);
    if (g_strv_length(parts) != 2 || !spmParseNumber(parts[0], 0, 0, &value) ||
        !spmScaleInteger(&value, parts[1], 1, G_MAXULONG, &errmsg) || value != kib * 1024)
        spmFuzzFail("spmFormatSizeKiB's output does not read back", str);
}

int
spmFuzzNumber(const uint8_t *data, size_t size)
{
    g_autofree char *str = g_strndup((const char *)data, size);
    unsigned int flags;
    size_t i;

    for (flags = 0; flags < 8; flags++) {
        for (i = 0; i < G_N_ELEMENTS(spmFuzzUnits); i++) {
            spmFuzzNumberOne(str, flags, spmFuzzUnits[i]);
            if (!(flags & SPM_NUMBER_SIZE))
                break;
        }
    }

    if (size >= 8) {
        unsigned long long kib;

        memcpy(&kib, data, sizeof(kib));
        spmFuzzNumberSize(kib % (G_MAXULONG / 1024 + 1));
    }

    spmErrorReset();
    return 0;
}
