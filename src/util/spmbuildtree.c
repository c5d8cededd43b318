/*
 * spmbuildtree.c: whether the running program is the one in the build tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmbuildtree.h"

bool
spmRunningFromBuildTree(void)
{
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);

    return exe && g_str_has_prefix(exe, SPM_BUILD_ROOT "/");
}
