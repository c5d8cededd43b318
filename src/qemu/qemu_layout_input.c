/*
 * qemu_layout_input.c: the layout's input: spmQEMULayoutInput from a domain
 * and a QEMU binary, the table of QEMU's CPU models, and the host probe
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_layout_priv.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"

#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_LAYOUT

SPM_ENUM_IMPL(spmQEMUCPUVendor, SPM_QEMU_CPU_VENDOR_LAST, "unknown", "intel", "amd", "other");
SPM_ENUM_IMPL(spmQEMUBackendType, SPM_QEMU_BACKEND_LAST, "memory-backend-ram",
              "memory-backend-file", "memory-backend-memfd");


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
        if (mem->targetNode >= 0 && (size_t)mem->targetNode >= input->nnodes) {
            /* libvirt refuses it too; without this check the layout would
             * index past its nodes */
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("memory device '%1$s' (number %2$zu) targets guest NUMA node '%3$d', but the domain has only %4$zu NUMA node(s); give <target><node> an existing cell id"),
                mem->modelName, i + 1, mem->targetNode, input->nnodes);
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
