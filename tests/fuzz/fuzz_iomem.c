/*
 * fuzz_iomem.c: spmHostParseIomem(), virt-spm's own reader of /proc/iomem
 * (the soft-reserved ranges neither hwloc nor libdaxctl exposes)
 *
 * Invariants: a refusal leaves no range behind; every range has start <=
 * end, a NULL-terminated list of what it holds, and addresses that are all
 * zero only when the parser said they are hidden; parsing the same text
 * twice gives the same ranges.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "host_nodeinfo.h"
#include "spmerror.h"

#include <string.h>

int
spmFuzzIomem(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_strndup((const char *)data, size);
    spmHostSoftReserved *ranges = NULL;
    spmHostSoftReserved *again = NULL;
    size_t nranges = 12345;
    size_t nagain = 0;
    bool hidden = false;
    bool hidden2 = false;
    size_t i;

    if (spmHostParseIomem(text, &ranges, &nranges, &hidden) < 0) {
        if (ranges || nranges != 12345)
            spmFuzzFail("a refused /proc/iomem left ranges behind", text);
        spmErrorReset();
        return 0;
    }
    if (spmHostParseIomem(text, &again, &nagain, &hidden2) < 0 || nagain != nranges ||
        hidden2 != hidden)
        spmFuzzFail("the same /proc/iomem parsed twice differs", text);
    for (i = 0; i < nranges; i++) {
        if (ranges[i].start > ranges[i].end)
            spmFuzzFail("a soft-reserved range ends before it starts", text);
        if (!ranges[i].children)
            spmFuzzFail("a soft-reserved range has no list of what it holds", text);
        if (ranges[i].start == 0 && ranges[i].end == 0 && !hidden)
            spmFuzzFail("zero addresses not reported as hidden", text);
        if (ranges[i].start != again[i].start || ranges[i].end != again[i].end ||
            g_strv_length(ranges[i].children) != g_strv_length(again[i].children))
            spmFuzzFail("the same /proc/iomem parsed twice differs", text);
        spmHostSoftReservedClear(&ranges[i]);
        spmHostSoftReservedClear(&again[i]);
    }
    g_free(ranges);
    g_free(again);
    spmErrorReset();
    return 0;
}
