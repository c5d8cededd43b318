/*
 * qemu_validate.h: a domain checked against what one QEMU binary can do
 *
 * The QEMU-independent rules live in src/conf/domain_validate.c; these are
 * the ones that depend on the probed capabilities: typed cells need an SPM
 * interface (reserved needs memmap-type=reserved), the machine type and the
 * architecture must be offered by the binary, HMAT data needs HMAT.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "domain_conf.h"
#include "qemu_capabilities.h"

/* Reports every problem found; returns the number of errors (0: valid). */
int spmQEMUValidateDomainDef(const spmDomainDef *def, const spmQEMUCaps *caps);
