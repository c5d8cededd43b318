/*
 * spmbuildtree.h: whether the running program is the one in the build tree
 *
 * A program run from the meson build directory (tests, a developer) uses
 * the build tree's schema and shim instead of the installed ones.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* true when the running executable lies under the build directory. */
bool spmRunningFromBuildTree(void);
