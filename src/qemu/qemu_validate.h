/*
 * qemu_validate.h: a domain checked against what one QEMU binary can do
 *
 * The rules that need no QEMU knowledge live in src/conf/domain_validate.c.
 * spmQEMUValidateRules() adds the machine family to them; the ones that
 * depend on the probed capabilities are: typed cells need an SPM interface
 * (reserved needs memmap-type=reserved), the machine type and the
 * architecture must be offered by the binary, HMAT data needs HMAT, and the
 * sp-mem form allows no memory devices beside typed cells (libvirt 9.0).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "domain_conf.h"
#include "qemu_capabilities.h"

/*
 * Every rule that holds whatever the binary: the domain model's
 * (spmDomainDefValidate) and the machine family (typed cells need pc or
 * q35).  Reports every problem found; returns the number of errors.
 */
size_t spmQEMUValidateRules(const spmDomainDef *def);

/* The rules that depend on @caps.  Reports every problem found; returns the
 * number of errors (0: valid). */
int spmQEMUValidateDomainDef(const spmDomainDef *def, const spmQEMUCaps *caps);

/* Whether the binary of @caps runs guests of architecture @arch
 * (spmQEMUArchIsEmulatedBy); reports the error when it does not. */
bool spmQEMUValidateArch(const char *arch, const spmQEMUCaps *caps);
