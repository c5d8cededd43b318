/*
 * spmenum.c: enum <-> string tables
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmenum.h"

#include <string.h>

const char *
spmEnumToString(const char *const *types, unsigned int ntypes, int type)
{
    if (type < 0 || (unsigned int)type >= ntypes)
        return NULL;
    return types[type];
}

int
spmEnumFromString(const char *const *types, unsigned int ntypes, const char *type)
{
    unsigned int i;

    if (!type)
        return -1;
    for (i = 0; i < ntypes; i++) {
        if (types[i] && strcmp(types[i], type) == 0)
            return i;
    }
    return -1;
}
