/*
 * domain_metadata.h: virt-spm's own element under a domain's <metadata>
 *
 * Stock libvirt drops 'memmap' on define, so virt-spm keeps the typing, and
 * the emulator the user asked for, in one namespaced element that libvirt
 * preserves:
 *
 *   <metadata>
 *     <spm:spm xmlns:spm="http://virt-spm.org/schemas/domain/spm/1.0">
 *       <spm:emulator>/usr/bin/qemu-system-x86_64</spm:emulator>
 *       <spm:cell id="1" memmap="spm"/>
 *     </spm:spm>
 *   </metadata>
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "domain_conf.h"

typedef struct {
    unsigned int id;
    spmMemmap memmap;
} spmDomainMetadataCell;

typedef struct _spmDomainMetadata spmDomainMetadata;
struct _spmDomainMetadata {
    char *emulator;               /* the real QEMU, or NULL when the user named none */
    spmDomainMetadataCell *cells; /* typed cells only */
    size_t ncells;
};

void spmDomainMetadataFree(spmDomainMetadata *md);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmDomainMetadata, spmDomainMetadataFree);

/* The metadata describing @def's typed cells and @emulator. */
spmDomainMetadata *spmDomainMetadataFromDef(const spmDomainDef *def, const char *emulator);


/*
 * Finds and parses virt-spm's element in a domain document.  Returns 1 and
 * sets *md when present, 0 when the domain has none, -1 after reporting an
 * error when it is there but malformed.
 */
int spmDomainMetadataParseDoc(xmlDocPtr doc, spmDomainMetadata **md);

/* Removes virt-spm's element from the document's <metadata> (and an empty
 * <metadata> it leaves behind).  Returns true when it was there. */
bool spmDomainMetadataRemove(xmlDocPtr doc);

/* Adds (or replaces) virt-spm's element in the document's <metadata>. */
int spmDomainMetadataInsert(xmlDocPtr doc, const spmDomainMetadata *md);
