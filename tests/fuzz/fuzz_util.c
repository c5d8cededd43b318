/*
 * fuzz_util.c: helpers of the fuzz targets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *spmFuzzCacheDir;

static void
spmFuzzRemoveTree(const char *path)
{
    g_autoptr(GDir) dh = g_dir_open(path, 0, NULL);
    const char *name;

    while (dh && (name = g_dir_read_name(dh))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            spmFuzzRemoveTree(child);
        else
            unlink(child);
    }
    rmdir(path);
}

static void
spmFuzzRemoveCache(void)
{
    if (spmFuzzCacheDir)
        spmFuzzRemoveTree(spmFuzzCacheDir);
    g_clear_pointer(&spmFuzzCacheDir, g_free);
}

void
spmFuzzPrivateCache(void)
{
    const char *env = g_getenv("VIRT_SPM_CACHE_DIR");

    if ((env && *env) || spmFuzzCacheDir)
        return;
    if (!(spmFuzzCacheDir = g_dir_make_tmp("spm-fuzz-cache-XXXXXX", NULL)))
        spmFuzzFail("cannot create a private cache directory", NULL);
    atexit(spmFuzzRemoveCache);
    g_setenv("VIRT_SPM_CACHE_DIR", spmFuzzCacheDir, TRUE);
}

void
spmFuzzFail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz invariant violated: %s\n", what);
    if (detail)
        fprintf(stderr, "  %s\n", detail);
    abort();
}
