/*
 * domain_schema.h: RELAX NG validation of domain XML against virt-spm's
 * schema (libvirt's installed domain.rng plus the 'memmap' attribute)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmxml.h"

#define SPM_DOMAIN_SCHEMA_FILE "domain-spm.rng"

/*
 * Validates @doc against the RELAX NG schema at @rngPath (NULL: the virt-spm
 * domain schema).  The compiled schema is cached per path.  On failure
 * reports one XML_INVALID_SCHEMA error carrying every message libxml2 gave,
 * each with its line, and returns -1.  Returns -2 (with an error) when the
 * schema itself cannot be loaded.
 */
int spmSchemaValidateDoc(xmlDocPtr doc, const char *rngPath);
