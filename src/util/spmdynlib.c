/*
 * spmdynlib.c: a shared library that is loaded by its first use
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmdynlib.h"

#include <dlfcn.h>

#define SPM_FROM_THIS_FILE SPM_FROM_UTIL

static void *
spmDynLibLoad(spmDynLib *lib)
{
    if (!lib->handle && !(lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_GLOBAL))) {
        const char *why = dlerror();

        spmReportError(
            lib->code,
            _("cannot load the shared library '%1$s' (%2$s); install the package '%3$s'"),
            lib->soname, why ? why : _("no reason given"), lib->package);
    }
    return lib->handle;
}

void *
spmDynLibSymbol(spmDynLib *lib, const char *name)
{
    void *sym;

    if (!spmDynLibLoad(lib))
        return NULL;
    if (!(sym = dlsym(lib->handle, name))) {
        spmReportError(
            lib->code,
            _("the shared library '%1$s' has no function '%2$s'; install '%3$s' version %4$s or later"),
            lib->soname, name, lib->package, lib->minimum);
    }
    return sym;
}

void *
spmDynLibLoadedSymbol(spmDynLib *lib, const char *name)
{
    void *handle;
    void *sym;

    if (lib->handle)
        return dlsym(lib->handle, name);
    if (!(handle = dlopen(lib->soname, RTLD_NOW | RTLD_NOLOAD)))
        return NULL;
    sym = dlsym(handle, name);
    dlclose(handle);
    return sym;
}
