/*
 * domain_nova.h: the SPM typing an OpenStack Nova flavor asks for
 *
 * Nova writes its own domain XML and never runs virt-spm.  A flavor asks
 * for typed guest NUMA nodes with the extra spec
 *
 *     virt_spm:numa_memmap.N = normal | spm | reserved
 *
 * where N is the guest node, the N of hw:numa_mem.N (and the id of Nova's
 * <cell>).  The typing is found, in this order, in
 *   - <metadata><nova:instance><nova:flavor><nova:extraSpecs>, which Nova
 *     writes from 32.0 on;
 *   - else the host-side flavor file (SPM_NOVA_FLAVORS_FILE, a GKeyFile):
 *     one group per flavor name, with the same keys, for older Nova (Debian
 *     12's 26.2.2 writes the flavor name only):
 *
 *         [spm.large]
 *         virt_spm:numa_memmap.1=spm
 *
 * Any other key in the virt_spm: namespace is an error (a misspelt key must
 * not boot the SPM as ordinary RAM).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmmemmap.h"
#include "spmnova.h"

#include <libxml/tree.h>

typedef struct _spmNovaCellTyping spmNovaCellTyping;
struct _spmNovaCellTyping {
    unsigned int node; /* guest NUMA node, Nova's cell id */
    spmMemmap memmap;
};

typedef struct _spmNovaTyping spmNovaTyping;
struct _spmNovaTyping {
    char *flavor;             /* <nova:flavor name=''>, or NULL */
    char *source;             /* where the typing came from, for messages */
    spmNovaCellTyping *cells; /* sorted by node; 'normal' entries included */
    size_t ncells;
};

void spmNovaTypingFree(spmNovaTyping *typing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmNovaTyping, spmNovaTypingFree);

/*
 * Adds the extra spec @key = @value to @typing when @key is in the
 * virt_spm: namespace; other keys are ignored.  -1 with an error naming
 * @source for an unknown virt_spm: key, a bad N or a bad value.
 */
int spmNovaTypingAddExtraSpec(spmNovaTyping *typing, const char *key, const char *value);

/*
 * The typing of the Nova instance in @doc: 0 and *@typing NULL when @doc
 * has no <nova:instance>; 1 and *@typing (maybe without cells) when it has;
 * -1 with an error.  @flavorsFile is the flavor file for a flavor without
 * extra specs (NULL: SPM_NOVA_FLAVORS_FILE, or $VIRT_SPM_NOVA_FLAVORS when
 * set); a missing file is no typing.
 */
int spmNovaTypingFromDoc(xmlDocPtr doc, const char *flavorsFile, spmNovaTyping **typing);

/* Number of cells typed spm or reserved. */
size_t spmNovaTypingCountTyped(const spmNovaTyping *typing);
