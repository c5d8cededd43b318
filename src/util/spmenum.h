/*
 * spmenum.h: enum <-> string tables in the style of VIR_ENUM_DECL/VIR_ENUM_IMPL
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

const char *spmEnumToString(const char *const *types, unsigned int ntypes, int type);
int spmEnumFromString(const char *const *types, unsigned int ntypes, const char *type);

/* Declares NAMETypeToString() and NAMETypeFromString(). */
#define SPM_ENUM_DECL(name)                   \
    const char *name##TypeToString(int type); \
    int name##TypeFromString(const char *type)

/* Defines the table and both functions; the compiler checks that the table
 * has exactly @lastVal entries. */
#define SPM_ENUM_IMPL(name, lastVal, ...)                                             \
    static const char *const name##TypeList[] = {__VA_ARGS__};                        \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##TypeList) == lastVal);                         \
    const char *name##TypeToString(int type)                                          \
    {                                                                                 \
        return spmEnumToString(name##TypeList, G_N_ELEMENTS(name##TypeList), type);   \
    }                                                                                 \
    int name##TypeFromString(const char *type)                                        \
    {                                                                                 \
        return spmEnumFromString(name##TypeList, G_N_ELEMENTS(name##TypeList), type); \
    }
