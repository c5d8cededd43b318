/*
 * qemu_domcheck.c: is the running guest what virt-spm defined and predicted?
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_domcheck.h"
#include "qemu_json.h"
#include "spmerror.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU

SPM_ENUM_IMPL(spmQEMUDomcheckStatus, SPM_QEMU_DOMCHECK_LAST, "match", "drift", "unseen");

static void
spmQEMUDomcheckRowFree(spmQEMUDomcheckRow *row)
{
    if (!row)
        return;
    g_free(row->field);
    g_free(row->expected);
    g_free(row->actual);
    g_free(row->meaning);
    g_free(row);
}


void
spmQEMUDomcheckFree(spmQEMUDomcheck *check)
{
    if (!check)
        return;
    g_free(check->domain);
    if (check->rows)
        g_ptr_array_unref(check->rows);
    if (check->notes)
        g_ptr_array_unref(check->notes);
    g_free(check);
}


void
spmQEMUDomcheckAddRow(spmQEMUDomcheck *check, int cell, const char *field, const char *expected,
                      const char *actual, spmQEMUDomcheckStatus status, const char *meaning)
{
    spmQEMUDomcheckRow *row = g_new0(spmQEMUDomcheckRow, 1);

    row->cell = cell;
    row->field = g_strdup(field);
    row->expected = g_strdup(expected);
    row->actual = g_strdup(actual);
    row->status = status;
    row->meaning = status == SPM_QEMU_DOMCHECK_MATCH ? NULL : g_strdup(meaning);
    if (status == SPM_QEMU_DOMCHECK_DRIFT)
        check->ndrift++;
    g_ptr_array_add(check->rows, row);
}


/* A row comparing two strings (NULL: none). */
static void
spmQEMUDomcheckCompareRow(spmQEMUDomcheck *check, int cell, const char *field, const char *expected,
                          const char *actual, const char *meaning)
{
    bool same = g_strcmp0(expected, actual) == 0;

    spmQEMUDomcheckAddRow(check, cell, field, expected, actual,
                          same ? SPM_QEMU_DOMCHECK_MATCH : SPM_QEMU_DOMCHECK_DRIFT, meaning);
}


/* The "return" array or object of a QMP reply; NULL with an error. */
static json_object *
spmQEMUDomcheckReturn(json_object **root, const char *reply, const char *command, json_type type)
{
    json_object *ret = NULL;

    if (!reply || !(*root = json_tokener_parse(reply)) ||
        !json_object_object_get_ex(*root, "return", &ret) || !json_object_is_type(ret, type)) {
        spmReportError(SPM_ERR_QMP_ERROR, _("QEMU's reply to '%1$s' is not what QMP returns: %2$s"),
                       command, reply ? reply : "(none)");
        return NULL;
    }
    return ret;
}


static const char *
spmQEMUDomcheckString(json_object *obj, const char *key)
{
    json_object *val = NULL;

    if (!obj || !json_object_object_get_ex(obj, key, &val) ||
        !json_object_is_type(val, json_type_string))
        return NULL;
    return json_object_get_string(val);
}


/* An integer member as a string ("0x..." when @hex), NULL when absent. */
static char *
spmQEMUDomcheckNumber(json_object *obj, const char *key, bool hex)
{
    json_object *val = NULL;
    unsigned long long n;

    if (!obj || !json_object_object_get_ex(obj, key, &val) ||
        !json_object_is_type(val, json_type_int))
        return NULL;
    n = (unsigned long long)json_object_get_uint64(val);
    return hex ? g_strdup_printf("0x%llx", n) : g_strdup_printf("%llu", n);
}


/* The sp-mem "data" with id @id, or else on node @node. */
static json_object *
spmQEMUDomcheckFindSpMem(json_object *devices, const char *id, unsigned int node)
{
    json_object *byNode = NULL;
    size_t i;

    for (i = 0; i < json_object_array_length(devices); i++) {
        json_object *dev = json_object_array_get_idx(devices, i);
        json_object *data = NULL;
        const char *type = spmQEMUDomcheckString(dev, "type");
        json_object *n = NULL;

        if (!type || !SPM_STREQ(type, "sp-mem") || !json_object_object_get_ex(dev, "data", &data))
            continue;
        if (g_strcmp0(spmQEMUDomcheckString(data, "id"), id) == 0)
            return data;
        if (!byNode && json_object_object_get_ex(data, "node", &n) &&
            (unsigned int)json_object_get_int64(n) == node)
            byNode = data;
    }
    return byNode;
}


static json_object *
spmQEMUDomcheckFindMemdev(json_object *memdevs, const char *id)
{
    size_t i;

    for (i = 0; i < json_object_array_length(memdevs); i++) {
        json_object *m = json_object_array_get_idx(memdevs, i);

        if (g_strcmp0(spmQEMUDomcheckString(m, "id"), id) == 0)
            return m;
    }
    return NULL;
}


/* The rows of the backend @backend of typed cell @cell (@size bytes). */
static void
spmQEMUDomcheckBackend(spmQEMUDomcheck *check, json_object *memdevs, unsigned int cell,
                       const char *backend, unsigned long long size)
{
    json_object *memdev = spmQEMUDomcheckFindMemdev(memdevs, backend);
    g_autofree char *expSize = g_strdup_printf("%llu", size);
    g_autofree char *actSize = spmQEMUDomcheckNumber(memdev, "size", false);

    spmQEMUDomcheckCompareRow(
        check, (int)cell, "backend-size", expSize, actSize,
        _("the host memory behind the cell is not the size the cell asks for (or is missing): the guest's typed range is backed by other memory than the domain's XML says"));
}


/* QEMU's node id for cell @cell: the cell id, unless virt-spm renumbered
 * QEMU's nodes so that the guest's node numbers equal the cells
 * (shim_node_numbering.h); QMP reports QEMU's ids. */
static unsigned int
spmQEMUDomcheckPxm(const spmQEMULayout *layout, unsigned int cell)
{
    size_t i;

    for (i = 0; i < layout->nnodes; i++) {
        if (layout->nodes[i].id == cell)
            return layout->nodes[i].pxm;
    }
    return cell;
}


static void
spmQEMUDomcheckSpMem(spmQEMUDomcheck *check, const spmLaunchData *stored,
                     const spmQEMULayout *layout, json_object *devices, json_object *memdevs)
{
    size_t i;

    for (i = 0; i < layout->nspmems; i++) {
        const spmQEMULayoutSpMem *s = &layout->spmems[i];
        const spmLaunchNode *ln = stored ? spmLaunchDataGetNode(stored, s->node) : NULL;
        unsigned long long addr = ln && ln->addr ? ln->addr : s->addr;
        g_autofree char *id = g_strdup_printf("spm-node%u", s->node);
        unsigned int pxm = spmQEMUDomcheckPxm(layout, s->node);
        g_autofree char *expNode = g_strdup_printf("%u", pxm);
        g_autofree char *expAddr = g_strdup_printf("0x%llx", addr);
        g_autofree char *expSize = g_strdup_printf("%llu", s->size);
        g_autofree char *expMemdev = g_strdup_printf("/objects/%s", s->backend);
        json_object *data = spmQEMUDomcheckFindSpMem(devices, id, pxm);
        g_autofree char *actNode = spmQEMUDomcheckNumber(data, "node", false);
        g_autofree char *actAddr = spmQEMUDomcheckNumber(data, "addr", true);
        g_autofree char *actSize = spmQEMUDomcheckNumber(data, "size", false);

        if (ln && ln->addr && ln->addr != s->addr)
            g_ptr_array_add(
                check->notes,
                g_strdup_printf(
                    _("cell %1$u: the launch data define stored pins 0x%2$llx, but virt-spm's layout now predicts 0x%3$llx (the QEMU binary or virt-spm changed since the domain was defined); the stored address is the one checked"),
                    s->node, ln->addr, s->addr));
        spmQEMUDomcheckCompareRow(
            check, (int)s->node, "device", id, spmQEMUDomcheckString(data, "id"),
            _("QEMU has no sp-mem device for the cell: the guest does not get the cell's memory as soft-reserved SPM (it started without virt-spm's launch data, or through another emulator)"));
        if (!data)
            continue;
        spmQEMUDomcheckCompareRow(
            check, (int)s->node, "node", expNode, actNode,
            _("the SPM memory belongs to another guest NUMA node: its dax device and SRAT entry carry that node, and software bound to the cell's node misses it"));
        spmQEMUDomcheckCompareRow(
            check, (int)s->node, "addr", expAddr, actAddr,
            _("the memory is not where the layout put it: the guest's E820 and SRAT differ from 'virt-spm layout', and adjacent ranges may merge into one dax device"));
        spmQEMUDomcheckCompareRow(check, (int)s->node, "size", expSize, actSize,
                                  _("the guest gets a different amount of SPM memory"));
        spmQEMUDomcheckCompareRow(
            check, (int)s->node, "backend", expMemdev, spmQEMUDomcheckString(data, "memdev"),
            _("the device uses another memory backend than the cell's, so the host memory (policy, huge pages, file) is not what the domain's XML asks for"));
        spmQEMUDomcheckBackend(check, memdevs, s->node, s->backend, s->size);
    }

    /* sp-mem devices virt-spm did not define */
    for (i = 0; i < json_object_array_length(devices); i++) {
        json_object *dev = json_object_array_get_idx(devices, i);
        json_object *data = NULL;
        json_object *n = NULL;
        const char *type = spmQEMUDomcheckString(dev, "type");
        const char *id;
        unsigned int node;
        size_t j;
        bool known = false;

        if (!type || !SPM_STREQ(type, "sp-mem") || !json_object_object_get_ex(dev, "data", &data))
            continue;
        id = spmQEMUDomcheckString(data, "id");
        node = json_object_object_get_ex(data, "node", &n) ? (unsigned int)json_object_get_int64(n)
                                                           : 0;
        for (j = 0; j < layout->nspmems && !known; j++) {
            g_autofree char *want = g_strdup_printf("spm-node%u", layout->spmems[j].node);
            unsigned int pxm = spmQEMUDomcheckPxm(layout, layout->spmems[j].node);

            known = g_strcmp0(id, want) == 0 ||
                (!spmQEMUDomcheckFindSpMem(devices, want, pxm) && pxm == node);
        }
        if (!known)
            spmQEMUDomcheckAddRow(
                check, (int)node, "device", NULL, id ? id : "(no id)", SPM_QEMU_DOMCHECK_DRIFT,
                _("QEMU has an sp-mem device that virt-spm did not define: that memory is soft reserved in the guest, on a node the domain's XML does not type"));
    }
}


static void
spmQEMUDomcheckMemmapType(spmQEMUDomcheck *check, const spmQEMULayout *layout, json_object *memdevs)
{
    size_t i;

    for (i = 0; i < layout->nnodes; i++) {
        const spmQEMULayoutNodeMap *n = &layout->nodes[i];
        g_autofree char *backend = NULL;

        if (n->memmap == SPM_MEMMAP_NORMAL)
            continue;
        backend = g_strdup_printf("ram-node%u", n->id);
        spmQEMUDomcheckBackend(check, memdevs, n->id, backend, n->size);
        spmQEMUDomcheckAddRow(
            check, (int)n->id, "memmap-type", spmMemmapTypeToString(n->memmap), NULL,
            SPM_QEMU_DOMCHECK_UNSEEN,
            _("QMP shows neither a node's memmap-type nor the E820 table: whether QEMU typed this range cannot be seen from outside the guest; the guest's 'BIOS-e820: ... soft reserved' line shows it"));
    }
    g_ptr_array_add(
        check->notes,
        g_strdup(_(
            "memmap-type form: QEMU reports the typed cells' backends and its boot RAM over QMP, but not their memmap-type or the E820 table; the typing itself is checked only inside the guest")));
}


spmQEMUDomcheck *
spmQEMUDomcheckCompare(const char *domain, const spmLaunchData *stored, const spmQEMULayout *layout,
                       const spmQEMUDomcheckReplies *replies)
{
    g_autoptr(spmQEMUDomcheck) check = g_new0(spmQEMUDomcheck, 1);
    g_autoptr(json_object) devRoot = NULL;
    g_autoptr(json_object) memdevRoot = NULL;
    g_autoptr(json_object) sumRoot = NULL;
    json_object *devices;
    json_object *memdevs;
    json_object *summary;
    unsigned long long plugged = 0;
    g_autofree char *expBase = NULL;
    g_autofree char *expPlugged = NULL;
    g_autofree char *actBase = NULL;
    g_autofree char *actPlugged = NULL;
    size_t i;

    if (!(devices = spmQEMUDomcheckReturn(&devRoot, replies->memoryDevices, "query-memory-devices",
                                          json_type_array)) ||
        !(memdevs = spmQEMUDomcheckReturn(&memdevRoot, replies->memdev, "query-memdev",
                                          json_type_array)) ||
        !(summary = spmQEMUDomcheckReturn(&sumRoot, replies->sizeSummary,
                                          "query-memory-size-summary", json_type_object)))
        return NULL;

    check->domain = g_strdup(domain);
    check->form = layout->form;
    check->rows = g_ptr_array_new_with_free_func((GDestroyNotify)spmQEMUDomcheckRowFree);
    check->notes = g_ptr_array_new_with_free_func(g_free);

    if (layout->form == SPM_FORM_MEMMAP_TYPE)
        spmQEMUDomcheckMemmapType(check, layout, memdevs);
    else
        spmQEMUDomcheckSpMem(check, stored, layout, devices, memdevs);

    for (i = 0; i < layout->nspmems; i++)
        plugged += layout->spmems[i].size;
    for (i = 0; i < layout->ndevices; i++)
        plugged += layout->devices[i].size;
    expBase = g_strdup_printf("%llu", layout->ramSize);
    expPlugged = g_strdup_printf("%llu", plugged);
    actBase = spmQEMUDomcheckNumber(summary, "base-memory", false);
    actPlugged = spmQEMUDomcheckNumber(summary, "plugged-memory", false);
    if (!actPlugged)
        actPlugged = g_strdup("0"); /* QEMU leaves it out without device memory */
    spmQEMUDomcheckCompareRow(
        check, -1, "base-memory", expBase, actBase,
        _("QEMU's boot RAM is not the layout's: typed memory may be booting as ordinary RAM, or normal cells lost memory"));
    spmQEMUDomcheckCompareRow(
        check, -1, "plugged-memory", expPlugged, actPlugged,
        _("QEMU's device memory is not the layout's: sp-mem devices or other memory devices are missing or extra"));
    return g_steal_pointer(&check);
}


static const char *
spmQEMUDomcheckCellString(int cell, char *buf, size_t len)
{
    if (cell < 0)
        return "-";
    g_snprintf(buf, len, "%d", cell);
    return buf;
}


char *
spmQEMUDomcheckFormatTable(const spmQEMUDomcheck *check)
{
    GString *s = g_string_new(NULL);
    size_t i;

    g_string_append_printf(s, _("domain '%1$s', form %2$s\n"), check->domain,
                           spmFormTypeToString(check->form));
    g_string_append_printf(s, "%-5s %-15s %-22s %-22s %s\n", _("CELL"), _("FIELD"), _("EXPECTED"),
                           _("QEMU"), _("STATUS"));
    for (i = 0; i < check->rows->len; i++) {
        const spmQEMUDomcheckRow *row = g_ptr_array_index(check->rows, i);
        char cell[16];

        g_string_append_printf(s, "%-5s %-15s %-22s %-22s %s\n",
                               spmQEMUDomcheckCellString(row->cell, cell, sizeof(cell)), row->field,
                               row->expected ? row->expected : "-", row->actual ? row->actual : "-",
                               spmQEMUDomcheckStatusTypeToString(row->status));
    }
    for (i = 0; i < check->rows->len; i++) {
        const spmQEMUDomcheckRow *row = g_ptr_array_index(check->rows, i);
        char cell[16];

        if (row->status == SPM_QEMU_DOMCHECK_MATCH)
            continue;
        g_string_append_printf(s, "%s %s %s: %s\n", spmQEMUDomcheckStatusTypeToString(row->status),
                               spmQEMUDomcheckCellString(row->cell, cell, sizeof(cell)), row->field,
                               row->meaning);
    }
    for (i = 0; i < check->notes->len; i++)
        g_string_append_printf(s, _("note: %1$s\n"),
                               (const char *)g_ptr_array_index(check->notes, i));
    if (check->ndrift == 0 && check->form == SPM_FORM_MEMMAP_TYPE)
        g_string_append(s,
                        _("QEMU built what virt-spm defined and predicted, as far as QMP shows\n"));
    else if (check->ndrift == 0)
        g_string_append(s, _("QEMU built what virt-spm defined and predicted\n"));
    else
        g_string_append_printf(
            s, _("%1$zu field(s) drifted from what virt-spm defined and predicted\n"),
            check->ndrift);
    return g_string_free(s, false);
}


char *
spmQEMUDomcheckFormatJSON(const spmQEMUDomcheck *check)
{
    g_autoptr(json_object) root = json_object_new_object();
    json_object *rows = json_object_new_array();
    json_object *notes = json_object_new_array();
    size_t i;

    json_object_object_add(root, "domain", json_object_new_string(check->domain));
    json_object_object_add(root, "form", json_object_new_string(spmFormTypeToString(check->form)));
    json_object_object_add(root, "match", json_object_new_boolean(check->ndrift == 0));
    json_object_object_add(root, "drift", json_object_new_int64((int64_t)check->ndrift));
    for (i = 0; i < check->rows->len; i++) {
        const spmQEMUDomcheckRow *row = g_ptr_array_index(check->rows, i);
        json_object *obj = json_object_new_object();

        json_object_object_add(obj, "cell", row->cell < 0 ? NULL : json_object_new_int(row->cell));
        json_object_object_add(obj, "field", json_object_new_string(row->field));
        json_object_object_add(obj, "expected",
                               row->expected ? json_object_new_string(row->expected) : NULL);
        json_object_object_add(obj, "qemu",
                               row->actual ? json_object_new_string(row->actual) : NULL);
        json_object_object_add(
            obj, "status", json_object_new_string(spmQEMUDomcheckStatusTypeToString(row->status)));
        json_object_object_add(obj, "meaning",
                               row->meaning ? json_object_new_string(row->meaning) : NULL);
        json_object_array_add(rows, obj);
    }
    json_object_object_add(root, "fields", rows);
    for (i = 0; i < check->notes->len; i++)
        json_object_array_add(notes, json_object_new_string(g_ptr_array_index(check->notes, i)));
    json_object_object_add(root, "notes", notes);
    return g_strdup_printf("%s\n",
                           json_object_to_json_string_ext(root,
                                                          JSON_C_TO_STRING_PRETTY |
                                                              JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
}
