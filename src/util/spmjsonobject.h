/*
 * spmjsonobject.h: the top-level members of one JSON object, without json-c
 *
 * libvirt writes QEMU's -object and -device values as one JSON object
 * ('{"qom-type":"memory-backend-ram","id":"ram-node0","size":2147483648}').
 * The emulator shim reads a few of their top-level members and links glib
 * only (src/shim/README.md says why), so this reader is glib-only too:
 *   - the whole of @str must be one object (RFC 8259 syntax, whitespace
 *     around it allowed); anything else, nested values included, is
 *     checked and refused when malformed;
 *   - string values are decoded (escapes, \uXXXX and surrogate pairs;
 *     \u0000 is refused), numbers are kept as their literal text so that
 *     no size loses precision, other values (objects, arrays, true, false,
 *     null) are skipped;
 *   - members come in their order, repeated keys included: callers decide
 *     whether a repeat is an error.
 * Nesting deeper than 64 levels is refused.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

typedef struct _spmJSONMember spmJSONMember;
struct _spmJSONMember {
    char *key;
    char *string; /* decoded, when the value is a string */
    char *number; /* literal text, when the value is a number */
    char *raw;    /* the value's JSON text as it stands, whatever its type */
};

/* The top-level members (spmJSONMember) of the JSON object @str, in order,
 * or NULL when @str is not one well-formed JSON object.  Reports no error:
 * callers name the option the text came from. */
GArray *spmJSONObjectMembers(const char *str);
