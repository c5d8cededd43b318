/*
 * domain_backing.h: which host memory backs a typed cell (device-dax mode)
 *
 * A typed cell may name a host dax device as its backing, in virt-spm's own
 * element under <metadata> (libvirt keeps it as it is, and has no word for
 * it):
 *
 *   <metadata>
 *     <spmhost:backing xmlns:spmhost="http://virt-spm.org/schemas/domain/spm-backing/1.0">
 *       <spmhost:cell id="2" dax="/dev/dax0.0"/>
 *     </spmhost:backing>
 *   </metadata>
 *
 * The shim then backs guest node 2 with memory-backend-file on /dev/dax0.0
 * (src/shim/shim_dax_backing.c).  Typed cells bound in kmem mode use
 * libvirt's own <numatune><memnode cellid nodeset>, not this element.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "domain_conf.h"

#define SPM_BACKING_NS "http://virt-spm.org/schemas/domain/spm-backing/1.0"
#define SPM_BACKING_PREFIX "spmhost"

typedef struct {
    unsigned int id; /* guest cell */
    char *dax;       /* /dev/daxX.Y */
} spmDomainBackingCell;

typedef struct _spmDomainBacking spmDomainBacking;
struct _spmDomainBacking {
    spmDomainBackingCell *cells;
    size_t ncells;
};

void spmDomainBackingFree(spmDomainBacking *backing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmDomainBacking, spmDomainBackingFree);

/*
 * Parses the <spmhost:backing> element of @def's document: 0 with
 * *@backing NULL when there is none, 0 with it set, -1 after reporting
 * every problem (an unknown child or attribute, a cell that is not in
 * <numa>, a cell named twice, a path that is not /dev/daxX.Y).
 */
int spmDomainBackingParse(const spmDomainDef *def, spmDomainBacking **backing);

/* The dax path backing cell @id, or NULL. */
const char *spmDomainBackingGetDax(const spmDomainBacking *backing, unsigned int id);
