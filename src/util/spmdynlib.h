/*
 * spmdynlib.h: a shared library that is loaded by its first use
 *
 * A library that only some verbs need (libvirt, libdaxctl) costs every
 * start of a program that links it: the dynamic loader maps and relocates
 * it and everything it needs before main().  Code that is written against
 * the library's own headers can instead define the few functions it calls
 * with SPM_DYNLIB_FORWARD(): the first call loads the library with dlopen()
 * and forwards to it, and a process that never calls them never loads it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmerror.h"

typedef struct _spmDynLib spmDynLib;
struct _spmDynLib {
    const char *soname;  /* "libdaxctl.so.1" */
    const char *package; /* the Debian package that ships it, for the hint */
    const char *minimum; /* the oldest version that has every forwarded function */
    spmErrorCode code;   /* the code of the error when it cannot be used */
    void *handle;        /* NULL until loaded */
};

/* The function @name of @lib, loading @lib first if needed; NULL with an
 * error queued (each time) when the library or the function is missing. */
void *spmDynLibSymbol(spmDynLib *lib, const char *name);

/* The function @name of @lib if something in this process loaded @lib
 * already, else NULL without an error: never loads it. */
void *spmDynLibLoadedSymbol(spmDynLib *lib, const char *name);

/* Defines @name with @params as a call of the same function of @lib,
 * @args passed on; returns @fail when @lib cannot be used.  @lookup is
 * spmDynLibSymbol (load @lib if needed) or spmDynLibLoadedSymbol (only
 * if something loaded it already: for functions that have nothing to say
 * before the library's first use, such as its last error). */
#define SPM_DYNLIB_FORWARD_WITH(lookup, lib, ret, name, params, args, fail) \
    ret name params                                                         \
    {                                                                       \
        static ret(*fn) params;                                             \
                                                                            \
        if (!fn && !(fn = (ret(*) params)lookup(&lib, #name)))              \
            return fail;                                                    \
        return fn args;                                                     \
    }
#define SPM_DYNLIB_FORWARD(lib, ret, name, params, args, fail) \
    SPM_DYNLIB_FORWARD_WITH(spmDynLibSymbol, lib, ret, name, params, args, fail)
#define SPM_DYNLIB_FORWARD_IF_LOADED(lib, ret, name, params, args, fail) \
    SPM_DYNLIB_FORWARD_WITH(spmDynLibLoadedSymbol, lib, ret, name, params, args, fail)

/* The same for a function that returns nothing. */
#define SPM_DYNLIB_FORWARD_VOID_WITH(lookup, lib, name, params, args) \
    void name params                                                  \
    {                                                                 \
        static void(*fn) params;                                      \
                                                                      \
        if (fn || (fn = (void(*) params)lookup(&lib, #name)))         \
            fn args;                                                  \
    }
#define SPM_DYNLIB_FORWARD_VOID(lib, name, params, args) \
    SPM_DYNLIB_FORWARD_VOID_WITH(spmDynLibSymbol, lib, name, params, args)
#define SPM_DYNLIB_FORWARD_VOID_IF_LOADED(lib, name, params, args) \
    SPM_DYNLIB_FORWARD_VOID_WITH(spmDynLibLoadedSymbol, lib, name, params, args)
