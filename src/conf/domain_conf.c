/*
 * domain_conf.c: parse and format the parts of a domain XML that SPM typing touches
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_conf.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_DOMAIN

SPM_ENUM_IMPL(spmTristateBool, SPM_TRISTATE_LAST, "absent", "yes", "no");
SPM_ENUM_IMPL(spmDomainMemoryAccess, SPM_DOMAIN_MEMORY_ACCESS_LAST, "default", "shared", "private");
SPM_ENUM_IMPL(spmNumaCacheAssociativity, SPM_NUMA_CACHE_ASSOCIATIVITY_LAST, "none", "direct",
              "full");
SPM_ENUM_IMPL(spmNumaCachePolicy, SPM_NUMA_CACHE_POLICY_LAST, "none", "writeback", "writethrough");
SPM_ENUM_IMPL(spmNumaInterconnectType, SPM_NUMA_INTERCONNECT_LAST, "latency", "bandwidth");
SPM_ENUM_IMPL(spmNumaAccess, SPM_NUMA_ACCESS_LAST, "access", "read", "write");
SPM_ENUM_IMPL(spmNumatuneMode, SPM_NUMATUNE_MODE_LAST, "strict", "preferred", "interleave",
              "restrictive");
SPM_ENUM_IMPL(spmNumatunePlacement, SPM_NUMATUNE_PLACEMENT_LAST, "default", "static", "auto");
SPM_ENUM_IMPL(spmMemorySource, SPM_MEMORY_SOURCE_LAST, "default", "file", "anonymous", "memfd");
SPM_ENUM_IMPL(spmMemoryAllocation, SPM_MEMORY_ALLOCATION_LAST, "default", "immediate", "ondemand");
SPM_ENUM_IMPL(spmMemoryModel, SPM_MEMORY_MODEL_LAST, "dimm", "nvdimm", "virtio-pmem", "virtio-mem",
              "sgx-epc");
SPM_ENUM_IMPL(spmLoaderType, SPM_LOADER_TYPE_LAST, "default", "rom", "pflash");

#define SPM_PROP_ENUM(node, name, type, flags, dst)                                               \
    spmXMLPropEnum(node, name, type##TypeFromString, type##TypeToString, type##TypeLast(), flags, \
                   (int *)(dst))

static int
spmMemmapTypeLast(void)
{
    return SPM_MEMMAP_LAST;
}
static int
spmDomainMemoryAccessTypeLast(void)
{
    return SPM_DOMAIN_MEMORY_ACCESS_LAST;
}
static int
spmNumaCacheAssociativityTypeLast(void)
{
    return SPM_NUMA_CACHE_ASSOCIATIVITY_LAST;
}
static int
spmNumaCachePolicyTypeLast(void)
{
    return SPM_NUMA_CACHE_POLICY_LAST;
}
static int
spmNumaAccessTypeLast(void)
{
    return SPM_NUMA_ACCESS_LAST;
}
static int
spmNumatuneModeTypeLast(void)
{
    return SPM_NUMATUNE_MODE_LAST;
}
static int
spmNumatunePlacementTypeLast(void)
{
    return SPM_NUMATUNE_PLACEMENT_LAST;
}
static int
spmMemorySourceTypeLast(void)
{
    return SPM_MEMORY_SOURCE_LAST;
}
static int
spmMemoryAllocationTypeLast(void)
{
    return SPM_MEMORY_ALLOCATION_LAST;
}
static int
spmLoaderTypeTypeLast(void)
{
    return SPM_LOADER_TYPE_LAST;
}


static void
spmNumaClear(spmNuma *numa)
{
    size_t i;

    for (i = 0; i < numa->ncells; i++) {
        spmBitmapFree(numa->cells[i].cpus);
        g_free(numa->cells[i].distances);
        g_free(numa->cells[i].caches);
    }
    g_free(numa->cells);
    g_free(numa->interconnects);
}

void
spmDomainDefFree(spmDomainDef *def)
{
    size_t i;

    if (!def)
        return;

    spmNumaClear(&def->numa);

    spmBitmapFree(def->numatune.nodeset);
    for (i = 0; i < def->numatune.nmemnodes; i++)
        spmBitmapFree(def->numatune.memnodes[i].nodeset);
    g_free(def->numatune.memnodes);

    for (i = 0; i < def->mb.nhugepages; i++)
        spmBitmapFree(def->mb.hugepages[i].nodeset);
    g_free(def->mb.hugepages);

    for (i = 0; i < def->nmems; i++) {
        g_free(def->mems[i].modelName);
        spmBitmapFree(def->mems[i].sourceNodemask);
        g_free(def->mems[i].sourcePath);
    }
    g_free(def->mems);

    g_free(def->os.type);
    g_free(def->os.arch);
    g_free(def->os.machine);
    g_free(def->os.firmware);
    g_free(def->os.loader);
    g_free(def->os.nvram);
    g_free(def->os.nvramTemplate);
    g_free(def->os.kernel);

    g_free(def->virtType);
    g_free(def->name);
    g_free(def->uuid);
    g_free(def->emulator);
    g_free(def->memballoonModel);
    xmlFreeDoc(def->doc);
    g_free(def);
}


/* A memory size held as element content with a 'unit' attribute. */
static int
spmDomainParseMemoryElement(xmlNodePtr node, unsigned long long *kib)
{
    g_autofree char *value = spmXMLNodeContent(node);
    g_autofree char *unit = spmXMLPropString(node, "unit");

    return spmXMLParseMemoryKiB(node, NULL, value, unit, kib);
}

/* A memory size held as attribute @valueAttr with unit attribute @unitAttr. */
static int
spmDomainParseMemoryAttr(xmlNodePtr node, const char *valueAttr, const char *unitAttr,
                         bool required, unsigned long long *kib)
{
    g_autofree char *value = spmXMLPropString(node, valueAttr);
    g_autofree char *unit = spmXMLPropString(node, unitAttr);

    if (!value) {
        if (!required)
            return 0;
        spmReportError(SPM_ERR_XML_ERROR, _("Missing required attribute '%1$s' in element '%2$s'"),
                       valueAttr, (const char *)node->name);
        return -1;
    }
    return spmXMLParseMemoryKiB(node, valueAttr, value, unit, kib);
}

static spmBitmap *
spmDomainParseSetAttr(xmlNodePtr node, const char *name, size_t maxbit)
{
    g_autofree char *str = spmXMLPropString(node, name);
    g_autofree char *errmsg = NULL;
    spmBitmap *map;

    if (!str)
        return NULL;
    if (!(map = spmBitmapParse(str, maxbit, &errmsg))) {
        spmReportError(SPM_ERR_XML_ERROR,
                       _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s': %4$s"),
                       name, (const char *)node->name, str, errmsg);
    }
    return map;
}


static void
spmNumaCellParseDistances(xmlNodePtr distances, spmNumaCell *cell)
{
    xmlNodePtr sib;
    size_t n = spmXMLChildElementCount(distances, "sibling");
    size_t i = 0;

    if (n == 0) {
        spmReportError(SPM_ERR_XML_ERROR, "%s", _("NUMA distances defined without siblings"));
        return;
    }
    cell->distances = g_new0(spmNumaDistance, n);
    for (sib = spmXMLChildElement(distances, "sibling"); sib;
         sib = spmXMLNextElement(sib, "sibling")) {
        spmNumaDistance *d = &cell->distances[i];

        if (spmXMLPropUInt(sib, "id", SPM_XML_PROP_REQUIRED, &d->cellid) < 0 ||
            spmXMLPropUInt(sib, "value", SPM_XML_PROP_REQUIRED, &d->value) < 0)
            continue;
        i++;
    }
    cell->ndistances = i;
}

static void
spmNumaCellParseCaches(xmlNodePtr cellNode, spmNumaCell *cell)
{
    xmlNodePtr cnode;
    size_t n = spmXMLChildElementCount(cellNode, "cache");
    size_t i = 0;

    if (n == 0)
        return;
    cell->caches = g_new0(spmNumaCache, n);
    for (cnode = spmXMLChildElement(cellNode, "cache"); cnode;
         cnode = spmXMLNextElement(cnode, "cache")) {
        spmNumaCache *c = &cell->caches[i];
        xmlNodePtr size = spmXMLChildElement(cnode, "size");
        xmlNodePtr line = spmXMLChildElement(cnode, "line");
        bool ok = true;

        if (spmXMLPropUInt(cnode, "level", SPM_XML_PROP_REQUIRED, &c->level) < 0)
            ok = false;
        if (SPM_PROP_ENUM(cnode, "associativity", spmNumaCacheAssociativity, SPM_XML_PROP_REQUIRED,
                          &c->associativity) < 0)
            ok = false;
        if (SPM_PROP_ENUM(cnode, "policy", spmNumaCachePolicy, SPM_XML_PROP_REQUIRED, &c->policy) <
            0)
            ok = false;
        if (!size || !line) {
            spmReportError(SPM_ERR_XML_ERROR,
                           _("NUMA cache level '%1$u' of cell '%2$u' needs both <size> and <line>"),
                           c->level, cell->id);
            ok = false;
        } else {
            if (spmDomainParseMemoryAttr(size, "value", "unit", true, &c->sizeKiB) < 0)
                ok = false;
            g_autofree char *lvalue = spmXMLPropString(line, "value");
            g_autofree char *lunit = spmXMLPropString(line, "unit");

            /* the line size defaults to bytes, unlike every other size */
            if (spmXMLParseScaled(line, "value", lvalue, lunit, 1, &c->lineBytes) < 0)
                ok = false;
        }
        if (ok)
            i++;
    }
    cell->ncaches = i;
}

static int
spmNumaParseCell(xmlNodePtr node, size_t pos, spmNumaCell *cell)
{
    size_t mark = spmErrorCount();
    xmlNodePtr distances;
    unsigned int id = pos;
    g_autofree char *cpus = NULL;

    cell->node = node;
    if (spmXMLPropUInt(node, "id", 0, &id) < 0)
        id = pos;
    cell->id = id;

    if ((cpus = spmXMLPropString(node, "cpus"))) {
        g_autofree char *errmsg = NULL;

        if (!(cell->cpus = spmBitmapParse(cpus, SPM_BITMAP_PARSE_MAX, &errmsg))) {
            spmReportError(
                SPM_ERR_XML_ERROR,
                _("Invalid value for attribute 'cpus' in NUMA cell '%1$u': '%2$s': %3$s"), cell->id,
                cpus, errmsg);
        }
    }

    spmDomainParseMemoryAttr(node, "memory", "unit", true, &cell->memKiB);

    SPM_PROP_ENUM(node, "memAccess", spmDomainMemoryAccess, SPM_XML_PROP_NONZERO, &cell->memAccess);
    {
        bool discard;
        int rc = spmXMLPropYesNo(node, "discard", 0, &discard);
        if (rc > 0)
            cell->discard = discard ? SPM_TRISTATE_YES : SPM_TRISTATE_NO;
    }
    SPM_PROP_ENUM(node, "memmap", spmMemmap, 0, &cell->memmap);

    if ((distances = spmXMLChildElement(node, "distances")))
        spmNumaCellParseDistances(distances, cell);
    spmNumaCellParseCaches(node, cell);

    return spmErrorCount() > mark ? -1 : 0;
}

static void
spmNumaParseInterconnects(xmlNodePtr inode, spmNuma *numa)
{
    xmlNodePtr cur;
    size_t n =
        spmXMLChildElementCount(inode, "latency") + spmXMLChildElementCount(inode, "bandwidth");
    size_t i = 0;

    if (n == 0)
        return;
    numa->interconnects = g_new0(spmNumaInterconnect, n);
    for (cur = inode->children; cur; cur = cur->next) {
        spmNumaInterconnect *ic;
        bool ok = true;

        if (cur->type != XML_ELEMENT_NODE || cur->ns)
            continue;
        ic = &numa->interconnects[i];
        if (xmlStrEqual(cur->name, BAD_CAST "latency"))
            ic->type = SPM_NUMA_INTERCONNECT_LATENCY;
        else if (xmlStrEqual(cur->name, BAD_CAST "bandwidth"))
            ic->type = SPM_NUMA_INTERCONNECT_BANDWIDTH;
        else
            continue; /* libvirt skips unknown children */

        ic->node = cur;
        if (spmXMLPropUInt(cur, "initiator", SPM_XML_PROP_REQUIRED, &ic->initiator) < 0)
            ok = false;
        if (spmXMLPropUInt(cur, "target", SPM_XML_PROP_REQUIRED, &ic->target) < 0)
            ok = false;
        if (spmXMLPropUInt(cur, "cache", 0, &ic->cache) < 0)
            ok = false;
        if (SPM_PROP_ENUM(cur, "type", spmNumaAccess, SPM_XML_PROP_REQUIRED, &ic->access) < 0)
            ok = false;
        if (ic->type == SPM_NUMA_INTERCONNECT_BANDWIDTH) {
            if (spmDomainParseMemoryAttr(cur, "value", "unit", true, &ic->value) < 0)
                ok = false;
        } else if (spmXMLPropULL(cur, "value", SPM_XML_PROP_REQUIRED, &ic->value) < 0) {
            ok = false;
        }
        if (ok)
            i++;
    }
    numa->ninterconnects = i;
}

static void
spmDomainParseNuma(xmlNodePtr cpu, spmDomainDef *def)
{
    xmlNodePtr numaNode = spmXMLChildElement(cpu, "numa");
    xmlNodePtr cur;
    xmlNodePtr inode;
    size_t n;
    size_t i = 0;

    if (!numaNode)
        return;

    def->hasNuma = true;
    n = spmXMLChildElementCount(numaNode, "cell");
    if (n == 0) {
        spmReportError(SPM_ERR_XML_ERROR, "%s", _("NUMA topology defined without NUMA cells"));
        return;
    }
    def->numa.cells = g_new0(spmNumaCell, n);
    for (cur = spmXMLChildElement(numaNode, "cell"); cur; cur = spmXMLNextElement(cur, "cell"))
        spmNumaParseCell(cur, i, &def->numa.cells[i]), i++;
    def->numa.ncells = n;

    if ((inode = spmXMLChildElement(numaNode, "interconnects")))
        spmNumaParseInterconnects(inode, &def->numa);
}


static void
spmDomainParseNumatune(xmlNodePtr nt, spmDomainDef *def)
{
    xmlNodePtr mem;
    xmlNodePtr cur;
    size_t n;
    size_t i = 0;

    if ((mem = spmXMLChildElement(nt, "memory"))) {
        def->numatune.hasMemory = true;
        SPM_PROP_ENUM(mem, "mode", spmNumatuneMode, 0, &def->numatune.mode);
        SPM_PROP_ENUM(mem, "placement", spmNumatunePlacement, SPM_XML_PROP_NONZERO,
                      &def->numatune.placement);
        def->numatune.nodeset = spmDomainParseSetAttr(mem, "nodeset", SPM_BITMAP_PARSE_MAX);
    }

    n = spmXMLChildElementCount(nt, "memnode");
    if (n == 0)
        return;
    def->numatune.memnodes = g_new0(spmNumatuneMemnode, n);
    for (cur = spmXMLChildElement(nt, "memnode"); cur; cur = spmXMLNextElement(cur, "memnode")) {
        spmNumatuneMemnode *mn = &def->numatune.memnodes[i];
        g_autofree char *nodeset = NULL;

        mn->node = cur;
        if (spmXMLPropUInt(cur, "cellid", SPM_XML_PROP_REQUIRED, &mn->cellid) < 0)
            continue;
        SPM_PROP_ENUM(cur, "mode", spmNumatuneMode, 0, &mn->mode);
        if (!(nodeset = spmXMLPropString(cur, "nodeset"))) {
            spmReportError(SPM_ERR_XML_ERROR, "%s",
                           _("Missing required nodeset attribute in memnode element"));
            continue;
        }
        if (!(mn->nodeset = spmDomainParseSetAttr(cur, "nodeset", SPM_BITMAP_PARSE_MAX)))
            continue;
        i++;
    }
    def->numatune.nmemnodes = i;
}


static void
spmDomainParseMemoryBacking(xmlNodePtr mbNode, spmDomainDef *def)
{
    xmlNodePtr hp;
    xmlNodePtr cur;
    size_t n;
    size_t i = 0;

    if ((hp = spmXMLChildElement(mbNode, "hugepages"))) {
        def->mb.hugepagesEnabled = true;
        n = spmXMLChildElementCount(hp, "page");
        if (n > 0)
            def->mb.hugepages = g_new0(spmHugepage, n);
        for (cur = spmXMLChildElement(hp, "page"); cur; cur = spmXMLNextElement(cur, "page")) {
            spmHugepage *page = &def->mb.hugepages[i];
            g_autofree char *nodeset = spmXMLPropString(cur, "nodeset");

            page->node = cur;
            if (spmDomainParseMemoryAttr(cur, "size", "unit", true, &page->sizeKiB) < 0)
                continue;
            if (nodeset &&
                !(page->nodeset = spmDomainParseSetAttr(cur, "nodeset", SPM_BITMAP_PARSE_MAX)))
                continue;
            i++;
        }
        def->mb.nhugepages = i;
    }

    if ((cur = spmXMLChildElement(mbNode, "source")))
        SPM_PROP_ENUM(cur, "type", spmMemorySource, SPM_XML_PROP_NONZERO, &def->mb.source);
    if ((cur = spmXMLChildElement(mbNode, "access")))
        SPM_PROP_ENUM(cur, "mode", spmDomainMemoryAccess, SPM_XML_PROP_NONZERO, &def->mb.access);
    if ((cur = spmXMLChildElement(mbNode, "allocation"))) {
        SPM_PROP_ENUM(cur, "mode", spmMemoryAllocation, SPM_XML_PROP_NONZERO, &def->mb.allocation);
        spmXMLPropUInt(cur, "threads", 0, &def->mb.allocationThreads);
    }
    def->mb.locked = spmXMLChildElement(mbNode, "locked") != NULL;
    def->mb.nosharepages = spmXMLChildElement(mbNode, "nosharepages") != NULL;
    def->mb.discard = spmXMLChildElement(mbNode, "discard") != NULL;
}


/* A memory device's pinned guest-physical address, <address base='0x...'/>. */
static void
spmDomainParseAddressBase(xmlNodePtr addr, spmMemoryDef *mem)
{
    g_autofree char *base = spmXMLPropString(addr, "base");
    bool hex;
    guint64 v;

    if (!base)
        return;
    hex = g_str_has_prefix(base, "0x") || g_str_has_prefix(base, "0X");
    if (!g_ascii_string_to_unsigned(hex ? base + 2 : base, hex ? 16 : 10, 0, G_MAXUINT64, &v,
                                    NULL)) {
        spmReportError(SPM_ERR_XML_ERROR,
                       _("Invalid value for attribute 'base' in element 'address': '%1$s'"), base);
        return;
    }
    mem->hasAddressBase = true;
    mem->addressBase = v;
}

static void
spmDomainParseMemoryDevice(xmlNodePtr node, spmMemoryDef *mem)
{
    xmlNodePtr target = spmXMLChildElement(node, "target");
    xmlNodePtr source = spmXMLChildElement(node, "source");
    xmlNodePtr cur;

    mem->node = node;
    mem->targetNode = -1;
    if (!(mem->modelName = spmXMLPropString(node, "model"))) {
        spmReportError(SPM_ERR_XML_ERROR, "%s",
                       _("Missing required attribute 'model' in element 'memory'"));
        return;
    }
    /* A model this version does not know is kept by name and still counted. */
    mem->model = spmMemoryModelTypeFromString(mem->modelName);

    SPM_PROP_ENUM(node, "access", spmDomainMemoryAccess, SPM_XML_PROP_NONZERO, &mem->access);
    {
        bool discard;
        if (spmXMLPropYesNo(node, "discard", 0, &discard) > 0)
            mem->discard = discard ? SPM_TRISTATE_YES : SPM_TRISTATE_NO;
    }

    if (target) {
        if ((cur = spmXMLChildElement(target, "size")))
            spmDomainParseMemoryElement(cur, &mem->sizeKiB);
        if ((cur = spmXMLChildElement(target, "node"))) {
            g_autofree char *str = spmXMLNodeContent(cur);
            unsigned int nodeid;

            if (!spmParseUInt(str, SPM_NUMBER_BLANKS, &nodeid) || nodeid > G_MAXINT) {
                spmReportError(
                    SPM_ERR_XML_ERROR,
                    _("Invalid value of memory device <target><node>: '%1$s'. Expected a guest NUMA cell id"),
                    str ? str : "");
            } else {
                mem->targetNode = nodeid;
            }
        }
        if ((cur = spmXMLChildElement(target, "block")))
            spmDomainParseMemoryElement(cur, &mem->blockKiB);
        if ((cur = spmXMLChildElement(target, "requested")))
            spmDomainParseMemoryElement(cur, &mem->requestedKiB);
        if ((cur = spmXMLFindPath(target, "label/size")))
            spmDomainParseMemoryElement(cur, &mem->labelKiB);
        /* virtio-mem and virtio-pmem: <target><address base=> */
        if ((cur = spmXMLChildElement(target, "address")))
            spmDomainParseAddressBase(cur, mem);
    }
    /* DIMM and NVDIMM: the device address <address type='dimm' base=> */
    if ((cur = spmXMLChildElement(node, "address")))
        spmDomainParseAddressBase(cur, mem);

    if (source) {
        if ((cur = spmXMLChildElement(source, "pagesize")))
            spmDomainParseMemoryElement(cur, &mem->pagesizeKiB);
        if ((cur = spmXMLChildElement(source, "nodemask"))) {
            g_autofree char *str = spmXMLNodeContent(cur);
            g_autofree char *errmsg = NULL;

            if (!(mem->sourceNodemask = spmBitmapParse(str, SPM_BITMAP_PARSE_MAX, &errmsg)))
                spmReportError(SPM_ERR_XML_ERROR,
                               _("Invalid value of memory device <source><nodemask>: '%1$s': %2$s"),
                               str ? str : "", errmsg);
        }
        if ((cur = spmXMLChildElement(source, "path")))
            mem->sourcePath = spmXMLNodeContent(cur);
    }
}

static void
spmDomainParseDevices(xmlNodePtr devices, spmDomainDef *def)
{
    xmlNodePtr cur;
    size_t n = spmXMLChildElementCount(devices, "memory");
    size_t i = 0;

    if ((cur = spmXMLChildElement(devices, "emulator"))) {
        g_autofree char *path = spmXMLNodeContent(cur);
        def->emulator = g_strdup(g_strstrip(path));
    }
    if (n > 0)
        def->mems = g_new0(spmMemoryDef, n);
    for (cur = spmXMLChildElement(devices, "memory"); cur; cur = spmXMLNextElement(cur, "memory"))
        spmDomainParseMemoryDevice(cur, &def->mems[i++]);
    def->nmems = i;

    if ((cur = spmXMLChildElement(devices, "memballoon")))
        def->memballoonModel = spmXMLPropString(cur, "model");
}


static void
spmDomainParseOS(xmlNodePtr os, spmDomainDef *def)
{
    xmlNodePtr cur;

    if ((cur = spmXMLChildElement(os, "type"))) {
        g_autofree char *type = spmXMLNodeContent(cur);
        def->os.type = g_strdup(g_strstrip(type));
        def->os.arch = spmXMLPropString(cur, "arch");
        def->os.machine = spmXMLPropString(cur, "machine");
    }
    def->os.firmware = spmXMLPropString(os, "firmware");
    if ((cur = spmXMLChildElement(os, "loader"))) {
        g_autofree char *path = spmXMLNodeContent(cur);

        def->os.hasLoader = true;
        g_strstrip(path);
        if (*path)
            def->os.loader = g_steal_pointer(&path);
        SPM_PROP_ENUM(cur, "type", spmLoaderType, SPM_XML_PROP_NONZERO, &def->os.loaderType);
    }
    if ((cur = spmXMLChildElement(os, "nvram"))) {
        g_autofree char *path = spmXMLNodeContent(cur);

        g_strstrip(path);
        if (*path)
            def->os.nvram = g_steal_pointer(&path);
        def->os.nvramTemplate = spmXMLPropString(cur, "template");
    }
    if ((cur = spmXMLChildElement(os, "kernel")))
        def->os.kernel = spmXMLNodeContent(cur);
}


static void
spmDomainParseVcpu(xmlNodePtr node, spmDomainDef *def)
{
    g_autofree char *str = spmXMLNodeContent(node);

    def->hasVcpu = true;
    if (!spmParseUInt(str, SPM_NUMBER_BLANKS, &def->vcpus) || def->vcpus == 0) {
        spmReportError(SPM_ERR_XML_ERROR,
                       _("Invalid value of <vcpu>: '%1$s'. Expected a positive integer"),
                       str ? str : "");
        return;
    }
    def->vcpusCurrent = def->vcpus;
    spmXMLPropUInt(node, "current", 0, &def->vcpusCurrent);
}


/*
 * The elements of <domain> that virt-spm reads or rewrites, and libvirt's
 * schema allows once.  Without the schema (domxml-to-native, the hook),
 * a second one would be read by nobody and rewritten by nobody: stale
 * virt-spm metadata in a second <metadata> would survive a define that
 * drops typing.  So a second one is an error, reported here for every verb.
 */
static const char *const spmDomainSingleElements[] = {
    "name", "uuid", "metadata", "memory",   "currentMemory", "maxMemory",
    "vcpu", "os",   "cpu",      "numatune", "memoryBacking", "devices",
};

static void
spmDomainCheckSingleElements(xmlNodePtr root)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(spmDomainSingleElements); i++) {
        size_t n = spmXMLChildElementCount(root, spmDomainSingleElements[i]);

        if (n > 1)
            spmReportError(
                SPM_ERR_XML_DETAIL,
                _("element '%1$s' appears %2$zu times in element 'domain', which allows it once; merge them into one"),
                spmDomainSingleElements[i], n);
    }
}

spmDomainDef *
spmDomainDefParseDoc(xmlDocPtr doc)
{
    g_autoptr(spmDomainDef) def = g_new0(spmDomainDef, 1);
    size_t mark = spmErrorCount();
    xmlNodePtr cur;

    def->doc = doc;
    if (spmXMLCheckRoot(doc, "domain") < 0)
        return NULL;
    def->root = xmlDocGetRootElement(doc);
    spmDomainCheckSingleElements(def->root);

    if (!(def->virtType = spmXMLPropString(def->root, "type")))
        spmReportError(SPM_ERR_XML_ERROR, "%s",
                       _("Missing required attribute 'type' in element 'domain'"));

    if ((cur = spmXMLChildElement(def->root, "name")))
        def->name = spmXMLNodeContent(cur);
    if ((cur = spmXMLChildElement(def->root, "uuid")))
        def->uuid = spmXMLNodeContent(cur);

    if ((cur = spmXMLChildElement(def->root, "memory"))) {
        def->hasMemory = spmDomainParseMemoryElement(cur, &def->memoryKiB) == 0;
    }
    if ((cur = spmXMLChildElement(def->root, "currentMemory"))) {
        def->hasCurrentMemory = spmDomainParseMemoryElement(cur, &def->currentMemoryKiB) == 0;
    }
    if ((cur = spmXMLChildElement(def->root, "maxMemory"))) {
        if (spmDomainParseMemoryElement(cur, &def->maxMemoryKiB) == 0)
            def->hasMaxMemory = true;
        spmXMLPropUInt(cur, "slots", 0, &def->maxMemorySlots);
    }
    if ((cur = spmXMLChildElement(def->root, "vcpu")))
        spmDomainParseVcpu(cur, def);
    if ((cur = spmXMLChildElement(def->root, "os")))
        spmDomainParseOS(cur, def);
    def->acpi = spmXMLFindPath(def->root, "features/acpi") != NULL;
    if ((cur = spmXMLChildElement(def->root, "cpu")))
        spmDomainParseNuma(cur, def);
    if ((cur = spmXMLChildElement(def->root, "numatune")))
        spmDomainParseNumatune(cur, def);
    if ((cur = spmXMLChildElement(def->root, "memoryBacking")))
        spmDomainParseMemoryBacking(cur, def);
    if ((cur = spmXMLChildElement(def->root, "devices")))
        spmDomainParseDevices(cur, def);

    if (spmErrorCount() > mark)
        return NULL;
    return g_steal_pointer(&def);
}

spmDomainDef *
spmDomainDefParseString(const char *xml, size_t len, const char *name)
{
    xmlDocPtr doc = spmXMLParse(xml, len, name);

    if (!doc)
        return NULL;
    return spmDomainDefParseDoc(doc);
}

spmDomainDef *
spmDomainDefParseFile(const char *path)
{
    g_autofree char *buf = NULL;
    size_t len = 0;

    if (spmFileReadAll(path, SPM_FILE_READ_MAX, &buf, &len) < 0)
        return NULL;
    return spmDomainDefParseString(buf, len, SPM_STREQ(path, "-") ? _("standard input") : path);
}


char *
spmDomainDefFormat(spmDomainDef *def, unsigned int flags)
{
    g_autoptr(xmlBuffer) buf = xmlBufferCreate();
    xmlNodePtr cur;
    size_t i;

    for (i = 0; i < def->numa.ncells; i++) {
        spmNumaCell *cell = &def->numa.cells[i];

        if (cell->memmap == SPM_MEMMAP_NORMAL || (flags & SPM_DOMAIN_FORMAT_NO_MEMMAP)) {
            xmlAttrPtr attr = xmlHasNsProp(cell->node, BAD_CAST "memmap", NULL);
            if (attr)
                xmlRemoveProp(attr);
        } else {
            xmlSetProp(cell->node, BAD_CAST "memmap", BAD_CAST spmMemmapTypeToString(cell->memmap));
        }
    }

    /* Top-level comments and processing instructions stay; the XML
     * declaration is not written, as in libvirt's own output. */
    for (cur = def->doc->children; cur; cur = cur->next) {
        if (cur->type == XML_DTD_NODE)
            continue;
        xmlNodeDump(buf, def->doc, cur, 0, 0);
        xmlBufferAdd(buf, BAD_CAST "\n", 1);
    }
    return g_strndup((const char *)xmlBufferContent(buf), xmlBufferLength(buf));
}


spmNumaCell *
spmDomainDefGetCell(const spmDomainDef *def, unsigned int id)
{
    size_t i;

    /* Cells are almost always listed in id order. */
    if (id < def->numa.ncells && def->numa.cells[id].id == id)
        return &def->numa.cells[id];
    for (i = 0; i < def->numa.ncells; i++) {
        if (def->numa.cells[i].id == id)
            return &def->numa.cells[i];
    }
    return NULL;
}

int
spmDomainDefSetCellMemmap(spmDomainDef *def, unsigned int id, spmMemmap memmap)
{
    spmNumaCell *cell = spmDomainDefGetCell(def, id);

    if (!cell) {
        spmReportError(SPM_ERR_INVALID_ARG, _("the domain has no NUMA cell with id '%1$u'"), id);
        return -1;
    }
    cell->memmap = memmap;
    return 0;
}

void
spmDomainDefSetUUID(spmDomainDef *def, const char *uuid)
{
    xmlNodePtr node = spmXMLChildElement(def->root, "uuid");
    xmlNodePtr name;

    if (!node) {
        node = xmlNewDocNode(def->doc, NULL, BAD_CAST "uuid", NULL);
        if ((name = spmXMLChildElement(def->root, "name"))) {
            xmlAddNextSibling(name, node);
            xmlAddPrevSibling(node, xmlNewDocText(def->doc, BAD_CAST "\n  "));
        } else {
            xmlAddChild(def->root, node);
        }
    }
    xmlNodeSetContent(node, BAD_CAST uuid);
    g_free(def->uuid);
    def->uuid = g_strdup(uuid);
}

size_t
spmDomainDefCountTypedCells(const spmDomainDef *def)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < def->numa.ncells; i++) {
        if (def->numa.cells[i].memmap != SPM_MEMMAP_NORMAL)
            n++;
    }
    return n;
}

unsigned long long
spmDomainDefCellsMemoryKiB(const spmDomainDef *def)
{
    unsigned long long sum = 0;
    size_t i;

    for (i = 0; i < def->numa.ncells; i++)
        sum += def->numa.cells[i].memKiB;
    return sum;
}

unsigned long long
spmDomainDefDevicesMemoryKiB(const spmDomainDef *def)
{
    unsigned long long sum = 0;
    size_t i;

    for (i = 0; i < def->nmems; i++)
        sum += def->mems[i].sizeKiB;
    return sum;
}
