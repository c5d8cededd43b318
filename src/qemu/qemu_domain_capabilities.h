/*
 * qemu_domain_capabilities.h: what one QEMU binary offers for SPM-typed NUMA
 * cells, in the style of libvirt's domain capabilities
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "qemu_capabilities.h"

/*
 * The <domainCapabilities> document for @caps: the binary, its version and
 * package, @machine (NULL: left out), the architecture, and under <numa>
 * whether memmap is supported, its values and its QEMU form, and HMAT;
 * under <firmware> an <image> per UEFI image the firmware descriptors offer
 * for the binary's architecture and @machine, with its verdict
 * (src/qemu/qemu_firmware.h) and, with @machine, libvirt's choice for
 * <os firmware='efi'> marked selected.  NULL with an error when the
 * firmware configuration file is broken.
 */
char *spmQEMUDomainCapsFormatXML(const spmQEMUCaps *caps, const char *machine);

/* The same as a JSON object (@machine NULL: null), pretty-printed. */
char *spmQEMUDomainCapsFormatJSON(const spmQEMUCaps *caps, const char *machine);
