/*
 * fuzz_keyval.c: QEMU key=value option strings (spmkeyval.h)
 *
 * The first byte picks the implied key; the rest is the string.  For what
 * parses, formatting is the inverse of parsing: the formatted string parses
 * to the same pairs, and formats to itself.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "spmerror.h"
#include "spmkeyval.h"

#include <string.h>

static const char *const spmFuzzImpliedKeys[] = {NULL, "type", "size", "driver"};

static bool
spmFuzzKeyvalEqual(const spmKeyval *a, const spmKeyval *b)
{
    size_t i;

    /* a bare first value that would be misread is written as key=value,
     * so @b may have lost @a's implied flag, but never gained one */
    if (a->npairs != b->npairs || (b->implied && !a->implied))
        return false;
    for (i = 0; i < a->npairs; i++) {
        if (g_strcmp0(a->pairs[i].key, b->pairs[i].key) != 0 ||
            g_strcmp0(a->pairs[i].value, b->pairs[i].value) != 0)
            return false;
    }
    return true;
}

int
spmFuzzKeyval(const uint8_t *data, size_t size)
{
    const char *implied;
    g_autofree char *str = NULL;
    g_autoptr(spmKeyval) kv = NULL;
    g_autoptr(spmKeyval) kv2 = NULL;
    g_autoptr(spmKeyval) kv3 = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *formatted2 = NULL;
    g_autofree char *escaped = NULL;
    g_autofree char *opt = NULL;
    g_autofree char *removeKey = NULL;
    size_t count;
    size_t i;

    if (size < 1)
        return 0;
    implied = spmFuzzImpliedKeys[data[0] % G_N_ELEMENTS(spmFuzzImpliedKeys)];
    str = g_strndup((const char *)data + 1, size - 1);

    if (spmKeyvalParse(str, implied, &kv) < 0)
        goto cleanup;

    /* quadratic: only for short strings */
    for (i = 0; i < kv->npairs && kv->npairs <= 64; i++) {
        const char *key = kv->pairs[i].key;
        const char *value = spmKeyvalGet(kv, key);

        if (spmKeyvalCount(kv, key) == 0)
            spmFuzzFail("spmKeyvalCount misses a parsed key", str);
        if (value && spmKeyvalCount(kv, key) == 1 && g_strcmp0(value, kv->pairs[i].value) != 0)
            spmFuzzFail("spmKeyvalGet gives another value", str);
    }

    if (!(formatted = spmKeyvalFormat(kv)))
        spmFuzzFail("spmKeyvalFormat failed on parsed pairs", str);
    if (spmKeyvalParse(formatted, implied, &kv2) < 0)
        spmFuzzFail("a formatted keyval does not parse", formatted);
    if (!spmFuzzKeyvalEqual(kv, kv2))
        spmFuzzFail("parse(format(parse(s))) differs from parse(s)", str);
    if (!(formatted2 = spmKeyvalFormat(kv2)) || strcmp(formatted, formatted2) != 0)
        spmFuzzFail("format(parse(format)) is not format", str);

    /* an escaped value is one value */
    escaped = spmKeyvalEscape(str);
    opt = g_strdup_printf("k=%s", escaped);
    if (spmKeyvalParse(opt, NULL, &kv3) < 0 || kv3->npairs != 1 ||
        g_strcmp0(spmKeyvalGet(kv3, "k"), str) != 0)
        spmFuzzFail("an escaped value does not parse back as one value", str);

    /* a copy: the key of a pair is freed with the pair */
    removeKey = g_strdup(kv->npairs > 0 ? kv->pairs[0].key : "x");
    count = spmKeyvalCount(kv, removeKey);
    if (spmKeyvalRemove(kv, removeKey) != count || spmKeyvalCount(kv, removeKey) != 0)
        spmFuzzFail("spmKeyvalRemove did not remove every occurrence", str);
    g_free(formatted);
    formatted = spmKeyvalFormat(kv);

cleanup:
    spmErrorReset();
    return 0;
}
