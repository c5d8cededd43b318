/*
 * host_format.c: `virt-spm nodeinfo` output (XML, JSON) and the host's
 * HBM/SPM inventory
 *
 * The XML follows libvirt's <capabilities><host><topology><cells> shape:
 *
 *   <host xmlns:spm="http://virt-spm.org/schemas/host/1.0">
 *     <topology>
 *       <cells num="1">
 *         <cell id="0" spm:kind="dram" spm:cpuless="no" spm:tier="4">
 *           <memory unit="KiB">...</memory>
 *           <pages unit="KiB" size="4">...</pages>
 *           <cpus num="2"><cpu id="0"/><cpu id="1"/></cpus>
 *           <spm:access initiator="0" cpus="0-1" bandwidth="20480" latency="100"/>
 *           <spm:accelerator address="0000:00:01.0" class="0x0300" .../>
 *         </cell>
 *       </cells>
 *     </topology>
 *     <spm:softReserved>...</spm:softReserved>
 *     <spm:dax>...</spm:dax>
 *     <spm:inventory unit="MiB" total="512">...</spm:inventory>
 *   </host>
 *
 * bandwidth is in MiB/s, latency in ns (hwloc's units, from the ACPI HMAT).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "host_nodeinfo.h"
#include "spmbitmap.h"
#include "spmxml.h"

#include <json-c/json.h>

#define SPM_HOST_NS "http://virt-spm.org/schemas/host/1.0"

void
spmHostGetSpmInventory(const spmHost *host, spmHostSpmInventory *inv)
{
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(spmHostSpmInventoryEntry));
    size_t i;

    inv->totalMiB = 0;
    for (i = 0; i < host->nnodes; i++) {
        const spmHostNode *node = &host->nodes[i];
        spmHostSpmInventoryEntry e = {node->id, NULL, node->kind, node->memKiB / 1024};

        if (!SPM_HOST_MEMORY_KIND_IS_SPM(node->kind) || node->memKiB == 0)
            continue;
        g_array_append_val(out, e);
        inv->totalMiB += e.MiB;
    }
    for (i = 0; i < host->ndaxes; i++) {
        const spmHostDaxDevice *dax = &host->daxes[i];
        spmHostSpmInventoryEntry e = {dax->targetNode, dax->name, SPM_HOST_MEMORY_SPM,
                                      dax->size / (1024 * 1024)};

        if (dax->mode != SPM_HOST_DAX_MODE_DEVDAX)
            continue;
        g_array_append_val(out, e);
        inv->totalMiB += e.MiB;
    }
    inv->nentries = out->len;
    inv->entries = (spmHostSpmInventoryEntry *)(void *)g_array_free(g_steal_pointer(&out), FALSE);
}

void
spmHostSpmInventoryClear(spmHostSpmInventory *inv)
{
    g_free(inv->entries);
    inv->entries = NULL;
    inv->nentries = 0;
}

static void spmHostXMLPropF(xmlNodePtr node, xmlNsPtr ns, const char *name, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
spmHostXMLPropF(xmlNodePtr node, xmlNsPtr ns, const char *name, const char *fmt, ...)
{
    g_autofree char *value = NULL;
    va_list ap;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xmlNewNsProp(node, ns, BAD_CAST name, BAD_CAST value);
}

static void
spmHostFormatCellXML(xmlNodePtr cells, xmlNsPtr ns, const spmHost *host, const spmHostNode *node)
{
    xmlNodePtr cell = xmlNewChild(cells, NULL, BAD_CAST "cell", NULL);
    xmlNodePtr mem;
    xmlNodePtr cpus;
    g_autoptr(spmBitmap) cpumap = NULL;
    g_autofree char *errmsg = NULL;
    ssize_t bit = -1;
    size_t i;

    spmHostXMLPropF(cell, NULL, "id", "%u", node->id);
    xmlNewNsProp(cell, ns, BAD_CAST "kind", BAD_CAST spmHostMemoryKindTypeToString(node->kind));
    xmlNewNsProp(cell, ns, BAD_CAST "cpuless", BAD_CAST(node->cpuless ? "yes" : "no"));
    if (node->tier >= 0)
        spmHostXMLPropF(cell, ns, "tier", "%d", node->tier);
    if (node->subtype)
        xmlNewNsProp(cell, ns, BAD_CAST "subtype", BAD_CAST node->subtype);
    if (node->daxDevice)
        xmlNewNsProp(cell, ns, BAD_CAST "dax", BAD_CAST node->daxDevice);

    mem = xmlNewChild(cell, NULL, BAD_CAST "memory", NULL);
    xmlNodeAddContent(mem, BAD_CAST "");
    {
        g_autofree char *v = g_strdup_printf("%llu", node->memKiB);
        xmlNodeSetContent(mem, BAD_CAST v);
    }
    xmlNewProp(mem, BAD_CAST "unit", BAD_CAST "KiB");
    for (i = 0; i < node->nhugepages; i++) {
        g_autofree char *count = g_strdup_printf("%llu", node->hugepages[i].count);
        xmlNodePtr pages = xmlNewChild(cell, NULL, BAD_CAST "pages", BAD_CAST count);

        xmlNewProp(pages, BAD_CAST "unit", BAD_CAST "KiB");
        spmHostXMLPropF(pages, NULL, "size", "%llu", node->hugepages[i].sizeKiB);
    }
    cpus = xmlNewChild(cell, NULL, BAD_CAST "cpus", NULL);
    if (*node->cpus)
        cpumap = spmBitmapParse(node->cpus, 65536, &errmsg);
    spmHostXMLPropF(cpus, NULL, "num", "%zu", cpumap ? spmBitmapCountBits(cpumap) : 0);
    while (cpumap && (bit = spmBitmapNextSetBit(cpumap, bit)) >= 0)
        spmHostXMLPropF(xmlNewChild(cpus, NULL, BAD_CAST "cpu", NULL), NULL, "id", "%zd", bit);

    for (i = 0; i < node->nperf; i++) {
        const spmHostNodePerf *p = &node->perf[i];
        xmlNodePtr acc = xmlNewChild(cell, ns, BAD_CAST "access", NULL);

        if (p->initiator >= 0)
            spmHostXMLPropF(acc, NULL, "initiator", "%d", p->initiator);
        xmlNewProp(acc, BAD_CAST "cpus", BAD_CAST p->initiatorCpus);
        if (p->bandwidthMB)
            spmHostXMLPropF(acc, NULL, "bandwidth", "%llu", p->bandwidthMB);
        if (p->latencyNs)
            spmHostXMLPropF(acc, NULL, "latency", "%llu", p->latencyNs);
    }
    for (i = 0; i < host->naccelerators; i++) {
        const spmHostPCIDevice *dev = &host->accelerators[i];
        xmlNodePtr acc;

        if (dev->node != (int)node->id)
            continue;
        acc = xmlNewChild(cell, ns, BAD_CAST "accelerator", NULL);
        xmlNewProp(acc, BAD_CAST "address", BAD_CAST dev->address);
        spmHostXMLPropF(acc, NULL, "class", "0x%04x", dev->klass);
        spmHostXMLPropF(acc, NULL, "vendor", "0x%04x", dev->vendor);
        spmHostXMLPropF(acc, NULL, "device", "0x%04x", dev->device);
    }
}

static void
spmHostFormatAcceleratorXML(xmlNodePtr parent, xmlNsPtr ns, const spmHostPCIDevice *dev)
{
    xmlNodePtr acc = xmlNewChild(parent, ns, BAD_CAST "accelerator", NULL);

    xmlNewProp(acc, BAD_CAST "address", BAD_CAST dev->address);
    spmHostXMLPropF(acc, NULL, "class", "0x%04x", dev->klass);
    spmHostXMLPropF(acc, NULL, "vendor", "0x%04x", dev->vendor);
    spmHostXMLPropF(acc, NULL, "device", "0x%04x", dev->device);
    spmHostXMLPropF(acc, NULL, "node", "%d", dev->node);
}

char *
spmHostFormatXML(const spmHost *host)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "host", NULL);
    xmlNsPtr ns = xmlNewNs(root, BAD_CAST SPM_HOST_NS, BAD_CAST "spm");
    xmlNodePtr topology;
    xmlNodePtr cells;
    xmlNodePtr list;
    spmHostSpmInventory inv;
    size_t i;
    size_t j;

    xmlDocSetRootElement(doc, root);
    topology = xmlNewChild(root, NULL, BAD_CAST "topology", NULL);
    cells = xmlNewChild(topology, NULL, BAD_CAST "cells", NULL);
    spmHostXMLPropF(cells, NULL, "num", "%zu", host->nnodes);
    for (i = 0; i < host->nnodes; i++)
        spmHostFormatCellXML(cells, ns, host, &host->nodes[i]);

    /* Accelerators whose node the host does not know. */
    for (i = 0; i < host->naccelerators; i++) {
        if (!spmHostGetNode(host, host->accelerators[i].node))
            spmHostFormatAcceleratorXML(root, ns, &host->accelerators[i]);
    }

    list = xmlNewChild(root, ns, BAD_CAST "softReserved", NULL);
    if (host->rangesHidden)
        xmlNewProp(list, BAD_CAST "addresses", BAD_CAST "hidden");
    for (i = 0; i < host->nranges; i++) {
        xmlNodePtr range = xmlNewChild(list, ns, BAD_CAST "range", NULL);

        spmHostXMLPropF(range, NULL, "start", "0x%llx", host->ranges[i].start);
        spmHostXMLPropF(range, NULL, "end", "0x%llx", host->ranges[i].end);
        for (j = 0; host->ranges[i].children && host->ranges[i].children[j]; j++)
            xmlNewTextChild(range, ns, BAD_CAST "holds", BAD_CAST host->ranges[i].children[j]);
    }

    list = xmlNewChild(root, ns, BAD_CAST "dax", NULL);
    for (i = 0; i < host->ndaxes; i++) {
        const spmHostDaxDevice *dax = &host->daxes[i];
        xmlNodePtr dev = xmlNewChild(list, ns, BAD_CAST "device", NULL);

        xmlNewProp(dev, BAD_CAST "name", BAD_CAST dax->name);
        xmlNewProp(dev, BAD_CAST "path", BAD_CAST dax->path);
        xmlNewProp(dev, BAD_CAST "mode", BAD_CAST spmHostDaxModeTypeToString(dax->mode));
        spmHostXMLPropF(dev, NULL, "targetNode", "%d", dax->targetNode);
        spmHostXMLPropF(dev, NULL, "size", "%llu", dax->size);
        spmHostXMLPropF(dev, NULL, "align", "%llu", dax->align);
        if (dax->start)
            spmHostXMLPropF(dev, NULL, "start", "0x%llx", dax->start);
    }

    spmHostGetSpmInventory(host, &inv);
    list = xmlNewChild(root, ns, BAD_CAST "inventory", NULL);
    xmlNewProp(list, BAD_CAST "unit", BAD_CAST "MiB");
    spmHostXMLPropF(list, NULL, "total", "%llu", inv.totalMiB);
    for (i = 0; i < inv.nentries; i++) {
        xmlNodePtr e = xmlNewChild(list, ns, BAD_CAST "memory", NULL);

        spmHostXMLPropF(e, NULL, "node", "%d", inv.entries[i].node);
        xmlNewProp(e, BAD_CAST "kind", BAD_CAST spmHostMemoryKindTypeToString(inv.entries[i].kind));
        if (inv.entries[i].dax)
            xmlNewProp(e, BAD_CAST "dax", BAD_CAST inv.entries[i].dax);
        spmHostXMLPropF(e, NULL, "size", "%llu", inv.entries[i].MiB);
    }
    spmHostSpmInventoryClear(&inv);

    return spmXMLFormatElement(doc, root);
}

static json_object *
spmHostJSONInt(long long v)
{
    return json_object_new_int64(v);
}

char *
spmHostFormatJSON(const spmHost *host)
{
    json_object *root = json_object_new_object();
    json_object *nodes = json_object_new_array();
    json_object *ranges = json_object_new_array();
    json_object *daxes = json_object_new_array();
    json_object *accels = json_object_new_array();
    json_object *inventory = json_object_new_object();
    json_object *entries = json_object_new_array();
    spmHostSpmInventory inv;
    char *out;
    size_t i;
    size_t j;

    for (i = 0; i < host->nnodes; i++) {
        const spmHostNode *n = &host->nodes[i];
        json_object *node = json_object_new_object();
        json_object *pages = json_object_new_array();
        json_object *perf = json_object_new_array();

        json_object_object_add(node, "id", spmHostJSONInt(n->id));
        json_object_object_add(node, "cpus", json_object_new_string(n->cpus));
        json_object_object_add(node, "cpuless", json_object_new_boolean(n->cpuless));
        json_object_object_add(node, "memory_kib", spmHostJSONInt(n->memKiB));
        for (j = 0; j < n->nhugepages; j++) {
            json_object *p = json_object_new_object();

            json_object_object_add(p, "size_kib", spmHostJSONInt(n->hugepages[j].sizeKiB));
            json_object_object_add(p, "count", spmHostJSONInt(n->hugepages[j].count));
            json_object_array_add(pages, p);
        }
        json_object_object_add(node, "pages", pages);
        json_object_object_add(node, "kind",
                               json_object_new_string(spmHostMemoryKindTypeToString(n->kind)));
        json_object_object_add(node, "subtype",
                               n->subtype ? json_object_new_string(n->subtype) : NULL);
        json_object_object_add(node, "dax",
                               n->daxDevice ? json_object_new_string(n->daxDevice) : NULL);
        json_object_object_add(node, "tier", n->tier >= 0 ? spmHostJSONInt(n->tier) : NULL);
        for (j = 0; j < n->nperf; j++) {
            json_object *p = json_object_new_object();

            json_object_object_add(p, "initiator",
                                   n->perf[j].initiator >= 0 ? spmHostJSONInt(n->perf[j].initiator)
                                                             : NULL);
            json_object_object_add(p, "cpus", json_object_new_string(n->perf[j].initiatorCpus));
            json_object_object_add(p, "bandwidth_mib_s", spmHostJSONInt(n->perf[j].bandwidthMB));
            json_object_object_add(p, "latency_ns", spmHostJSONInt(n->perf[j].latencyNs));
            json_object_array_add(perf, p);
        }
        json_object_object_add(node, "access", perf);
        json_object_array_add(nodes, node);
    }
    json_object_object_add(root, "nodes", nodes);

    for (i = 0; i < host->naccelerators; i++) {
        const spmHostPCIDevice *d = &host->accelerators[i];
        json_object *dev = json_object_new_object();
        g_autofree char *klass = g_strdup_printf("0x%04x", d->klass);
        g_autofree char *vendor = g_strdup_printf("0x%04x", d->vendor);
        g_autofree char *device = g_strdup_printf("0x%04x", d->device);

        json_object_object_add(dev, "address", json_object_new_string(d->address));
        json_object_object_add(dev, "class", json_object_new_string(klass));
        json_object_object_add(dev, "vendor", json_object_new_string(vendor));
        json_object_object_add(dev, "device", json_object_new_string(device));
        json_object_object_add(dev, "node", d->node >= 0 ? spmHostJSONInt(d->node) : NULL);
        json_object_array_add(accels, dev);
    }
    json_object_object_add(root, "accelerators", accels);

    for (i = 0; i < host->nranges; i++) {
        json_object *r = json_object_new_object();
        json_object *holds = json_object_new_array();
        g_autofree char *start = g_strdup_printf("0x%llx", host->ranges[i].start);
        g_autofree char *end = g_strdup_printf("0x%llx", host->ranges[i].end);

        json_object_object_add(r, "start", json_object_new_string(start));
        json_object_object_add(r, "end", json_object_new_string(end));
        for (j = 0; host->ranges[i].children && host->ranges[i].children[j]; j++)
            json_object_array_add(holds, json_object_new_string(host->ranges[i].children[j]));
        json_object_object_add(r, "holds", holds);
        json_object_array_add(ranges, r);
    }
    json_object_object_add(root, "soft_reserved", ranges);
    json_object_object_add(root, "soft_reserved_addresses_hidden",
                           json_object_new_boolean(host->rangesHidden));

    for (i = 0; i < host->ndaxes; i++) {
        const spmHostDaxDevice *d = &host->daxes[i];
        json_object *dev = json_object_new_object();

        json_object_object_add(dev, "name", json_object_new_string(d->name));
        json_object_object_add(dev, "path", json_object_new_string(d->path));
        json_object_object_add(dev, "mode",
                               json_object_new_string(spmHostDaxModeTypeToString(d->mode)));
        json_object_object_add(dev, "target_node", spmHostJSONInt(d->targetNode));
        json_object_object_add(dev, "size", spmHostJSONInt(d->size));
        json_object_object_add(dev, "align", spmHostJSONInt(d->align));
        json_object_array_add(daxes, dev);
    }
    json_object_object_add(root, "dax", daxes);

    spmHostGetSpmInventory(host, &inv);
    for (i = 0; i < inv.nentries; i++) {
        json_object *e = json_object_new_object();

        json_object_object_add(e, "node", spmHostJSONInt(inv.entries[i].node));
        json_object_object_add(
            e, "kind", json_object_new_string(spmHostMemoryKindTypeToString(inv.entries[i].kind)));
        json_object_object_add(
            e, "dax", inv.entries[i].dax ? json_object_new_string(inv.entries[i].dax) : NULL);
        json_object_object_add(e, "size_mib", spmHostJSONInt(inv.entries[i].MiB));
        json_object_array_add(entries, e);
    }
    json_object_object_add(inventory, "total_mib", spmHostJSONInt(inv.totalMiB));
    json_object_object_add(inventory, "memory", entries);
    json_object_object_add(root, "spm_inventory", inventory);
    spmHostSpmInventoryClear(&inv);

    out = g_strdup_printf("%s\n",
                          json_object_to_json_string_ext(root,
                                                         JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    return out;
}
