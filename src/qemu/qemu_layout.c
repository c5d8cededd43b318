/*
 * qemu_layout.c: predict the x86 guest-physical memory map QEMU builds
 *
 * The formulas follow QEMU 11.1's hw/i386/pc.c, pc_q35.c, pc_piix.c,
 * acpi-build.c (build_srat) and hw/mem/memory-device.c, and were checked
 * against a real QEMU 11.1.3 (fw_cfg etc/e820 and the SRAT read through
 * qtest, query-memory-devices, and its error messages).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_layout.h"
#include "shim_argv_rewrite.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"

#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_LAYOUT

SPM_ENUM_IMPL(spmQEMUCPUVendor, SPM_QEMU_CPU_VENDOR_LAST, "unknown", "intel", "amd", "other");
SPM_ENUM_IMPL(spmQEMUBackendType, SPM_QEMU_BACKEND_LAST, "memory-backend-ram",
              "memory-backend-file", "memory-backend-memfd");
SPM_ENUM_IMPL(spmQEMURangeKind, SPM_QEMU_RANGE_LAST, "ram", "spm", "typed", "device");
SPM_ENUM_IMPL(spmQEMUSratKind, SPM_QEMU_SRAT_LAST, "ram", "nvdimm", "padding", "spm", "hotplug");

/* QEMU's constants (hw/i386/pc*.c, hw/i386/acpi-build.c) */
#define SPM_QEMU_FOUR_GIB (4ULL * SPM_GIB)
#define SPM_QEMU_Q35_LOWMEM_SMALL 0xB0000000ULL   /* 2.75 GiB */
#define SPM_QEMU_Q35_LOWMEM_LARGE 0x80000000ULL   /* 2 GiB */
#define SPM_QEMU_PC_LOWMEM_DEFAULT 0xE0000000ULL  /* 3.5 GiB */
#define SPM_QEMU_PC_LOWMEM_GIGABYTE 0xC0000000ULL /* 3 GiB */
#define SPM_QEMU_Q35_HOLE64_SIZE (32ULL * SPM_GIB)
#define SPM_QEMU_PC_HOLE64_SIZE (2ULL * SPM_GIB)
#define SPM_QEMU_AMD_HT_SIZE (SPM_QEMU_AMD_ABOVE_1TB_START - SPM_QEMU_AMD_HT_START)
#define SPM_QEMU_HOLE_640K_START 0xA0000ULL
#define SPM_QEMU_HOLE_640K_END 0x100000ULL
#define SPM_QEMU_MAX_RAM_SLOTS 256
#define SPM_QEMU_DEFAULT_PHYS_BITS 40
/* memory-backend-ram regions are aligned to QEMU_VMALLOC_ALIGN on x86-64 hosts */
#define SPM_QEMU_RAM_BACKEND_ALIGN (2ULL * SPM_MIB)
#define SPM_QEMU_HOST_PAGE_SIZE 4096ULL
/* libvirt rounds cells to 1 MiB and DIMM-like devices to 2 MiB on x86 */
#define SPM_LIBVIRT_CELL_ALIGN SPM_MIB
#define SPM_LIBVIRT_DIMM_ALIGN (2ULL * SPM_MIB)

#define SPM_LIBVIRT_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"


void
spmQEMULayoutInputFree(spmQEMULayoutInput *input)
{
    size_t i;

    if (!input)
        return;
    g_free(input->machine);
    g_free(input->emulator);
    g_free(input->cpuModel);
    g_free(input->nodes);
    for (i = 0; i < input->ndevs; i++)
        g_free(input->devs[i].alias);
    g_free(input->devs);
    g_free(input);
}


void
spmQEMULayoutFree(spmQEMULayout *layout)
{
    size_t i;

    if (!layout)
        return;
    for (i = 0; i < layout->nnodes; i++)
        g_free(layout->nodes[i].ranges);
    g_free(layout->nodes);
    for (i = 0; i < layout->nspmems; i++) {
        g_free(layout->spmems[i].backend);
        g_free(layout->spmems[i].device);
    }
    g_free(layout->spmems);
    for (i = 0; i < layout->ndevices; i++)
        g_free(layout->devices[i].alias);
    g_free(layout->devices);
    g_free(layout->e820);
    g_free(layout->srat);
    g_free(layout->memoryArg);
    g_free(layout);
}


/* ---------------------------------------------------------------------- */
/* Host, CPU models, machine types */

void
spmQEMULayoutHostProbe(spmQEMULayoutHost *host)
{
    g_autofree char *cpuinfo = NULL;
    g_autofree char *meminfo = NULL;
    g_auto(GStrv) lines = NULL;
    size_t len;
    size_t i;

    host->vendor = SPM_QEMU_CPU_VENDOR_UNKNOWN;
    host->physBits = 0;
    host->hugepageSize = 2 * SPM_MIB;

    if (g_file_get_contents("/proc/cpuinfo", &cpuinfo, &len, NULL)) {
        lines = g_strsplit(cpuinfo, "\n", -1);
        for (i = 0; lines[i]; i++) {
            const char *colon = strchr(lines[i], ':');
            unsigned int bits;

            if (!colon)
                continue;
            if (g_str_has_prefix(lines[i], "vendor_id") &&
                host->vendor == SPM_QEMU_CPU_VENDOR_UNKNOWN) {
                if (strstr(colon, "AuthenticAMD"))
                    host->vendor = SPM_QEMU_CPU_VENDOR_AMD;
                else if (strstr(colon, "GenuineIntel"))
                    host->vendor = SPM_QEMU_CPU_VENDOR_INTEL;
                else
                    host->vendor = SPM_QEMU_CPU_VENDOR_OTHER;
            } else if (g_str_has_prefix(lines[i], "address sizes") && host->physBits == 0 &&
                       sscanf(colon + 1, "%u bits physical", &bits) == 1) {
                host->physBits = bits;
            }
        }
        g_clear_pointer(&lines, g_strfreev);
    }

    if (g_file_get_contents("/proc/meminfo", &meminfo, &len, NULL)) {
        lines = g_strsplit(meminfo, "\n", -1);
        for (i = 0; lines[i]; i++) {
            unsigned long long kib;

            if (sscanf(lines[i], "Hugepagesize: %llu kB", &kib) == 1 && kib > 0)
                host->hugepageSize = kib * SPM_KIB;
        }
    }
}


/*
 * QEMU 11.1's x86 CPU models by vendor (query-cpu-model-expansion): the
 * AMD ones are matched by prefix, everything else named here is Intel.
 * Under KVM the vendor is the host's for every named model; this table is
 * for TCG only.
 */
static const char *const spmQEMUAMDModelPrefixes[] = {
    "EPYC", "Opteron_G", "athlon", "phenom", "qemu64", "max",
};
static const char *const spmQEMUOtherModelPrefixes[] = {
    "Dhyana",   /* HygonGenuine */
    "YongFeng", /* CentaurHauls */
};
/* Models without long mode: they cannot reach memory above 4 GiB usefully. */
static const char *const spmQEMU32BitModels[] = {
    "486", "pentium", "pentium2", "pentium3", "coreduo", "n270", "qemu32", "kvm32",
};


static bool
spmQEMUModelHasPrefix(const char *model, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(model, prefix, n) == 0 &&
        (model[n] == '\0' || model[n] == '-' || g_ascii_isalnum(model[n]));
}


spmQEMUCPUVendor
spmQEMULayoutCPUModelVendor(const char *model)
{
    size_t i;

    if (!model || !*model)
        return SPM_QEMU_CPU_VENDOR_AMD; /* QEMU's default, qemu64 */
    for (i = 0; i < G_N_ELEMENTS(spmQEMUAMDModelPrefixes); i++) {
        if (spmQEMUModelHasPrefix(model, spmQEMUAMDModelPrefixes[i]))
            return SPM_QEMU_CPU_VENDOR_AMD;
    }
    for (i = 0; i < G_N_ELEMENTS(spmQEMUOtherModelPrefixes); i++) {
        if (spmQEMUModelHasPrefix(model, spmQEMUOtherModelPrefixes[i]))
            return SPM_QEMU_CPU_VENDOR_OTHER;
    }
    if (SPM_STREQ(model, "base"))
        return SPM_QEMU_CPU_VENDOR_UNKNOWN;
    return SPM_QEMU_CPU_VENDOR_INTEL;
}


bool
spmQEMULayoutCPUModelIs32Bit(const char *model)
{
    size_t i;

    if (!model)
        return false;
    for (i = 0; i < G_N_ELEMENTS(spmQEMU32BitModels); i++) {
        size_t n = strlen(spmQEMU32BitModels[i]);

        /* "pentium" and "pentium-v1", not "pentium2" for "pentium" */
        if (strncmp(model, spmQEMU32BitModels[i], n) == 0 && (model[n] == '\0' || model[n] == '-'))
            return true;
    }
    return false;
}


static spmQEMUCPUVendor
spmQEMUVendorFromId(const char *vendorId)
{
    if (SPM_STREQ(vendorId, "AuthenticAMD"))
        return SPM_QEMU_CPU_VENDOR_AMD;
    if (SPM_STREQ(vendorId, "GenuineIntel"))
        return SPM_QEMU_CPU_VENDOR_INTEL;
    return SPM_QEMU_CPU_VENDOR_OTHER;
}


int
spmQEMULayoutInputSetMachine(spmQEMULayoutInput *input, const char *name)
{
    spmQEMUMachineFamily family;
    unsigned int major;
    unsigned int minor;

    if (!spmQEMUMachineParse(name, &family, &major, &minor)) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("machine type '%1$s' has no predictable memory layout: only pc (i440fx) and q35 machine types (aliases or versioned 'pc-q35-X.Y', 'pc-i440fx-X.Y') map SPM memory"),
            name);
        return -1;
    }
    g_free(input->machine);
    input->machine = g_strdup(name ? name : "pc");
    input->family = family;
    input->machineMajor = major;
    input->machineMinor = minor;
    return 0;
}


/* ---------------------------------------------------------------------- */
/* Input from the domain */

/* The huge page size libvirt uses for guest cell @cell (-1: none), 0 for none. */
static unsigned long long
spmQEMUHugepageForCell(const spmDomainDef *def, int cell, unsigned long long defaultSize)
{
    const spmHugepage *master = NULL;
    size_t i;

    if (!def->mb.hugepagesEnabled)
        return 0;
    if (def->mb.nhugepages == 0)
        return defaultSize;
    for (i = 0; i < def->mb.nhugepages; i++) {
        const spmHugepage *hp = &def->mb.hugepages[i];

        if (!hp->nodeset) {
            master = hp;
        } else if (cell >= 0 && spmBitmapIsBitSet(hp->nodeset, cell)) {
            return hp->sizeKiB ? hp->sizeKiB * SPM_KIB : defaultSize;
        }
    }
    if (master)
        return master->sizeKiB ? master->sizeKiB * SPM_KIB : defaultSize;
    return 0;
}


/* libvirt's backend choice (qemuBuildMemoryBackendProps), as far as it moves addresses. */
static spmQEMUBackendType
spmQEMUBackendFor(const spmDomainDef *def, unsigned long long pageSize,
                  spmDomainMemoryAccess access, bool forceFile)
{
    if (def->mb.source == SPM_MEMORY_SOURCE_MEMFD)
        return SPM_QEMU_BACKEND_MEMFD;
    if (pageSize || forceFile || def->mb.source == SPM_MEMORY_SOURCE_FILE ||
        access != SPM_DOMAIN_MEMORY_ACCESS_DEFAULT ||
        def->mb.access != SPM_DOMAIN_MEMORY_ACCESS_DEFAULT)
        return SPM_QEMU_BACKEND_FILE;
    return SPM_QEMU_BACKEND_RAM;
}


/* A size property in a machine or -global argument ("2G", "2147483648",
 * "3584M"), up to the next comma; left unchanged when it does not parse. */
static void
spmQEMUParseSizeProperty(const char *str, unsigned long long *value)
{
    g_autofree char *num = g_strndup(str, strcspn(str, ","));

    spmParseNumber(num, SPM_NUMBER_SIZE, 0, value);
}


/*
 * libvirt cannot set these machine properties, but <qemu:commandline> can:
 * -machine ...,max-ram-below-4g=X and -global q35-pcihost.pci-hole64-size=X.
 * A -device given there in key=value form makes the shim write its sp-mem
 * devices in key=value form too.
 */
static void
spmQEMUInputReadCommandline(const spmDomainDef *def, spmQEMULayoutInput *input)
{
    xmlNodePtr cur;
    xmlNodePtr arg;
    bool deviceValue = false;

    for (cur = def->root->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE || !cur->ns || !cur->ns->href ||
            !xmlStrEqual(cur->ns->href, BAD_CAST SPM_LIBVIRT_QEMU_NS) ||
            !xmlStrEqual(cur->name, BAD_CAST "commandline"))
            continue;
        for (arg = cur->children; arg; arg = arg->next) {
            g_autofree char *value = NULL;
            const char *p;

            if (arg->type != XML_ELEMENT_NODE || !xmlStrEqual(arg->name, BAD_CAST "arg"))
                continue;
            if (!(value = (char *)xmlGetProp(arg, BAD_CAST "value")))
                continue;
            if (deviceValue && value[0] != '{')
                input->deviceKeyval = true;
            deviceValue = SPM_STREQ(value, "-device") || SPM_STREQ(value, "--device");
            if ((p = strstr(value, "max-ram-below-4g=")))
                spmQEMUParseSizeProperty(p + strlen("max-ram-below-4g="), &input->maxRamBelow4G);
            if ((p = strstr(value, "pci-hole64-size=")))
                spmQEMUParseSizeProperty(p + strlen("pci-hole64-size="), &input->hole64Size);
        }
    }
}


/*
 * The guest CPU as QEMU sees it: libvirt emits -cpu qemu64 for TCG without a
 * model, the model name (plus vendor= from <model vendor_id>) for custom
 * mode, -cpu host for host-passthrough and -cpu max for maximum.  Under KVM
 * QEMU gives every named model the host's vendor; only vendor= overrides it.
 * phys-bits: <maxphysaddr mode='emulate' bits=N> sets it; mode='passthrough'
 * and -cpu host/max on KVM take the host's (limit= caps it); otherwise 40.
 */
static int
spmQEMUInputReadCPU(const spmDomainDef *def, const spmQEMULayoutHost *host,
                    spmQEMULayoutInput *input)
{
    xmlNodePtr cpu = spmXMLChildElement(def->root, "cpu");
    xmlNodePtr modelNode = cpu ? spmXMLChildElement(cpu, "model") : NULL;
    xmlNodePtr physNode = cpu ? spmXMLChildElement(cpu, "maxphysaddr") : NULL;
    g_autofree char *mode = cpu ? spmXMLPropString(cpu, "mode") : NULL;
    g_autofree char *model = NULL;
    g_autofree char *vendorId = modelNode ? spmXMLPropString(modelNode, "vendor_id") : NULL;
    g_autofree char *physMode = physNode ? spmXMLPropString(physNode, "mode") : NULL;
    bool kvm =
        def->virtType && (SPM_STREQ(def->virtType, "kvm") || SPM_STREQ(def->virtType, "hvf"));
    bool hostCPU = false;
    unsigned int bits = 0;

    if (modelNode) {
        model = spmXMLNodeContent(modelNode);
        if (model)
            g_strstrip(model);
        if (model && !*model)
            g_clear_pointer(&model, g_free);
    }

    if (mode && SPM_STREQ(mode, "host-passthrough")) {
        if (!kvm) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED, "%s",
                _("<cpu mode='host-passthrough'> needs KVM (<domain type='kvm'>): QEMU's 'host' CPU model does not exist under TCG"));
            return -1;
        }
        g_free(model);
        model = g_strdup("host");
        hostCPU = true;
    } else if (mode && SPM_STREQ(mode, "maximum")) {
        g_free(model);
        model = g_strdup("max");
        hostCPU = kvm;
    } else if (mode && SPM_STREQ(mode, "host-model")) {
        if (!kvm && !model) {
            spmReportWarning(
                SPM_ERR_CONFIG_UNSUPPORTED, "%s",
                _("<cpu mode='host-model'> under TCG: the CPU model libvirt picks is not known before start; the layout assumes QEMU's 'max' model (vendor AMD, 40 phys-bits)"));
            model = g_strdup("max");
        } else if (!model) {
            model = g_strdup("host-model");
        }
    } else if (!model) {
        model = g_strdup("qemu64");
    }

    if (vendorId)
        input->vendor = spmQEMUVendorFromId(vendorId);
    else if (kvm)
        input->vendor = host->vendor;
    else
        input->vendor = spmQEMULayoutCPUModelVendor(model);
    input->cpu32bit = spmQEMULayoutCPUModelIs32Bit(model);

    if (physMode && SPM_STREQ(physMode, "emulate")) {
        if (spmXMLPropUInt(physNode, "bits", SPM_XML_PROP_REQUIRED, &bits) < 0)
            return -1;
    } else if ((physMode && SPM_STREQ(physMode, "passthrough")) || hostCPU) {
        unsigned int limit = 0;

        bits = host->physBits ? host->physBits : SPM_QEMU_DEFAULT_PHYS_BITS;
        if (physNode && spmXMLPropUInt(physNode, "limit", 0, &limit) < 0)
            return -1;
        if (limit && limit < bits)
            bits = limit;
    } else {
        bits = SPM_QEMU_DEFAULT_PHYS_BITS;
    }
    if (bits < 32 || bits > 64) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("<maxphysaddr> gives %1$u physical address bits: QEMU accepts 32 to 64"),
                       bits);
        return -1;
    }
    input->physBits = bits;
    input->cpuModel = g_steal_pointer(&model);
    return 0;
}


static const char *
spmQEMUMemoryAliasPrefix(int model)
{
    switch ((spmMemoryModel)model) {
    case SPM_MEMORY_MODEL_DIMM:
        return "dimm";
    case SPM_MEMORY_MODEL_NVDIMM:
        return "nvdimm";
    case SPM_MEMORY_MODEL_VIRTIO_PMEM:
        return "virtiopmem";
    case SPM_MEMORY_MODEL_VIRTIO_MEM:
        return "virtiomem";
    case SPM_MEMORY_MODEL_SGX_EPC:
        return "epc";
    case SPM_MEMORY_MODEL_LAST:
        break;
    }
    return "memory";
}


spmQEMULayoutInput *
spmQEMULayoutInputFromDomain(const spmDomainDef *def, const spmQEMUCaps *caps,
                             const spmQEMULayoutHost *host)
{
    g_autoptr(spmQEMULayoutInput) input = g_new0(spmQEMULayoutInput, 1);
    spmQEMULayoutHost probed;
    unsigned int aliasIdx[SPM_MEMORY_MODEL_LAST + 1] = {0};
    size_t i;

    if (!host) {
        spmQEMULayoutHostProbe(&probed);
        host = &probed;
    }

    if (caps) {
        const char *machine = spmQEMUCapsResolveMachine(caps, def->os.machine);

        if (!machine) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED, _("machine type '%1$s' is unknown to QEMU '%2$s'"),
                def->os.machine ? def->os.machine : "(default)", spmQEMUCapsGetBinary(caps));
            return NULL;
        }
        if (spmQEMULayoutInputSetMachine(input, machine) < 0)
            return NULL;
        input->emulator = g_strdup_printf("'%s' %s", spmQEMUCapsGetBinary(caps),
                                          spmQEMUCapsGetVersionString(caps));
        input->form = spmQEMUCapsGetSpmForm(caps);
        /*
         * libvirt 9.0 writes every -device as JSON when QEMU's -device takes
         * JSON (the capability DEVICE_JSON), else every one as key=value;
         * the shim follows libvirt's spelling.
         */
        input->deviceKeyval = !spmQEMUCapsHasDeviceJSON(caps);
    } else {
        if (spmQEMULayoutInputSetMachine(input, def->os.machine) < 0)
            return NULL;
        /* QEMU 11.1, whose -device takes JSON */
        input->form = SPM_FORM_SP_MEM;
    }
    spmQEMUInputReadCommandline(def, input);
    if (spmQEMUInputReadCPU(def, host, input) < 0)
        return NULL;

    if (def->hasMaxMemory) {
        input->hasMaxMemory = true;
        input->maxMemory =
            SPM_ROUND_UP(def->maxMemoryKiB, SPM_LIBVIRT_CELL_ALIGN / SPM_KIB) * SPM_KIB;
        input->slots = def->maxMemorySlots;
    }

    if (def->numa.ncells == 0) {
        /* without <numa> boot RAM is <memory> minus the memory devices */
        unsigned long long kib = def->memoryKiB;
        unsigned long long devKiB = spmDomainDefDevicesMemoryKiB(def);

        input->noNuma = true;
        input->nnodes = 1;
        input->nodes = g_new0(spmQEMULayoutNode, 1);
        kib = kib > devKiB ? kib - devKiB : 0;
        input->nodes[0].size = SPM_ROUND_UP(kib, SPM_LIBVIRT_CELL_ALIGN / SPM_KIB) * SPM_KIB;
        input->nodes[0].pageSize = spmQEMUHugepageForCell(def, -1, host->hugepageSize);
        input->nodes[0].backend = spmQEMUBackendFor(def, input->nodes[0].pageSize,
                                                    SPM_DOMAIN_MEMORY_ACCESS_DEFAULT, false);
    } else {
        input->nnodes = def->numa.ncells;
        input->nodes = g_new0(spmQEMULayoutNode, input->nnodes);
    }
    input->hmat = def->numa.ninterconnects > 0;
    if (input->noNuma)
        input->nodes[0].firstCPU = 0;
    for (i = 0; !input->noNuma && i < input->nnodes; i++) {
        const spmNumaCell *cell = spmDomainDefGetCell(def, i);
        spmQEMULayoutNode *node = &input->nodes[i];

        if (!cell) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell ids must run from 0 to %1$zu without gaps: cell '%2$zu' is missing"),
                input->nnodes - 1, i);
            return NULL;
        }
        node->id = cell->id;
        node->size = SPM_ROUND_UP(cell->memKiB, SPM_LIBVIRT_CELL_ALIGN / SPM_KIB) * SPM_KIB;
        node->memmap = cell->memmap;
        node->pageSize = spmQEMUHugepageForCell(def, cell->id, host->hugepageSize);
        node->backend = spmQEMUBackendFor(def, node->pageSize, cell->memAccess, false);
        node->firstCPU = cell->cpus ? spmBitmapNextSetBit(cell->cpus, -1) : -1;
    }
    if (!input->noNuma && def->hasVcpu && def->vcpus > 0) {
        /* libvirt (and QEMU) put the vCPUs that no cell lists on cell 0 */
        g_autofree bool *listed = g_new0(bool, def->vcpus);
        unsigned int v;

        for (i = 0; i < input->nnodes; i++) {
            const spmNumaCell *cell = spmDomainDefGetCell(def, i);
            ssize_t bit = -1;

            while (cell->cpus && (bit = spmBitmapNextSetBit(cell->cpus, bit)) >= 0 &&
                   (size_t)bit < def->vcpus)
                listed[bit] = true;
        }
        for (v = 0; v < def->vcpus; v++) {
            if (!listed[v]) {
                if (input->nodes[0].firstCPU < 0 || v < input->nodes[0].firstCPU)
                    input->nodes[0].firstCPU = v;
                break;
            }
        }
    }

    input->ndevs = def->nmems;
    input->devs = g_new0(spmQEMULayoutMemDev, input->ndevs);
    for (i = 0; i < input->ndevs; i++) {
        const spmMemoryDef *mem = &def->mems[i];
        spmQEMULayoutMemDev *dev = &input->devs[i];
        int model = mem->model;

        if (model < 0) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("memory device model '%1$s' (number %2$zu) is unknown: the layout cannot place it"),
                mem->modelName, i + 1);
            return NULL;
        }
        dev->model = model;
        dev->alias = g_strdup_printf("%s%u", spmQEMUMemoryAliasPrefix(model), aliasIdx[model]++);
        dev->node = mem->targetNode;
        dev->labelSize = mem->labelKiB * SPM_KIB;
        dev->blockSize = mem->blockKiB * SPM_KIB;
        dev->pageSize = mem->pagesizeKiB
            ? mem->pagesizeKiB * SPM_KIB
            : spmQEMUHugepageForCell(def, mem->targetNode, host->hugepageSize);
        dev->backend =
            spmQEMUBackendFor(def, dev->pageSize, mem->access,
                              model == SPM_MEMORY_MODEL_NVDIMM ||
                                  model == SPM_MEMORY_MODEL_VIRTIO_PMEM || mem->sourcePath != NULL);
        dev->hasBase = mem->hasAddressBase;
        dev->base = mem->addressBase;
        dev->size = mem->sizeKiB * SPM_KIB;
        if (model != SPM_MEMORY_MODEL_NVDIMM)
            dev->size = SPM_ROUND_UP(dev->size, SPM_LIBVIRT_DIMM_ALIGN);
        if (model == SPM_MEMORY_MODEL_VIRTIO_MEM && dev->blockSize)
            dev->size = SPM_ROUND_UP(dev->size, dev->blockSize);
    }

    return g_steal_pointer(&input);
}


/* ---------------------------------------------------------------------- */
/* Computing the layout */

/* An occupied interval of the device-memory window, kept sorted by start. */
typedef struct {
    unsigned long long start;
    unsigned long long end; /* exclusive */
    bool spm;
    size_t idx; /* into spmems or devices */
} spmQEMUOccupied;

typedef struct {
    const spmQEMULayoutInput *in;
    spmQEMULayout *out;
    size_t ntyped;
    bool spmForm;                /* typed cells become sp-mem devices */
    bool amdRules;               /* AMD vCPU and machine type >= 7.1 */
    bool bounded;                /* the window size is fixed (<maxMemory>) */
    unsigned long long devSizes; /* Σ sizes of every memory device */
    spmQEMUOccupied *occ;
    size_t nocc;
    size_t occFirstHole;          /* occ[0..n) are packed back to back from D */
    unsigned long long memoSize;  /* the last auto-placed device: nothing of this */
    unsigned long long memoAlign; /* size or more with this alignment fits */
    unsigned long long memoEnd;   /* below its end */
    unsigned long long lastEnd;   /* highest end of a memory device */
    unsigned long long maxUsed4G; /* the highest address before any relocation */
} spmQEMULayoutCtx;


static char *
spmQEMUSize(unsigned long long bytes)
{
    if (bytes % SPM_KIB)
        return g_strdup_printf(_("%1$llu bytes"), bytes);
    return spmFormatSizeKiB(bytes / SPM_KIB);
}


static bool
spmQEMUVersionAtLeast(const spmQEMULayoutInput *in, unsigned int major, unsigned int minor)
{
    if (in->machineMajor == 0 && in->machineMinor == 0)
        return true; /* an alias: the binary's newest machine type */
    return in->machineMajor > major || (in->machineMajor == major && in->machineMinor >= minor);
}


static unsigned int
spmQEMUBitsFor(unsigned long long maxAddr)
{
    unsigned int bits = 0;

    while (bits < 64 && (maxAddr >> bits) != 0)
        bits++;
    return bits;
}


/* The smallest boot RAM that QEMU splits around the 32-bit PCI hole. */
static unsigned long long
spmQEMULayoutSplitThreshold(const spmQEMULayoutInput *in)
{
    if (in->family == SPM_QEMU_MACHINE_FAMILY_Q35) {
        unsigned long long limit = in->maxRamBelow4G ? in->maxRamBelow4G : SPM_QEMU_FOUR_GIB;

        return MIN(limit, SPM_QEMU_Q35_LOWMEM_SMALL);
    }
    return in->maxRamBelow4G ? in->maxRamBelow4G : SPM_QEMU_PC_LOWMEM_DEFAULT;
}

/* The split of boot RAM around the 32-bit PCI hole (pc_q35.c, pc_piix.c). */
static void
spmQEMULayoutSplit(const spmQEMULayoutInput *in, unsigned long long ram, unsigned long long *below,
                   unsigned long long *above)
{
    unsigned long long lowmem;

    if (in->family == SPM_QEMU_MACHINE_FAMILY_Q35) {
        unsigned long long limit = in->maxRamBelow4G ? in->maxRamBelow4G : SPM_QEMU_FOUR_GIB;

        lowmem = ram >= SPM_QEMU_Q35_LOWMEM_SMALL ? SPM_QEMU_Q35_LOWMEM_LARGE
                                                  : SPM_QEMU_Q35_LOWMEM_SMALL;
        if (lowmem > limit) {
            lowmem = limit;
            if (ram - lowmem > lowmem && (lowmem & (SPM_GIB - 1))) {
                g_autofree char *s = spmQEMUSize(lowmem);
                spmReportWarning(
                    SPM_ERR_CONFIG_UNSUPPORTED,
                    _("max-ram-below-4g %1$s is not a multiple of 1 GiB on a large guest: QEMU warns of possibly poor performance"),
                    s);
            }
        }
    } else {
        lowmem = in->maxRamBelow4G ? in->maxRamBelow4G : SPM_QEMU_PC_LOWMEM_DEFAULT;
        if (ram >= lowmem) {
            if (lowmem > SPM_QEMU_PC_LOWMEM_GIGABYTE)
                lowmem = SPM_QEMU_PC_LOWMEM_GIGABYTE;
            if (lowmem & (SPM_GIB - 1)) {
                g_autofree char *s = spmQEMUSize(lowmem);
                spmReportWarning(
                    SPM_ERR_CONFIG_UNSUPPORTED,
                    _("max-ram-below-4g %1$s is not a multiple of 1 GiB on a large guest: QEMU warns of possibly bad performance"),
                    s);
            }
        }
    }
    if (ram >= lowmem) {
        *below = lowmem;
        *above = ram - lowmem;
    } else {
        *below = ram;
        *above = 0;
    }
}


/*
 * The memory block size x86 Linux picks in a VM (probe_memory_block_size):
 * 128 MiB below 64 GiB of boot RAM, else the largest power of two up to
 * 2 GiB that divides the end of boot RAM.
 */
static unsigned long long
spmQEMUGuestBlockSize(unsigned long long bootEnd)
{
    unsigned long long bz;

    if (bootEnd < SPM_QEMU_LAYOUT_LARGE_BLOCK_RAM)
        return SPM_QEMU_LAYOUT_BLOCK_SIZE;
    for (bz = SPM_QEMU_LAYOUT_BLOCK_SIZE_MAX; bz > SPM_QEMU_LAYOUT_BLOCK_SIZE; bz >>= 1) {
        if (bootEnd % bz == 0)
            break;
    }
    return bz;
}


static unsigned long long
spmQEMUBackendAlign(spmQEMUBackendType backend, unsigned long long pageSize)
{
    if (pageSize)
        return MAX(pageSize, SPM_QEMU_HOST_PAGE_SIZE);
    if (backend == SPM_QEMU_BACKEND_RAM)
        return SPM_QEMU_RAM_BACKEND_ALIGN;
    return SPM_QEMU_HOST_PAGE_SIZE;
}


/* The alignment and the window footprint QEMU gives memory device @dev. */
static void
spmQEMUDeviceGeometry(const spmQEMULayoutMemDev *dev, unsigned long long *align,
                      unsigned long long *size)
{
    unsigned long long a = spmQEMUBackendAlign(dev->backend, dev->pageSize);

    *size = dev->size;
    if (dev->model == SPM_MEMORY_MODEL_VIRTIO_MEM && dev->blockSize > a)
        a = dev->blockSize;
    if (dev->model == SPM_MEMORY_MODEL_NVDIMM) {
        unsigned long long pmem = dev->size > dev->labelSize ? dev->size - dev->labelSize : 0;
        *size = pmem - pmem % a;
    }
    *align = a;
}


static void
spmQEMUOccupy(spmQEMULayoutCtx *ctx, unsigned long long start, unsigned long long end, bool spm,
              size_t idx)
{
    size_t pos = ctx->nocc;

    if (pos > 0 && ctx->occ[pos - 1].start > start) {
        size_t lo = 0;
        size_t hi = pos;

        while (lo < hi) { /* the first interval starting after @start */
            size_t mid = lo + (hi - lo) / 2;

            if (ctx->occ[mid].start <= start)
                lo = mid + 1;
            else
                hi = mid;
        }
        pos = lo;
    }
    memmove(&ctx->occ[pos + 1], &ctx->occ[pos], (ctx->nocc - pos) * sizeof(ctx->occ[0]));
    ctx->occ[pos] = (spmQEMUOccupied){.start = start, .end = end, .spm = spm, .idx = idx};
    ctx->nocc++;
    if (end > ctx->lastEnd)
        ctx->lastEnd = end;
    /* keep the packed prefix: intervals that leave no hole behind them */
    if (pos < ctx->occFirstHole)
        ctx->occFirstHole = pos;
    while (ctx->occFirstHole + 1 < ctx->nocc &&
           ctx->occ[ctx->occFirstHole].end == ctx->occ[ctx->occFirstHole + 1].start)
        ctx->occFirstHole++;
}


/* The occupied interval overlapping [start, end), or NULL. */
static const spmQEMUOccupied *
spmQEMUFindOverlap(const spmQEMULayoutCtx *ctx, unsigned long long start, unsigned long long end)
{
    size_t i;

    for (i = 0; i < ctx->nocc; i++) {
        if (ctx->occ[i].start >= end)
            break;
        if (ctx->occ[i].end > start)
            return &ctx->occ[i];
    }
    return NULL;
}


/*
 * QEMU's first fit (memory_device_get_free_addr): from the window base
 * aligned up, skip past every realized device the candidate overlaps.
 * Intervals packed back to back from the first one cannot hold anything:
 * start after them.
 */
static unsigned long long
spmQEMUFirstFit(spmQEMULayoutCtx *ctx, unsigned long long base, unsigned long long size,
                unsigned long long align)
{
    unsigned long long cand = SPM_ROUND_UP(base, align);
    size_t i = 0;

    /*
     * QEMU's sweep finds the lowest aligned free position.  Space is only
     * ever taken, so where the last device of the same alignment and no more
     * size did not fit, this one does not fit either: start after it.
     */
    if (ctx->memoSize && align == ctx->memoAlign && size >= ctx->memoSize && ctx->memoEnd > cand) {
        size_t lo = 0;
        size_t hi = ctx->nocc;

        cand = SPM_ROUND_UP(ctx->memoEnd, align);
        while (lo < hi) { /* the first interval ending after cand */
            size_t mid = lo + (hi - lo) / 2;

            if (ctx->occ[mid].end <= cand)
                lo = mid + 1;
            else
                hi = mid;
        }
        i = lo;
    } else if (ctx->nocc > 0 && ctx->occ[0].start <= cand) {
        i = ctx->occFirstHole;
        if (ctx->occ[i].end > cand)
            cand = SPM_ROUND_UP(ctx->occ[i].end, align);
        i++;
    }
    for (; i < ctx->nocc; i++) {
        const spmQEMUOccupied *o = &ctx->occ[i];

        if (o->end <= cand)
            continue;
        if (o->start >= cand + size)
            break;
        cand = SPM_ROUND_UP(o->end, align);
    }
    ctx->memoSize = size;
    ctx->memoAlign = align;
    ctx->memoEnd = cand + size;
    return cand;
}


static char *
spmQEMUOccupantName(const spmQEMULayoutCtx *ctx, const spmQEMUOccupied *o)
{
    if (o->spm)
        return g_strdup_printf(_("the SPM range of NUMA cell '%1$u'"),
                               ctx->out->spmems[o->idx].node);
    return g_strdup_printf(_("memory device '%1$s'"), ctx->out->devices[o->idx].alias);
}


/*
 * Places the sp-mem devices and the other memory devices for RAM above 4 GiB
 * starting at @aboveStart.  With @report, reports what QEMU would refuse.
 * Returns -1 when something could not be placed.
 */
static int
spmQEMULayoutPlace(spmQEMULayoutCtx *ctx, unsigned long long aboveStart, bool report)
{
    const spmQEMULayoutInput *in = ctx->in;
    spmQEMULayout *out = ctx->out;
    unsigned long long bootEnd;
    unsigned long long cursor;
    int ret = 0;
    size_t i;

    out->above4gStart = aboveStart;
    out->relocated = aboveStart != SPM_QEMU_FOUR_GIB;
    out->deviceMemBase = SPM_ROUND_UP(aboveStart + out->above4g, SPM_GIB);
    bootEnd = out->above4g ? aboveStart + out->above4g : out->below4g;
    out->guestBlockSize = spmQEMUGuestBlockSize(bootEnd);

    ctx->nocc = 0;
    ctx->occFirstHole = 0;
    ctx->memoSize = 0;
    ctx->lastEnd = out->deviceMemBase;
    out->nspmems = 0;
    out->ndevices = 0;

    /* sp-mem devices first, in node order, each at a pinned address */
    cursor = out->deviceMemBase;
    for (i = 0; ctx->spmForm && i < in->nnodes; i++) {
        const spmQEMULayoutNode *node = &in->nodes[i];
        spmQEMULayoutSpMem *spm;

        if (node->memmap == SPM_MEMMAP_NORMAL)
            continue;
        spm = &out->spmems[out->nspmems];
        g_free(spm->backend);
        spm->node = node->id;
        spm->size = node->size;
        spm->align = MAX(out->guestBlockSize, spmQEMUBackendAlign(node->backend, node->pageSize));
        spm->addr = SPM_ROUND_UP(cursor, spm->align);
        spm->backend = g_strdup_printf("ram-node%u", node->id);
        spmQEMUOccupy(ctx, spm->addr, spm->addr + spm->size, true, out->nspmems);
        cursor = spm->addr + spm->size + (in->hmat ? 0 : SPM_QEMU_LAYOUT_SPM_GAP);
        out->nspmems++;
    }

    /* then the other memory devices in command-line order */
    for (i = 0; i < in->ndevs; i++) {
        const spmQEMULayoutMemDev *dev = &in->devs[i];
        spmQEMULayoutDevice *d = &out->devices[out->ndevices];
        const spmQEMUOccupied *o;

        g_free(d->alias);
        d->input = i;
        d->model = dev->model;
        d->alias = g_strdup(dev->alias);
        d->node = dev->node;
        spmQEMUDeviceGeometry(dev, &d->align, &d->size);
        d->pinned = dev->hasBase;

        if (dev->hasBase) {
            d->addr = dev->base;
            if (dev->base % d->align) {
                if (report) {
                    g_autofree char *a = spmQEMUSize(d->align);
                    spmReportError(
                        SPM_ERR_CONFIG_UNSUPPORTED,
                        _("memory device '%1$s' has <address base='0x%2$llx'>, which is not a multiple of %3$s as its backend needs: QEMU would refuse it ('address must be aligned'); use a multiple of %3$s or drop the base"),
                        dev->alias, dev->base, a);
                }
                /* the slot is not counted: do not leave its alias behind */
                g_clear_pointer(&d->alias, g_free);
                ret = -1;
                continue;
            }
            if (dev->base < out->deviceMemBase) {
                if (report) {
                    spmReportError(
                        SPM_ERR_CONFIG_UNSUPPORTED,
                        _("memory device '%1$s' has <address base='0x%2$llx'>, below the device-memory window that starts at 0x%3$llx: QEMU would refuse it ('can't add memory device'); use an address at or above 0x%3$llx or drop the base"),
                        dev->alias, dev->base, out->deviceMemBase);
                }
                /* the slot is not counted: do not leave its alias behind */
                g_clear_pointer(&d->alias, g_free);
                ret = -1;
                continue;
            }
            if ((o = spmQEMUFindOverlap(ctx, d->addr, d->addr + d->size))) {
                if (report) {
                    g_autofree char *other = spmQEMUOccupantName(ctx, o);
                    spmReportError(
                        SPM_ERR_CONFIG_UNSUPPORTED,
                        _("memory device '%1$s' at 0x%2$llx-0x%3$llx overlaps %4$s at 0x%5$llx-0x%6$llx: QEMU would refuse it ('address range conflicts'); virt-spm puts the SPM ranges first, from 0x%7$llx; set <address base> to 0x%8$llx or above, or drop it"),
                        dev->alias, d->addr, d->addr + d->size - 1, other, o->start, o->end - 1,
                        out->deviceMemBase, SPM_ROUND_UP(ctx->lastEnd, d->align));
                }
                /* the slot is not counted: do not leave its alias behind */
                g_clear_pointer(&d->alias, g_free);
                ret = -1;
                continue;
            }
        } else {
            d->addr = spmQEMUFirstFit(ctx, out->deviceMemBase, d->size, d->align);
        }
        spmQEMUOccupy(ctx, d->addr, d->addr + d->size, false, out->ndevices);
        out->ndevices++;
    }

    return ret;
}


/* Device-memory size (auto: what the placement needs), PCI hole, highest address. */
static void
spmQEMULayoutFinish(spmQEMULayoutCtx *ctx, unsigned long long autoSize)
{
    spmQEMULayout *out = ctx->out;
    unsigned long long hole64Start;

    if (out->hasDeviceMemory && !ctx->bounded)
        out->deviceMemSize = autoSize;
    if (out->hasDeviceMemory) {
        hole64Start = SPM_ROUND_UP(out->deviceMemBase + out->deviceMemSize, SPM_GIB);
        out->reservedMemEnd = hole64Start;
    } else {
        hole64Start = SPM_ROUND_UP(out->above4gStart + out->above4g, SPM_GIB);
        out->reservedMemEnd = 0;
    }
    out->hole64Start = hole64Start;
    out->maxUsedGPA = hole64Start + out->hole64Size - 1;
    out->physBitsNeeded = spmQEMUBitsFor(out->maxUsedGPA);
}


/* Layout-level rules on the cells and devices that do not need addresses. */
static void
spmQEMULayoutCheckInput(spmQEMULayoutCtx *ctx)
{
    const spmQEMULayoutInput *in = ctx->in;
    size_t nslots = 0;
    size_t i;

    if (in->cpu32bit) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("vCPU model '%1$s' has no 64-bit long mode: RAM above 4 GiB and the device-memory window that holds SPM memory are out of its reach; use a 64-bit CPU model"),
            in->cpuModel);
    }
    if (in->maxRamBelow4G > SPM_QEMU_FOUR_GIB) {
        g_autofree char *s = spmQEMUSize(in->maxRamBelow4G);
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("max-ram-below-4g %1$s is above 4 GiB: QEMU refuses it; drop it or use at most 4 GiB"),
            s);
    }
    if (ctx->ntyped > 0 && in->form == SPM_FORM_NONE) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the domain has typed NUMA cells, but QEMU %1$s offers neither the sp-mem device nor the memmap-type option, so the guest would get plain RAM: use QEMU 11.1 or newer"),
            in->emulator ? in->emulator : _("(unknown binary)"));
    }

    for (i = 0; i < in->nnodes; i++) {
        const spmQEMULayoutNode *node = &in->nodes[i];
        const char *memmap = spmMemmapTypeToString(node->memmap);
        g_autofree char *size = NULL;

        if (node->memmap == SPM_MEMMAP_NORMAL)
            continue;
        size = spmQEMUSize(node->size);
        if (node->size == 0) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s' but has no memory: QEMU refuses an empty memory backend; give the cell memory or drop memmap"),
                node->id, memmap);
            continue;
        }
        if (in->form == SPM_FORM_SP_MEM && node->memmap == SPM_MEMMAP_RESERVED) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed 'reserved', but this QEMU offers typed memory only through the sp-mem device, which always gives E820 type soft reserved (0xEFFFFFFF): use memmap='spm', or a QEMU with the memmap-type option"),
                node->id);
        }
        if (node->size % SPM_QEMU_LAYOUT_BLOCK_SIZE) {
            g_autofree char *lost = spmQEMUSize(node->size % SPM_QEMU_LAYOUT_BLOCK_SIZE);
            g_autofree char *down =
                spmQEMUSize(node->size - node->size % SPM_QEMU_LAYOUT_BLOCK_SIZE);
            g_autofree char *up = spmQEMUSize(SPM_ROUND_UP(node->size, SPM_QEMU_LAYOUT_BLOCK_SIZE));
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s' with %3$s, which is not a multiple of 128 MiB: Linux onlines SPM memory in whole 128 MiB blocks and would lose the last %4$s; make the cell %5$s or %6$s"),
                node->id, memmap, size, lost, down, up);
        }
        if (node->pageSize && node->size % node->pageSize) {
            g_autofree char *page = spmQEMUSize(node->pageSize);
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s' with %3$s, which is not a multiple of its %4$s huge pages: QEMU cannot map a partial huge page; make the cell a multiple of %4$s"),
                node->id, memmap, size, page);
        }
    }

    if (in->slots > SPM_QEMU_MAX_RAM_SLOTS) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("<maxMemory slots='%1$u'> exceeds QEMU's limit of %2$d memory slots: QEMU refuses it ('unsupported amount of memory slots'); use at most %2$d"),
            in->slots, SPM_QEMU_MAX_RAM_SLOTS);
    }

    for (i = 0; i < in->ndevs; i++) {
        if (in->devs[i].model == SPM_MEMORY_MODEL_DIMM ||
            in->devs[i].model == SPM_MEMORY_MODEL_NVDIMM)
            nslots++;
    }
    if (in->hasMaxMemory && nslots > in->slots) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the domain has %1$zu DIMM and NVDIMM devices, each needing a memory slot, but <maxMemory slots='%2$u'>: QEMU would refuse the rest ('no free slots available'); set slots to at least %1$zu (sp-mem, virtio-mem and virtio-pmem need none)"),
            nslots, in->slots);
    }

    for (i = 0; i < in->ndevs; i++) {
        const spmQEMULayoutMemDev *dev = &in->devs[i];
        const char *model = spmMemoryModelTypeToString(dev->model);

        if (dev->model == SPM_MEMORY_MODEL_SGX_EPC) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("memory device '%1$s' is an SGX EPC section: the layout does not model SGX EPC, which QEMU puts between RAM and the device-memory window; remove it from an SPM guest"),
                dev->alias);
            continue;
        }
        if (!in->hasMaxMemory) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("memory device '%1$s' (%2$s) needs <maxMemory>: memory devices live in the device-memory window, which only <maxMemory> (and its slots) sizes"),
                dev->alias, model);
        }
        if (dev->model == SPM_MEMORY_MODEL_NVDIMM && dev->labelSize >= dev->size) {
            g_autofree char *label = spmQEMUSize(dev->labelSize);
            g_autofree char *size = spmQEMUSize(dev->size);
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("memory device '%1$s' (nvdimm) has a %2$s label in %3$s: the label must leave room for the persistent memory"),
                dev->alias, label, size);
        }
        if (dev->size == 0) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                           _("memory device '%1$s' (%2$s) has no <target><size>"), dev->alias,
                           model);
        }
    }
}


/* Window and budget checks for a fixed <maxMemory>. */
static void
spmQEMULayoutCheckWindow(spmQEMULayoutCtx *ctx)
{
    spmQEMULayout *out = ctx->out;
    unsigned long long budget = out->maxMem - out->ramSize;
    unsigned long long windowEnd = out->deviceMemBase + out->deviceMemSize;
    unsigned long long slotRoom = (unsigned long long)out->slots * SPM_GIB;
    unsigned long long room = ctx->lastEnd - out->deviceMemBase;
    unsigned long long need = out->ramSize + ctx->devSizes;
    g_autofree char *maxmem = spmQEMUSize(out->maxMem);
    g_autofree char *ram = spmQEMUSize(out->ramSize);
    g_autofree char *needStr = NULL;
    size_t i;

    if (room > slotRoom && out->ramSize + room - slotRoom > need)
        need = out->ramSize + room - slotRoom;
    needStr = spmQEMUSize(SPM_ROUND_UP(need, SPM_MIB));

    if (ctx->devSizes > budget) {
        g_autofree char *devs = spmQEMUSize(ctx->devSizes);
        g_autofree char *left = spmQEMUSize(budget);
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the typed cells and memory devices need %1$s of device memory, but <maxMemory> %2$s minus the boot RAM %3$s leaves %4$s: QEMU would refuse them ('not enough space'); raise <maxMemory> to at least %5$s"),
            devs, maxmem, ram, left, needStr);
        return;
    }

    for (i = 0; i < ctx->nocc; i++) {
        const spmQEMUOccupied *o = &ctx->occ[i];
        g_autofree char *what = NULL;
        g_autofree char *zstr = NULL;

        if (o->end <= windowEnd)
            continue;
        what = spmQEMUOccupantName(ctx, o);
        zstr = spmQEMUSize(out->deviceMemSize);
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("%1$s at 0x%2$llx-0x%3$llx ends beyond the device-memory window 0x%4$llx-0x%5$llx (%6$s = <maxMemory> %7$s - boot RAM %8$s + %9$u slots x 1 GiB): virt-spm pins the SPM ranges from the window base, aligned, with a gap of at least 128 MiB between cells so that the guest does not merge them; raise <maxMemory> to at least %10$s or add slots"),
            what, o->start, o->end - 1, out->deviceMemBase, windowEnd - 1, zstr, maxmem, ram,
            out->slots, needStr);
    }
}


static void
spmQEMUE820Append(GArray *e820, unsigned long long addr, unsigned long long size, unsigned int type)
{
    spmQEMUE820Entry e = {.addr = addr, .size = size, .type = type};

    g_array_append_val(e820, e);
}


/*
 * The memmap-type patch's E820 rewrite: the entry holding the range is
 * removed and its head, the typed range and its tail are appended.  A
 * soft-reserved range must lie inside RAM.  false: QEMU only warns and the
 * cell stays RAM.
 */
static bool
spmQEMUE820Retype(GArray *e820, unsigned long long addr, unsigned long long len, unsigned int type)
{
    unsigned long long end = addr + len;
    size_t i;

    if (type == SPM_E820_SOFT_RESERVED) {
        bool inRam = false;

        for (i = 0; i < e820->len; i++) {
            const spmQEMUE820Entry *e = &g_array_index(e820, spmQEMUE820Entry, i);

            if (e->type == SPM_E820_RAM && e->addr <= addr && e->addr + e->size >= end)
                inRam = true;
        }
        if (!inRam)
            return false;
    }
    for (i = 0; i < e820->len; i++) {
        spmQEMUE820Entry e = g_array_index(e820, spmQEMUE820Entry, i);

        if (e.addr <= addr && e.addr + e.size >= end) {
            g_array_remove_index(e820, i);
            if (e.addr < addr)
                spmQEMUE820Append(e820, e.addr, addr - e.addr, e.type);
            spmQEMUE820Append(e820, addr, len, type);
            if (end < e.addr + e.size)
                spmQEMUE820Append(e820, end, e.addr + e.size - end, e.type);
            return true;
        }
    }
    return false;
}


static unsigned int
spmQEMUMemmapE820Type(spmMemmap memmap)
{
    switch (memmap) {
    case SPM_MEMMAP_SPM:
        return SPM_E820_SOFT_RESERVED;
    case SPM_MEMMAP_RESERVED:
        return SPM_E820_RESERVED;
    case SPM_MEMMAP_NORMAL:
    case SPM_MEMMAP_LAST:
        break;
    }
    return SPM_E820_RAM;
}


/* Boot RAM offset of every node (nodes without boot RAM add nothing). */
static unsigned long long
spmQEMUNodeBootRAM(const spmQEMULayoutCtx *ctx, size_t i)
{
    const spmQEMULayoutNode *node = &ctx->in->nodes[i];

    if (ctx->spmForm && node->memmap != SPM_MEMMAP_NORMAL)
        return 0;
    return node->size;
}


/* memmap-type form: where the RAM that stays RAM ends (Linux's max_pfn). */
static unsigned long long
spmQEMUMemmapRAMEnd(const spmQEMULayoutCtx *ctx)
{
    const spmQEMULayout *out = ctx->out;
    unsigned long long offset = 0;
    unsigned long long end = 0;
    size_t i;

    for (i = 0; i < ctx->in->nnodes; i++) {
        const spmQEMULayoutNode *node = &ctx->in->nodes[i];
        unsigned long long nodeEnd = offset + node->size;

        offset = nodeEnd;
        if (node->memmap != SPM_MEMMAP_NORMAL || node->size == 0)
            continue;
        end = nodeEnd <= out->below4g ? nodeEnd : out->above4gStart + (nodeEnd - out->below4g);
    }
    return end;
}


/* The memmap-type rules, the rewritten E820 entries of typed cells. */
static void
spmQEMULayoutMemmap(spmQEMULayoutCtx *ctx, GArray *e820)
{
    const spmQEMULayoutInput *in = ctx->in;
    spmQEMULayout *out = ctx->out;
    unsigned long long offset = 0;
    size_t i;

    for (i = 0; i < in->nnodes; i++) {
        const spmQEMULayoutNode *node = &in->nodes[i];
        const char *memmap = spmMemmapTypeToString(node->memmap);
        unsigned long long start = offset;
        unsigned long long end = offset + node->size;
        unsigned long long gpa;
        g_autofree char *size = NULL;
        g_autofree char *split = NULL;
        g_autofree char *ofs = NULL;

        offset = end;
        if (node->memmap == SPM_MEMMAP_NORMAL || node->size == 0)
            continue;
        size = spmQEMUSize(node->size);
        split = spmQEMUSize(out->below4g);
        ofs = spmQEMUSize(start);

        if (start < out->below4g && end > out->below4g) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s', but its boot RAM (%3$s from offset %4$s) straddles the below-4G split at %5$s: QEMU refuses to start ('spans across 4GB boundary'); give the cells before it at least %5$s in total"),
                node->id, memmap, size, ofs, split);
            continue;
        }
        if (end <= out->below4g) {
            unsigned long long bigBelow;
            unsigned long long bigAbove;
            unsigned long long threshold;
            size_t mark = spmErrorMark();
            g_autofree char *need = NULL;
            g_autofree char *total = NULL;

            /* Where QEMU splits a RAM large enough to be split at all, and
             * from which size it splits: the cells before this one must
             * fill the low part, and the RAM must be large enough. */
            spmQEMULayoutSplit(in, SPM_TIB, &bigBelow, &bigAbove);
            spmErrorTruncate(mark);
            threshold = spmQEMULayoutSplitThreshold(in);
            need = spmQEMUSize(bigBelow);
            total = spmQEMUSize(MAX(threshold, bigBelow + node->size));
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s', but its boot RAM (%3$s from offset %4$s) lies below 4 GiB: the firmware and the kernel need that memory as ordinary RAM; give the cells before it at least %5$s in total and the guest at least %6$s of boot RAM, so that QEMU splits RAM at %5$s and the cell lands above 4 GiB"),
                node->id, memmap, size, ofs, need, total);
            continue;
        }
        if (out->relocated) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s', but the guest's addresses reach 0x%3$llx with an AMD vCPU ('%4$s') on machine type '%5$s', so QEMU moves RAM above 4 GiB to 1 TiB: the memmap-type code assumes RAM at 4 GiB and QEMU would only warn and boot the cell as plain RAM; give the guest less memory (keep the highest address below 0x%6$llx) or use the sp-mem form (QEMU 11.1)"),
                node->id, memmap, ctx->maxUsed4G, in->cpuModel, in->machine, SPM_QEMU_AMD_HT_START);
            continue;
        }
        gpa = SPM_QEMU_FOUR_GIB + (start - out->below4g);
        if (gpa % SPM_QEMU_LAYOUT_BLOCK_SIZE) {
            g_autofree char *add = spmQEMUSize(SPM_ROUND_UP(gpa, SPM_QEMU_LAYOUT_BLOCK_SIZE) - gpa);
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s' and starts at guest-physical 0x%3$llx, which is not on a 128 MiB boundary: Linux onlines whole 128 MiB blocks and would lose part of the cell; add %4$s to the cells before it"),
                node->id, memmap, gpa, add);
            continue;
        }
        if (gpa % out->guestBlockSize) {
            g_autofree char *block = spmQEMUSize(out->guestBlockSize);
            spmReportWarning(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s' and starts at guest-physical 0x%3$llx, which is not on a %4$s boundary: a Linux guest this large is expected to online memory in %4$s blocks and would lose part of the cell as system RAM (dax access is not affected)"),
                node->id, memmap, gpa, block);
        }
        if (!spmQEMUE820Retype(e820, gpa, node->size, spmQEMUMemmapE820Type(node->memmap))) {
            spmReportError(
                SPM_ERR_INTERNAL_ERROR,
                _("the range 0x%1$llx-0x%2$llx of NUMA cell '%3$u' is not inside one E820 RAM entry: QEMU would only warn and boot it as plain RAM"),
                gpa, gpa + node->size - 1, node->id);
        }
    }
}


static void
spmQEMUSratAppend(GArray *srat, unsigned long long addr, unsigned long long size, unsigned int pxm,
                  unsigned int flags, spmQEMUSratKind kind)
{
    spmQEMUSratEntry e = {.addr = addr, .size = size, .pxm = pxm, .flags = flags, .kind = kind};

    g_array_append_val(srat, e);
}


/* build_srat(): boot RAM per node, NVDIMMs, padding, the device-memory window. */
static void
spmQEMULayoutSrat(spmQEMULayoutCtx *ctx, GArray *srat)
{
    const spmQEMULayoutInput *in = ctx->in;
    spmQEMULayout *out = ctx->out;
    unsigned long long nextBase = 0;
    unsigned int last = in->nnodes - 1;
    size_t i;

    for (i = 0; i < in->nnodes; i++) {
        unsigned long long memBase = nextBase;
        unsigned long long memLen = spmQEMUNodeBootRAM(ctx, i);

        nextBase = memBase + memLen;
        if (memBase <= SPM_QEMU_HOLE_640K_START && nextBase > SPM_QEMU_HOLE_640K_START) {
            memLen -= nextBase - SPM_QEMU_HOLE_640K_START;
            if (memLen > 0)
                spmQEMUSratAppend(srat, memBase, memLen, i, SPM_SRAT_MEM_ENABLED,
                                  SPM_QEMU_SRAT_RAM);
            if (nextBase <= SPM_QEMU_HOLE_640K_END) {
                nextBase = SPM_QEMU_HOLE_640K_END;
                continue;
            }
            memBase = SPM_QEMU_HOLE_640K_END;
            memLen = nextBase - SPM_QEMU_HOLE_640K_END;
        }
        if (memBase <= out->below4g && nextBase > out->below4g) {
            memLen -= nextBase - out->below4g;
            if (memLen > 0)
                spmQEMUSratAppend(srat, memBase, memLen, i, SPM_SRAT_MEM_ENABLED,
                                  SPM_QEMU_SRAT_RAM);
            memBase = out->above4gStart;
            memLen = nextBase - out->below4g;
            nextBase = memBase + memLen;
        }
        if (memLen > 0)
            spmQEMUSratAppend(srat, memBase, memLen, i, SPM_SRAT_MEM_ENABLED, SPM_QEMU_SRAT_RAM);
    }

    for (i = 0; i < out->ndevices; i++) {
        const spmQEMULayoutDevice *d = &out->devices[i];

        if (d->model != SPM_MEMORY_MODEL_NVDIMM)
            continue;
        spmQEMUSratAppend(srat, d->addr, d->size, d->node < 0 ? 0 : d->node,
                          SPM_SRAT_MEM_ENABLED | SPM_SRAT_MEM_NON_VOLATILE, SPM_QEMU_SRAT_NVDIMM);
    }

    while (srat->len < in->nnodes + 2)
        spmQEMUSratAppend(srat, 0, 0, 0, 0, SPM_QEMU_SRAT_PADDING);

    if (out->hasDeviceMemory && out->deviceMemSize > 0) {
        unsigned long long cur = out->deviceMemBase;
        unsigned long long end = out->deviceMemBase + out->deviceMemSize;

        for (i = 0; i < out->nspmems; i++) {
            const spmQEMULayoutSpMem *spm = &out->spmems[i];

            if (spm->addr > cur)
                spmQEMUSratAppend(srat, cur, spm->addr - cur, last,
                                  SPM_SRAT_MEM_ENABLED | SPM_SRAT_MEM_HOTPLUGGABLE,
                                  SPM_QEMU_SRAT_HOTPLUG);
            spmQEMUSratAppend(srat, spm->addr, spm->size, spm->node, SPM_SRAT_MEM_ENABLED,
                              SPM_QEMU_SRAT_SPM);
            cur = spm->addr + spm->size;
        }
        if (cur < end)
            spmQEMUSratAppend(srat, cur, end - cur, last,
                              SPM_SRAT_MEM_ENABLED | SPM_SRAT_MEM_HOTPLUGGABLE,
                              SPM_QEMU_SRAT_HOTPLUG);
    }
}


static void
spmQEMUNodeAddRange(GArray *ranges, unsigned long long addr, unsigned long long size,
                    spmQEMURangeKind kind, unsigned int e820, size_t dev)
{
    spmQEMULayoutRange r = {.addr = addr, .size = size, .kind = kind, .e820 = e820, .dev = dev};
    size_t pos = ranges->len;

    while (pos > 0 && g_array_index(ranges, spmQEMULayoutRange, pos - 1).addr > addr)
        pos--;
    g_array_insert_val(ranges, pos, r);
}


/* Per-node view: boot RAM pieces, the SPM range, the memory devices. */
static void
spmQEMULayoutNodeMaps(spmQEMULayoutCtx *ctx)
{
    const spmQEMULayoutInput *in = ctx->in;
    spmQEMULayout *out = ctx->out;
    g_autofree GArray **nodeRanges = g_new0(GArray *, in->nnodes);
    unsigned long long offset = 0;
    size_t i;
    size_t j;

    out->nnodes = in->nnodes;
    out->nodes = g_new0(spmQEMULayoutNodeMap, in->nnodes);
    for (i = 0; i < in->nnodes; i++) {
        const spmQEMULayoutNode *node = &in->nodes[i];
        spmQEMULayoutNodeMap *map = &out->nodes[i];
        g_autoptr(GArray) ranges = g_array_new(FALSE, FALSE, sizeof(spmQEMULayoutRange));
        unsigned long long len = spmQEMUNodeBootRAM(ctx, i);
        unsigned long long start = offset;
        unsigned long long end = offset + len;
        spmQEMURangeKind kind = SPM_QEMU_RANGE_RAM;
        unsigned int type = SPM_E820_RAM;

        map->id = node->id;
        map->memmap = node->memmap;
        map->size = node->size;
        offset = end;
        if (node->memmap != SPM_MEMMAP_NORMAL && !ctx->spmForm) {
            kind = SPM_QEMU_RANGE_TYPED;
            type = spmQEMUMemmapE820Type(node->memmap);
        }
        if (len > 0 && start < out->below4g)
            spmQEMUNodeAddRange(ranges, start, MIN(end, out->below4g) - start, kind, type, 0);
        if (len > 0 && end > out->below4g) {
            unsigned long long from = MAX(start, out->below4g);
            spmQEMUNodeAddRange(ranges, out->above4gStart + (from - out->below4g), end - from, kind,
                                type, 0);
        }
        nodeRanges[i] = g_steal_pointer(&ranges);
    }
    for (j = 0; j < out->nspmems; j++) {
        if (out->spmems[j].node < in->nnodes)
            spmQEMUNodeAddRange(nodeRanges[out->spmems[j].node], out->spmems[j].addr,
                                out->spmems[j].size, SPM_QEMU_RANGE_SPM, SPM_E820_SOFT_RESERVED, 0);
    }
    for (j = 0; j < out->ndevices; j++) {
        if (out->devices[j].node >= 0 && (size_t)out->devices[j].node < in->nnodes)
            spmQEMUNodeAddRange(nodeRanges[out->devices[j].node], out->devices[j].addr,
                                out->devices[j].size, SPM_QEMU_RANGE_DEVICE, 0, j);
    }
    for (i = 0; i < in->nnodes; i++) {
        out->nodes[i].nranges = nodeRanges[i]->len;
        out->nodes[i].ranges = (spmQEMULayoutRange *)(void *)g_array_free(nodeRanges[i], FALSE);
    }
}


static gint
spmQEMUCompareFirstCPU(gconstpointer a, gconstpointer b, gpointer opaque)
{
    const spmQEMULayoutInput *in = opaque;
    long long x = in->nodes[*(const size_t *)a].firstCPU;
    long long y = in->nodes[*(const size_t *)b].firstCPU;

    return x < y ? -1 : x > y;
}


static const char *spmQEMUGuestNodesHint(const spmQEMULayoutCtx *ctx);

/*
 * The node numbers a Linux guest gives the cells: in the order the proximity
 * domains first appear in the SRAT, processor entries (vCPU order) first,
 * then enabled memory entries in table order (acpi_map_pxm_to_node()).
 */
static void
spmQEMULayoutGuestNodes(spmQEMULayoutCtx *ctx)
{
    const spmQEMULayoutInput *in = ctx->in;
    spmQEMULayout *out = ctx->out;
    g_autofree size_t *order = g_new0(size_t, in->nnodes);
    g_autoptr(GString) moved = g_string_new(NULL);
    size_t ncpu = 0;
    int next = 0;
    size_t i;

    for (i = 0; i < out->nnodes; i++)
        out->nodes[i].guestNode = -1;
    if (out->nsrat == 0) {
        /* no SRAT: one node */
        out->nodes[0].guestNode = 0;
        return;
    }
    for (i = 0; i < in->nnodes; i++) {
        if (in->nodes[i].firstCPU >= 0)
            order[ncpu++] = i;
    }
    g_qsort_with_data(order, ncpu, sizeof(order[0]), spmQEMUCompareFirstCPU, (gpointer)in);
    for (i = 0; i < ncpu; i++)
        out->nodes[order[i]].guestNode = next++;
    for (i = 0; i < out->nsrat; i++) {
        const spmQEMUSratEntry *e = &out->srat[i];

        if ((e->flags & SPM_SRAT_MEM_ENABLED) && e->pxm < out->nnodes &&
            out->nodes[e->pxm].guestNode < 0)
            out->nodes[e->pxm].guestNode = next++;
    }

    for (i = 0; i < out->nnodes; i++) {
        const spmQEMULayoutNodeMap *node = &out->nodes[i];

        if (node->guestNode == (int)node->id)
            continue;
        if (moved->len)
            g_string_append(moved, ", ");
        if (node->guestNode < 0)
            g_string_append_printf(moved, _("cell %1$u has no guest node"), node->id);
        else
            g_string_append_printf(moved, _("cell %1$u becomes guest node %2$d"), node->id,
                                   node->guestNode);
    }
    if (moved->len)
        spmReportWarning(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the guest will number its NUMA nodes differently from the cells (%1$s): Linux numbers nodes in the order their proximity domains first appear in the SRAT, vCPUs first, then memory; %2$s"),
            moved->str, spmQEMUGuestNodesHint(ctx));
}


/* Why the guest numbers the nodes differently, and what to change. */
static const char *
spmQEMUGuestNodesHint(const spmQEMULayoutCtx *ctx)
{
    const spmQEMULayoutInput *in = ctx->in;
    const spmQEMULayout *out = ctx->out;
    unsigned int last = in->nnodes - 1;
    bool seenLate = false;
    size_t i;

    /* memory-only SPM cells appear only in the device-memory part, at the end */
    for (i = 0; i < in->nnodes; i++) {
        const spmQEMULayoutNode *node = &in->nodes[i];
        bool late = ctx->spmForm && node->memmap != SPM_MEMMAP_NORMAL && node->firstCPU < 0;

        if (late)
            seenLate = true;
        else if (seenLate && (node->firstCPU >= 0 || node->size > 0))
            return _(
                "give the typed cells the highest cell ids: their memory appears in the SRAT only after the boot RAM and the vCPUs of every other cell");
    }
    /* a gap of the hotplug area (proximity domain: the last cell) before an SPM range */
    for (i = 0; seenLate && i < out->nsrat; i++) {
        const spmQEMUSratEntry *e = &out->srat[i];

        if (e->kind == SPM_QEMU_SRAT_SPM && e->pxm == last)
            break;
        if (e->kind == SPM_QEMU_SRAT_HOTPLUG && e->pxm == last)
            return _(
                "the gaps virt-spm leaves between SPM ranges when there is no HMAT belong to QEMU's hotplug area, whose proximity domain is the highest-numbered cell, a typed one here: add HMAT <interconnects> to <numa> (the SPM ranges are then packed without gaps), or use at most two typed cells");
    }
    return _(
        "list the cells' vCPUs in cell order (each cell's lowest vCPU rising with the cell id), and give every cell memory or vCPUs");
}


int
spmQEMULayoutGetLaunchData(const spmQEMULayout *layout, const spmQEMULayoutInput *input,
                           spmLaunchData **launch)
{
    g_autoptr(spmLaunchData) data = NULL;
    size_t i;

    *launch = NULL;
    switch (layout->form) {
    case SPM_FORM_SP_MEM:
        data = spmLaunchDataNew(SPM_FORM_SP_MEM);
        data->maxmem = layout->maxMem;
        data->slots = layout->slots;
        for (i = 0; i < layout->nspmems; i++) {
            const spmQEMULayoutSpMem *sp = &layout->spmems[i];
            spmLaunchNode *node = spmLaunchDataAddNode(data, sp->node);

            if (!node)
                return -1;
            node->memmap = SPM_MEMMAP_SPM;
            node->size = sp->size;
            node->addr = sp->addr;
        }
        break;
    case SPM_FORM_MEMMAP_TYPE:
        data = spmLaunchDataNew(SPM_FORM_MEMMAP_TYPE);
        for (i = 0; i < input->nnodes; i++) {
            const spmQEMULayoutNode *cell = &input->nodes[i];
            spmLaunchNode *node;

            if (cell->memmap == SPM_MEMMAP_NORMAL)
                continue;
            if (!(node = spmLaunchDataAddNode(data, cell->id)))
                return -1;
            node->memmap = cell->memmap;
            /* the backend size: libvirt rounds cells up to 1 MiB */
            node->size = cell->size;
        }
        break;
    case SPM_FORM_NONE:
        /* the layout has a form exactly when some cell is typed */
        return 0;
    case SPM_FORM_LAST:
    default:
        spmReportError(SPM_ERR_INTERNAL_ERROR, _("layout with the unknown SPM form '%1$u'"),
                       layout->form);
        return -1;
    }

    if (spmLaunchDataValidate(data) < 0)
        return -1;
    *launch = g_steal_pointer(&data);
    return 0;
}


char *
spmQEMULayoutFormatLibvirtMemoryArg(const spmQEMULayoutInput *in)
{
    unsigned long long initial = 0;
    size_t i;

    for (i = 0; i < in->nnodes; i++)
        initial += in->nodes[i].size;
    if (in->hasMaxMemory)
        return g_strdup_printf("size=%lluk,slots=%u,maxmem=%lluk", initial / SPM_KIB, in->slots,
                               in->maxMemory / SPM_KIB);
    return g_strdup_printf("%llu", initial / SPM_MIB);
}


/*
 * The -m and sp-mem -device values QEMU receives: libvirt's -m, then what
 * the shim makes of it and of the launch data define stores, through the
 * shim's own formatters.
 */
static int
spmQEMULayoutFormatArgs(spmQEMULayout *layout, const spmQEMULayoutInput *in)
{
    g_autoptr(spmLaunchData) launch = NULL;
    g_autofree char *libvirtMemory = spmQEMULayoutFormatLibvirtMemoryArg(in);
    size_t i;

    if (spmQEMULayoutGetLaunchData(layout, in, &launch) < 0)
        return -1;
    if (!launch || launch->form != SPM_FORM_SP_MEM) {
        layout->memoryArg = g_steal_pointer(&libvirtMemory);
        return 0;
    }
    if (!(layout->memoryArg = spmQEMUFormatMemoryWithoutTyped(libvirtMemory, launch)))
        return -1;
    for (i = 0; i < layout->nspmems; i++) {
        spmQEMULayoutSpMem *sp = &layout->spmems[i];
        const spmLaunchNode *node = spmLaunchDataGetNode(launch, sp->node);

        sp->device = spmQEMUFormatSpMemDevice(node->id, sp->backend, node->addr, in->deviceKeyval);
    }
    return 0;
}


spmQEMULayout *
spmQEMULayoutCompute(const spmQEMULayoutInput *in)
{
    g_autoptr(spmQEMULayout) out = g_new0(spmQEMULayout, 1);
    g_autofree spmQEMUOccupied *occ = NULL;
    g_autoptr(GArray) e820 = NULL;
    g_autoptr(GArray) srat = NULL;
    spmQEMULayoutCtx ctx = {.in = in, .out = out};
    size_t mark = spmErrorCount();
    unsigned long long autoSize = 0;
    int rc;
    size_t i;

    if (in->family == SPM_QEMU_MACHINE_FAMILY_NONE || in->nnodes == 0) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, "%s",
                       _("layout input without a pc/q35 machine type or without memory"));
        return NULL;
    }
    for (i = 0; i < in->nnodes; i++) {
        if (in->nodes[i].id != i) {
            spmReportError(SPM_ERR_INTERNAL_ERROR, _("layout input node %1$zu has id %2$u"), i,
                           in->nodes[i].id);
            return NULL;
        }
        if (in->nodes[i].memmap != SPM_MEMMAP_NORMAL)
            ctx.ntyped++;
    }
    ctx.spmForm = ctx.ntyped > 0 && in->form == SPM_FORM_SP_MEM;
    if (ctx.spmForm)
        out->form = SPM_FORM_SP_MEM;
    else if (ctx.ntyped > 0)
        out->form = in->form;
    spmQEMULayoutCheckInput(&ctx);

    for (i = 0; i < in->nnodes; i++)
        out->ramSize += spmQEMUNodeBootRAM(&ctx, i);
    if (out->ramSize == 0) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED, "%s",
            _("no NUMA cell gives the guest boot RAM: every cell is typed or empty, but the firmware and the kernel need ordinary memory; give a normal cell (cell 0) memory"));
        return NULL;
    }
    spmQEMULayoutSplit(in, out->ramSize, &out->below4g, &out->above4g);
    out->hole64Size = in->hole64Size                ? in->hole64Size
        : in->family == SPM_QEMU_MACHINE_FAMILY_Q35 ? SPM_QEMU_Q35_HOLE64_SIZE
                                                    : SPM_QEMU_PC_HOLE64_SIZE;
    out->physBits = in->physBits;
    ctx.amdRules = in->vendor == SPM_QEMU_CPU_VENDOR_AMD && spmQEMUVersionAtLeast(in, 7, 1);

    if (in->hasMaxMemory) {
        g_autofree char *maxmem = spmQEMUSize(in->maxMemory);
        g_autofree char *ram = spmQEMUSize(out->ramSize);

        out->maxMem = in->maxMemory;
        out->slots = in->slots;
        out->maxMemFromDomain = true;
        ctx.bounded = true;
        if (in->maxMemory < out->ramSize) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("<maxMemory> %1$s is smaller than the boot RAM %2$s: raise <maxMemory>"), maxmem,
                ram);
            return NULL;
        }
        if (in->maxMemory == out->ramSize && in->slots > 0) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("<maxMemory> %1$s equals the boot RAM, but slots='%2$u' is set: QEMU refuses memory slots without room for memory devices ('invalid value of maxmem'); raise <maxMemory> above %1$s"),
                maxmem, in->slots);
        }
        out->hasDeviceMemory = in->maxMemory > out->ramSize;
        out->deviceMemSize = out->hasDeviceMemory
            ? in->maxMemory - out->ramSize + (unsigned long long)in->slots * SPM_GIB
            : 0;
    } else {
        out->hasDeviceMemory = ctx.spmForm;
    }

    out->spmems = g_new0(spmQEMULayoutSpMem, ctx.ntyped);
    out->devices = g_new0(spmQEMULayoutDevice, in->ndevs);
    ctx.occ = occ = g_new0(spmQEMUOccupied, ctx.ntyped + in->ndevs);
    for (i = 0; ctx.spmForm && i < in->nnodes; i++) {
        if (in->nodes[i].memmap != SPM_MEMMAP_NORMAL)
            ctx.devSizes += in->nodes[i].size;
    }
    for (i = 0; i < in->ndevs; i++) {
        unsigned long long align;
        unsigned long long size;

        spmQEMUDeviceGeometry(&in->devs[i], &align, &size);
        ctx.devSizes += size;
    }

    if (spmErrorCount() > mark)
        return NULL;

    /* QEMU decides on the relocation with RAM above 4 GiB at 4 GiB */
    rc = spmQEMULayoutPlace(&ctx, SPM_QEMU_FOUR_GIB, false);
    autoSize = ctx.lastEnd - out->deviceMemBase;
    spmQEMULayoutFinish(&ctx, autoSize);
    ctx.maxUsed4G = out->maxUsedGPA;
    if (ctx.amdRules && out->maxUsedGPA >= SPM_QEMU_AMD_HT_START) {
        rc = spmQEMULayoutPlace(&ctx, SPM_QEMU_AMD_ABOVE_1TB_START, false);
        /* keep the room of both placements, so QEMU's decision holds with it */
        autoSize = MAX(autoSize, ctx.lastEnd - out->deviceMemBase);
    }
    if (rc < 0) {
        /* once more, to say what QEMU would refuse */
        spmQEMULayoutPlace(&ctx, out->above4gStart, true);
        return NULL;
    }
    if (ctx.ntyped > 0 && !ctx.spmForm)
        out->guestBlockSize = spmQEMUGuestBlockSize(spmQEMUMemmapRAMEnd(&ctx));
    spmQEMULayoutFinish(&ctx, MAX(autoSize, ctx.lastEnd - out->deviceMemBase));
    if (!in->hasMaxMemory)
        out->maxMem = out->ramSize + (out->hasDeviceMemory ? out->deviceMemSize : 0);
    out->amdHtHole = ctx.amdRules && out->physBits >= 40;

    if (ctx.bounded && out->hasDeviceMemory)
        spmQEMULayoutCheckWindow(&ctx);
    else if (ctx.bounded && (ctx.nocc > 0)) {
        g_autofree char *maxmem = spmQEMUSize(out->maxMem);
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the typed cells and memory devices need device memory, but <maxMemory> %1$s leaves nothing above the boot RAM: QEMU would refuse them ('consider specifying the maxmem option'); raise <maxMemory>"),
            maxmem);
    }

    if (out->physBits < out->physBitsNeeded) {
        g_autofree char *hole = spmQEMUSize(out->hole64Size);
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the highest guest-physical address is 0x%1$llx (the top of the %2$s 64-bit PCI hole%3$s), which needs %4$u physical address bits, but the vCPU ('%5$s') has %6$u: QEMU would refuse to start ('phys-bits too low'); add <maxphysaddr mode='emulate' bits='%4$u'/> to <cpu> (or mode='passthrough' on a host with enough bits), or give the guest less memory"),
            out->maxUsedGPA, hole,
            out->relocated ? _(", after the AMD relocation of RAM above 4 GiB to 1 TiB") : "",
            out->physBitsNeeded, in->cpuModel, out->physBits);
    }

    for (i = 0; i < in->nnodes; i++) {
        const spmQEMULayoutNode *node = &in->nodes[i];

        if (node->memmap != SPM_MEMMAP_NORMAL && out->guestBlockSize > SPM_QEMU_LAYOUT_BLOCK_SIZE &&
            node->size % out->guestBlockSize) {
            g_autofree char *size = spmQEMUSize(node->size);
            g_autofree char *block = spmQEMUSize(out->guestBlockSize);
            g_autofree char *lost = spmQEMUSize(node->size % out->guestBlockSize);
            spmReportWarning(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s' with %3$s, not a multiple of %4$s: with boot RAM ending at 0x%5$llx a Linux guest is expected to online memory in %4$s blocks and would not online the last %6$s as system RAM (dax access is not affected)"),
                node->id, spmMemmapTypeToString(node->memmap), size, block,
                out->above4g ? out->above4gStart + out->above4g : out->below4g, lost);
        }
    }

    /* E820 as pc_memory_init() builds it, then the sp-mem plug adds its entries */
    e820 = g_array_new(FALSE, FALSE, sizeof(spmQEMUE820Entry));
    if (out->amdHtHole)
        spmQEMUE820Append(e820, SPM_QEMU_AMD_HT_START, SPM_QEMU_AMD_HT_SIZE, SPM_E820_RESERVED);
    spmQEMUE820Append(e820, 0, out->below4g, SPM_E820_RAM);
    if (out->above4g > 0)
        spmQEMUE820Append(e820, out->above4gStart, out->above4g, SPM_E820_RAM);
    if (!ctx.spmForm && ctx.ntyped > 0 && in->form == SPM_FORM_MEMMAP_TYPE)
        spmQEMULayoutMemmap(&ctx, e820);
    for (i = 0; i < out->nspmems; i++)
        spmQEMUE820Append(e820, out->spmems[i].addr, out->spmems[i].size, SPM_E820_SOFT_RESERVED);

    srat = g_array_new(FALSE, FALSE, sizeof(spmQEMUSratEntry));
    if (!in->noNuma || out->hasDeviceMemory)
        spmQEMULayoutSrat(&ctx, srat);

    spmQEMULayoutNodeMaps(&ctx);

    if (spmErrorCount() > mark)
        return NULL;

    out->ne820 = e820->len;
    out->e820 = (spmQEMUE820Entry *)(void *)g_array_free(g_steal_pointer(&e820), FALSE);
    out->nsrat = srat->len;
    out->srat = (spmQEMUSratEntry *)(void *)g_array_free(g_steal_pointer(&srat), FALSE);
    spmQEMULayoutGuestNodes(&ctx);
    if (spmQEMULayoutFormatArgs(out, in) < 0)
        return NULL;
    return g_steal_pointer(&out);
}


int
spmQEMULayoutGetMemoryArgs(const spmQEMULayoutInput *input, spmQEMULayoutMemoryArgs *args)
{
    g_autoptr(spmQEMULayout) layout = spmQEMULayoutCompute(input);

    if (!layout)
        return -1;
    args->size = layout->ramSize;
    args->maxmem = layout->maxMem;
    args->slots = layout->slots;
    return 0;
}


/* ---------------------------------------------------------------------- */
/* Formatting */

static const char *
spmQEMUE820Name(unsigned int type)
{
    switch (type) {
    case SPM_E820_RAM:
        return "RAM";
    case SPM_E820_RESERVED:
        return "reserved";
    case SPM_E820_SOFT_RESERVED:
        return "soft reserved";
    case 0:
        return "-";
    }
    return "other";
}


static const char *
spmQEMUE820JSONName(unsigned int type)
{
    switch (type) {
    case SPM_E820_RAM:
        return "ram";
    case SPM_E820_RESERVED:
        return "reserved";
    case SPM_E820_SOFT_RESERVED:
        return "soft-reserved";
    case 0:
        return "none";
    }
    return "other";
}


static char *
spmQEMUSratFlagsString(unsigned int flags)
{
    g_autoptr(GPtrArray) parts = g_ptr_array_new();

    if (flags & SPM_SRAT_MEM_ENABLED)
        g_ptr_array_add(parts, (gpointer) "enabled");
    if (flags & SPM_SRAT_MEM_HOTPLUGGABLE)
        g_ptr_array_add(parts, (gpointer) "hotpluggable");
    if (flags & SPM_SRAT_MEM_NON_VOLATILE)
        g_ptr_array_add(parts, (gpointer) "non-volatile");
    if (parts->len == 0)
        return g_strdup("none");
    g_ptr_array_add(parts, NULL);
    return g_strjoinv(", ", (char **)parts->pdata);
}


/* "0x000100000000-0x00013fffffff": an inclusive range as Linux prints it. */
static char *
spmQEMURangeString(unsigned long long addr, unsigned long long size)
{
    if (size == 0)
        return g_strdup_printf("0x%012llx (empty)", addr);
    return g_strdup_printf("0x%012llx-0x%012llx", addr, addr + size - 1);
}


static const spmQEMULayoutSpMem *
spmQEMULayoutFindSpMem(const spmQEMULayout *layout, unsigned int node)
{
    size_t lo = 0;
    size_t hi = layout->nspmems;

    /* in node order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (layout->spmems[mid].node == node)
            return &layout->spmems[mid];
        if (layout->spmems[mid].node < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}


char *
spmQEMULayoutFormatTable(const spmQEMULayout *layout, const spmQEMULayoutInput *input)
{
    g_autoptr(GString) str = g_string_new(NULL);
    const char *marg = layout->memoryArg;
    g_autofree char *ram = spmQEMUSize(layout->ramSize);
    g_autofree char *below = spmQEMUSize(layout->below4g);
    g_autofree char *above = spmQEMUSize(layout->above4g);
    g_autofree char *block = spmQEMUSize(layout->guestBlockSize);
    g_autofree char *hole = spmQEMURangeString(layout->hole64Start, layout->hole64Size);
    g_autofree char *holeSize = spmQEMUSize(layout->hole64Size);
    size_t i;
    size_t j;

    g_string_append_printf(str, "%-15s %s (%s), %s %s\n", _("Machine"), input->machine,
                           spmQEMUMachineFamilyTypeToString(input->family), _("SPM form"),
                           layout->form == SPM_FORM_NONE ? _("none (no typed cells)")
                                                         : spmFormTypeToString(layout->form));
    g_string_append_printf(str, _("%1$-15s %2$s: vendor %3$s, %4$u phys-bits\n"), _("vCPU"),
                           input->cpuModel, spmQEMUCPUVendorTypeToString(input->vendor),
                           input->physBits);
    g_string_append_printf(str, "%-15s -m %s%s\n", _("Memory"), marg,
                           layout->maxMemFromDomain ? _(" (maxmem from <maxMemory>)") : "");
    if (layout->above4g > 0)
        g_string_append_printf(str,
                               _("%1$-15s %2$s: %3$s below 4 GiB, %4$s above from 0x%5$llx%6$s\n"),
                               _("Boot RAM"), ram, below, above, layout->above4gStart,
                               layout->relocated ? _(" (AMD 1 TiB relocation)") : "");
    else
        g_string_append_printf(str, _("%1$-15s %2$s, all below 4 GiB\n"), _("Boot RAM"), ram);
    if (layout->hasDeviceMemory) {
        g_autofree char *win = spmQEMURangeString(layout->deviceMemBase, layout->deviceMemSize);
        g_autofree char *winSize = spmQEMUSize(layout->deviceMemSize);
        g_string_append_printf(str, "%-15s %s (%s)\n", _("Device memory"), win, winSize);
    } else {
        g_string_append_printf(str, "%-15s %s\n", _("Device memory"), _("none"));
    }
    g_string_append_printf(str, "%-15s %s (%s)\n", _("PCI hole 64-bit"), hole, holeSize);
    g_string_append_printf(str, _("%1$-15s 0x%2$llx: needs %3$u phys-bits, the vCPU has %4$u\n"),
                           _("Highest GPA"), layout->maxUsedGPA, layout->physBitsNeeded,
                           layout->physBits);
    g_string_append_printf(str, "%-15s %s\n", _("Guest blocks"), block);

    g_string_append_printf(str, "\n%-5s %-29s %-10s %-14s %-4s %-6s %s\n", _("NODE"), _("RANGE"),
                           _("SIZE"), _("TYPE"), _("PXM"), _("GUEST"), _("SRAT"));
    for (i = 0; i < layout->nnodes; i++) {
        const spmQEMULayoutNodeMap *node = &layout->nodes[i];

        g_autofree char *guest =
            node->guestNode < 0 ? g_strdup("-") : g_strdup_printf("%d", node->guestNode);

        if (node->nranges == 0) {
            g_string_append_printf(str, "%-5u %-29s %-10s %-14s %-4u %-6s %s\n", node->id, "-", "0",
                                   _("no memory"), node->id, guest, "-");
            continue;
        }
        for (j = 0; j < node->nranges; j++) {
            const spmQEMULayoutRange *r = &node->ranges[j];
            g_autofree char *range = spmQEMURangeString(r->addr, r->size);
            g_autofree char *size = spmQEMUSize(r->size);
            const char *type = spmQEMUE820Name(r->e820);
            const char *srat = layout->nsrat ? _("enabled") : "-";
            g_autofree char *extra = NULL;

            if (r->kind == SPM_QEMU_RANGE_DEVICE) {
                const spmQEMULayoutDevice *d = &layout->devices[r->dev];

                type = spmMemoryModelTypeToString(d->model);
                srat = d->model == SPM_MEMORY_MODEL_NVDIMM ? _("enabled, non-volatile")
                                                           : _("hotplug window (_PXM)");
                extra = g_strdup_printf("%s%s", d->alias, d->pinned ? _(" (pinned)") : "");
            } else if (r->kind == SPM_QEMU_RANGE_SPM) {
                const spmQEMULayoutSpMem *spm = spmQEMULayoutFindSpMem(layout, node->id);

                if (spm)
                    extra =
                        g_strdup_printf("sp-mem addr=0x%llx memdev=%s", spm->addr, spm->backend);
            } else if (r->kind == SPM_QEMU_RANGE_TYPED) {
                extra = g_strdup_printf("memmap-type=%s", spmMemmapTypeToString(node->memmap));
            }
            g_string_append_printf(str, "%-5u %-29s %-10s %-14s %-4u %-6s %s%s%s\n", node->id,
                                   range, size, type, node->id, guest, srat, extra ? "  " : "",
                                   extra ? extra : "");
        }
    }

    g_string_append_printf(str, "\n%s\n", _("E820 (fw_cfg etc/e820, in QEMU's order)"));
    for (i = 0; i < layout->ne820; i++) {
        const spmQEMUE820Entry *e = &layout->e820[i];
        g_autofree char *range = spmQEMURangeString(e->addr, e->size);
        g_autofree char *size = spmQEMUSize(e->size);

        g_string_append_printf(str, "  %-29s %-10s %s\n", range, size, spmQEMUE820Name(e->type));
    }

    g_string_append_printf(str, "\n%s\n", _("SRAT memory affinity (in QEMU's order)"));
    if (layout->nsrat == 0)
        g_string_append_printf(str, "  %s\n", _("none (no NUMA)"));
    for (i = 0; i < layout->nsrat; i++) {
        const spmQEMUSratEntry *e = &layout->srat[i];
        g_autofree char *range = NULL;
        g_autofree char *size = NULL;
        g_autofree char *flags = NULL;

        if (e->kind == SPM_QEMU_SRAT_PADDING) {
            g_string_append_printf(str, "  %-7s %s\n", "-", _("padding (zero length, disabled)"));
            continue;
        }
        range = spmQEMURangeString(e->addr, e->size);
        size = spmQEMUSize(e->size);
        flags = spmQEMUSratFlagsString(e->flags);
        g_string_append_printf(str, "  PXM %-3u %-29s %-10s %s (%s)\n", e->pxm, range, size, flags,
                               spmQEMUSratKindTypeToString(e->kind));
    }
    return g_string_free(g_steal_pointer(&str), FALSE);
}


static json_object *
spmQEMUJSONRange(unsigned long long addr, unsigned long long size)
{
    json_object *obj = json_object_new_object();

    json_object_object_add(obj, "start", json_object_new_int64(addr));
    json_object_object_add(obj, "end", json_object_new_int64(size ? addr + size - 1 : addr));
    json_object_object_add(obj, "size", json_object_new_int64(size));
    return obj;
}


json_object *
spmQEMULayoutToJSON(const spmQEMULayout *layout, const spmQEMULayoutInput *input)
{
    g_autofree json_object **nodeSrat = NULL;
    json_object *root = json_object_new_object();
    json_object *obj;
    json_object *arr;
    size_t i;
    size_t j;

    obj = json_object_new_object();
    json_object_object_add(obj, "name", json_object_new_string(input->machine));
    json_object_object_add(obj, "family",
                           json_object_new_string(spmQEMUMachineFamilyTypeToString(input->family)));
    json_object_object_add(root, "machine", obj);
    json_object_object_add(root, "form", json_object_new_string(spmFormTypeToString(layout->form)));

    obj = json_object_new_object();
    json_object_object_add(obj, "model", json_object_new_string(input->cpuModel));
    json_object_object_add(obj, "vendor",
                           json_object_new_string(spmQEMUCPUVendorTypeToString(input->vendor)));
    json_object_object_add(obj, "physBits", json_object_new_int(layout->physBits));
    json_object_object_add(root, "cpu", obj);

    obj = json_object_new_object();
    json_object_object_add(obj, "size", json_object_new_int64(layout->ramSize));
    json_object_object_add(obj, "maxmem", json_object_new_int64(layout->maxMem));
    json_object_object_add(obj, "slots", json_object_new_int(layout->slots));
    json_object_object_add(obj, "maxmemFromDomain",
                           json_object_new_boolean(layout->maxMemFromDomain));
    json_object_object_add(obj, "arg", json_object_new_string(layout->memoryArg));
    json_object_object_add(root, "memory", obj);

    obj = json_object_new_object();
    json_object_object_add(obj, "below4g", json_object_new_int64(layout->below4g));
    json_object_object_add(obj, "above4g", json_object_new_int64(layout->above4g));
    json_object_object_add(obj, "above4gStart", json_object_new_int64(layout->above4gStart));
    json_object_object_add(obj, "amdRelocation", json_object_new_boolean(layout->relocated));
    json_object_object_add(obj, "amdHtHole", json_object_new_boolean(layout->amdHtHole));
    json_object_object_add(root, "bootRam", obj);

    if (layout->hasDeviceMemory) {
        obj = spmQEMUJSONRange(layout->deviceMemBase, layout->deviceMemSize);
        json_object_object_add(obj, "reservedMemoryEnd",
                               json_object_new_int64(layout->reservedMemEnd));
        json_object_object_add(root, "deviceMemory", obj);
    } else {
        json_object_object_add(root, "deviceMemory", NULL);
    }
    json_object_object_add(root, "pciHole64",
                           spmQEMUJSONRange(layout->hole64Start, layout->hole64Size));
    json_object_object_add(root, "maxUsedGPA", json_object_new_int64(layout->maxUsedGPA));
    json_object_object_add(root, "physBitsNeeded", json_object_new_int(layout->physBitsNeeded));
    json_object_object_add(root, "guestBlockSize", json_object_new_int64(layout->guestBlockSize));

    nodeSrat = g_new0(json_object *, layout->nnodes);
    for (i = 0; i < layout->nnodes; i++)
        nodeSrat[i] = json_object_new_array();
    for (j = 0; j < layout->nsrat; j++) {
        const spmQEMUSratEntry *e = &layout->srat[j];
        json_object *so;

        if (e->pxm >= layout->nnodes || e->kind == SPM_QEMU_SRAT_PADDING ||
            e->kind == SPM_QEMU_SRAT_HOTPLUG)
            continue;
        so = spmQEMUJSONRange(e->addr, e->size);
        json_object_object_add(so, "pxm", json_object_new_int(e->pxm));
        json_object_object_add(so, "hotplug",
                               json_object_new_boolean(e->flags & SPM_SRAT_MEM_HOTPLUGGABLE));
        json_object_array_add(nodeSrat[e->pxm], so);
    }

    arr = json_object_new_array();
    for (i = 0; i < layout->nnodes; i++) {
        const spmQEMULayoutNodeMap *node = &layout->nodes[i];
        const spmQEMULayoutSpMem *spm = spmQEMULayoutFindSpMem(layout, node->id);
        json_object *ranges = json_object_new_array();

        obj = json_object_new_object();
        json_object_object_add(obj, "id", json_object_new_int(node->id));
        json_object_object_add(obj, "memmap",
                               json_object_new_string(spmMemmapTypeToString(node->memmap)));
        json_object_object_add(obj, "size", json_object_new_int64(node->size));
        json_object_object_add(obj, "guestNode",
                               node->guestNode < 0 ? NULL : json_object_new_int(node->guestNode));
        for (j = 0; j < node->nranges; j++) {
            const spmQEMULayoutRange *r = &node->ranges[j];
            json_object *ro = spmQEMUJSONRange(r->addr, r->size);

            json_object_object_add(ro, "kind",
                                   json_object_new_string(spmQEMURangeKindTypeToString(r->kind)));
            json_object_object_add(ro, "e820",
                                   json_object_new_string(spmQEMUE820JSONName(r->e820)));
            if (r->kind == SPM_QEMU_RANGE_DEVICE)
                json_object_object_add(ro, "device",
                                       json_object_new_string(layout->devices[r->dev].alias));
            json_object_array_add(ranges, ro);
        }
        json_object_object_add(obj, "ranges", ranges);
        json_object_object_add(obj, "srat", g_steal_pointer(&nodeSrat[i]));
        if (spm) {
            json_object *so = json_object_new_object();

            json_object_object_add(so, "addr", json_object_new_int64(spm->addr));
            json_object_object_add(so, "size", json_object_new_int64(spm->size));
            json_object_object_add(so, "backend", json_object_new_string(spm->backend));
            json_object_object_add(so, "device", json_object_new_string(spm->device));
            json_object_object_add(obj, "spMem", so);
        } else {
            json_object_object_add(obj, "spMem", NULL);
        }
        json_object_array_add(arr, obj);
    }
    json_object_object_add(root, "nodes", arr);

    arr = json_object_new_array();
    for (i = 0; i < layout->ndevices; i++) {
        const spmQEMULayoutDevice *d = &layout->devices[i];

        obj = spmQEMUJSONRange(d->addr, d->size);
        json_object_object_add(obj, "alias", json_object_new_string(d->alias));
        json_object_object_add(obj, "model",
                               json_object_new_string(spmMemoryModelTypeToString(d->model)));
        json_object_object_add(obj, "node", json_object_new_int(d->node));
        json_object_object_add(obj, "align", json_object_new_int64(d->align));
        json_object_object_add(obj, "pinned", json_object_new_boolean(d->pinned));
        json_object_array_add(arr, obj);
    }
    json_object_object_add(root, "memoryDevices", arr);

    arr = json_object_new_array();
    for (i = 0; i < layout->ne820; i++) {
        const spmQEMUE820Entry *e = &layout->e820[i];

        obj = spmQEMUJSONRange(e->addr, e->size);
        json_object_object_add(obj, "type", json_object_new_int64(e->type));
        json_object_object_add(obj, "name", json_object_new_string(spmQEMUE820JSONName(e->type)));
        json_object_array_add(arr, obj);
    }
    json_object_object_add(root, "e820", arr);

    arr = json_object_new_array();
    for (i = 0; i < layout->nsrat; i++) {
        const spmQEMUSratEntry *e = &layout->srat[i];

        obj = spmQEMUJSONRange(e->addr, e->size);
        json_object_object_add(obj, "pxm", json_object_new_int(e->pxm));
        json_object_object_add(obj, "flags", json_object_new_int(e->flags));
        json_object_object_add(obj, "kind",
                               json_object_new_string(spmQEMUSratKindTypeToString(e->kind)));
        json_object_array_add(arr, obj);
    }
    json_object_object_add(root, "srat", arr);
    return root;
}


char *
spmQEMULayoutFormatJSON(const spmQEMULayout *layout, const spmQEMULayoutInput *input)
{
    json_object *root = spmQEMULayoutToJSON(layout, input);
    char *ret = g_strdup_printf("%s\n",
                                json_object_to_json_string_ext(root,
                                                               JSON_C_TO_STRING_PRETTY |
                                                                   JSON_C_TO_STRING_SPACED |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));

    json_object_put(root);
    return ret;
}


/* One box of the picture. */
typedef struct {
    unsigned long long addr;
    unsigned long long size;
    char *label;
    const char *fill;
    bool dashed;
} spmQEMUSvgSeg;

typedef struct {
    GArray *segs; /* spmQEMUSvgSeg, by address */
} spmQEMUSvg;

/* Fills for SPM ranges, one per node (cycled); light enough for black text. */
static const char *const spmQEMUSvgNodeFills[] = {
    "#f4a582", "#e78ac3", "#b39ddb", "#ffd92f", "#f08080", "#d6a4e0", "#fdae61", "#ff9ec4",
};
#define SPM_QEMU_SVG_RAM "#a6d8a0"
#define SPM_QEMU_SVG_PCI "#dcdcdc"
#define SPM_QEMU_SVG_FREE "#eeeefa"
#define SPM_QEMU_SVG_DEVICE "#9ecae1"
#define SPM_QEMU_SVG_RESERVED "#a8a8a8"
#define SPM_QEMU_SVG_UNUSED "#ffffff"


static void
spmQEMUSvgAdd(spmQEMUSvg *svg, unsigned long long addr, unsigned long long size, const char *fill,
              bool dashed, char *label)
{
    spmQEMUSvgSeg seg = {
        .addr = addr, .size = size, .label = label, .fill = fill, .dashed = dashed};
    size_t pos = svg->segs->len;

    if (size == 0) {
        g_free(label);
        return;
    }
    while (pos > 0 && g_array_index(svg->segs, spmQEMUSvgSeg, pos - 1).addr > addr)
        pos--;
    g_array_insert_val(svg->segs, pos, seg);
}


static void
spmQEMUSvgSegClear(gpointer data)
{
    spmQEMUSvgSeg *seg = data;

    g_free(seg->label);
}


/* Box height: a piecewise logarithmic scale, so that 640 KiB and 1 TiB both show. */
static unsigned int
spmQEMUSvgHeight(unsigned long long size)
{
    unsigned int lg = 0;
    unsigned long long mib = size / SPM_MIB;

    while (mib > 1) {
        mib >>= 1;
        lg++;
    }
    return 20 + 6 * lg;
}


char *
spmQEMULayoutFormatSVG(const spmQEMULayout *layout, const spmQEMULayoutInput *input)
{
    g_autoptr(GString) body = g_string_new(NULL);
    g_autoptr(GString) str = g_string_new(NULL);
    g_autoptr(GArray) content = g_array_new(FALSE, FALSE, sizeof(spmQEMUSvgSeg));
    g_autoptr(GArray) all = NULL;
    GArray *segs = content;
    const char *marg = layout->memoryArg;
    g_autofree char *title = NULL;
    g_autofree char *titleEsc = NULL;
    g_autofree char *subtitle = NULL;
    g_autofree char *subtitleEsc = NULL;
    spmQEMUSvg svg = {.segs = content};
    const unsigned int barX = 150;
    const unsigned int barW = 200;
    const unsigned int top = 60;
    unsigned long long cur = 0;
    unsigned int height = 0;
    unsigned int y;
    size_t i;
    size_t j;

    g_array_set_clear_func(content, spmQEMUSvgSegClear);

    /* per-node ranges: boot RAM, SPM, typed RAM, memory devices */
    for (i = 0; i < layout->nnodes; i++) {
        const spmQEMULayoutNodeMap *node = &layout->nodes[i];

        for (j = 0; j < node->nranges; j++) {
            const spmQEMULayoutRange *r = &node->ranges[j];
            const char *fill = SPM_QEMU_SVG_RAM;
            char *label;

            switch (r->kind) {
            case SPM_QEMU_RANGE_SPM:
            case SPM_QEMU_RANGE_TYPED:
                fill = r->e820 == SPM_E820_RESERVED
                    ? SPM_QEMU_SVG_RESERVED
                    : spmQEMUSvgNodeFills[node->id % G_N_ELEMENTS(spmQEMUSvgNodeFills)];
                label =
                    g_strdup_printf(_("node %1$u %2$s (%3$s)"), node->id, spmQEMUE820Name(r->e820),
                                    r->kind == SPM_QEMU_RANGE_SPM ? "sp-mem" : "memmap-type");
                break;
            case SPM_QEMU_RANGE_DEVICE:
                fill = SPM_QEMU_SVG_DEVICE;
                label = g_strdup_printf(_("node %1$u %2$s %3$s"), node->id,
                                        spmMemoryModelTypeToString(layout->devices[r->dev].model),
                                        layout->devices[r->dev].alias);
                break;
            case SPM_QEMU_RANGE_RAM:
            case SPM_QEMU_RANGE_LAST:
            default:
                label = g_strdup_printf(_("node %1$u RAM"), node->id);
                break;
            }
            spmQEMUSvgAdd(&svg, r->addr, r->size, fill, false, label);
        }
    }
    /* what is not memory */
    spmQEMUSvgAdd(&svg, layout->below4g, SPM_QEMU_FOUR_GIB - layout->below4g, SPM_QEMU_SVG_PCI,
                  false, g_strdup(_("32-bit PCI hole, firmware, APIC")));
    spmQEMUSvgAdd(&svg, layout->hole64Start, layout->hole64Size, SPM_QEMU_SVG_PCI, false,
                  g_strdup(_("64-bit PCI hole")));
    if (layout->amdHtHole)
        spmQEMUSvgAdd(&svg, SPM_QEMU_AMD_HT_START, SPM_QEMU_AMD_HT_SIZE, SPM_QEMU_SVG_RESERVED,
                      false, g_strdup(_("AMD HyperTransport hole (reserved)")));
    /* what lies between the boxes: free device memory, or unused addresses */
    all = g_array_new(FALSE, FALSE, sizeof(spmQEMUSvgSeg));
    g_array_set_clear_func(all, spmQEMUSvgSegClear);
    for (i = 0; i <= segs->len; i++) {
        spmQEMUSvgSeg *s = i < segs->len ? &g_array_index(segs, spmQEMUSvgSeg, i) : NULL;
        unsigned long long next = s ? s->addr : cur;

        while (cur < next) {
            unsigned long long wbase = layout->deviceMemBase;
            unsigned long long wend = wbase + layout->deviceMemSize;
            spmQEMUSvgSeg gap = {.addr = cur, .fill = SPM_QEMU_SVG_UNUSED, .dashed = true};

            if (layout->hasDeviceMemory && cur >= wbase && cur < wend) {
                gap.size = MIN(next, wend) - cur;
                gap.fill = SPM_QEMU_SVG_FREE;
                gap.dashed = false;
                gap.label = g_strdup(_("device memory, free (hotplug)"));
            } else if (layout->hasDeviceMemory && cur < wbase && next > wbase) {
                gap.size = wbase - cur;
                gap.label = g_strdup(_("unused"));
            } else {
                gap.size = next - cur;
                if (layout->relocated && cur == SPM_QEMU_FOUR_GIB)
                    gap.label = g_strdup(_("unused: AMD vCPU, RAM above 4 GiB moved to 1 TiB"));
                else if (next == layout->hole64Start && gap.size < SPM_GIB)
                    gap.label =
                        g_strdup(_("unused: the 64-bit PCI hole starts on a 1 GiB boundary"));
                else
                    gap.label = g_strdup(_("unused"));
            }
            g_array_append_val(all, gap);
            cur += gap.size;
        }
        if (!s)
            break;
        g_array_append_val(all, *s);
        s->label = NULL; /* moved */
        cur = MAX(cur, s->addr + s->size);
    }
    if (layout->hasDeviceMemory && cur < layout->deviceMemBase + layout->deviceMemSize) {
        spmQEMUSvgSeg gap = {.addr = cur,
                             .fill = SPM_QEMU_SVG_FREE,
                             .size = layout->deviceMemBase + layout->deviceMemSize - cur,
                             .label = g_strdup(_("device memory, free (hotplug)"))};
        g_array_append_val(all, gap);
    }
    g_array_set_size(segs, 0);
    segs = all;

    for (i = 0; i < segs->len; i++)
        height += spmQEMUSvgHeight(g_array_index(segs, spmQEMUSvgSeg, i).size);

    /* draw from the top: the highest address first */
    y = top;
    for (i = segs->len; i-- > 0;) {
        const spmQEMUSvgSeg *s = &g_array_index(segs, spmQEMUSvgSeg, i);
        unsigned int h = spmQEMUSvgHeight(s->size);
        g_autofree char *size = spmQEMUSize(s->size);
        g_autofree char *label = g_markup_escape_text(s->label, -1);

        g_string_append_printf(
            body, "  <rect x='%u' y='%u' width='%u' height='%u' fill='%s' stroke='#333'%s/>\n",
            barX, y, barW, h, s->fill, s->dashed ? " stroke-dasharray='4 3'" : "");
        g_string_append_printf(body, "  <text x='%u' y='%u' class='label'>%s</text>\n",
                               barX + barW + 12, y + h / 2 + 4, label);
        g_string_append_printf(body, "  <text x='%u' y='%u' class='size'>%s</text>\n",
                               barX + barW / 2, y + h / 2 + 4, size);
        g_string_append_printf(body, "  <text x='%u' y='%u' class='addr'>0x%llx</text>\n", barX - 8,
                               y + h, s->addr);
        y += h;
    }
    if (layout->hasDeviceMemory) {
        /* a bracket beside the device-memory window */
        unsigned int wtop = top;
        unsigned int wbottom = top;
        unsigned long long wend = layout->deviceMemBase + layout->deviceMemSize;

        for (i = segs->len; i-- > 0;) {
            const spmQEMUSvgSeg *s = &g_array_index(segs, spmQEMUSvgSeg, i);
            unsigned int h = spmQEMUSvgHeight(s->size);

            if (s->addr >= wend)
                wtop += h;
            if (s->addr >= layout->deviceMemBase)
                wbottom += h;
        }
        g_string_append_printf(
            body,
            "  <path d='M %u %u h 8 V %u h -8' fill='none' stroke='#555' stroke-width='2'/>\n",
            barX + barW + 300, wtop + 2, wbottom - 2);
        g_string_append_printf(body, "  <text x='%u' y='%u' class='label'>%s</text>\n",
                               barX + barW + 314, (wtop + wbottom) / 2 + 4,
                               _("device-memory window"));
    }

    title = g_strdup_printf(_("%1$s, SPM form %2$s, vCPU %3$s (%4$s, %5$u phys-bits)"),
                            input->machine, spmFormTypeToString(layout->form), input->cpuModel,
                            spmQEMUCPUVendorTypeToString(input->vendor), layout->physBits);
    titleEsc = g_markup_escape_text(title, -1);
    subtitle = g_strdup_printf(
        _("-m %1$s. Box heights grow with the logarithm of the size; addresses are where each box starts."),
        marg);
    subtitleEsc = g_markup_escape_text(subtitle, -1);

    g_string_append_printf(
        str,
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<svg xmlns='http://www.w3.org/2000/svg' width='%u' height='%u' viewBox='0 0 %u %u'>\n"
        "  <style>\n"
        "    text { font-family: sans-serif; font-size: 12px; fill: #111; }\n"
        "    .title { font-size: 15px; font-weight: bold; }\n"
        "    .addr { font-family: monospace; font-size: 11px; text-anchor: end; }\n"
        "    .size { text-anchor: middle; font-size: 11px; }\n"
        "  </style>\n"
        "  <rect width='100%%' height='100%%' fill='white'/>\n"
        "  <text x='10' y='24' class='title'>%s</text>\n"
        "  <text x='10' y='44'>%s</text>\n",
        barX + barW + 480, top + height + 40, barX + barW + 480, top + height + 40, titleEsc,
        subtitleEsc);
    g_string_append(str, body->str);
    g_string_append(str, "</svg>\n");
    return g_string_free(g_steal_pointer(&str), FALSE);
}
