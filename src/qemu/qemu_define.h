/*
 * qemu_define.h: a domain with SPM-typed cells in the form stock libvirt
 * keeps, and back
 *
 * Stock libvirt drops 'memmap' and cannot change its own -numa arguments.
 * The XML virt-spm defines in libvirt therefore differs from the user's in
 * four places, and only there:
 *   - no 'memmap' attributes;
 *   - <emulator> is virt-spm's per-emulator shim link for the real QEMU;
 *   - <qemu:commandline> carries "-virt-spm-launch DATA", which the shim
 *     turns into the probed QEMU form; a QEMU started without the shim
 *     refuses the unknown option, so SPM memory never boots as plain RAM;
 *   - <metadata><spm:spm> keeps the typing and the real emulator, so that
 *     the user's XML can be given back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "domain_conf.h"
#include "qemu_capabilities.h"
#include "shim_launch_data.h"
#include "qemu_layout.h"

#define SPM_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* The real QEMU a domain asks for: its <emulator> (resolved through a
 * virt-spm shim link), else spmQEMUDefaultEmulator() for its architecture.
 * NULL with an error when there is no default. */
char *spmQEMUDefineRealEmulator(const spmDomainDef *def);

/*
 * Checks @def against @caps (capability rules) and computes its memory
 * layout (@host: the host's CPU facts, NULL to read them from /proc); on
 * success *@launch holds the shim's launch data, or NULL when the domain
 * has no typed cell.  Reports every problem and returns -1.
 */
int spmQEMUDefinePrepare(const spmDomainDef *def, const spmQEMUCaps *caps,
                         const spmQEMULayoutHost *host, spmLaunchData **launch);

/*
 * The XML for stock libvirt.  @emulatorPath is what libvirt will execute
 * (the shim link); @realEmulator is remembered in the metadata.  Any
 * virt-spm metadata and launch arguments the input already has are
 * dropped first; then, without @launch (no typed cell), the document is
 * formatted unchanged.  Modifies @def's document.
 */
char *spmQEMUDefineFormatForLibvirt(spmDomainDef *def, const char *emulatorPath,
                                    const char *realEmulator, const spmLaunchData *launch);

/* true when the domain document carries the shim's launch arguments. */
bool spmQEMUDefineHasLaunchData(xmlDocPtr doc);
/* The value after SPM_LAUNCH_OPTION in the domain document ("" when the
 * option is last), NULL when there is none. */
char *spmQEMUDefineGetLaunchData(xmlDocPtr doc);

/*
 * The user's XML from what libvirt holds: memmap restored from the
 * metadata, the real emulator back in <emulator>, the launch arguments and
 * the metadata removed.  A domain virt-spm did not define comes back
 * unchanged.  NULL with an error when the document cannot be read.
 */
char *spmQEMUDefineRestoreUserXML(const char *libvirtXML, size_t len);
