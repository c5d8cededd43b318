/*
 * qemu_layout.c: predict the x86 guest-physical memory map QEMU builds:
 * where boot RAM, the device-memory window, the SPM ranges and the memory
 * devices go (see qemu_layout_input.c for the input, qemu_layout_tables.c
 * for the E820 and SRAT tables, qemu_layout_format.c for the output)
 *
 * The formulas follow QEMU 11.1's hw/i386/pc.c, pc_q35.c, pc_piix.c,
 * acpi-build.c (build_srat) and hw/mem/memory-device.c, and were checked
 * against a real QEMU 11.1.3 (fw_cfg etc/e820 and the SRAT read through
 * qtest, query-memory-devices, and its error messages).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_layout_priv.h"
#include "shim_argv_rewrite.h"
#include "shim_node_numbering.h"
#include "spmerror.h"
#include "spmunits.h"

#define SPM_FROM_THIS_FILE SPM_FROM_LAYOUT

SPM_ENUM_IMPL(spmQEMURangeKind, SPM_QEMU_RANGE_LAST, "ram", "spm", "typed", "device");
SPM_ENUM_IMPL(spmQEMUSratKind, SPM_QEMU_SRAT_LAST, "ram", "nvdimm", "padding", "spm", "hotplug");


void
spmQEMULayoutFree(spmQEMULayout *layout)
{
    size_t i;

    if (!layout)
        return;
    for (i = 0; i < layout->nnodes; i++)
        g_free(layout->nodes[i].ranges);
    g_free(layout->nodes);
    for (i = 0; i < layout->nspmems; i++)
        g_free(layout->spmems[i].backend);
    g_free(layout->spmems);
    for (i = 0; i < layout->ndevices; i++)
        g_free(layout->devices[i].alias);
    g_free(layout->devices);
    g_free(layout->e820);
    g_free(layout->guestE820);
    g_free(layout->guestE820Merged);
    g_free(layout->srat);
    g_free(layout);
}


/* ---------------------------------------------------------------------- */
/* Computing the layout */


char *
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
unsigned long long
spmQEMULayoutSplitThreshold(const spmQEMULayoutInput *in)
{
    if (in->family == SPM_QEMU_MACHINE_FAMILY_Q35) {
        unsigned long long limit = in->maxRamBelow4G ? in->maxRamBelow4G : SPM_QEMU_FOUR_GIB;

        return MIN(limit, SPM_QEMU_Q35_LOWMEM_SMALL);
    }
    return in->maxRamBelow4G ? in->maxRamBelow4G : SPM_QEMU_PC_LOWMEM_DEFAULT;
}

/* The split of boot RAM around the 32-bit PCI hole (pc_q35.c, pc_piix.c). */
void
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
    /* a skipped device leaves slots unused that an earlier pass filled:
     * they keep nothing (spmQEMULayoutFree frees the used ones) */
    for (i = out->ndevices; i < in->ndevs; i++)
        g_clear_pointer(&out->devices[i].alias, g_free);

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

    /* QEMU's node ids, when they are not the cell ids */
    for (i = 0; i < layout->nnodes && layout->nodes[i].pxm == i; i++)
        ;
    if (i < layout->nnodes) {
        data->npxm = layout->nnodes;
        data->pxm = g_new0(unsigned int, layout->nnodes);
        for (i = 0; i < layout->nnodes; i++)
            data->pxm[i] = layout->nodes[i].pxm;
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


void
spmQEMULayoutArgsClear(spmQEMULayoutArgs *args)
{
    g_clear_pointer(&args->memory, g_free);
    g_clear_pointer(&args->devices, g_strfreev);
}


static int
spmQEMULayoutFormatArgs(const spmQEMULayout *layout, const spmQEMULayoutInput *in, bool devices,
                        spmQEMULayoutArgs *args)
{
    g_autoptr(spmLaunchData) launch = NULL;
    g_autofree char *libvirtMemory = spmQEMULayoutFormatLibvirtMemoryArg(in);
    size_t i;

    memset(args, 0, sizeof(*args));
    if (spmQEMULayoutGetLaunchData(layout, in, &launch) < 0)
        return -1;
    if (!launch || launch->form != SPM_FORM_SP_MEM) {
        args->memory = g_steal_pointer(&libvirtMemory);
        return 0;
    }
    if (!(args->memory = spmQEMUFormatMemoryWithoutTyped(libvirtMemory, launch)))
        return -1;
    if (!devices)
        return 0;
    args->devices = g_new0(char *, layout->nspmems + 1);
    for (i = 0; i < layout->nspmems; i++) {
        const spmQEMULayoutSpMem *sp = &layout->spmems[i];

        g_autofree char *dev =
            spmQEMUFormatSpMemDevice(sp->node, sp->backend, sp->addr, in->deviceKeyval);

        /* with QEMU's node id, as the shim renames it */
        if (!(args->devices[i] = launch->npxm
                  ? spmNodeNumberingRenameValue("-device", dev, launch->pxm, launch->npxm)
                  : g_steal_pointer(&dev)))
            return -1;
    }
    return 0;
}


int
spmQEMULayoutGetArgs(const spmQEMULayout *layout, const spmQEMULayoutInput *in,
                     spmQEMULayoutArgs *args)
{
    return spmQEMULayoutFormatArgs(layout, in, true, args);
}


char *
spmQEMULayoutGetMemoryArg(const spmQEMULayout *layout, const spmQEMULayoutInput *in)
{
    g_auto(spmQEMULayoutArgs) args = {0};

    if (spmQEMULayoutFormatArgs(layout, in, false, &args) < 0)
        return NULL;
    return g_steal_pointer(&args.memory);
}


spmQEMULayout *
spmQEMULayoutCompute(const spmQEMULayoutInput *in)
{
    g_autoptr(spmQEMULayout) out = g_new0(spmQEMULayout, 1);
    g_autofree spmQEMUOccupied *occ = NULL;
    g_autofree unsigned int *pxm = NULL;
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
    ctx.pxm = pxm = g_new0(unsigned int, in->nnodes);
    for (i = 0; i < in->nnodes; i++)
        pxm[i] = i;
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
    spmQEMULayoutGuestNodes(&ctx, srat);

    if (spmErrorCount() > mark)
        return NULL;

    out->ne820 = e820->len;
    out->e820 = (spmQEMUE820Entry *)(void *)g_array_free(g_steal_pointer(&e820), FALSE);
    out->nsrat = srat->len;
    out->srat = (spmQEMUSratEntry *)(void *)g_array_free(g_steal_pointer(&srat), FALSE);
    spmQEMULayoutGuestE820(out);
    return g_steal_pointer(&out);
}
