/*
 * spmkeyval.h: QEMU's "key=value,key=value" option strings
 *
 * The rules are those of QEMU's QemuOpts parser, which reads -numa, -m and
 * the non-JSON forms of -device and -object:
 *   - parts are separated by ',' and ",," inside a value is a literal comma;
 *   - the first part may be a bare value for an implied key ("-numa node,..."
 *     has type=node, "-m 3072" has size=3072), but only when it has no '=';
 *   - a later part without '=' is a flag (kept as a key without value);
 *   - a key may repeat ("cpus=0-1,cpus=4") and the order is kept.
 * Formatting is the exact inverse, so parse + format round-trips any string
 * the parser accepts up to the escaping of commas.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

typedef struct _spmKeyvalPair spmKeyvalPair;
struct _spmKeyvalPair {
    char *key;
    char *value; /* NULL for a flag part without '=' */
};

typedef struct _spmKeyval spmKeyval;
struct _spmKeyval {
    spmKeyvalPair *pairs;
    size_t npairs;
    bool implied; /* pairs[0] was written as a bare value for the implied key */
};

spmKeyval *spmKeyvalNew(void);
void spmKeyvalFree(spmKeyval *kv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmKeyval, spmKeyvalFree);

/*
 * Parses @str.  @impliedKey (may be NULL) names the key of a bare first
 * part.  An empty key ("=x", "a=1,,,=2") is an error, reported with @str.
 */
int spmKeyvalParse(const char *str, const char *impliedKey, spmKeyval **kv);

/* The inverse of spmKeyvalParse(): commas in values are doubled. */
char *spmKeyvalFormat(const spmKeyval *kv);

/* @value with every ',' doubled, for building option strings by hand. */
char *spmKeyvalEscape(const char *value);

/* The value of the LAST occurrence of @key (QemuOpts semantics), or NULL
 * when @key is absent or a flag. */
const char *spmKeyvalGet(const spmKeyval *kv, const char *key);

/* How often @key occurs. */
size_t spmKeyvalCount(const spmKeyval *kv, const char *key);

/* Appends @key=@value (@value NULL: a flag). */
void spmKeyvalAppend(spmKeyval *kv, const char *key, const char *value);

/* Removes every occurrence of @key; returns how many were removed. */
size_t spmKeyvalRemove(spmKeyval *kv, const char *key);
