/*
 * spmnova.h: what glib-only code knows of an OpenStack Nova flavor's SPM
 * typing: the extra spec's name, and the host's flavor file
 *
 * The typing itself is read by src/conf/domain_nova.h; the hook's screen
 * (src/shim/shim_hook_screen.h), which links glib only, needs the same
 * names to tell that a Nova guest asks for none.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmnamespaces.h"

#define SPM_NOVA_EXTRA_SPEC_PREFIX "virt_spm:"
#define SPM_NOVA_EXTRA_SPEC_MEMMAP "virt_spm:numa_memmap."
#define SPM_NOVA_FLAVORS_FILE SPM_SYSCONFDIR "/nova-flavors.conf"

/* The host's flavor file: $VIRT_SPM_NOVA_FLAVORS when set (tests), else
 * SPM_NOVA_FLAVORS_FILE. */
const char *spmNovaFlavorsFile(void);

/* true when @buf (a domain XML) may carry Nova metadata: a cheap test
 * before any parsing. */
bool spmNovaMaybeInstance(const char *buf, size_t len);
