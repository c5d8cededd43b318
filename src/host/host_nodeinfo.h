/*
 * host_nodeinfo.h: the host's NUMA nodes, their memory kinds, and its
 * soft-reserved memory and dax devices
 *
 * On a host whose accelerator memory (HBM) sits in the physical address
 * space, that memory appears in one of two ways:
 *   - kmem / system-ram mode: CPU-less NUMA nodes with online memory;
 *   - device-dax mode: firmware marks the range EFI_MEMORY_SP, Linux keeps it
 *     as "Soft Reserved" and dax_hmem hands it out as /dev/daxX.Y.
 * spmHostDiscover() collects both: the NUMA nodes through hwloc (CPUs,
 * memory, huge pages, subtype, HMAT bandwidth and latency, PCI
 * accelerators), the dax devices through libdaxctl, and the few facts
 * neither library exposes from sysfs and /proc (each reader says which).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmenum.h"

/* What a node's memory is, as far as the host can tell. */
typedef enum {
    SPM_HOST_MEMORY_DRAM = 0,
    SPM_HOST_MEMORY_HBM,
    SPM_HOST_MEMORY_SPM, /* soft reserved (EFI_MEMORY_SP), onlined by kmem */
    SPM_HOST_MEMORY_NVM,
    SPM_HOST_MEMORY_CXL,
    SPM_HOST_MEMORY_UNKNOWN, /* CPU-less, and nothing says what it is */

    SPM_HOST_MEMORY_LAST
} spmHostMemoryKind;
SPM_ENUM_DECL(spmHostMemoryKind);

/* The memory kinds a typed guest cell belongs on. */
#define SPM_HOST_MEMORY_KIND_IS_SPM(kind) \
    ((kind) == SPM_HOST_MEMORY_HBM || (kind) == SPM_HOST_MEMORY_SPM)

typedef enum {
    SPM_HOST_DAX_MODE_DEVDAX = 0, /* bound to device_dax: /dev/daxX.Y */
    SPM_HOST_DAX_MODE_SYSTEM_RAM, /* bound to kmem: the memory is a NUMA node's */
    SPM_HOST_DAX_MODE_UNBOUND,    /* no driver */

    SPM_HOST_DAX_MODE_LAST
} spmHostDaxMode;
SPM_ENUM_DECL(spmHostDaxMode);

typedef struct {
    unsigned long long sizeKiB;
    unsigned long long count;
} spmHostHugepages;

/* HMAT access performance of a node's memory seen from an initiator. */
typedef struct {
    int initiator;                  /* the initiator's NUMA node, -1: CPUs only */
    char *initiatorCpus;            /* the initiator's CPUs as a list */
    unsigned long long bandwidthMB; /* MiB/s, 0: unknown */
    unsigned long long latencyNs;   /* 0: unknown */
} spmHostNodePerf;

typedef struct {
    char *address;      /* PCI address 0000:00:02.0 */
    unsigned int klass; /* PCI class and subclass: 0x0300 */
    unsigned int vendor;
    unsigned int device;
    int node; /* its NUMA node, -1 when the host does not say */
} spmHostPCIDevice;

typedef struct {
    unsigned int id;
    char *cpus; /* CPU list, "" when CPU-less */
    bool cpuless;
    unsigned long long memKiB; /* online memory */
    spmHostHugepages *hugepages;
    size_t nhugepages;
    spmHostMemoryKind kind;
    char *subtype;   /* hwloc's subtype, or NULL */
    char *daxDevice; /* the dax device kmem onlined here, or NULL */
    int tier;        /* the kernel's memory tier, -1 when unknown */
    spmHostNodePerf *perf;
    size_t nperf;
} spmHostNode;

typedef struct {
    char *name;               /* dax0.0 */
    char *path;               /* /dev/dax0.0 */
    unsigned long long start; /* physical address, 0 when hidden */
    unsigned long long size;
    unsigned long long align;
    int targetNode; /* the node its memory becomes in system-ram mode */
    spmHostDaxMode mode;
} spmHostDaxDevice;

typedef struct {
    unsigned long long start;
    unsigned long long end; /* inclusive */
    char *
        *children; /* what sits in the range, nested ones too: hmem.0, dax0.0, System RAM (kmem) */
} spmHostSoftReserved;

typedef struct _spmHost spmHost;
struct _spmHost {
    char *root;         /* the captured tree read, NULL: this host */
    spmHostNode *nodes; /* by id */
    size_t nnodes;
    spmHostDaxDevice *daxes;
    size_t ndaxes;
    spmHostSoftReserved *ranges;
    size_t nranges;
    bool rangesHidden; /* /proc/iomem showed zero addresses (not root) */
    spmHostPCIDevice *accelerators;
    size_t naccelerators;
};

void spmHostFree(spmHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmHost, spmHostFree);

/*
 * Discovers this host (@root NULL), or the tree captured under @root (a
 * copy of /sys and /proc, as scripts/capture-guest-topology.sh makes: hwloc
 * reads it as HWLOC_FSROOT).  NULL with an error reported.
 */
spmHost *spmHostDiscover(const char *root);

const spmHostNode *spmHostGetNode(const spmHost *host, unsigned int id);
/* The dax device named @name ("dax0.0") or with path @name ("/dev/dax0.0"). */
const spmHostDaxDevice *spmHostGetDax(const spmHost *host, const char *name);
/* The PCI device at @address (0000:00:02.0) among the accelerators. */
const spmHostPCIDevice *spmHostGetAccelerator(const spmHost *host, const char *address);

/* True when the host has any HBM/SPM memory, as a node or as a dax device. */
bool spmHostHasSpm(const spmHost *host);

/* `virt-spm nodeinfo`: libvirt's <capabilities><host><topology> shape with
 * virt-spm's namespace for what libvirt does not say; or JSON. */
char *spmHostFormatXML(const spmHost *host);
char *spmHostFormatJSON(const spmHost *host);

/* One NUMA node's or dax device's HBM/SPM memory, in MiB. */
typedef struct {
    int node;        /* host NUMA node (a dax device's target node) */
    const char *dax; /* the dax device (devdax mode), NULL for online memory */
    spmHostMemoryKind kind;
    unsigned long long MiB;
} spmHostSpmInventoryEntry;

typedef struct {
    spmHostSpmInventoryEntry *entries;
    size_t nentries;
    unsigned long long totalMiB;
} spmHostSpmInventory;

/*
 * The host's HBM/SPM inventory: every HBM/SPM node's online memory
 * (kmem mode) and every devdax device (device-dax mode), with the total in
 * MiB.  The entries point into @host.  For Nova's provider config.
 */
void spmHostGetSpmInventory(const spmHost *host, spmHostSpmInventory *inv);
void spmHostSpmInventoryClear(spmHostSpmInventory *inv);

/* Internals shared by the host files (host_dax.c, host_iomem.c). */
int spmHostDaxDiscover(spmHost *host);
/* Parses /proc/iomem text: every "Soft Reserved" range and its children. */
int spmHostParseIomem(const char *text, spmHostSoftReserved **ranges, size_t *nranges,
                      bool *hidden);
void spmHostSoftReservedClear(spmHostSoftReserved *r);
/* @root + @path, or @path when @root is NULL. */
char *spmHostPath(const spmHost *host, const char *path);
