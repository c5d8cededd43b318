/*
 * virt_spm_hook_nova.h: the libvirt hook's part for OpenStack Nova guests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "qemu_hook.h"
#include "spminternal.h"

#include <libxml/tree.h>

/*
 * At "prepare begin" of domain @guest (@doc: the XML libvirt passed): when
 * it is a Nova guest whose flavor types cells (domain_nova.h), applies the
 * typing to Nova's cells, checks the result as `virt-spm define` does
 * (every rule, the capabilities of the real QEMU behind the shim, the
 * firmware, the layout) and leaves the launch data for the shim
 * (shim_runtime_launch_data.h).  Returns 1 when it did, 0 when the domain is
 * not a typed Nova guest (after removing stale launch data it may have),
 * -1 when the start must be refused (the reason printed on stderr).
 */
int spmHookNovaPrepare(const char *guest, xmlDocPtr doc);

/*
 * At "stopped end" and "release end": removes the launch data of the
 * domain whose XML is @buf (found by its <uuid> without parsing).  Returns
 * the hook's exit code.
 */
int spmHookNovaRelease(const char *guest, const char *buf, size_t len);
