/*
 * host_daxctl.h: libdaxctl, loaded when the host has a dax device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#include <daxctl/libdaxctl.h>

#define SPM_HOST_DAXCTL_SONAME "libdaxctl.so.1"

/* Loads libdaxctl and every function of it that host_dax.c calls, so
 * that none of those calls can fail for want of it: 0, or -1 with an
 * error queued. */
int spmHostDaxctlLoad(void);

/* Whether libdaxctl is loaded in this process (tests: it must not be on a
 * host without dax devices). */
bool spmHostDaxctlLoaded(void);
