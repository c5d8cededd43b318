/*
 * qemu_layout_format.c: the layout as a readable table, as JSON and as an
 * SVG picture
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_layout_priv.h"
#include "spmunits.h"

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
    g_autofree char *marg = NULL;
    g_autoptr(GString) str = NULL;
    g_autofree char *ram = spmQEMUSize(layout->ramSize);
    g_autofree char *below = spmQEMUSize(layout->below4g);
    g_autofree char *above = spmQEMUSize(layout->above4g);
    g_autofree char *block = spmQEMUSize(layout->guestBlockSize);
    g_autofree char *hole = spmQEMURangeString(layout->hole64Start, layout->hole64Size);
    g_autofree char *holeSize = spmQEMUSize(layout->hole64Size);
    size_t i;
    size_t j;

    if (!(marg = spmQEMULayoutGetMemoryArg(layout, input)))
        return NULL;
    str = g_string_new(NULL);
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
                                   _("no memory"), node->pxm, guest, "-");
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
                                   range, size, type, node->pxm, guest, srat, extra ? "  " : "",
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

    g_string_append_printf(
        str, "\n%s\n",
        _("E820 the guest gets from OVMF (by address; touching soft-reserved ranges coalesced; OVMF's own reserved pieces of low RAM not shown)"));
    for (i = 0; i < layout->nguestE820; i++) {
        const spmQEMUE820Entry *e = &layout->guestE820[i];
        g_autofree char *range = spmQEMURangeString(e->addr, e->size);
        g_autofree char *size = spmQEMUSize(e->size);
        g_autofree char *merged = NULL;

        if (layout->guestE820Merged[i] > 1)
            merged = g_strdup_printf(_("  (%1$u QEMU entries merged)"), layout->guestE820Merged[i]);
        g_string_append_printf(str, "  %-29s %-10s %s%s\n", range, size, spmQEMUE820Name(e->type),
                               merged ? merged : "");
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
    g_auto(spmQEMULayoutArgs) args = {0};
    g_autofree json_object **nodeSrat = NULL;
    json_object *root;
    json_object *obj;
    json_object *arr;
    size_t i;
    size_t j;

    if (spmQEMULayoutGetArgs(layout, input, &args) < 0)
        return NULL;
    root = json_object_new_object();

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
    json_object_object_add(obj, "arg", json_object_new_string(args.memory));
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

    nodeSrat = g_new0(json_object *, layout->nnodes); /* by PXM */
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
        json_object_object_add(obj, "pxm", json_object_new_int(node->pxm));
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
        json_object_object_add(obj, "srat", g_steal_pointer(&nodeSrat[node->pxm]));
        if (spm) {
            json_object *so = json_object_new_object();

            json_object_object_add(so, "addr", json_object_new_int64(spm->addr));
            json_object_object_add(so, "size", json_object_new_int64(spm->size));
            json_object_object_add(so, "backend", json_object_new_string(spm->backend));
            json_object_object_add(so, "device",
                                   json_object_new_string(args.devices[spm - layout->spmems]));
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
    for (i = 0; i < layout->nguestE820; i++) {
        const spmQEMUE820Entry *e = &layout->guestE820[i];

        obj = spmQEMUJSONRange(e->addr, e->size);
        json_object_object_add(obj, "type", json_object_new_int64(e->type));
        json_object_object_add(obj, "name", json_object_new_string(spmQEMUE820JSONName(e->type)));
        json_object_object_add(obj, "merged", json_object_new_int64(layout->guestE820Merged[i]));
        json_object_array_add(arr, obj);
    }
    json_object_object_add(root, "guestE820", arr);

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
    char *ret;

    if (!root)
        return NULL;
    ret = g_strdup_printf("%s\n",
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
    g_autofree char *marg = NULL;
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

    if (!(marg = spmQEMULayoutGetMemoryArg(layout, input)))
        return NULL;
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
