/*
 * spmnamespaces.h: the XML namespaces virt-spm looks for in a domain XML
 *
 * Here rather than with the domain model (src/conf), because glib-only
 * code looks for them too: the hook's screen (src/shim/shim_hook_screen.h)
 * decides from the raw XML, without libxml2, that a domain carries neither.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

/* virt-spm's own <metadata> element (src/conf/domain_metadata.h) */
#define SPM_METADATA_NS "http://virt-spm.org/schemas/domain/spm/1.0"
#define SPM_METADATA_PREFIX "spm"

/* OpenStack Nova's instance metadata (src/conf/domain_nova.h) */
#define SPM_NOVA_NS "http://openstack.org/xmlns/libvirt/nova/1.1"
