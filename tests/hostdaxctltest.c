/*
 * hostdaxctltest.c: libdaxctl, loaded only when the host has a dax device
 * (src/host/host_daxctl.c), and the loader under it (spmdynlib.h)
 *
 * Runs against this host and its real libdaxctl.so.1.  The order of the
 * tests matters: the first one needs libdaxctl not yet loaded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "host_daxctl.h"
#include "host_nodeinfo.h"
#include "spmdynlib.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_NONE

/* Whether @dir has a daxX.Y entry (what libdaxctl would enumerate). */
static bool
testDirHasDax(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        if (g_str_has_prefix(name, "dax"))
            return true;
    }
    return false;
}

static int
testDiscoverWithoutDax(const void *opaque G_GNUC_UNUSED)
{
    spmHost *host = spmHostDiscover(NULL);
    bool hostHasDax = testDirHasDax("/sys/bus/dax/devices") || testDirHasDax("/sys/class/dax");
    int ret = 0;

    if (!host) {
        g_autofree char *errs = spmTestFormatErrors();

        printf("# discovery of this host failed: %s\n", errs);
        return -1;
    }
    if (hostHasDax) {
        printf("# this host has dax devices: libdaxctl %s loaded\n",
               spmHostDaxctlLoaded() ? "was" : "was NOT");
        ret = spmHostDaxctlLoaded() ? 0 : -1;
    } else if (spmHostDaxctlLoaded() || host->ndaxes != 0) {
        printf("# no dax device on this host, yet libdaxctl was loaded or found %zu devices\n",
               host->ndaxes);
        ret = -1;
    }
    spmHostFree(host);
    return ret;
}

static int
testLoadEveryFunction(const void *opaque G_GNUC_UNUSED)
{
    struct daxctl_ctx *ctx = NULL;
    int rc;

    if (spmHostDaxctlLoad() < 0) {
        g_autofree char *errs = spmTestFormatErrors();

        printf("# %s\n", errs);
        return -1;
    }
    if (!spmHostDaxctlLoaded()) {
        printf("# libdaxctl loaded but not seen as loaded\n");
        return -1;
    }
    /* a call through the forwarders, into the real library */
    if ((rc = daxctl_new(&ctx)) < 0 || !ctx) {
        printf("# daxctl_new() through the loader: %s\n", g_strerror(-rc));
        return -1;
    }
    daxctl_set_log_priority(ctx, 0);
    daxctl_unref(ctx);
    return 0;
}

typedef struct {
    spmDynLib lib;
    const char *function;
    const char *expect[4]; /* substrings of the error; NULL-terminated */
} dynLibCase;

static int
testDynLibMissing(const void *opaque)
{
    const dynLibCase *tc = opaque;
    spmDynLib lib = tc->lib;
    g_autofree char *errs = NULL;
    size_t i;

    spmErrorReset();
    if (spmDynLibSymbol(&lib, tc->function)) {
        printf("# '%s' of '%s' was found\n", tc->function, lib.soname);
        return -1;
    }
    if (spmDynLibLoadedSymbol(&lib, tc->function)) {
        printf("# the loaded-only lookup found '%s'\n", tc->function);
        return -1;
    }
    errs = spmTestFormatErrors();
    spmErrorReset();
    for (i = 0; tc->expect[i]; i++) {
        if (!strstr(errs, tc->expect[i])) {
            printf("# the error '%s' does not say '%s'\n", errs, tc->expect[i]);
            return -1;
        }
    }
    return 0;
}

static int
mymain(void)
{
    static const dynLibCase missingLibrary = {
        .lib = {.soname = "libvirt-spm-no-such-library.so.0",
                .package = "no-such-package",
                .minimum = "1",
                .code = SPM_ERR_OPERATION_FAILED},
        .function = "daxctl_new",
        .expect = {"cannot load the shared library 'libvirt-spm-no-such-library.so.0'",
                   "install the package 'no-such-package'", NULL},
    };
    static const dynLibCase missingFunction = {
        .lib = {.soname = SPM_HOST_DAXCTL_SONAME,
                .package = "libdaxctl1",
                .minimum = "71",
                .code = SPM_ERR_OPERATION_FAILED},
        .function = "daxctl_no_such_function",
        .expect = {"'libdaxctl.so.1' has no function 'daxctl_no_such_function'",
                   "install 'libdaxctl1' version 71 or later", NULL},
    };
    int ret = 0;

    if (spmTestRun("discovery of a host without dax devices leaves libdaxctl unloaded",
                   testDiscoverWithoutDax, NULL) < 0)
        ret = -1;
    if (spmTestRun("every forwarded libdaxctl function loads", testLoadEveryFunction, NULL) < 0)
        ret = -1;
    if (spmTestRun("a missing library is a clear error", testDynLibMissing, &missingLibrary) < 0)
        ret = -1;
    if (spmTestRun("a missing function is a clear error", testDynLibMissing, &missingFunction) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
