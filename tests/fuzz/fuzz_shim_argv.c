/*
 * fuzz_shim_argv.c: the emulator shim's argv rewrite (shim_argv_rewrite.h)
 *
 * The input is a NUL-separated argv.  The whole argv goes through
 * spmQEMUArgvRewrite() (it may hold "-virt-spm-launch DATA" anywhere);
 * then, when the last piece is valid launch data and the argv before it
 * has none, spmQEMUArgvApplyLaunchData() applies it to that argv.  A
 * rewritten argv never keeps the launch option.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "shim_argv_rewrite.h"
#include "spmerror.h"

#include <string.h>

/* At most this many arguments, to keep one input cheap. */
#define SPM_FUZZ_MAX_ARGS 4096

static void
spmFuzzCheckNoLaunch(char **argv, const char *what)
{
    size_t i;

    for (i = 1; argv[i]; i++) {
        if (strcmp(argv[i], SPM_LAUNCH_OPTION) == 0)
            spmFuzzFail(what, argv[i + 1]);
    }
}

int
spmFuzzShimArgv(const uint8_t *data, size_t size)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) newargv = NULL;
    g_autoptr(spmLaunchData) launch = NULL;
    const char *p = (const char *)data;
    const char *end = p + size;
    size_t idx;
    int rc;

    while (p < end && argv->len < SPM_FUZZ_MAX_ARGS) {
        const char *nul = memchr(p, '\0', end - p);
        size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

        g_ptr_array_add(argv, g_strndup(p, len));
        p += len + 1;
    }
    if (argv->len == 0)
        return 0;
    g_ptr_array_add(argv, NULL);

    rc = spmQEMUArgvRewrite((const char *const *)argv->pdata, &newargv);
    if (rc == 1) {
        if (!newargv)
            spmFuzzFail("spmQEMUArgvRewrite returned 1 without an argv", NULL);
        spmFuzzCheckNoLaunch(newargv, "the rewritten argv keeps the launch option");
    } else if (newargv) {
        spmFuzzFail("spmQEMUArgvRewrite returned an argv with no rewrite", NULL);
    }
    g_clear_pointer(&newargv, g_strfreev);
    spmErrorReset();

    /* the last piece as launch data for the argv before it */
    if (argv->len < 3)
        goto cleanup;
    if (spmLaunchDataParse(g_ptr_array_index(argv, argv->len - 2), &launch) < 0)
        goto cleanup;
    g_free(g_ptr_array_index(argv, argv->len - 2));
    g_ptr_array_index(argv, argv->len - 2) = NULL;
    if (spmQEMUArgvFindLaunchData((const char *const *)argv->pdata, &idx) != 0)
        goto cleanup;
    if (spmQEMUArgvApplyLaunchData((const char *const *)argv->pdata, launch, &newargv) == 0) {
        if (!newargv)
            spmFuzzFail("spmQEMUArgvApplyLaunchData succeeded without an argv", NULL);
        spmFuzzCheckNoLaunch(newargv, "the applied argv has the launch option");
    }

cleanup:
    spmErrorReset();
    return 0;
}
