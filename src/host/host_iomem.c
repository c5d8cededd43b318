/*
 * host_iomem.c: the "Soft Reserved" ranges of /proc/iomem
 *
 * Neither hwloc nor libdaxctl exposes the soft-reserved (EFI_MEMORY_SP)
 * ranges themselves: libdaxctl lists the dax devices carved from them, hwloc
 * the nodes they become once onlined.  The ranges, and what sits in each
 * (hmem.N, daxX.Y, "System RAM (kmem)"), are only in /proc/iomem, so this
 * file reads that text.  Addresses are shown to root only; others see zeros.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "host_nodeinfo.h"
#include "spmerror.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_UTIL

#define SPM_HOST_SOFT_RESERVED "Soft Reserved"

void
spmHostSoftReservedClear(spmHostSoftReserved *r)
{
    g_strfreev(r->children);
    r->children = NULL;
}

/* "  100000000-11fffffff : Soft Reserved": depth 1 (two blanks per level). */
static bool
spmHostIomemLine(const char *line, unsigned int *depth, unsigned long long *start,
                 unsigned long long *end, const char **name)
{
    const char *p = line;
    g_autofree char *s = NULL;
    g_autofree char *e = NULL;
    const char *dash;
    const char *colon;

    while (*p == ' ')
        p++;
    if ((p - line) % 2 != 0)
        return false;
    *depth = (p - line) / 2;
    if (!(dash = strchr(p, '-')) || !(colon = strstr(dash, " : ")))
        return false;
    s = g_strndup(p, dash - p);
    e = g_strndup(dash + 1, colon - dash - 1);
    if (!*s || !*e || strspn(s, "0123456789abcdefABCDEF") != strlen(s) ||
        strspn(e, "0123456789abcdefABCDEF") != strlen(e) || strlen(s) > 16 || strlen(e) > 16)
        return false;
    *start = g_ascii_strtoull(s, NULL, 16);
    *end = g_ascii_strtoull(e, NULL, 16);
    *name = colon + 3;
    return *start <= *end;
}

int
spmHostParseIomem(const char *text, spmHostSoftReserved **ranges, size_t *nranges, bool *hidden)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(spmHostSoftReserved));
    g_autoptr(GPtrArray) children = NULL;
    unsigned int rangeDepth = 0;
    bool inRange = false;
    size_t i;

    *hidden = false;
    for (i = 0; lines[i]; i++) {
        unsigned long long start;
        unsigned long long end;
        unsigned int depth;
        const char *name;

        if (!*lines[i])
            continue;
        if (!spmHostIomemLine(lines[i], &depth, &start, &end, &name)) {
            spmReportError(SPM_ERR_OPERATION_FAILED,
                           _("cannot parse line %1$zu of /proc/iomem: '%2$s'"), i + 1, lines[i]);
            for (i = 0; i < out->len; i++)
                spmHostSoftReservedClear(&g_array_index(out, spmHostSoftReserved, i));
            return -1;
        }
        if (inRange && depth > rangeDepth) {
            g_ptr_array_add(children, g_strdup(name));
            continue;
        }
        if (inRange) {
            g_ptr_array_add(children, NULL);
            g_array_index(out, spmHostSoftReserved, out->len - 1).children =
                (char **)g_ptr_array_free(g_steal_pointer(&children), FALSE);
            inRange = false;
        }
        if (SPM_STREQ(name, SPM_HOST_SOFT_RESERVED)) {
            spmHostSoftReserved r = {start, end, NULL};

            if (start == 0 && end == 0)
                *hidden = true;
            g_array_append_val(out, r);
            children = g_ptr_array_new_with_free_func(g_free);
            rangeDepth = depth;
            inRange = true;
        }
    }
    if (inRange) {
        g_ptr_array_add(children, NULL);
        g_array_index(out, spmHostSoftReserved, out->len - 1).children =
            (char **)g_ptr_array_free(g_steal_pointer(&children), FALSE);
    }
    *nranges = out->len;
    *ranges = (spmHostSoftReserved *)(void *)g_array_free(g_steal_pointer(&out), FALSE);
    return 0;
}
