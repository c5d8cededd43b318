/*
 * spmkeyval.c: QEMU's "key=value,key=value" option strings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmkeyval.h"
#include "spmerror.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_UTIL

spmKeyval *
spmKeyvalNew(void)
{
    return g_new0(spmKeyval, 1);
}

void
spmKeyvalFree(spmKeyval *kv)
{
    size_t i;

    if (!kv)
        return;
    for (i = 0; i < kv->npairs; i++) {
        g_free(kv->pairs[i].key);
        g_free(kv->pairs[i].value);
    }
    g_free(kv->pairs);
    g_free(kv);
}

static void
spmKeyvalAppendOwned(spmKeyval *kv, char *key, char *value)
{
    kv->pairs = g_renew(spmKeyvalPair, kv->pairs, kv->npairs + 1);
    kv->pairs[kv->npairs].key = key;
    kv->pairs[kv->npairs].value = value;
    kv->npairs++;
}

void
spmKeyvalAppend(spmKeyval *kv, const char *key, const char *value)
{
    spmKeyvalAppendOwned(kv, g_strdup(key), g_strdup(value));
}

/* Reads a value from @p up to a single ',' or the end; ",," is a comma.
 * Returns the position of the terminating ',' or NUL. */
static const char *
spmKeyvalReadValue(const char *p, char **value)
{
    GString *buf = g_string_new(NULL);

    while (*p) {
        if (*p == ',') {
            if (p[1] != ',')
                break;
            p++;
        }
        g_string_append_c(buf, *p);
        p++;
    }
    *value = g_string_free(buf, FALSE);
    return p;
}

int
spmKeyvalParse(const char *str, const char *impliedKey, spmKeyval **kv)
{
    g_autoptr(spmKeyval) ret = spmKeyvalNew();
    const char *p = str;
    bool first = true;

    while (*p) {
        size_t len = strcspn(p, "=,");
        char *key;
        char *value = NULL;

        if (p[len] != '=') {
            if (first && impliedKey) {
                key = g_strdup(impliedKey);
                p = spmKeyvalReadValue(p, &value);
                ret->implied = true;
            } else {
                key = g_strndup(p, len);
                p += len;
            }
        } else {
            key = g_strndup(p, len);
            p = spmKeyvalReadValue(p + len + 1, &value);
        }
        if (!*key) {
            g_free(key);
            g_free(value);
            spmReportError(SPM_ERR_INVALID_ARG, _("empty parameter name in option string '%1$s'"),
                           str);
            return -1;
        }
        spmKeyvalAppendOwned(ret, key, value);
        if (*p == ',')
            p++;
        first = false;
    }

    *kv = g_steal_pointer(&ret);
    return 0;
}

static void
spmKeyvalAppendEscaped(GString *buf, const char *value)
{
    const char *p;

    for (p = value; *p; p++) {
        if (*p == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *p);
    }
}

char *
spmKeyvalEscape(const char *value)
{
    GString *buf = g_string_new(NULL);

    spmKeyvalAppendEscaped(buf, value);
    return g_string_free(buf, FALSE);
}

char *
spmKeyvalFormat(const spmKeyval *kv)
{
    GString *buf = g_string_new(NULL);
    size_t i;

    for (i = 0; i < kv->npairs; i++) {
        const spmKeyvalPair *pair = &kv->pairs[i];

        if (i > 0)
            g_string_append_c(buf, ',');
        /* A bare first value only stays bare if it cannot be misread as a
         * key=value part, or vanish (an empty one: "" parses to nothing). */
        if (i == 0 && kv->implied && pair->value && *pair->value && !strchr(pair->value, '=')) {
            spmKeyvalAppendEscaped(buf, pair->value);
            continue;
        }
        g_string_append(buf, pair->key);
        if (pair->value) {
            g_string_append_c(buf, '=');
            spmKeyvalAppendEscaped(buf, pair->value);
        }
    }
    return g_string_free(buf, FALSE);
}

const char *
spmKeyvalGet(const spmKeyval *kv, const char *key)
{
    size_t i;

    for (i = kv->npairs; i > 0; i--) {
        if (SPM_STREQ(kv->pairs[i - 1].key, key))
            return kv->pairs[i - 1].value;
    }
    return NULL;
}

size_t
spmKeyvalCount(const spmKeyval *kv, const char *key)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < kv->npairs; i++) {
        if (SPM_STREQ(kv->pairs[i].key, key))
            n++;
    }
    return n;
}

size_t
spmKeyvalRemove(spmKeyval *kv, const char *key)
{
    size_t removed = 0;
    size_t i;
    size_t j = 0;

    for (i = 0; i < kv->npairs; i++) {
        if (SPM_STREQ(kv->pairs[i].key, key)) {
            g_free(kv->pairs[i].key);
            g_free(kv->pairs[i].value);
            if (i == 0)
                kv->implied = false;
            removed++;
            continue;
        }
        kv->pairs[j++] = kv->pairs[i];
    }
    kv->npairs = j;
    return removed;
}
