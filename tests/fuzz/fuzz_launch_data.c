/*
 * fuzz_launch_data.c: the shim's launch data (shim_launch_data.h)
 *
 * What parses is valid, formats, and the formatted string parses to the
 * same data and formats to itself.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "shim_launch_data.h"
#include "spmerror.h"

#include <string.h>

static bool
spmFuzzLaunchDataEqual(const spmLaunchData *a, const spmLaunchData *b)
{
    size_t i;

    if (a->version != b->version || a->form != b->form || a->maxmem != b->maxmem ||
        a->slots != b->slots || a->nnodes != b->nnodes)
        return false;
    for (i = 0; i < a->nnodes; i++) {
        if (a->nodes[i].id != b->nodes[i].id || a->nodes[i].memmap != b->nodes[i].memmap ||
            a->nodes[i].size != b->nodes[i].size || a->nodes[i].addr != b->nodes[i].addr)
            return false;
    }
    return true;
}

int
spmFuzzLaunchData(const uint8_t *data, size_t size)
{
    g_autofree char *str = g_strndup((const char *)data, size);
    g_autoptr(spmLaunchData) launch = NULL;
    g_autoptr(spmLaunchData) launch2 = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *formatted2 = NULL;
    size_t i;

    if (spmLaunchDataParse(str, &launch) < 0)
        goto cleanup;

    if (spmLaunchDataValidate(launch) < 0)
        spmFuzzFail("parsed launch data does not validate", str);
    for (i = 1; i < launch->nnodes; i++) {
        if (launch->nodes[i - 1].id >= launch->nodes[i].id)
            spmFuzzFail("launch data nodes are not sorted by id", str);
    }
    for (i = 0; i < launch->nnodes; i++) {
        if (spmLaunchDataGetNode(launch, launch->nodes[i].id) != &launch->nodes[i])
            spmFuzzFail("spmLaunchDataGetNode misses a node", str);
    }
    if (!(formatted = spmLaunchDataFormat(launch)))
        spmFuzzFail("valid launch data does not format", str);
    if (spmLaunchDataParse(formatted, &launch2) < 0)
        spmFuzzFail("formatted launch data does not parse", formatted);
    if (!spmFuzzLaunchDataEqual(launch, launch2))
        spmFuzzFail("parse(format(parse(s))) differs from parse(s)", str);
    if (!(formatted2 = spmLaunchDataFormat(launch2)) || strcmp(formatted, formatted2) != 0)
        spmFuzzFail("format(parse(format)) is not format", formatted);

cleanup:
    spmErrorReset();
    return 0;
}
