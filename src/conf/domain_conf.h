/*
 * domain_conf.h: the parts of a libvirt domain XML that SPM node typing touches
 *
 * The parsed document is kept: everything the model does not describe
 * survives untouched, and formatting writes back only what the model owns
 * (the 'memmap' attribute of NUMA cells).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmbitmap.h"
#include "spmenum.h"
#include "spmmemmap.h"
#include "spmnamespaces.h"
#include "spmxml.h"

typedef enum {
    SPM_TRISTATE_ABSENT = 0,
    SPM_TRISTATE_YES,
    SPM_TRISTATE_NO,

    SPM_TRISTATE_LAST
} spmTristateBool;
SPM_ENUM_DECL(spmTristateBool);

typedef enum {
    SPM_DOMAIN_MEMORY_ACCESS_DEFAULT = 0,
    SPM_DOMAIN_MEMORY_ACCESS_SHARED,
    SPM_DOMAIN_MEMORY_ACCESS_PRIVATE,

    SPM_DOMAIN_MEMORY_ACCESS_LAST
} spmDomainMemoryAccess;
SPM_ENUM_DECL(spmDomainMemoryAccess);

typedef enum {
    SPM_NUMA_CACHE_ASSOCIATIVITY_NONE = 0,
    SPM_NUMA_CACHE_ASSOCIATIVITY_DIRECT,
    SPM_NUMA_CACHE_ASSOCIATIVITY_FULL,

    SPM_NUMA_CACHE_ASSOCIATIVITY_LAST
} spmNumaCacheAssociativity;
SPM_ENUM_DECL(spmNumaCacheAssociativity);

typedef enum {
    SPM_NUMA_CACHE_POLICY_NONE = 0,
    SPM_NUMA_CACHE_POLICY_WRITEBACK,
    SPM_NUMA_CACHE_POLICY_WRITETHROUGH,

    SPM_NUMA_CACHE_POLICY_LAST
} spmNumaCachePolicy;
SPM_ENUM_DECL(spmNumaCachePolicy);

typedef enum {
    SPM_NUMA_INTERCONNECT_LATENCY = 0,
    SPM_NUMA_INTERCONNECT_BANDWIDTH,

    SPM_NUMA_INTERCONNECT_LAST
} spmNumaInterconnectType;
SPM_ENUM_DECL(spmNumaInterconnectType);

typedef enum {
    SPM_NUMA_ACCESS_ACCESS = 0,
    SPM_NUMA_ACCESS_READ,
    SPM_NUMA_ACCESS_WRITE,

    SPM_NUMA_ACCESS_LAST
} spmNumaAccess;
SPM_ENUM_DECL(spmNumaAccess);

typedef struct {
    unsigned int cellid;
    unsigned int value;
} spmNumaDistance;

typedef struct {
    unsigned int level;
    spmNumaCacheAssociativity associativity;
    spmNumaCachePolicy policy;
    unsigned long long sizeKiB;
    unsigned long long lineBytes;
} spmNumaCache;

typedef struct {
    xmlNodePtr node;
    spmNumaInterconnectType type;
    unsigned int initiator;
    unsigned int target;
    unsigned int cache; /* 0: the memory itself */
    spmNumaAccess access;
    unsigned long long value; /* latency in ns, bandwidth in KiB/s */
} spmNumaInterconnect;

typedef struct {
    xmlNodePtr node;
    unsigned int id;
    spmBitmap *cpus; /* NULL for a CPU-less cell */
    unsigned long long memKiB;
    spmDomainMemoryAccess memAccess;
    spmTristateBool discard;
    spmMemmap memmap;
    spmNumaDistance *distances;
    size_t ndistances;
    spmNumaCache *caches;
    size_t ncaches;
} spmNumaCell;

typedef struct {
    spmNumaCell *cells; /* in document order */
    size_t ncells;
    spmNumaInterconnect *interconnects;
    size_t ninterconnects;
} spmNuma;

typedef enum {
    SPM_NUMATUNE_MODE_STRICT = 0,
    SPM_NUMATUNE_MODE_PREFERRED,
    SPM_NUMATUNE_MODE_INTERLEAVE,
    SPM_NUMATUNE_MODE_RESTRICTIVE,

    SPM_NUMATUNE_MODE_LAST
} spmNumatuneMode;
SPM_ENUM_DECL(spmNumatuneMode);

typedef enum {
    SPM_NUMATUNE_PLACEMENT_DEFAULT = 0,
    SPM_NUMATUNE_PLACEMENT_STATIC,
    SPM_NUMATUNE_PLACEMENT_AUTO,

    SPM_NUMATUNE_PLACEMENT_LAST
} spmNumatunePlacement;
SPM_ENUM_DECL(spmNumatunePlacement);

typedef struct {
    xmlNodePtr node;
    unsigned int cellid;
    spmNumatuneMode mode;
    spmBitmap *nodeset; /* host nodes */
} spmNumatuneMemnode;

typedef struct {
    bool hasMemory; /* <numatune><memory> present */
    spmNumatuneMode mode;
    spmNumatunePlacement placement;
    spmBitmap *nodeset; /* host nodes, or NULL */
    spmNumatuneMemnode *memnodes;
    size_t nmemnodes;
} spmNumatune;

typedef enum {
    SPM_MEMORY_SOURCE_DEFAULT = 0,
    SPM_MEMORY_SOURCE_FILE,
    SPM_MEMORY_SOURCE_ANONYMOUS,
    SPM_MEMORY_SOURCE_MEMFD,

    SPM_MEMORY_SOURCE_LAST
} spmMemorySource;
SPM_ENUM_DECL(spmMemorySource);

typedef enum {
    SPM_MEMORY_ALLOCATION_DEFAULT = 0,
    SPM_MEMORY_ALLOCATION_IMMEDIATE,
    SPM_MEMORY_ALLOCATION_ONDEMAND,

    SPM_MEMORY_ALLOCATION_LAST
} spmMemoryAllocation;
SPM_ENUM_DECL(spmMemoryAllocation);

typedef struct {
    xmlNodePtr node;
    unsigned long long sizeKiB; /* 0: the host default huge page size */
    spmBitmap *nodeset;         /* guest cells, NULL: every cell */
} spmHugepage;

typedef struct {
    bool hugepagesEnabled;
    spmHugepage *hugepages;
    size_t nhugepages;
    spmMemorySource source;
    spmDomainMemoryAccess access;
    spmMemoryAllocation allocation;
    unsigned int allocationThreads;
    bool locked;
    bool nosharepages;
    bool discard;
} spmMemoryBacking;

typedef enum {
    SPM_MEMORY_MODEL_DIMM = 0,
    SPM_MEMORY_MODEL_NVDIMM,
    SPM_MEMORY_MODEL_VIRTIO_PMEM,
    SPM_MEMORY_MODEL_VIRTIO_MEM,
    SPM_MEMORY_MODEL_SGX_EPC,

    SPM_MEMORY_MODEL_LAST
} spmMemoryModel;
SPM_ENUM_DECL(spmMemoryModel);

typedef struct {
    xmlNodePtr node;
    int model; /* spmMemoryModel, or -1 for a model we do not know */
    char *modelName;
    spmDomainMemoryAccess access;
    spmTristateBool discard;
    unsigned long long sizeKiB;
    int targetNode;                  /* guest cell, -1 when absent */
    unsigned long long blockKiB;     /* virtio-mem */
    unsigned long long requestedKiB; /* virtio-mem */
    unsigned long long labelKiB;     /* nvdimm */
    unsigned long long pagesizeKiB;  /* <source><pagesize> */
    spmBitmap *sourceNodemask;       /* host nodes */
    char *sourcePath;
    bool hasAddressBase;
    unsigned long long addressBase;
} spmMemoryDef;

typedef enum {
    SPM_LOADER_TYPE_DEFAULT = 0,
    SPM_LOADER_TYPE_ROM,
    SPM_LOADER_TYPE_PFLASH,

    SPM_LOADER_TYPE_LAST
} spmLoaderType;
SPM_ENUM_DECL(spmLoaderType);

typedef struct {
    char *type;     /* hvm */
    char *arch;     /* NULL: the host's */
    char *machine;  /* NULL: QEMU's default */
    char *firmware; /* "efi", "bios" or NULL */
    char *loader;   /* loader path, NULL when absent */
    spmLoaderType loaderType;
    bool hasLoader;
    char *nvram;
    char *nvramTemplate;
    char *kernel; /* direct kernel boot */
} spmDomainOS;

typedef struct _spmDomainDef spmDomainDef;
struct _spmDomainDef {
    xmlDocPtr doc;
    xmlNodePtr root;

    char *virtType; /* <domain type=''> */
    char *name;
    char *uuid;

    bool hasMemory;
    unsigned long long memoryKiB; /* <memory>: the total incl. memory devices */
    bool hasCurrentMemory;
    unsigned long long currentMemoryKiB;
    bool hasMaxMemory;
    unsigned long long maxMemoryKiB;
    unsigned int maxMemorySlots; /* 0 when absent */

    bool hasVcpu;
    unsigned int vcpus;        /* maximum */
    unsigned int vcpusCurrent; /* == vcpus unless current= is set */

    spmDomainOS os;
    bool acpi; /* <features><acpi/> */

    bool hasNuma;
    spmNuma numa;
    spmNumatune numatune;
    spmMemoryBacking mb;

    char *emulator;
    spmMemoryDef *mems;
    size_t nmems;
    char *memballoonModel;
};

void spmDomainDefFree(spmDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmDomainDef, spmDomainDefFree);

/*
 * Parses a domain XML document.  @name labels the source in messages.
 * The parser reports every problem it can find and returns NULL if there
 * was any.
 */
spmDomainDef *spmDomainDefParseString(const char *xml, size_t len, const char *name);
/* The same for an already parsed document; takes ownership of @doc. */
spmDomainDef *spmDomainDefParseDoc(xmlDocPtr doc);
/* Reads and parses FILE ("-" for standard input). */
spmDomainDef *spmDomainDefParseFile(const char *path);

typedef enum {
    /* Leave out every 'memmap' attribute (what stock libvirt keeps). */
    SPM_DOMAIN_FORMAT_NO_MEMMAP = 1 << 0,
} spmDomainFormatFlags;

/*
 * Formats the document: the input as it was parsed, with the 'memmap'
 * attributes written from the model ('normal' is never written).
 */
char *spmDomainDefFormat(spmDomainDef *def, unsigned int flags);

/* The cell with id @id, or NULL. */
spmNumaCell *spmDomainDefGetCell(const spmDomainDef *def, unsigned int id);
/* Sets the typing of cell @id; returns -1 with an error if there is no such cell. */
int spmDomainDefSetCellMemmap(spmDomainDef *def, unsigned int id, spmMemmap memmap);
/* Sets the domain's <uuid> (added after <name> when missing). */
void spmDomainDefSetUUID(spmDomainDef *def, const char *uuid);
/* Number of cells typed spm or reserved. */
size_t spmDomainDefCountTypedCells(const spmDomainDef *def);
/* Σ memory of the NUMA cells in KiB (boot RAM as libvirt computes it). */
unsigned long long spmDomainDefCellsMemoryKiB(const spmDomainDef *def);
/* Σ memory of the <memory> devices in KiB. */
unsigned long long spmDomainDefDevicesMemoryKiB(const spmDomainDef *def);
