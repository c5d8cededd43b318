/*
 * host_nodeinfo.c: discover the host's NUMA nodes (hwloc), dax devices
 * (host_dax.c) and soft-reserved ranges (host_iomem.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "host_nodeinfo.h"
#include "spmbitmap.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"

#include <hwloc.h>
#include <stdlib.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_UTIL

SPM_ENUM_IMPL(spmHostMemoryKind, SPM_HOST_MEMORY_LAST, "dram", "hbm", "spm", "nvm", "cxl",
              "unknown");
SPM_ENUM_IMPL(spmHostDaxMode, SPM_HOST_DAX_MODE_LAST, "devdax", "system-ram", "unbound");

static void
spmHostNodeClear(spmHostNode *node)
{
    size_t i;

    g_free(node->cpus);
    g_free(node->hugepages);
    g_free(node->subtype);
    g_free(node->daxDevice);
    for (i = 0; i < node->nperf; i++)
        g_free(node->perf[i].initiatorCpus);
    g_free(node->perf);
}

void
spmHostFree(spmHost *host)
{
    size_t i;

    if (!host)
        return;
    for (i = 0; i < host->nnodes; i++)
        spmHostNodeClear(&host->nodes[i]);
    g_free(host->nodes);
    for (i = 0; i < host->ndaxes; i++) {
        g_free(host->daxes[i].name);
        g_free(host->daxes[i].path);
    }
    g_free(host->daxes);
    for (i = 0; i < host->nranges; i++)
        spmHostSoftReservedClear(&host->ranges[i]);
    g_free(host->ranges);
    for (i = 0; i < host->naccelerators; i++)
        g_free(host->accelerators[i].address);
    g_free(host->accelerators);
    g_free(host->root);
    g_free(host);
}

char *
spmHostPath(const spmHost *host, const char *path)
{
    if (!host->root)
        return g_strdup(path);
    return g_build_filename(host->root, path, NULL);
}

const spmHostNode *
spmHostGetNode(const spmHost *host, unsigned int id)
{
    size_t i;

    for (i = 0; i < host->nnodes; i++) {
        if (host->nodes[i].id == id)
            return &host->nodes[i];
    }
    return NULL;
}

const spmHostDaxDevice *
spmHostGetDax(const spmHost *host, const char *name)
{
    size_t i;

    for (i = 0; i < host->ndaxes; i++) {
        if (SPM_STREQ(host->daxes[i].name, name) || SPM_STREQ(host->daxes[i].path, name))
            return &host->daxes[i];
    }
    return NULL;
}

const spmHostPCIDevice *
spmHostGetAccelerator(const spmHost *host, const char *address)
{
    size_t i;

    for (i = 0; i < host->naccelerators; i++) {
        if (g_ascii_strcasecmp(host->accelerators[i].address, address) == 0)
            return &host->accelerators[i];
    }
    return NULL;
}

bool
spmHostHasSpm(const spmHost *host)
{
    spmHostSpmInventory inv;
    bool ret;

    spmHostGetSpmInventory(host, &inv);
    ret = inv.nentries > 0;
    spmHostSpmInventoryClear(&inv);
    return ret;
}

/* The kind from hwloc's subtype, or from the DAXType it records for a node
 * that kmem onlined from a dax device. */
static spmHostMemoryKind
spmHostKindFromName(const char *name)
{
    if (!name)
        return SPM_HOST_MEMORY_LAST;
    if (SPM_STREQ(name, "HBM") || SPM_STREQ(name, "MCDRAM") || SPM_STREQ(name, "GPUMemory"))
        return SPM_HOST_MEMORY_HBM;
    if (SPM_STREQ(name, "SPM"))
        return SPM_HOST_MEMORY_SPM;
    if (SPM_STREQ(name, "NVM"))
        return SPM_HOST_MEMORY_NVM;
    if (g_str_has_prefix(name, "CXL"))
        return SPM_HOST_MEMORY_CXL;
    if (SPM_STREQ(name, "DRAM"))
        return SPM_HOST_MEMORY_DRAM;
    return SPM_HOST_MEMORY_LAST;
}

/*
 * The kernel's memory tiers (Linux 6.1+): hwloc 2.9 does not expose them, so
 * this reads /sys/devices/virtual/memory_tiering/memory_tierN/nodelist.
 */
static void
spmHostReadTiers(spmHost *host)
{
    g_autofree char *dirpath = spmHostPath(host, "/sys/devices/virtual/memory_tiering");
    g_autoptr(GDir) dir = g_dir_open(dirpath, 0, NULL);
    const char *name;

    if (!dir)
        return;
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *buf = NULL;
        g_autoptr(spmBitmap) nodes = NULL;
        g_autofree char *errmsg = NULL;
        unsigned int tier;
        size_t len;
        size_t mark = spmErrorMark();
        size_t i;

        if (sscanf(name, "memory_tier%u", &tier) != 1)
            continue;
        path = g_build_filename(dirpath, name, "nodelist", NULL);
        if (spmFileReadAll(path, 4096, &buf, &len) < 0) {
            spmErrorTruncate(mark);
            continue;
        }
        g_strstrip(buf);
        if (!(nodes = spmBitmapParse(buf, 4096, &errmsg)))
            continue;
        for (i = 0; i < host->nnodes; i++) {
            if (spmBitmapIsBitSet(nodes, host->nodes[i].id))
                host->nodes[i].tier = tier;
        }
    }
}

/*
 * Which nodes have CPUs of their own.  hwloc attaches a CPU-less node to
 * the nearest object with CPUs, whose cpuset the node then carries: it
 * does not say that the node has none.  The kernel's
 * /sys/devices/system/node/has_cpu does; NULL when it cannot be read.
 */
static spmBitmap *
spmHostReadHasCpu(const spmHost *host)
{
    g_autofree char *path = spmHostPath(host, "/sys/devices/system/node/has_cpu");
    g_autofree char *buf = NULL;
    g_autofree char *errmsg = NULL;
    size_t mark = spmErrorMark();
    size_t len;

    if (spmFileReadAll(path, 4096, &buf, &len) < 0) {
        spmErrorTruncate(mark);
        return NULL;
    }
    g_strstrip(buf);
    return spmBitmapParse(buf, 4096, &errmsg);
}

/* The NUMA node whose CPUs the initiator @cpuset holds, or -1. */
static int
spmHostInitiatorNode(hwloc_topology_t topo, hwloc_const_cpuset_t cpuset)
{
    hwloc_obj_t node = NULL;

    while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node))) {
        if (!hwloc_bitmap_iszero(node->cpuset) && hwloc_bitmap_isincluded(node->cpuset, cpuset))
            return node->os_index;
    }
    return -1;
}

static void
spmHostReadPerf(hwloc_topology_t topo, hwloc_obj_t obj, spmHostNode *node)
{
    static const hwloc_memattr_id_t attrs[] = {HWLOC_MEMATTR_ID_BANDWIDTH,
                                               HWLOC_MEMATTR_ID_LATENCY};
    g_autoptr(GArray) perf = g_array_new(FALSE, TRUE, sizeof(spmHostNodePerf));
    size_t a;

    for (a = 0; a < G_N_ELEMENTS(attrs); a++) {
        unsigned int nr = 0;
        g_autofree struct hwloc_location *locs = NULL;
        g_autofree hwloc_uint64_t *values = NULL;
        unsigned int i;

        if (hwloc_memattr_get_initiators(topo, attrs[a], obj, 0, &nr, NULL, NULL) < 0 || nr == 0)
            continue;
        locs = g_new0(struct hwloc_location, nr);
        values = g_new0(hwloc_uint64_t, nr);
        if (hwloc_memattr_get_initiators(topo, attrs[a], obj, 0, &nr, locs, values) < 0)
            continue;
        for (i = 0; i < nr; i++) {
            hwloc_const_cpuset_t cpuset = locs[i].type == HWLOC_LOCATION_TYPE_CPUSET
                ? locs[i].location.cpuset
                : locs[i].location.object->cpuset;
            char *cpus = NULL;
            spmHostNodePerf *p = NULL;
            size_t j;

            hwloc_bitmap_list_asprintf(&cpus, cpuset);
            for (j = 0; j < perf->len; j++) {
                if (SPM_STREQ(g_array_index(perf, spmHostNodePerf, j).initiatorCpus, cpus)) {
                    p = &g_array_index(perf, spmHostNodePerf, j);
                    break;
                }
            }
            if (!p) {
                spmHostNodePerf np = {spmHostInitiatorNode(topo, cpuset), g_strdup(cpus), 0, 0};

                g_array_append_val(perf, np);
                p = &g_array_index(perf, spmHostNodePerf, perf->len - 1);
            }
            free(cpus);
            if (attrs[a] == HWLOC_MEMATTR_ID_BANDWIDTH)
                p->bandwidthMB = values[i];
            else
                p->latencyNs = values[i];
        }
    }
    node->nperf = perf->len;
    node->perf = (spmHostNodePerf *)(void *)g_array_free(g_steal_pointer(&perf), FALSE);
}

/*
 * A PCI device's NUMA node.  hwloc places I/O devices by CPU locality, so it
 * can name the node only when the device's non-I/O parent covers exactly
 * one node; for a device local to a CPU-less node (an accelerator whose HBM
 * is that node) it cannot, and this reads the device's numa_node from sysfs.
 */
static int
spmHostPCINode(spmHost *host, hwloc_topology_t topo, hwloc_obj_t pci, const char *address)
{
    hwloc_obj_t parent = hwloc_get_non_io_ancestor_obj(topo, pci);
    g_autofree char *rel = g_strdup_printf("/sys/bus/pci/devices/%s/numa_node", address);
    g_autofree char *path = spmHostPath(host, rel);
    g_autofree char *buf = NULL;
    size_t len;
    size_t mark = spmErrorMark();
    gint64 node;

    if (spmFileReadAll(path, 64, &buf, &len) == 0) {
        g_strstrip(buf);
        if (g_ascii_string_to_signed(buf, 10, -1, G_MAXINT, &node, NULL) && node >= 0)
            return node;
    }
    spmErrorTruncate(mark);
    if (parent && hwloc_bitmap_weight(parent->nodeset) == 1 &&
        !hwloc_bitmap_isequal(parent->nodeset, hwloc_topology_get_topology_nodeset(topo)))
        return hwloc_bitmap_first(parent->nodeset);
    return -1;
}

static bool
spmHostIsAccelerator(unsigned int klass)
{
    /* display (0x03), processing accelerator (0x12), co-processor (0x0b40) */
    return (klass >> 8) == 0x03 || (klass >> 8) == 0x12 || klass == 0x0b40;
}

/*
 * Whether the host has a PCI device of an accelerator class, from each
 * device's sysfs 'class' (which the kernel answers from memory).  hwloc
 * finds the same devices and their locality, but its PCI discovery reads
 * every device's configuration space, about 1.7 ms a device on the
 * virtual test machine; so it runs only where it can find an accelerator.
 */
static bool
spmHostHasAcceleratorClass(spmHost *host)
{
    g_autofree char *dir = spmHostPath(host, "/sys/bus/pci/devices");
    g_autoptr(GDir) dh = g_dir_open(dir, 0, NULL);
    const char *name;

    while (dh && (name = g_dir_read_name(dh))) {
        g_autofree char *path = g_build_filename(dir, name, "class", NULL);
        g_autofree char *text = NULL;
        unsigned long long klass;

        if (!g_file_get_contents(path, &text, NULL, NULL) ||
            !spmParseNumber(g_strstrip(text), SPM_NUMBER_HEX, 0, &klass))
            continue;
        if (spmHostIsAccelerator((unsigned int)(klass >> 8)))
            return true;
    }
    return false;
}

static int
spmHostReadHwloc(spmHost *host)
{
    hwloc_topology_t topo = NULL;
    g_autoptr(GArray) nodes = g_array_new(FALSE, TRUE, sizeof(spmHostNode));
    g_autoptr(GArray) accels = g_array_new(FALSE, TRUE, sizeof(spmHostPCIDevice));
    g_autofree char *oldroot = g_strdup(g_getenv("HWLOC_FSROOT"));
    g_autoptr(spmBitmap) hasCpu = spmHostReadHasCpu(host);
    hwloc_obj_t obj = NULL;
    int rc;

    if (hwloc_topology_init(&topo) < 0) {
        spmReportSystemError(errno, "%s", _("hwloc cannot start"));
        return -1;
    }
    /* nodeinfo reads nodes (with the CPUs of each), their memory
     * attributes and PCI accelerators: no caches, cores, packages, dies or
     * groups, and PCI only where there is an accelerator to find */
    hwloc_topology_set_cache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_type_filter(topo, HWLOC_OBJ_CORE, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_type_filter(topo, HWLOC_OBJ_PACKAGE, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_type_filter(topo, HWLOC_OBJ_DIE, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_type_filter(topo, HWLOC_OBJ_GROUP, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_io_types_filter(topo,
                                       spmHostHasAcceleratorClass(host)
                                           ? HWLOC_TYPE_FILTER_KEEP_IMPORTANT
                                           : HWLOC_TYPE_FILTER_KEEP_NONE);
    /* hwloc 2 takes a sysfs root from HWLOC_FSROOT only. */
    if (host->root)
        g_setenv("HWLOC_FSROOT", host->root, TRUE);
    rc = hwloc_topology_load(topo);
    if (host->root) {
        if (oldroot)
            g_setenv("HWLOC_FSROOT", oldroot, TRUE);
        else
            g_unsetenv("HWLOC_FSROOT");
    }
    if (rc < 0) {
        spmReportSystemError(errno, _("hwloc cannot read the topology of '%1$s'"),
                             host->root ? host->root : "/");
        hwloc_topology_destroy(topo);
        return -1;
    }

    while ((obj = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, obj))) {
        spmHostNode node = {.id = obj->os_index, .tier = -1};
        const char *daxType = hwloc_obj_get_info_by_name(obj, "DAXType");
        char *cpus = NULL;
        unsigned int i;

        if (hasCpu)
            node.cpuless = !spmBitmapIsBitSet(hasCpu, obj->os_index);
        else
            node.cpuless = hwloc_bitmap_iszero(obj->cpuset);
        if (node.cpuless) {
            node.cpus = g_strdup("");
        } else {
            hwloc_bitmap_list_asprintf(&cpus, obj->cpuset);
            node.cpus = g_strdup(cpus);
            free(cpus);
        }
        node.memKiB = obj->attr->numanode.local_memory / 1024;
        node.hugepages = g_new0(spmHostHugepages, obj->attr->numanode.page_types_len);
        for (i = 0; i < obj->attr->numanode.page_types_len; i++) {
            node.hugepages[node.nhugepages].sizeKiB = obj->attr->numanode.page_types[i].size / 1024;
            node.hugepages[node.nhugepages++].count = obj->attr->numanode.page_types[i].count;
        }
        node.subtype = g_strdup(obj->subtype);
        node.daxDevice = g_strdup(hwloc_obj_get_info_by_name(obj, "DAXDevice"));
        node.kind = spmHostKindFromName(obj->subtype);
        if (node.kind == SPM_HOST_MEMORY_LAST)
            node.kind = spmHostKindFromName(daxType);
        spmHostReadPerf(topo, obj, &node);
        g_array_append_val(nodes, node);
    }

    obj = NULL;
    while ((obj = hwloc_get_next_pcidev(topo, obj))) {
        spmHostPCIDevice dev = {0};

        if (!spmHostIsAccelerator(obj->attr->pcidev.class_id))
            continue;
        dev.address =
            g_strdup_printf("%04x:%02x:%02x.%x", obj->attr->pcidev.domain, obj->attr->pcidev.bus,
                            obj->attr->pcidev.dev, obj->attr->pcidev.func);
        dev.klass = obj->attr->pcidev.class_id;
        dev.vendor = obj->attr->pcidev.vendor_id;
        dev.device = obj->attr->pcidev.device_id;
        dev.node = spmHostPCINode(host, topo, obj, dev.address);
        g_array_append_val(accels, dev);
    }
    hwloc_topology_destroy(topo);

    host->nnodes = nodes->len;
    host->nodes = (spmHostNode *)(void *)g_array_free(g_steal_pointer(&nodes), FALSE);
    host->naccelerators = accels->len;
    host->accelerators = (spmHostPCIDevice *)(void *)g_array_free(g_steal_pointer(&accels), FALSE);
    return 0;
}

/* A CPU-less node without a kind hwloc knows: SPM when kmem onlined a dax
 * device there (dax_hmem devices come from soft-reserved ranges). */
static void
spmHostResolveKinds(spmHost *host)
{
    size_t i;
    size_t j;

    for (i = 0; i < host->nnodes; i++) {
        spmHostNode *node = &host->nodes[i];

        if (node->kind != SPM_HOST_MEMORY_LAST)
            continue;
        node->kind = node->cpuless ? SPM_HOST_MEMORY_UNKNOWN : SPM_HOST_MEMORY_DRAM;
        for (j = 0; j < host->ndaxes; j++) {
            const spmHostDaxDevice *dax = &host->daxes[j];

            if (dax->mode == SPM_HOST_DAX_MODE_SYSTEM_RAM && dax->targetNode == (int)node->id) {
                node->kind = SPM_HOST_MEMORY_SPM;
                if (!node->daxDevice)
                    node->daxDevice = g_strdup(dax->name);
            }
        }
    }
}

static int
spmHostReadIomem(spmHost *host)
{
    g_autofree char *path = spmHostPath(host, "/proc/iomem");
    g_autofree char *buf = NULL;
    size_t len;

    if (spmFileReadAll(path, SPM_FILE_READ_MAX, &buf, &len) < 0)
        return -1;
    return spmHostParseIomem(buf, &host->ranges, &host->nranges, &host->rangesHidden);
}

spmHost *
spmHostDiscover(const char *root)
{
    g_autoptr(spmHost) host = g_new0(spmHost, 1);

    if (root) {
        if (!g_file_test(root, G_FILE_TEST_IS_DIR)) {
            spmReportError(
                SPM_ERR_INVALID_ARG,
                _("host tree '%1$s' is not a directory: give a tree captured by scripts/capture-guest-topology.sh"),
                root);
            return NULL;
        }
        host->root = g_canonicalize_filename(root, NULL);
    }
    if (spmHostReadHwloc(host) < 0 || spmHostDaxDiscover(host) < 0 || spmHostReadIomem(host) < 0)
        return NULL;
    spmHostResolveKinds(host);
    spmHostReadTiers(host);
    return g_steal_pointer(&host);
}
