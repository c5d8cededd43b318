/*
 * domain_validate.c: semantic rules for SPM-typed NUMA cells
 *
 * The rules come in three groups: the libvirt NUMA rules virt-spm depends
 * on, whole-node typing, and what the guest needs to see a typed node at
 * all (x86 pc/q35, ACPI, UEFI).  Each problem is reported where it is
 * found; validation goes on so that the user sees all of them at once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_validate.h"
#include "spmerror.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_DOMAIN

#define SPM_NUMA_DISTANCE_LOCAL 10
#define SPM_NUMA_DISTANCE_MAX 255
#define SPM_NUMA_CACHE_LEVEL_MAX 3

static const char *
spmMemmapName(spmMemmap memmap)
{
    return spmMemmapTypeToString(memmap);
}

static bool
spmCellIsTyped(const spmNumaCell *cell)
{
    return cell->memmap != SPM_MEMMAP_NORMAL;
}


/* Rule 2: ids unique and contiguous from 0. */
static void
spmValidateCellIds(const spmDomainDef *def)
{
    size_t n = def->numa.ncells;
    g_autofree bool *seen = g_new0(bool, n);
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned int id = def->numa.cells[i].id;

        if (id >= n) {
            spmReportError(
                SPM_ERR_XML_ERROR,
                _("NUMA cell id '%1$u' is out of range: the %2$zu cells must have ids 0 to %3$zu, each exactly once (non-contiguous ids or ids not starting from 0 are not allowed)"),
                id, n, n - 1);
            continue;
        }
        if (seen[id]) {
            spmReportError(
                SPM_ERR_XML_ERROR,
                _("Duplicate NUMA cell info for cell id '%1$u': each cell id may appear only once"),
                id);
            continue;
        }
        seen[id] = true;
    }
}

/* Rule 2: vCPU sets do not overlap and stay below <vcpu>.  One pass over
 * the cells against the union of the earlier ones keeps this linear; the
 * earlier cell is searched for only when there is an overlap to report. */
static void
spmValidateCellCpus(const spmDomainDef *def)
{
    unsigned int maxvcpus = def->hasVcpu ? def->vcpus : 1;
    g_autoptr(spmBitmap) seen = spmBitmapNew(maxvcpus);
    size_t total = 0;
    size_t i;
    size_t j;

    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *a = &def->numa.cells[i];
        ssize_t last;
        ssize_t bit = -1;

        if (!a->cpus)
            continue;
        total += spmBitmapCountBits(a->cpus);
        last = spmBitmapLastSetBit(a->cpus);
        if (last >= (ssize_t)maxvcpus) {
            spmReportError(
                SPM_ERR_XML_ERROR,
                _("CPU IDs in <numa> exceed the <vcpu> count: NUMA cell '%1$u' lists vCPU %2$zd, but the domain has %3$u vCPUs (ids 0 to %4$u); raise <vcpu> or fix the cell's cpus"),
                a->id, last, maxvcpus, maxvcpus - 1);
        }
        if (spmBitmapOverlaps(a->cpus, seen)) {
            for (j = 0; j < i; j++) {
                const spmNumaCell *b = &def->numa.cells[j];
                ssize_t common;

                if (b->cpus && (common = spmBitmapFirstCommonBit(b->cpus, a->cpus)) >= 0) {
                    spmReportError(
                        SPM_ERR_CONFIG_UNSUPPORTED,
                        _("NUMA cells %1$u and %2$u have overlapping vCPU ids (vCPU %3$zd is in both); each vCPU belongs to one cell"),
                        b->id, a->id, common);
                }
            }
        }
        while ((bit = spmBitmapNextSetBit(a->cpus, bit)) >= 0)
            spmBitmapSetBit(seen, bit);
    }
    if (total > maxvcpus) {
        spmReportError(SPM_ERR_XML_ERROR,
                       _("Number of CPUs in <numa> (%1$zu) exceeds the <vcpu> count (%2$u)"), total,
                       maxvcpus);
    }
}

/* Rule 2: distances point at existing cells with sane values. */
static void
spmValidateCellDistances(const spmDomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *cell = &def->numa.cells[i];

        for (j = 0; j < cell->ndistances; j++) {
            const spmNumaDistance *d = &cell->distances[j];

            if (d->cellid >= def->numa.ncells) {
                spmReportError(
                    SPM_ERR_XML_ERROR,
                    _("NUMA cell '%1$u' has a distance to sibling '%2$u', which does not refer to a valid cell (the domain has %3$zu cells)"),
                    cell->id, d->cellid, def->numa.ncells);
            } else if (d->value < SPM_NUMA_DISTANCE_LOCAL || d->value > SPM_NUMA_DISTANCE_MAX) {
                spmReportError(
                    SPM_ERR_XML_ERROR,
                    _("NUMA distance '%1$u' from cell '%2$u' to sibling '%3$u' is invalid: distances range from 10 to 255"),
                    d->value, cell->id, d->cellid);
            } else if (d->cellid == cell->id && d->value != SPM_NUMA_DISTANCE_LOCAL) {
                spmReportError(
                    SPM_ERR_XML_ERROR,
                    _("NUMA distance of cell '%1$u' to itself is '%2$u': the local distance must be 10"),
                    cell->id, d->value);
            } else if (d->cellid != cell->id && d->value == SPM_NUMA_DISTANCE_LOCAL) {
                spmReportError(
                    SPM_ERR_XML_ERROR,
                    _("NUMA distance from cell '%1$u' to sibling '%2$u' is 10, which means local: remote distances must be 11 to 255"),
                    cell->id, d->cellid);
            }
        }
    }
}

/* Rule 2 (typed cell has memory) and rule 4 (cell 0 normal; some normal memory). */
static void
spmValidateCellTyping(const spmDomainDef *def)
{
    bool normalMemory = false;
    size_t i;

    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *cell = &def->numa.cells[i];

        if (!spmCellIsTyped(cell)) {
            if (cell->memKiB > 0)
                normalMemory = true;
            continue;
        }
        if (cell->memKiB == 0) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s' but has no memory: a typed cell is the memory it types; give it a size, or drop memmap"),
                cell->id, spmMemmapName(cell->memmap));
        }
        if (cell->id == 0) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '0' cannot be typed '%1$s': the guest firmware and kernel boot from cell 0's memory; keep cell 0 normal and type a cell with a higher id"),
                spmMemmapName(cell->memmap));
        }
    }

    if (spmDomainDefCountTypedCells(def) > 0 && !normalMemory) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED, "%s",
            _("no normal NUMA cell holds memory: the guest needs ordinary RAM to boot from; give a cell without memmap (normally cell 0) some memory"));
    }
}

/* Rule 3: no memory device gives a typed cell normal memory; libvirt's own
 * memory device rules that the layout depends on. */
static void
spmValidateMemoryDevices(const spmDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nmems; i++) {
        const spmMemoryDef *mem = &def->mems[i];
        const spmNumaCell *cell;

        if (mem->targetNode < 0) {
            if (def->numa.ncells > 0 && mem->model != SPM_MEMORY_MODEL_SGX_EPC) {
                spmReportError(
                    SPM_ERR_CONFIG_UNSUPPORTED,
                    _("memory device '%1$s' (number %2$zu) has no <target><node>: with guest NUMA cells each memory device must name its cell"),
                    mem->modelName, i + 1);
            }
            continue;
        }
        if (def->numa.ncells == 0) {
            spmReportError(SPM_ERR_XML_DETAIL, "%s",
                           _("can't add memory backend as guest has no NUMA nodes configured"));
            continue;
        }
        if ((size_t)mem->targetNode >= def->numa.ncells) {
            spmReportError(
                SPM_ERR_XML_DETAIL,
                _("can't add memory backend for guest node '%1$d' as the guest has only '%2$zu' NUMA nodes configured"),
                mem->targetNode, def->numa.ncells);
            continue;
        }
        cell = spmDomainDefGetCell(def, mem->targetNode);
        if (cell && spmCellIsTyped(cell)) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("memory device '%1$s' (number %2$zu) targets NUMA cell '%3$u', which is typed '%4$s': a typed cell must not mix its memory with normal memory; target a normal cell, or drop memmap from cell '%3$u'"),
                mem->modelName, i + 1, cell->id, spmMemmapName(cell->memmap));
        }
    }

    if (def->nmems > 0 && !def->hasMaxMemory) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED, "%s",
            _("cannot use/hotplug a memory device when domain 'maxMemory' is not defined"));
    }
}

/* libvirt's memory accounting rules that the layout relies on. */
static void
spmValidateMemorySizes(const spmDomainDef *def)
{
    unsigned long long devices = spmDomainDefDevicesMemoryKiB(def);
    unsigned long long total;

    if (def->numa.ncells > 0)
        total = spmDomainDefCellsMemoryKiB(def) + devices;
    else if (def->hasMemory)
        total = def->memoryKiB;
    else {
        spmReportError(
            SPM_ERR_XML_ERROR, "%s",
            _("Memory size must be specified via <memory> or in the <numa> configuration"));
        return;
    }

    if (def->numa.ncells == 0 && devices > total) {
        spmReportError(
            SPM_ERR_XML_ERROR,
            _("Total size of memory devices (%1$llu KiB) exceeds the total memory size (%2$llu KiB)"),
            devices, total);
    }
    if (def->hasMaxMemory && def->maxMemoryKiB < total) {
        spmReportError(
            SPM_ERR_XML_ERROR,
            _("maximum memory size must be equal or greater than the actual memory size: <maxMemory> is %1$llu KiB, the cells and memory devices hold %2$llu KiB"),
            def->maxMemoryKiB, total);
    }
}

/* Rule 5: x86 only (the pc/q35 machine family is checked in qemu_validate.c). */
static void
spmValidateGuestPlatform(const spmDomainDef *def)
{
    const char *arch = def->os.arch;

    if (def->os.type && !SPM_STREQ(def->os.type, "hvm")) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("OS type '%1$s' cannot have typed NUMA cells: SPM typing needs a full virtual machine (<type>hvm</type>)"),
            def->os.type);
    }
    if (arch && !SPM_STREQ(arch, "x86_64") && !SPM_STREQ(arch, "i686")) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("architecture '%1$s' cannot have typed NUMA cells: only x86_64 and i686 guests get SPM memory (QEMU builds the E820 entry only on x86 pc and q35 machines)"),
            arch);
    }
}

/* Rule 6: ACPI on. */
static void
spmValidateACPI(const spmDomainDef *def)
{
    if (!def->acpi) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED, "%s",
            _("typed NUMA cells need ACPI: the guest learns which node owns SPM memory only from the ACPI SRAT table; add <features><acpi/></features>"));
    }
}

/* Rule 7: UEFI firmware. */
static bool
spmDomainDefHasUEFI(const spmDomainDef *def)
{
    g_autofree char *lower = NULL;

    if (def->os.firmware)
        return SPM_STREQ(def->os.firmware, "efi");
    if (!def->os.hasLoader)
        return false;
    if (def->os.loaderType == SPM_LOADER_TYPE_PFLASH)
        return true;
    if (!def->os.loader)
        return false;
    lower = g_ascii_strdown(def->os.loader, -1);
    return strstr(lower, "ovmf") || strstr(lower, "edk2") || strstr(lower, "uefi");
}

static void
spmValidateFirmware(const spmDomainDef *def)
{
    /* Whether a UEFI build passes soft-reserved ranges on is the firmware
     * verdict's job (src/qemu/qemu_firmware.c). */
    if (spmDomainDefHasUEFI(def))
        return;
    if (def->os.firmware && !SPM_STREQ(def->os.firmware, "efi")) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("firmware '%1$s' cannot boot typed NUMA cells: SeaBIOS drops E820 type 0xEFFFFFFF (soft reserved), so the SPM node would silently vanish from the guest; use <os firmware='efi'> with OVMF (edk2-stable202608 or newer)"),
            def->os.firmware);
    } else {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED, "%s",
            _("typed NUMA cells need UEFI firmware: without <os firmware='efi'> or a pflash <loader>, the guest boots SeaBIOS, which drops E820 type 0xEFFFFFFF (soft reserved), so the SPM node would silently vanish; use <os firmware='efi'> with OVMF (edk2-stable202608 or newer)"));
    }
}

static bool
spmCellHasCpus(const spmDomainDef *def, unsigned int id)
{
    const spmNumaCell *cell = spmDomainDefGetCell(def, id);

    return cell && cell->cpus && !spmBitmapIsEmpty(cell->cpus);
}

/* Rule 8: HMAT coherence. */
static void
spmValidateHMAT(const spmDomainDef *def)
{
    bool hmat = def->numa.ninterconnects > 0;
    size_t i;
    size_t j;

    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *cell = &def->numa.cells[i];

        if (cell->ncaches > 0)
            hmat = true;
        for (j = 0; j < cell->ncaches; j++) {
            size_t k;

            if (cell->caches[j].level == 0 || cell->caches[j].level > SPM_NUMA_CACHE_LEVEL_MAX) {
                spmReportError(SPM_ERR_XML_ERROR,
                               _("NUMA cell '%1$u' has a cache of level '%2$u': levels are 1 to 3"),
                               cell->id, cell->caches[j].level);
            }
            for (k = 0; k < j; k++) {
                if (cell->caches[k].level == cell->caches[j].level) {
                    spmReportError(SPM_ERR_XML_ERROR,
                                   _("NUMA cell '%1$u': cache level '%2$u' already defined"),
                                   cell->id, cell->caches[j].level);
                }
            }
        }
    }
    if (!hmat)
        return;

    for (i = 0; i < def->numa.ninterconnects; i++) {
        const spmNumaInterconnect *ic = &def->numa.interconnects[i];
        const char *kind = spmNumaInterconnectTypeTypeToString(ic->type);
        const spmNumaCell *target = spmDomainDefGetCell(def, ic->target);

        if (!spmDomainDefGetCell(def, ic->initiator)) {
            spmReportError(SPM_ERR_XML_ERROR,
                           _("<%1$s initiator='%2$u'> refers to a non-existent NUMA node"), kind,
                           ic->initiator);
        } else if (!spmCellHasCpus(def, ic->initiator)) {
            spmReportError(SPM_ERR_XML_ERROR,
                           _("<%1$s initiator='%2$u'>: NUMA nodes without CPUs can't be initiator"),
                           kind, ic->initiator);
        }
        if (!target) {
            spmReportError(SPM_ERR_XML_ERROR,
                           _("<%1$s target='%2$u'> refers to a non-existent NUMA node"), kind,
                           ic->target);
        } else if (ic->cache > 0) {
            bool found = false;

            for (j = 0; j < target->ncaches; j++) {
                if (target->caches[j].level == ic->cache)
                    found = true;
            }
            if (!found) {
                spmReportError(
                    SPM_ERR_XML_ERROR,
                    _("<%1$s cache='%2$u'> refers to a non-existent cache of NUMA node '%3$u'"),
                    kind, ic->cache, ic->target);
            }
        }
    }

    /* A memory-only typed cell needs an initiator: QEMU's HMAT wants one
     * for every memory-only node, and libvirt takes it from <interconnects>. */
    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *cell = &def->numa.cells[i];
        bool found = false;

        if (!spmCellIsTyped(cell) || spmCellHasCpus(def, cell->id))
            continue;
        for (j = 0; j < def->numa.ninterconnects; j++) {
            const spmNumaInterconnect *ic = &def->numa.interconnects[j];

            if (ic->target == cell->id && ic->cache == 0 && spmCellHasCpus(def, ic->initiator))
                found = true;
        }
        if (!found) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed '%2$s' and has no CPUs, but no <interconnects> entry gives it an initiator: with HMAT every memory-only node needs one; add <latency initiator='N' target='%1$u' type='access' value='...'/> with N a cell that has CPUs"),
                cell->id, spmMemmapName(cell->memmap));
        }
    }
}

/* Rule 9: hugepage nodesets and <memnode> may name typed cells but must be valid. */
static void
spmValidateHugepages(const spmDomainDef *def)
{
    bool haveDefault = false;
    size_t i;
    size_t j;

    for (i = 0; i < def->mb.nhugepages; i++) {
        const spmHugepage *page = &def->mb.hugepages[i];
        ssize_t bit = -1;

        if (!page->nodeset) {
            if (haveDefault) {
                spmReportError(
                    SPM_ERR_XML_DETAIL, "%s",
                    _("two master hugepages detected: only one <page> may omit 'nodeset'"));
            }
            haveDefault = true;
            continue;
        }
        while ((bit = spmBitmapNextSetBit(page->nodeset, bit)) >= 0) {
            if (!spmDomainDefGetCell(def, bit)) {
                spmReportError(
                    SPM_ERR_XML_DETAIL,
                    _("hugepages: node %1$zd not found: <page nodeset> names guest NUMA cells and the domain has %2$zu"),
                    bit, def->numa.ncells);
            }
        }
        for (j = 0; j < i; j++) {
            const spmHugepage *other = &def->mb.hugepages[j];

            if (other->nodeset && spmBitmapOverlaps(page->nodeset, other->nodeset)) {
                spmReportError(
                    SPM_ERR_XML_DETAIL,
                    _("nodeset attribute of hugepages of sizes %1$llu and %2$llu intersect"),
                    other->sizeKiB, page->sizeKiB);
            }
        }
    }
}

static void
spmValidateNumatune(const spmDomainDef *def)
{
    g_autoptr(spmBitmap) seen = spmBitmapNew(def->numa.ncells);
    size_t i;

    if (def->numatune.nmemnodes == 0)
        return;
    if (def->numa.ncells == 0) {
        spmReportError(SPM_ERR_XML_ERROR, "%s",
                       _("Element 'memnode' is invalid without any guest NUMA cells"));
        return;
    }
    if (def->numatune.placement == SPM_NUMATUNE_PLACEMENT_AUTO) {
        spmReportError(SPM_ERR_XML_ERROR, "%s",
                       _("Per-node binding is not compatible with automatic NUMA placement."));
    }
    for (i = 0; i < def->numatune.nmemnodes; i++) {
        const spmNumatuneMemnode *mn = &def->numatune.memnodes[i];
        bool restrictive = mn->mode == SPM_NUMATUNE_MODE_RESTRICTIVE;
        bool globalRestrictive =
            def->numatune.hasMemory && def->numatune.mode == SPM_NUMATUNE_MODE_RESTRICTIVE;

        if (!spmDomainDefGetCell(def, mn->cellid)) {
            spmReportError(
                SPM_ERR_XML_ERROR,
                _("Argument 'cellid' in memnode element must correspond to existing guest's NUMA cell: there is no cell '%1$u'"),
                mn->cellid);
        }
        if (spmBitmapIsBitSet(seen, mn->cellid))
            spmReportError(SPM_ERR_XML_ERROR, _("Multiple memnode elements with cellid %1$u"),
                           mn->cellid);
        spmBitmapSetBit(seen, mn->cellid);
        if (def->numatune.hasMemory && restrictive != globalRestrictive) {
            spmReportError(
                SPM_ERR_XML_ERROR, "%s",
                _("'restrictive' mode is required in memnode element when mode is 'restrictive' in memory element, and the other way round"));
        }
    }
}

size_t
spmDomainDefValidate(const spmDomainDef *def)
{
    size_t mark = spmErrorCount();

    if (def->numa.ncells > 0) {
        spmValidateCellIds(def);
        spmValidateCellCpus(def);
        spmValidateCellDistances(def);
        spmValidateCellTyping(def);
        spmValidateHMAT(def);
    }
    spmValidateMemoryDevices(def);
    spmValidateMemorySizes(def);
    spmValidateHugepages(def);
    spmValidateNumatune(def);

    if (spmDomainDefCountTypedCells(def) > 0) {
        spmValidateGuestPlatform(def);
        spmValidateACPI(def);
        spmValidateFirmware(def);
    }

    return spmErrorCount() - mark;
}
