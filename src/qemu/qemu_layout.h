/*
 * qemu_layout.h: predict the x86 guest-physical memory map QEMU builds
 *
 * From a domain (cells, memory devices, CPU, machine type) and what the QEMU
 * binary offers, this computes what QEMU's pc and q35 machines do with it:
 * the RAM split around the 32-bit PCI hole, the start of RAM above 4 GiB
 * (with the AMD 1 TiB relocation), the device-memory window, where every
 * memory device lands, the 64-bit PCI hole and the highest guest-physical
 * address, and from those the E820 table (fw_cfg etc/e820) and the SRAT
 * memory-affinity entries exactly as QEMU hands them to the firmware.
 *
 * For the sp-mem form it also decides where each SPM device goes: virt-spm
 * pins every sp-mem address (addr=) so that the placement does not depend on
 * the order of the command line.  Everything QEMU would refuse, and every
 * configuration QEMU accepts but that leaves the guest without its SPM
 * memory, is rejected here with a message that names the cell, the numbers
 * and what to change.
 *
 * All sizes and addresses are in bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmenum.h"
#include "domain_conf.h"
#include "qemu_capabilities.h"
#include "qemu_domain.h"
#include "shim_launch_data.h"

#include <json.h>

/* Linux onlines hot-added memory (dax kmem) in blocks of this size (x86 minimum). */
#define SPM_QEMU_LAYOUT_BLOCK_SIZE (128ULL * SPM_MIB)
/* The largest block size an x86 Linux guest picks (for boot RAM >= 64 GiB). */
#define SPM_QEMU_LAYOUT_BLOCK_SIZE_MAX (2ULL * SPM_GIB)
/* From this much boot RAM on, x86 Linux may use larger memory blocks. */
#define SPM_QEMU_LAYOUT_LARGE_BLOCK_RAM (64ULL * SPM_GIB)
/*
 * Address gap left between the SPM ranges of two cells when the domain has
 * no HMAT.  Without a gap, OVMF coalesces adjacent soft-reserved ranges into
 * one EFI descriptor and Linux then creates one dax device for both, on the
 * first cell's node.  Any gap breaks the adjacency (128 MiB and 1 GiB were
 * both verified); one memory block keeps the address room a gap costs as
 * small as possible, which matters when <maxMemory> fixes the room.  The gap
 * is rounded up to the SPM alignment, so the next range still starts on a
 * block boundary.
 *
 * With HMAT (<interconnects>) Linux creates one dax device per SRAT target
 * even in a merged range, so the ranges are packed without gaps: a gap is
 * part of QEMU's hotplug umbrella in the SRAT, whose proximity domain is
 * QEMU's highest node id; virt-spm gives that id to a cell the guest meets
 * before the window, so that the gaps do not change the guest's node
 * numbers (see guestNode).
 */
#define SPM_QEMU_LAYOUT_SPM_GAP SPM_QEMU_LAYOUT_BLOCK_SIZE

/* E820 types (fw_cfg etc/e820) */
#define SPM_E820_RAM 1U
#define SPM_E820_RESERVED 2U
#define SPM_E820_SOFT_RESERVED 0xEFFFFFFFU

/* SRAT memory affinity flags */
#define SPM_SRAT_MEM_ENABLED (1U << 0)
#define SPM_SRAT_MEM_HOTPLUGGABLE (1U << 1)
#define SPM_SRAT_MEM_NON_VOLATILE (1U << 2)

/* QEMU's AMD HyperTransport hole and the start of RAM when relocated past it. */
#define SPM_QEMU_AMD_HT_START 0xFD00000000ULL
#define SPM_QEMU_AMD_ABOVE_1TB_START 0x10000000000ULL

typedef enum {
    SPM_QEMU_CPU_VENDOR_UNKNOWN = 0,
    SPM_QEMU_CPU_VENDOR_INTEL,
    SPM_QEMU_CPU_VENDOR_AMD,
    SPM_QEMU_CPU_VENDOR_OTHER, /* Hygon, Centaur, ...: not AMD for QEMU */

    SPM_QEMU_CPU_VENDOR_LAST
} spmQEMUCPUVendor;
SPM_ENUM_DECL(spmQEMUCPUVendor);

/* The memory backend QEMU gets for a cell or a memory device. */
typedef enum {
    SPM_QEMU_BACKEND_RAM = 0, /* memory-backend-ram: 2 MiB aligned */
    SPM_QEMU_BACKEND_FILE,    /* memory-backend-file: page size aligned */
    SPM_QEMU_BACKEND_MEMFD,   /* memory-backend-memfd: page size aligned */

    SPM_QEMU_BACKEND_LAST
} spmQEMUBackendType;
SPM_ENUM_DECL(spmQEMUBackendType);

/* What a range of the map holds (node ranges, picture, table). */
typedef enum {
    SPM_QEMU_RANGE_RAM = 0, /* boot RAM */
    SPM_QEMU_RANGE_SPM,     /* sp-mem device, soft reserved */
    SPM_QEMU_RANGE_TYPED,   /* memmap-type range inside boot RAM */
    SPM_QEMU_RANGE_DEVICE,  /* DIMM, NVDIMM, virtio-mem, virtio-pmem */

    SPM_QEMU_RANGE_LAST
} spmQEMURangeKind;
SPM_ENUM_DECL(spmQEMURangeKind);

typedef enum {
    SPM_QEMU_SRAT_RAM = 0, /* boot RAM of a node */
    SPM_QEMU_SRAT_NVDIMM,
    SPM_QEMU_SRAT_PADDING, /* zero-length filler QEMU adds */
    SPM_QEMU_SRAT_SPM,     /* an sp-mem range */
    SPM_QEMU_SRAT_HOTPLUG, /* the rest of the device-memory window */

    SPM_QEMU_SRAT_LAST
} spmQEMUSratKind;
SPM_ENUM_DECL(spmQEMUSratKind);

/* ---------------------------------------------------------------------- */
/* Input */

typedef struct {
    unsigned int id;
    unsigned long long size; /* as QEMU gets it (libvirt rounds up to 1 MiB) */
    spmMemmap memmap;
    spmQEMUBackendType backend;
    unsigned long long pageSize; /* huge page size, 0 for normal pages */
    long long firstCPU;          /* its lowest vCPU id, -1 for a CPU-less cell */
} spmQEMULayoutNode;

typedef struct {
    int model;                    /* spmMemoryModel */
    char *alias;                  /* libvirt's device id, e.g. "dimm0" */
    unsigned long long size;      /* <target><size>, rounded as libvirt does */
    unsigned long long labelSize; /* nvdimm label, 0 otherwise */
    unsigned long long blockSize; /* virtio-mem block size, 0 otherwise */
    int node;                     /* guest cell, -1 when absent */
    spmQEMUBackendType backend;
    unsigned long long pageSize; /* huge page size, 0 for normal pages */
    bool hasBase;                /* <address base=> pins it */
    unsigned long long base;
} spmQEMULayoutMemDev;

typedef struct _spmQEMULayoutInput spmQEMULayoutInput;
struct _spmQEMULayoutInput {
    spmQEMUMachineFamily family;
    char *machine;             /* the resolved name, for messages ("pc-q35-11.1") */
    unsigned int machineMajor; /* machine type version; 0.0 = the binary's newest */
    unsigned int machineMinor;
    unsigned long long maxRamBelow4G; /* machine property; 0 = QEMU's default */
    unsigned long long hole64Size;    /* 0 = the host bridge's default */

    char *cpuModel;          /* for messages ("qemu64", "host") */
    spmQEMUCPUVendor vendor; /* vendor of the first vCPU as QEMU sets it */
    bool cpu32bit;           /* the CPU model has no long mode */
    unsigned int physBits;

    spmForm form;
    bool deviceKeyval; /* the shim writes sp-mem -device options as key=value */
    char *emulator;    /* the QEMU binary, for messages; NULL: unknown */
    bool hmat;         /* <interconnects>: libvirt turns HMAT on */

    bool hasMaxMemory; /* <maxMemory> given */
    unsigned long long maxMemory;
    unsigned int slots;

    spmQEMULayoutNode *nodes; /* in id order, ids 0..nnodes-1 */
    size_t nnodes;
    bool noNuma;               /* no <numa>: nodes[0] is all of boot RAM */
    spmQEMULayoutMemDev *devs; /* in command-line order */
    size_t ndevs;
};

void spmQEMULayoutInputFree(spmQEMULayoutInput *input);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMULayoutInput, spmQEMULayoutInputFree);

/* What the host contributes to a guest's CPU (KVM, host-passthrough). */
typedef struct {
    spmQEMUCPUVendor vendor;
    unsigned int physBits;
    unsigned long long hugepageSize; /* the default huge page size */
} spmQEMULayoutHost;

/* Reads vendor_id, "address sizes" and Hugepagesize from /proc. */
void spmQEMULayoutHostProbe(spmQEMULayoutHost *host);

/* The vendor QEMU gives the named CPU model @model under TCG. */
spmQEMUCPUVendor spmQEMULayoutCPUModelVendor(const char *model);
/* true for QEMU's 32-bit CPU models (no long mode). */
bool spmQEMULayoutCPUModelIs32Bit(const char *model);


/*
 * Everything the layout needs from the domain and the QEMU binary: the cells,
 * the memory devices, <maxMemory>, the CPU (vendor, phys-bits; @host is read
 * from /proc when NULL), the machine properties set through
 * <qemu:commandline>, and from @caps the machine type the name resolves to
 * and the SPM form.  Without @caps the machine name is taken as written (an
 * alias means the newest version) and the form is sp-mem.  Returns NULL
 * with errors reported.
 */
spmQEMULayoutInput *spmQEMULayoutInputFromDomain(const spmDomainDef *def, const spmQEMUCaps *caps,
                                                 const spmQEMULayoutHost *host);

/*
 * Sets the machine type from @name, resolved by the caller (e.g. "q35" ->
 * "pc-q35-11.1"); NULL means QEMU's default, pc.  Returns -1 with an error
 * for a machine type that is not pc or q35.
 */
int spmQEMULayoutInputSetMachine(spmQEMULayoutInput *input, const char *name);

/* ---------------------------------------------------------------------- */
/* Output */

typedef struct {
    unsigned long long addr;
    unsigned long long size;
    unsigned int type; /* SPM_E820_* */
} spmQEMUE820Entry;

typedef struct {
    unsigned long long addr;
    unsigned long long size;
    unsigned int pxm;
    unsigned int flags; /* SPM_SRAT_MEM_* */
    spmQEMUSratKind kind;
} spmQEMUSratEntry;

typedef struct {
    unsigned long long addr;
    unsigned long long size;
    spmQEMURangeKind kind;
    unsigned int e820; /* the E820 type QEMU reports, 0: not in E820 */
    size_t dev;        /* index in the devices for SPM_QEMU_RANGE_DEVICE */
} spmQEMULayoutRange;

typedef struct {
    unsigned int id;
    spmMemmap memmap;
    unsigned long long size;
    spmQEMULayoutRange *ranges; /* by address */
    size_t nranges;
    /*
     * The node number a Linux guest gives this cell, -1 when it will not
     * see the node at all.  Linux numbers nodes in the order their
     * proximity domains first appear in the SRAT: processor entries (vCPU
     * order), then enabled memory entries in table order.  For a domain
     * with typed cells it is always the cell id: virt-spm renumbers QEMU's
     * nodes (pxm) where needed and refuses the domain where that cannot
     * help (shim_node_numbering.h).
     */
    int guestNode;
    unsigned int pxm; /* QEMU's node id for the cell: the SRAT proximity domain */
} spmQEMULayoutNodeMap;

typedef struct {
    unsigned int node;
    unsigned long long addr;
    unsigned long long size;
    unsigned long long align;
    char *backend; /* "ram-nodeN", libvirt's backend id for the cell */
} spmQEMULayoutSpMem;

typedef struct {
    size_t input; /* index in the input devices */
    int model;
    char *alias;
    int node;
    unsigned long long addr;
    unsigned long long size; /* the size it occupies in the window */
    unsigned long long align;
    bool pinned;
} spmQEMULayoutDevice;

typedef struct _spmQEMULayout spmQEMULayout;
struct _spmQEMULayout {
    spmForm form;

    /* -m as the shim passes it */
    unsigned long long ramSize; /* R: size= (Σ cells that are boot RAM) */
    unsigned long long maxMem;  /* M: maxmem=, == ramSize when there is none */
    unsigned int slots;         /* S: slots= */
    bool maxMemFromDomain;      /* M is the domain's <maxMemory> */

    unsigned long long below4g;
    unsigned long long above4g;
    unsigned long long above4gStart; /* A: 4 GiB, or 1 TiB when relocated */
    bool relocated;                  /* the AMD 1 TiB relocation applies */
    bool amdHtHole;                  /* the HT hole is in E820 */

    bool hasDeviceMemory;
    unsigned long long deviceMemBase;  /* D */
    unsigned long long deviceMemSize;  /* Z */
    unsigned long long reservedMemEnd; /* fw_cfg etc/reserved-memory-end, 0 if none */
    unsigned long long hole64Start;
    unsigned long long hole64Size;
    unsigned long long maxUsedGPA;
    unsigned int physBits;
    unsigned int physBitsNeeded;
    unsigned long long guestBlockSize; /* Linux memory block size predicted for the guest */

    spmQEMULayoutNodeMap *nodes;
    size_t nnodes;
    spmQEMULayoutSpMem *spmems; /* in node order (= command-line order) */
    size_t nspmems;
    spmQEMULayoutDevice *devices; /* other memory devices, in input order */
    size_t ndevices;
    spmQEMUE820Entry *e820; /* in QEMU's order */
    size_t ne820;
    /* The E820 map the guest gets from OVMF (edk2-stable202608): QEMU's
     * entries by address, adjacent soft-reserved ranges coalesced into one
     * (HMAT still splits them into one hmem/dax device per node).  OVMF
     * also carves its own reserved and ACPI pieces out of RAM below 4 GiB,
     * which depend on the firmware build and are not predicted. */
    spmQEMUE820Entry *guestE820;
    size_t nguestE820;
    unsigned int *guestE820Merged; /* how many QEMU entries each one covers */
    spmQEMUSratEntry *srat;        /* memory affinity entries in QEMU's order */
    size_t nsrat;
};

void spmQEMULayoutFree(spmQEMULayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMULayout, spmQEMULayoutFree);

/*
 * Computes the layout.  Reports every rejection it finds (and warnings for
 * what QEMU warns about or what costs the guest memory) and returns NULL if
 * there was any error.
 */
spmQEMULayout *spmQEMULayoutCompute(const spmQEMULayoutInput *input);

/* The arguments QEMU receives for a layout (spmQEMULayoutGetArgs). */
typedef struct {
    char *memory;   /* the value of -m */
    char **devices; /* the sp-mem -device values, one per spmems[]; NULL without sp-mem */
} spmQEMULayoutArgs;

void spmQEMULayoutArgsClear(spmQEMULayoutArgs *args);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(spmQEMULayoutArgs, spmQEMULayoutArgsClear);

/*
 * The -m value and the sp-mem -device values QEMU receives for @layout of
 * @input: libvirt's -m, rewritten as the shim rewrites it with the launch
 * data define stores (spmQEMULayoutGetLaunchData), through the shim's own
 * formatters.  Computed on request (the formatters ask), so that computing
 * a layout costs no string work.  -1 with an error reported.
 */
int spmQEMULayoutGetArgs(const spmQEMULayout *layout, const spmQEMULayoutInput *input,
                         spmQEMULayoutArgs *args);
/* Only the -m value of spmQEMULayoutGetArgs (NULL with an error reported). */
char *spmQEMULayoutGetMemoryArg(const spmQEMULayout *layout, const spmQEMULayoutInput *input);

/*
 * The launch data `virt-spm define` stores for @layout of @input: NULL (and
 * 0) when no cell is typed.
 */
int spmQEMULayoutGetLaunchData(const spmQEMULayout *layout, const spmQEMULayoutInput *input,
                               spmLaunchData **launch);

/*
 * The value of the -m option libvirt 9.0 writes for @input, before the shim
 * (qemuBuildMemCommandLine): "size=Xk,slots=N,maxmem=Yk" when the domain has
 * <maxMemory>, else the initial memory in MiB; the initial memory is the sum
 * of the cells (each rounded up to 1 MiB), or <memory> less the memory
 * devices without <numa>.
 */
char *spmQEMULayoutFormatLibvirtMemoryArg(const spmQEMULayoutInput *input);

/* Readable table: the machine summary, per-node ranges, E820 and SRAT. */
char *spmQEMULayoutFormatTable(const spmQEMULayout *layout, const spmQEMULayoutInput *input);
/* The same as JSON (a new reference). */
json_object *spmQEMULayoutToJSON(const spmQEMULayout *layout, const spmQEMULayoutInput *input);
char *spmQEMULayoutFormatJSON(const spmQEMULayout *layout, const spmQEMULayoutInput *input);
/* An SVG picture of the address map on a piecewise logarithmic scale. */
char *spmQEMULayoutFormatSVG(const spmQEMULayout *layout, const spmQEMULayoutInput *input);
