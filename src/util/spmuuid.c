/*
 * spmuuid.c: domain UUIDs in libvirt's textual form
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmuuid.h"

#include <string.h>

bool
spmUUIDCanonicalize(const char *str, char out[SPM_UUID_STRING_BUFLEN])
{
    static const size_t dashAfter[] = {4, 6, 8, 10};
    unsigned char bytes[16];
    const char *p = str;
    size_t nbytes = 0;
    size_t i;
    size_t o = 0;

    if (!str)
        return false;
    while (g_ascii_isspace(*p))
        p++;
    while (nbytes < G_N_ELEMENTS(bytes)) {
        int hi;
        int lo;

        if (*p == '-' && nbytes > 0) {
            p++;
            continue;
        }
        if ((hi = g_ascii_xdigit_value(p[0])) < 0 || (lo = g_ascii_xdigit_value(p[1])) < 0)
            return false;
        bytes[nbytes++] = (unsigned char)(hi << 4 | lo);
        p += 2;
    }
    while (g_ascii_isspace(*p))
        p++;
    if (*p != '\0')
        return false;

    for (i = 0; i < G_N_ELEMENTS(bytes); i++) {
        size_t d;

        for (d = 0; d < G_N_ELEMENTS(dashAfter); d++) {
            if (i == dashAfter[d])
                out[o++] = '-';
        }
        out[o++] = "0123456789abcdef"[bytes[i] >> 4];
        out[o++] = "0123456789abcdef"[bytes[i] & 0xf];
    }
    out[o] = '\0';
    return true;
}
