/*
 * spminternal.h: definitions shared by every virt-spm source file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "config.h"

#include <glib.h>
#include <libintl.h>
#include <stdbool.h>
#include <stddef.h>

#define _(str) dgettext(PACKAGE, str)
#define N_(str) str

#define SPM_KIB 1024ULL
#define SPM_MIB (1024ULL * 1024ULL)
#define SPM_GIB (1024ULL * 1024ULL * 1024ULL)
#define SPM_TIB (1024ULL * 1024ULL * 1024ULL * 1024ULL)

/* Round @x up to a multiple of @a (a power of two or any non-zero value). */
#define SPM_ROUND_UP(x, a) ((((x) + (a)-1) / (a)) * (a))

#define SPM_STREQ(a, b) (strcmp(a, b) == 0)
