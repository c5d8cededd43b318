/*
 * host_binding.h: bind each typed guest cell to the right host memory
 *
 *   kmem mode        <numatune><memnode cellid='N' nodeset='H'/>: host
 *                    node H must exist, hold the cell's memory online, and
 *                    be HBM or SPM (a warning otherwise);
 *   device-dax mode  <spmhost:backing><spmhost:cell id='N' dax='/dev/daxX.Y'/>
 *                    (src/conf/domain_backing.h): the device must exist, be
 *                    in devdax mode, be large enough, and its alignment must
 *                    divide the cell's size.
 * A typed cell bound neither way gets a warning on a host that has HBM/SPM
 * memory; one bound away from the PCI accelerators the domain is given
 * (<hostdev>) gets a locality warning.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "host_nodeinfo.h"
#include "domain_backing.h"
#include "shim_launch_data.h"

/* Checks every typed cell's host memory.  -1 after reporting every error
 * (warnings are reported too); 0 otherwise. */
int spmHostBindingCheck(const spmDomainDef *def, const spmDomainBacking *backing,
                        const spmHost *host);

/* Puts each dax-backed cell's device path, alignment and size into
 * @launch (checked first with spmHostBindingCheck). */
int spmHostBindingFillLaunch(const spmDomainDef *def, const spmDomainBacking *backing,
                             const spmHost *host, spmLaunchData *launch);

/* `virt-spm nodeinfo --suggest`: the <numatune> and <spmhost:backing>
 * lines that bind every typed cell on @host.  NULL with an error when some
 * typed cell finds no suitable host memory (the error says which and why). */
char *spmHostBindingSuggest(const spmDomainDef *def, const spmHost *host);
