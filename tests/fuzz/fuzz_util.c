/*
 * fuzz_util.c: helpers of the fuzz targets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

void
spmFuzzFail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz invariant violated: %s\n", what);
    if (detail)
        fprintf(stderr, "  %s\n", detail);
    abort();
}
