/*
 * domain_validate.h: semantic rules for SPM-typed NUMA cells that hold
 * independently of any QEMU binary
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "domain_conf.h"

/*
 * Checks @def against every configuration rule and reports every problem
 * found (errors and warnings, see spmerror.h).  Returns the number of
 * errors; 0 means valid (warnings may have been queued).
 */
size_t spmDomainDefValidate(const spmDomainDef *def);
