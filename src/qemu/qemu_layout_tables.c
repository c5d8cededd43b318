/*
 * qemu_layout_tables.c: the E820 table (fw_cfg etc/e820) and the SRAT memory
 * affinity entries QEMU hands the firmware, from the placed layout, and the
 * node numbers a Linux guest derives from the SRAT
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_layout_priv.h"
#include "shim_node_numbering.h"
#include "spmerror.h"
#include "spmunits.h"

#define SPM_FROM_THIS_FILE SPM_FROM_LAYOUT

void
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


unsigned int
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
unsigned long long
spmQEMUNodeBootRAM(const spmQEMULayoutCtx *ctx, size_t i)
{
    const spmQEMULayoutNode *node = &ctx->in->nodes[i];

    if (ctx->spmForm && node->memmap != SPM_MEMMAP_NORMAL)
        return 0;
    return node->size;
}


/* memmap-type form: where the RAM that stays RAM ends (Linux's max_pfn). */
unsigned long long
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
void
spmQEMULayoutMemmap(spmQEMULayoutCtx *ctx, GArray *e820)
{
    const spmQEMULayoutInput *in = ctx->in;
    spmQEMULayout *out = ctx->out;
    unsigned long long offset = 0;
    unsigned long long prevSpmEnd = 0; /* where the last spm cell ends, 0: none */
    unsigned int prevSpm = 0;
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
        /* OVMF merges adjacent soft-reserved ranges, and without HMAT the
         * guest then makes one dax device of both, on the first cell's node */
        if (node->memmap == SPM_MEMMAP_SPM && !in->hmat && prevSpmEnd == gpa) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cells '%1$u' and '%2$u' are both typed 'spm' and adjacent in guest-physical memory (cell '%2$u' starts at 0x%3$llx, where cell '%1$u' ends): the memmap-type form places cells in cell order with no gap between them, the firmware merges adjacent soft-reserved ranges, and without HMAT the guest makes one dax device of both, on node %1$u; add <interconnects> to <numa> (with HMAT the guest gives each cell its own device), or put a normal cell between them"),
                prevSpm, node->id, gpa);
        }
        if (node->memmap == SPM_MEMMAP_SPM) {
            prevSpm = node->id;
            prevSpmEnd = gpa + node->size;
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
void
spmQEMULayoutSrat(spmQEMULayoutCtx *ctx, GArray *srat)
{
    const spmQEMULayoutInput *in = ctx->in;
    spmQEMULayout *out = ctx->out;
    g_autofree size_t *cellOf = g_new0(size_t, in->nnodes);
    unsigned long long nextBase = 0;
    unsigned int last = in->nnodes - 1;
    size_t q;
    size_t i;

    for (i = 0; i < in->nnodes; i++)
        cellOf[ctx->pxm[i]] = i;

    /* boot RAM in QEMU's node order, which is the cells' order for every
     * cell with boot RAM (see spmQEMULayoutGuestNodes) */
    for (q = 0; q < in->nnodes; q++) {
        unsigned long long memBase = nextBase;
        unsigned long long memLen = spmQEMUNodeBootRAM(ctx, cellOf[q]);

        nextBase = memBase + memLen;
        if (memBase <= SPM_QEMU_HOLE_640K_START && nextBase > SPM_QEMU_HOLE_640K_START) {
            memLen -= nextBase - SPM_QEMU_HOLE_640K_START;
            if (memLen > 0)
                spmQEMUSratAppend(srat, memBase, memLen, q, SPM_SRAT_MEM_ENABLED,
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
                spmQEMUSratAppend(srat, memBase, memLen, q, SPM_SRAT_MEM_ENABLED,
                                  SPM_QEMU_SRAT_RAM);
            memBase = out->above4gStart;
            memLen = nextBase - out->below4g;
            nextBase = memBase + memLen;
        }
        if (memLen > 0)
            spmQEMUSratAppend(srat, memBase, memLen, q, SPM_SRAT_MEM_ENABLED, SPM_QEMU_SRAT_RAM);
    }

    for (i = 0; i < out->ndevices; i++) {
        const spmQEMULayoutDevice *d = &out->devices[i];

        if (d->model != SPM_MEMORY_MODEL_NVDIMM)
            continue;
        spmQEMUSratAppend(srat, d->addr, d->size, ctx->pxm[d->node < 0 ? 0 : d->node],
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
            spmQEMUSratAppend(srat, spm->addr, spm->size, ctx->pxm[spm->node], SPM_SRAT_MEM_ENABLED,
                              SPM_QEMU_SRAT_SPM);
            cur = spm->addr + spm->size;
        }
        if (cur < end)
            spmQEMUSratAppend(srat, cur, end - cur, last,
                              SPM_SRAT_MEM_ENABLED | SPM_SRAT_MEM_HOTPLUGGABLE,
                              SPM_QEMU_SRAT_HOTPLUG);
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


/*
 * The node numbers a Linux guest gives the cells for @srat and the QEMU node
 * ids ctx->pxm: in the order the proximity domains first appear in the
 * SRAT, processor entries (vCPU order) first, then enabled memory entries
 * in table order (acpi_map_pxm_to_node()).  true when every cell gets its
 * own id.
 */
static bool
spmQEMUGuestNodesPredict(spmQEMULayoutCtx *ctx, const GArray *srat)
{
    const spmQEMULayoutInput *in = ctx->in;
    spmQEMULayout *out = ctx->out;
    g_autofree size_t *order = g_new0(size_t, in->nnodes);
    g_autofree size_t *cellOf = g_new0(size_t, in->nnodes);
    size_t ncpu = 0;
    int next = 0;
    bool same = true;
    size_t i;

    for (i = 0; i < out->nnodes; i++) {
        out->nodes[i].guestNode = -1;
        cellOf[ctx->pxm[i]] = i;
    }
    if (srat->len == 0) {
        /* no SRAT: one node */
        out->nodes[0].guestNode = 0;
        return out->nnodes == 1;
    }
    for (i = 0; i < in->nnodes; i++) {
        if (in->nodes[i].firstCPU >= 0)
            order[ncpu++] = i;
    }
    g_qsort_with_data(order, ncpu, sizeof(order[0]), spmQEMUCompareFirstCPU, (gpointer)in);
    for (i = 0; i < ncpu; i++)
        out->nodes[order[i]].guestNode = next++;
    for (i = 0; i < srat->len; i++) {
        const spmQEMUSratEntry *e = &g_array_index(srat, spmQEMUSratEntry, i);

        if ((e->flags & SPM_SRAT_MEM_ENABLED) && e->pxm < out->nnodes &&
            out->nodes[cellOf[e->pxm]].guestNode < 0)
            out->nodes[cellOf[e->pxm]].guestNode = next++;
    }
    for (i = 0; i < out->nnodes; i++)
        same &= out->nodes[i].guestNode == (int)out->nodes[i].id;
    return same;
}


/*
 * The highest cell whose proximity domain the guest meets before the
 * device-memory window (by its vCPUs, its boot RAM or an NVDIMM), -1 when
 * there is none.  Every cell after it has no boot RAM.
 */
static int
spmQEMUGuestNodesLastEarly(const spmQEMULayoutCtx *ctx)
{
    const spmQEMULayoutInput *in = ctx->in;
    const spmQEMULayout *out = ctx->out;
    int last = -1;
    size_t i;

    for (i = 0; i < in->nnodes; i++) {
        if (in->nodes[i].firstCPU >= 0 || spmQEMUNodeBootRAM(ctx, i) > 0)
            last = i;
    }
    for (i = 0; i < out->ndevices; i++) {
        if (out->devices[i].model == SPM_MEMORY_MODEL_NVDIMM && out->devices[i].node > last)
            last = out->devices[i].node;
    }
    return last;
}


static const char *spmQEMUGuestNodesHint(const spmQEMULayoutCtx *ctx, const GArray *srat);

/*
 * The node numbers a Linux guest gives the cells, and the QEMU node ids
 * that make them the cell ids.  QEMU's device-memory window is in the SRAT
 * under its highest node id; when the cell with that id is met there first,
 * the numbers of the cells after it shift.  For a domain with typed cells
 * (which the shim starts with launch data) the last cell met before the
 * window then gets QEMU's highest id instead (spmNodeNumberingMoveToEnd).
 * The cells after that cell have no boot RAM, so QEMU packs boot RAM in the
 * same order and no address moves.  A typed domain that still gets other
 * numbers is refused; an untyped one gets a warning.  @srat is rebuilt when
 * the ids change.
 */
void
spmQEMULayoutGuestNodes(spmQEMULayoutCtx *ctx, GArray *srat)
{
    spmQEMULayout *out = ctx->out;
    bool typed = out->form != SPM_FORM_NONE;
    g_autoptr(GString) moved = g_string_new(NULL);
    bool same = spmQEMUGuestNodesPredict(ctx, srat);
    int last;
    size_t i;

    if (!same && typed && srat->len > 0 && (last = spmQEMUGuestNodesLastEarly(ctx)) >= 0 &&
        (size_t)last + 1 < out->nnodes) {
        spmNodeNumberingMoveToEnd(out->nnodes, last, ctx->pxm);
        g_array_set_size(srat, 0);
        spmQEMULayoutSrat(ctx, srat);
        same = spmQEMUGuestNodesPredict(ctx, srat);
    }
    for (i = 0; i < out->nnodes; i++)
        out->nodes[i].pxm = ctx->pxm[i];
    if (same)
        return;

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
    if (typed) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the guest would number its NUMA nodes differently from the cells (%1$s), and renumbering QEMU's nodes cannot help: Linux numbers nodes in the order their proximity domains first appear in the SRAT, vCPUs first, then memory; %2$s, or give each cell the id the guest gives it"),
            moved->str, spmQEMUGuestNodesHint(ctx, srat));
    } else {
        spmReportWarning(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the guest will number its NUMA nodes differently from the cells (%1$s): Linux numbers nodes in the order their proximity domains first appear in the SRAT, vCPUs first, then memory; %2$s"),
            moved->str, spmQEMUGuestNodesHint(ctx, srat));
    }
}


/* Why the guest numbers the nodes differently, and what to change. */
static const char *
spmQEMUGuestNodesHint(const spmQEMULayoutCtx *ctx, const GArray *srat)
{
    const spmQEMULayoutInput *in = ctx->in;
    const spmQEMULayout *out = ctx->out;
    unsigned int last = in->nnodes - 1;
    long long prevCPU = -1;
    bool cpuless = false;
    bool seenLate = false;
    size_t i;

    /* the vCPUs come first, in vCPU order */
    for (i = 0; i < in->nnodes; i++) {
        const spmQEMULayoutNode *node = &in->nodes[i];

        if (node->firstCPU < 0) {
            cpuless = true;
            continue;
        }
        if (cpuless || node->firstCPU < prevCPU)
            return _(
                "give the cells with vCPUs the lowest cell ids, each cell's lowest vCPU rising with the cell id");
        prevCPU = node->firstCPU;
    }
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
    for (i = 0; i < out->nnodes; i++) {
        if (out->nodes[i].guestNode < 0)
            return _(
                "give every cell vCPUs or memory of its own: the guest does not see a cell that has neither");
    }
    /* a gap of the hotplug area (proximity domain: QEMU's last node) before an SPM range */
    for (i = 0; seenLate && i < srat->len; i++) {
        const spmQEMUSratEntry *e = &g_array_index(srat, spmQEMUSratEntry, i);

        if (e->kind == SPM_QEMU_SRAT_SPM && e->pxm == last)
            break;
        if (e->kind == SPM_QEMU_SRAT_HOTPLUG && e->pxm == last)
            return _(
                "the device-memory window belongs to the highest-numbered cell in the SRAT, and the guest meets that cell there first");
    }
    return _("give every cell memory or vCPUs");
}


static int
spmQEMUE820CompareAddr(const void *a, const void *b)
{
    const spmQEMUE820Entry *x = a;
    const spmQEMUE820Entry *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}


/* What OVMF makes of etc/e820: it walks the entries by address and
 * coalesces soft-reserved ranges that touch into one EFI descriptor, which
 * Linux turns into one E820 entry (observed with edk2-stable202608). */
void
spmQEMULayoutGuestE820(spmQEMULayout *layout)
{
    g_autofree spmQEMUE820Entry *sorted =
        g_memdup2(layout->e820, layout->ne820 * sizeof(spmQEMUE820Entry));
    size_t i;
    size_t n = 0;

    layout->guestE820 = g_new0(spmQEMUE820Entry, layout->ne820 ? layout->ne820 : 1);
    layout->guestE820Merged = g_new0(unsigned int, layout->ne820 ? layout->ne820 : 1);
    qsort(sorted, layout->ne820, sizeof(spmQEMUE820Entry), spmQEMUE820CompareAddr);
    for (i = 0; i < layout->ne820; i++) {
        spmQEMUE820Entry *last = n > 0 ? &layout->guestE820[n - 1] : NULL;

        if (last && last->type == SPM_E820_SOFT_RESERVED &&
            sorted[i].type == SPM_E820_SOFT_RESERVED && last->addr + last->size == sorted[i].addr) {
            last->size += sorted[i].size;
            layout->guestE820Merged[n - 1]++;
            continue;
        }
        layout->guestE820[n] = sorted[i];
        layout->guestE820Merged[n++] = 1;
    }
    layout->nguestE820 = n;
}
