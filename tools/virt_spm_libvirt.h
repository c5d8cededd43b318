/*
 * virt_spm_libvirt.h: the virt-spm CLI's connection to libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "virt_spm.h"

#include <libvirt/libvirt.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);

/* Opens ctx->uri (libvirt's default when NULL), read-write.  NULL after
 * queueing libvirt's error. */
virConnectPtr spmCliConnect(spmCliContext *ctx);

/* Looks a domain up by name, UUID or id, as virsh does. */
virDomainPtr spmCliLookupDomain(virConnectPtr conn, const char *name);

/* Queues libvirt's last error (with @context) as an SPM_ERR_LIBVIRT_ERROR. */
void spmCliReportLibvirtError(const char *context);
