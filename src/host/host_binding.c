/*
 * host_binding.c: check, fill in and suggest the host memory of typed cells
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "host_binding.h"
#include "spmbitmap.h"
#include "spmerror.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_DOMAIN

#define SPM_MIB (1024ULL * 1024ULL)

static const spmNumatuneMemnode *
spmHostBindingMemnode(const spmDomainDef *def, unsigned int cellid)
{
    size_t i;

    for (i = 0; i < def->numatune.nmemnodes; i++) {
        if (def->numatune.memnodes[i].cellid == cellid)
            return &def->numatune.memnodes[i];
    }
    return NULL;
}

/*
 * The host NUMA nodes of the PCI accelerators the domain is given
 * (<hostdev mode='subsystem' type='pci'><source><address .../>), into
 * @nodes; their addresses into @names.  Devices the host does not list
 * as accelerators, or whose node it does not know, are left out.
 */
static void
spmHostBindingAcceleratorNodes(const spmDomainDef *def, const spmHost *host, GArray *nodes,
                               GString *names)
{
    xmlNodePtr devices = spmXMLChildElement(def->root, "devices");
    xmlNodePtr hd;

    for (hd = devices ? spmXMLChildElement(devices, "hostdev") : NULL; hd;
         hd = spmXMLNextElement(hd, "hostdev")) {
        g_autofree char *type = spmXMLPropString(hd, "type");
        xmlNodePtr addr = spmXMLFindPath(hd, "source/address");
        unsigned long long v[4] = {0};
        static const char *const attrs[] = {"domain", "bus", "slot", "function"};
        g_autofree char *address = NULL;
        const spmHostPCIDevice *dev;
        size_t i;

        if (!type || !SPM_STREQ(type, "pci") || !addr)
            continue;
        for (i = 0; i < G_N_ELEMENTS(attrs); i++) {
            g_autofree char *s = spmXMLPropString(addr, attrs[i]);

            if (s && !spmParseNumber(s, SPM_NUMBER_HEX, 0, &v[i]))
                break;
        }
        if (i < G_N_ELEMENTS(attrs))
            continue;
        address = g_strdup_printf("%04llx:%02llx:%02llx.%llx", v[0], v[1], v[2], v[3]);
        if (!(dev = spmHostGetAccelerator(host, address)) || dev->node < 0)
            continue;
        g_array_append_val(nodes, dev->node);
        g_string_append_printf(names, "%s%s (node %d)", names->len ? ", " : "", address, dev->node);
    }
}

static bool
spmHostBindingNodeIn(GArray *nodes, int node)
{
    size_t i;

    for (i = 0; i < nodes->len; i++) {
        if (g_array_index(nodes, int, i) == node)
            return true;
    }
    return false;
}

static int
spmHostBindingCheckDax(const spmNumaCell *cell, const char *path, const spmHost *host,
                       GArray *accelNodes, const char *accelNames)
{
    const spmHostDaxDevice *dax = spmHostGetDax(host, path);
    unsigned long long bytes = cell->memKiB * 1024;

    if (!dax) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("dax device '%1$s' backing cell '%2$u' does not exist on this host: 'virt-spm nodeinfo' lists the host's dax devices"),
            path, cell->id);
        return -1;
    }
    if (dax->mode != SPM_HOST_DAX_MODE_DEVDAX) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("dax device '%1$s' backing cell '%2$u' is in mode '%3$s', not 'devdax': run 'daxctl reconfigure-device --mode=devdax %4$s', or bind the cell to host node %5$d with <numatune><memnode>"),
            path, cell->id, spmHostDaxModeTypeToString(dax->mode), dax->name, dax->targetNode);
        return -1;
    }
    if (dax->size < bytes) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("dax device '%1$s' has %2$llu MiB, too small for cell '%3$u' of %4$llu MiB"), path,
            dax->size / SPM_MIB, cell->id, bytes / SPM_MIB);
        return -1;
    }
    if (dax->align && bytes % dax->align != 0) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("cell '%1$u' of %2$llu KiB is not a multiple of the %3$llu KiB alignment of dax device '%4$s': size the cell in whole %3$llu KiB units"),
            cell->id, cell->memKiB, dax->align / 1024, path);
        return -1;
    }
    if (accelNodes->len && !spmHostBindingNodeIn(accelNodes, dax->targetNode))
        spmReportWarning(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("cell '%1$u' is backed by dax device '%2$s' of host node %3$d, which is not the node of the accelerators the domain is given: %4$s"),
            cell->id, path, dax->targetNode, accelNames);
    return 0;
}

static int
spmHostBindingCheckNodes(const spmNumaCell *cell, const spmNumatuneMemnode *mn, const spmHost *host,
                         GArray *accelNodes, const char *accelNames)
{
    g_autofree char *nodeset = spmBitmapFormat(mn->nodeset);
    unsigned long long haveKiB = 0;
    bool local = false;
    ssize_t bit = -1;
    int rc = 0;

    while ((bit = spmBitmapNextSetBit(mn->nodeset, bit)) >= 0) {
        const spmHostNode *node = spmHostGetNode(host, bit);

        if (!node) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("<memnode cellid='%1$u'> binds the cell to host node '%2$zd', which does not exist on this host (or holds no online memory): 'virt-spm nodeinfo' lists the host's nodes"),
                cell->id, bit);
            rc = -1;
            continue;
        }
        haveKiB += node->memKiB;
        if (spmHostBindingNodeIn(accelNodes, node->id))
            local = true;
        if (!SPM_HOST_MEMORY_KIND_IS_SPM(node->kind))
            spmReportWarning(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("typed cell '%1$u' is bound to host node '%2$u' of kind '%3$s', not to HBM or SPM memory: the guest's SPM would be ordinary host memory"),
                cell->id, node->id, spmHostMemoryKindTypeToString(node->kind));
    }
    if (rc < 0)
        return -1;
    if (haveKiB < cell->memKiB) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("typed cell '%1$u' needs %2$llu MiB, but its host nodes '%3$s' hold %4$llu MiB online"),
            cell->id, cell->memKiB / 1024, nodeset, haveKiB / 1024);
        return -1;
    }
    if (accelNodes->len && !local)
        spmReportWarning(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("typed cell '%1$u' is bound to host nodes '%2$s', none of which is the node of the accelerators the domain is given: %3$s"),
            cell->id, nodeset, accelNames);
    return 0;
}

int
spmHostBindingCheck(const spmDomainDef *def, const spmDomainBacking *backing, const spmHost *host)
{
    g_autoptr(GArray) accelNodes = g_array_new(FALSE, FALSE, sizeof(int));
    g_autoptr(GString) accelNames = g_string_new(NULL);
    bool hostHasSpm = spmHostHasSpm(host);
    int rc = 0;
    size_t i;

    spmHostBindingAcceleratorNodes(def, host, accelNodes, accelNames);
    for (i = 0; backing && i < backing->ncells; i++) {
        const spmNumaCell *cell = spmDomainDefGetCell(def, backing->cells[i].id);

        if (cell && cell->memmap == SPM_MEMMAP_NORMAL) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("cell '%1$u' has dax backing '%2$s' but is not typed: dax backing is for cells with memmap='spm' or 'reserved'"),
                cell->id, backing->cells[i].dax);
            rc = -1;
        }
    }
    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *cell = &def->numa.cells[i];
        const char *dax = spmDomainBackingGetDax(backing, cell->id);
        const spmNumatuneMemnode *mn = spmHostBindingMemnode(def, cell->id);

        if (cell->memmap == SPM_MEMMAP_NORMAL)
            continue;
        if (dax && mn) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("typed cell '%1$u' has both dax backing '%2$s' and <numatune><memnode cellid='%1$u'>: use one (device-dax mode or kmem mode)"),
                cell->id, dax);
            rc = -1;
        } else if (dax) {
            if (spmHostBindingCheckDax(cell, dax, host, accelNodes, accelNames->str) < 0)
                rc = -1;
        } else if (mn && mn->nodeset) {
            if (spmHostBindingCheckNodes(cell, mn, host, accelNodes, accelNames->str) < 0)
                rc = -1;
        } else if (hostHasSpm) {
            spmReportWarning(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("typed cell '%1$u' is not bound to the host's HBM/SPM memory, so libvirt backs it with whatever memory it allocates: add <numatune><memnode> or dax backing ('virt-spm nodeinfo --suggest' prints them)"),
                cell->id);
        }
    }
    return rc;
}

int
spmHostBindingFillLaunch(const spmDomainDef *def, const spmDomainBacking *backing,
                         const spmHost *host, spmLaunchData *launch)
{
    size_t i;

    for (i = 0; backing && i < backing->ncells; i++) {
        const spmNumaCell *cell = spmDomainDefGetCell(def, backing->cells[i].id);
        const spmHostDaxDevice *dax = spmHostGetDax(host, backing->cells[i].dax);
        spmLaunchNode *node = NULL;
        size_t j;

        for (j = 0; j < launch->nnodes; j++) {
            if (launch->nodes[j].id == backing->cells[i].id)
                node = &launch->nodes[j];
        }
        if (!cell || !dax || !node) {
            spmReportError(SPM_ERR_INTERNAL_ERROR,
                           _("dax backing of cell '%1$u' was not checked before the launch data"),
                           backing->cells[i].id);
            return -1;
        }
        g_free(node->daxPath);
        node->daxPath = g_strdup(dax->path);
        node->daxAlign = dax->align;
        node->size = cell->memKiB * 1024;
    }
    return 0;
}

typedef struct {
    unsigned int cellid;
    const spmHostDaxDevice *dax;
    const spmHostNode *node;
} spmHostBindingChoice;

char *
spmHostBindingSuggest(const spmDomainDef *def, const spmHost *host)
{
    g_autoptr(GArray) accelNodes = g_array_new(FALSE, FALSE, sizeof(int));
    g_autoptr(GString) accelNames = g_string_new(NULL);
    g_autofree bool *daxUsed = g_new0(bool, host->ndaxes + 1);
    g_autofree unsigned long long *nodeLeftKiB = g_new0(unsigned long long, host->nnodes + 1);
    g_autoptr(GArray) choices = g_array_new(FALSE, TRUE, sizeof(spmHostBindingChoice));
    g_autoptr(GString) out = g_string_new(NULL);
    bool anyDax = false;
    bool anyNode = false;
    int rc = 0;
    size_t i;
    size_t j;

    spmHostBindingAcceleratorNodes(def, host, accelNodes, accelNames);
    for (j = 0; j < host->nnodes; j++)
        nodeLeftKiB[j] = host->nodes[j].memKiB;

    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *cell = &def->numa.cells[i];
        unsigned long long bytes = cell->memKiB * 1024;
        spmHostBindingChoice c = {cell->id, NULL, NULL};
        int pass;

        if (cell->memmap == SPM_MEMMAP_NORMAL)
            continue;
        /* First what is local to the accelerators, then anything; devdax
         * devices before online HBM/SPM nodes. */
        for (pass = accelNodes->len ? 0 : 1; pass < 2 && !c.dax && !c.node; pass++) {
            for (j = 0; j < host->ndaxes && !c.dax; j++) {
                const spmHostDaxDevice *dax = &host->daxes[j];

                if (daxUsed[j] || dax->mode != SPM_HOST_DAX_MODE_DEVDAX || dax->size < bytes ||
                    (dax->align && bytes % dax->align) ||
                    (pass == 0 && !spmHostBindingNodeIn(accelNodes, dax->targetNode)))
                    continue;
                daxUsed[j] = true;
                c.dax = dax;
            }
            for (j = 0; j < host->nnodes && !c.dax && !c.node; j++) {
                const spmHostNode *node = &host->nodes[j];

                if (!SPM_HOST_MEMORY_KIND_IS_SPM(node->kind) || nodeLeftKiB[j] < cell->memKiB ||
                    (pass == 0 && !spmHostBindingNodeIn(accelNodes, node->id)))
                    continue;
                nodeLeftKiB[j] -= cell->memKiB;
                c.node = node;
            }
        }
        if (!c.dax && !c.node) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("this host has no HBM or SPM memory left for typed cell '%1$u' of %2$llu MiB: no devdax device and no HBM/SPM node with that much free ('virt-spm nodeinfo' shows what there is)"),
                cell->id, cell->memKiB / 1024);
            rc = -1;
            continue;
        }
        anyDax |= c.dax != NULL;
        anyNode |= c.node != NULL;
        g_array_append_val(choices, c);
    }
    if (rc < 0)
        return NULL;
    if (choices->len == 0) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("the domain has no typed cell (memmap='spm' or 'reserved') to bind"));
        return NULL;
    }

    for (i = 0; i < choices->len; i++) {
        const spmHostBindingChoice *c = &g_array_index(choices, spmHostBindingChoice, i);

        if (c->dax)
            g_string_append_printf(
                out, "<!-- cell %u: dax device %s (%llu MiB, host node %d) -->\n", c->cellid,
                c->dax->path, c->dax->size / SPM_MIB, c->dax->targetNode);
        else
            g_string_append_printf(
                out, "<!-- cell %u: host node %u (%s, %llu MiB online) -->\n", c->cellid,
                c->node->id, spmHostMemoryKindTypeToString(c->node->kind), c->node->memKiB / 1024);
    }
    if (anyNode) {
        g_string_append(out, "<numatune>\n");
        for (i = 0; i < choices->len; i++) {
            const spmHostBindingChoice *c = &g_array_index(choices, spmHostBindingChoice, i);

            if (c->node)
                g_string_append_printf(out, "  <memnode cellid='%u' mode='strict' nodeset='%u'/>\n",
                                       c->cellid, c->node->id);
        }
        g_string_append(out, "</numatune>\n");
    }
    if (anyDax) {
        g_string_append_printf(out, "<metadata>\n  <%s:backing xmlns:%s='%s'>\n",
                               SPM_BACKING_PREFIX, SPM_BACKING_PREFIX, SPM_BACKING_NS);
        for (i = 0; i < choices->len; i++) {
            const spmHostBindingChoice *c = &g_array_index(choices, spmHostBindingChoice, i);

            if (c->dax)
                g_string_append_printf(out, "    <%s:cell id='%u' dax='%s'/>\n", SPM_BACKING_PREFIX,
                                       c->cellid, c->dax->path);
        }
        g_string_append_printf(out, "  </%s:backing>\n</metadata>\n", SPM_BACKING_PREFIX);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}
