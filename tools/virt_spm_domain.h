/*
 * virt_spm_domain.h: what the domain verbs share (define, edit,
 * attach-device)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "virt_spm_libvirt.h"
#include "domain_conf.h"
#include "shim_launch_data.h"

/*
 * The XML of @dom with libvirt's @flags (VIR_DOMAIN_XML_*) into *@xml: with
 * @user the user's XML (spmQEMUDefineRestoreUserXML), else what libvirt
 * holds.  Returns an exit code.
 */
int spmCliGetDomainXML(virDomainPtr dom, unsigned int flags, bool user, char **xml);

/*
 * The capability rules and the layout for a loaded domain: probes its
 * emulator (the real QEMU, into *@realEmulator) when it has typed cells and
 * computes the launch data (*@launch, NULL without typed cells).  Returns
 * an exit code.
 */
int spmCliPrepareDef(const spmDomainDef *def, bool noCache, char **realEmulator,
                     spmLaunchData **launch);

/*
 * Defines a loaded and prepared domain in libvirt, the way `virt-spm define`
 * does: its UUID settled, the emulator link made, the register of typed
 * domains updated around the definition.  @label names the source in
 * messages.  Returns an exit code; on success *@domret is the domain.
 */
int spmCliDefineDef(virConnectPtr conn, spmDomainDef *def, const char *realEmulator,
                    const spmLaunchData *launch, const char *label, virDomainPtr *domret);

/* The shim binary: $VIRT_SPM_SHIM, the build tree's when virt-spm runs from
 * its build directory, else the installed one. */
char *spmCliShimPath(void);
