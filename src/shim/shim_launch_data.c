/*
 * shim_launch_data.c: the launch data virt-spm hands to its emulator shim
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_launch_data.h"
#include "shim_node_numbering.h"
#include "shim_dax_backing.h"
#include "spmerror.h"
#include "spmkeyval.h"
#include "spmunits.h"

#include <limits.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

spmLaunchData *
spmLaunchDataNew(spmForm form)
{
    spmLaunchData *data = g_new0(spmLaunchData, 1);

    data->version = SPM_LAUNCH_DATA_VERSION;
    data->form = form;
    return data;
}

void
spmLaunchDataFree(spmLaunchData *data)
{
    size_t i;

    if (!data)
        return;
    for (i = 0; i < data->nnodes; i++)
        g_free(data->nodes[i].daxPath);
    g_free(data->nodes);
    g_free(data->pxm);
    g_free(data);
}

spmLaunchNode *
spmLaunchDataAddNode(spmLaunchData *data, unsigned int id)
{
    size_t pos = 0;

    while (pos < data->nnodes && data->nodes[pos].id < id)
        pos++;
    if (pos < data->nnodes && data->nodes[pos].id == id) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, _("NUMA node '%1$u' is already in the launch data"),
                       id);
        return NULL;
    }
    data->nodes = g_renew(spmLaunchNode, data->nodes, data->nnodes + 1);
    memmove(data->nodes + pos + 1, data->nodes + pos, (data->nnodes - pos) * sizeof(*data->nodes));
    memset(&data->nodes[pos], 0, sizeof(*data->nodes));
    data->nodes[pos].id = id;
    data->nnodes++;
    return &data->nodes[pos];
}

const spmLaunchNode *
spmLaunchDataGetNode(const spmLaunchData *data, unsigned int id)
{
    size_t i;

    for (i = 0; i < data->nnodes; i++) {
        if (data->nodes[i].id == id)
            return &data->nodes[i];
    }
    return NULL;
}

int
spmLaunchDataValidate(const spmLaunchData *data)
{
    bool spmem = data->form == SPM_FORM_SP_MEM;
    size_t i;

    if (data->version != SPM_LAUNCH_DATA_VERSION) {
        spmReportError(SPM_ERR_INVALID_ARG, _("unsupported launch data version '%1$u'"),
                       data->version);
        return -1;
    }
    if (data->form != SPM_FORM_SP_MEM && data->form != SPM_FORM_MEMMAP_TYPE) {
        spmReportError(SPM_ERR_INVALID_ARG, "%s",
                       _("launch data must have form 'sp-mem' or 'memmap-type'"));
        return -1;
    }
    if (data->nnodes == 0) {
        spmReportError(SPM_ERR_INVALID_ARG, "%s", _("launch data lists no typed NUMA node"));
        return -1;
    }
    if (spmem) {
        if (data->maxmem == 0 || data->maxmem % SPM_KIB != 0) {
            spmReportError(SPM_ERR_INVALID_ARG,
                           _("launch data 'maxmem' '%1$llu' must be a non-zero multiple of 1024"),
                           data->maxmem);
            return -1;
        }
    } else if (data->maxmem != 0 || data->slots != 0) {
        spmReportError(SPM_ERR_INVALID_ARG, "%s",
                       _("launch data 'maxmem' and 'slots' are only valid with form 'sp-mem'"));
        return -1;
    }

    if (data->npxm > 0 && spmNodeNumberingValidate(data->pxm, data->npxm) < 0)
        return -1;

    for (i = 0; i < data->nnodes; i++) {
        const spmLaunchNode *node = &data->nodes[i];

        if (data->npxm > 0 && node->id >= data->npxm) {
            spmReportError(SPM_ERR_INVALID_ARG,
                           _("launch data node '%1$u' is not among its %2$zu numbered cells"),
                           node->id, data->npxm);
            return -1;
        }
        if (i > 0 && data->nodes[i - 1].id >= node->id) {
            spmReportError(SPM_ERR_INTERNAL_ERROR, "%s",
                           _("launch data nodes are not sorted by id"));
            return -1;
        }
        if (node->memmap != SPM_MEMMAP_SPM && node->memmap != SPM_MEMMAP_RESERVED) {
            spmReportError(SPM_ERR_INVALID_ARG,
                           _("launch data node '%1$u' needs memmap 'spm' or 'reserved'"), node->id);
            return -1;
        }
        if (spmLaunchDaxValidate(node) < 0)
            return -1;
        if (!spmem) {
            if (node->addr != 0) {
                spmReportError(SPM_ERR_INVALID_ARG,
                               _("launch data node '%1$u' has 'addr' in form 'memmap-type'"),
                               node->id);
                return -1;
            }
            continue;
        }
        if (node->memmap != SPM_MEMMAP_SPM) {
            spmReportError(SPM_ERR_INVALID_ARG,
                           _("launch data node '%1$u' has memmap '%2$s', impossible with 'sp-mem'"),
                           node->id, spmMemmapTypeToString(node->memmap));
            return -1;
        }
        if (node->size == 0 || node->addr == 0) {
            spmReportError(SPM_ERR_INVALID_ARG,
                           _("launch data node '%1$u' needs a non-zero 'size' and 'addr'"),
                           node->id);
            return -1;
        }
        if (node->addr > G_MAXUINT64 - node->size) {
            spmReportError(SPM_ERR_INVALID_ARG,
                           _("launch data node '%1$u' range 0x%2$llx + %3$llu overflows"), node->id,
                           node->addr, node->size);
            return -1;
        }
    }
    return 0;
}

/* Decimal, or hexadecimal with a 0x prefix; no sign, no blanks. */
static int
spmLaunchParseUInt(const char *key, const char *str, unsigned int *value)
{
    unsigned long long v;

    if (!spmParseNumber(str, SPM_NUMBER_HEX, 0, &v) || v > UINT_MAX) {
        spmReportError(SPM_ERR_INVALID_ARG, _("invalid value '%1$s' of launch data key '%2$s'"),
                       str, key);
        return -1;
    }
    *value = v;
    return 0;
}

static int
spmLaunchParseULL(const char *key, const char *str, unsigned long long *value)
{
    if (!spmParseNumber(str, SPM_NUMBER_HEX, 0, value)) {
        spmReportError(SPM_ERR_INVALID_ARG, _("invalid value '%1$s' of launch data key '%2$s'"),
                       str, key);
        return -1;
    }
    return 0;
}

/* "node.N.FIELD": N decimal without leading zeros, so that one node has one
 * spelling and a repeated field is a repeated key. */
static bool
spmLaunchSplitNodeKey(const char *key, unsigned int *id, const char **field)
{
    const char *p = key + strlen("node.");
    unsigned long long v = 0;

    if (!g_str_has_prefix(key, "node.") || !g_ascii_isdigit(*p))
        return false;
    if (*p == '0' && g_ascii_isdigit(p[1]))
        return false;
    for (; g_ascii_isdigit(*p); p++) {
        v = v * 10 + (unsigned int)(*p - '0');
        if (v > UINT_MAX)
            return false;
    }
    if (*p != '.' || !p[1])
        return false;
    *id = v;
    *field = p + 1;
    return true;
}

static spmLaunchNode *
spmLaunchGetOrAddNode(spmLaunchData *data, unsigned int id)
{
    size_t i;

    for (i = 0; i < data->nnodes; i++) {
        if (data->nodes[i].id == id)
            return &data->nodes[i];
    }
    return spmLaunchDataAddNode(data, id);
}

static int
spmLaunchParseNodeField(spmLaunchData *data, const char *key, unsigned int id, const char *field,
                        const char *value)
{
    bool spmem = data->form == SPM_FORM_SP_MEM;
    spmLaunchNode *node = spmLaunchGetOrAddNode(data, id);
    int memmap;

    if (!node)
        return -1;

    if (SPM_STREQ(field, "memmap")) {
        if ((memmap = spmMemmapTypeFromString(value)) <= 0) {
            spmReportError(SPM_ERR_INVALID_ARG, _("invalid value '%1$s' of launch data key '%2$s'"),
                           value, key);
            return -1;
        }
        node->memmap = memmap;
        return 0;
    }
    if (SPM_STREQ(field, "size"))
        return spmLaunchParseULL(key, value, &node->size);
    if (SPM_STREQ(field, "addr") && spmem)
        return spmLaunchParseULL(key, value, &node->addr);
    if (SPM_STREQ(field, "dax")) {
        node->daxPath = g_strdup(value);
        return 0;
    }
    if (SPM_STREQ(field, "dax-align"))
        return spmLaunchParseULL(key, value, &node->daxAlign);

    spmReportError(SPM_ERR_INVALID_ARG, _("unknown key '%1$s' in launch data of form '%2$s'"), key,
                   spmFormTypeToString(data->form));
    return -1;
}

int
spmLaunchDataParse(const char *str, spmLaunchData **data)
{
    g_autoptr(spmKeyval) kv = NULL;
    g_autoptr(spmLaunchData) ret = NULL;
    const char *version;
    const char *form;
    int formval;
    int rc;
    size_t i;

    if (spmKeyvalParse(str, NULL, &kv) < 0)
        return -1;

    for (i = 0; i < kv->npairs; i++) {
        const char *key = kv->pairs[i].key;

        if (!kv->pairs[i].value) {
            spmReportError(SPM_ERR_INVALID_ARG, _("launch data key '%1$s' has no value"), key);
            return -1;
        }
        if (spmKeyvalCount(kv, key) > 1) {
            spmReportError(SPM_ERR_INVALID_ARG, _("launch data key '%1$s' appears more than once"),
                           key);
            return -1;
        }
    }

    /* The version first: a newer virt-spm may use keys this one does not know. */
    if (!(version = spmKeyvalGet(kv, "v"))) {
        spmReportError(SPM_ERR_INVALID_ARG, "%s", _("launch data has no version 'v'"));
        return -1;
    }
    if (!SPM_STREQ(version, "1")) {
        spmReportError(SPM_ERR_INVALID_ARG, _("unsupported launch data version '%1$s'"), version);
        return -1;
    }
    if (!(form = spmKeyvalGet(kv, "form"))) {
        spmReportError(SPM_ERR_INVALID_ARG, "%s", _("launch data has no 'form'"));
        return -1;
    }
    if ((formval = spmFormTypeFromString(form)) <= 0) {
        spmReportError(SPM_ERR_INVALID_ARG, _("invalid value '%1$s' of launch data key '%2$s'"),
                       form, "form");
        return -1;
    }
    ret = spmLaunchDataNew(formval);

    for (i = 0; i < kv->npairs; i++) {
        const char *key = kv->pairs[i].key;
        const char *value = kv->pairs[i].value;
        const char *field;
        unsigned int id;

        if (SPM_STREQ(key, "v") || SPM_STREQ(key, "form"))
            continue;
        if (ret->form == SPM_FORM_SP_MEM && SPM_STREQ(key, "maxmem")) {
            if (spmLaunchParseULL(key, value, &ret->maxmem) < 0)
                return -1;
        } else if (ret->form == SPM_FORM_SP_MEM && SPM_STREQ(key, "slots")) {
            if (spmLaunchParseUInt(key, value, &ret->slots) < 0)
                return -1;
        } else if ((rc = spmNodeNumberingParseKey(key, value, &ret->pxm, &ret->npxm)) != 0) {
            if (rc < 0)
                return -1;
        } else if (spmLaunchSplitNodeKey(key, &id, &field)) {
            if (spmLaunchParseNodeField(ret, key, id, field, value) < 0)
                return -1;
        } else {
            spmReportError(SPM_ERR_INVALID_ARG,
                           _("unknown key '%1$s' in launch data of form '%2$s'"), key, form);
            return -1;
        }
    }

    if (spmLaunchDataValidate(ret) < 0)
        return -1;

    *data = g_steal_pointer(&ret);
    return 0;
}

char *
spmLaunchDataFormat(const spmLaunchData *data)
{
    g_autoptr(GString) buf = NULL;
    size_t i;

    if (spmLaunchDataValidate(data) < 0)
        return NULL;

    buf = g_string_new(NULL);
    g_string_append_printf(buf, "v=%u,form=%s", data->version, spmFormTypeToString(data->form));
    if (data->form == SPM_FORM_SP_MEM)
        g_string_append_printf(buf, ",maxmem=%llu,slots=%u", data->maxmem, data->slots);
    for (i = 0; i < data->nnodes; i++) {
        const spmLaunchNode *node = &data->nodes[i];

        g_string_append_printf(buf, ",node.%u.memmap=%s", node->id,
                               spmMemmapTypeToString(node->memmap));
        if (node->addr)
            g_string_append_printf(buf, ",node.%u.addr=0x%llx", node->id, node->addr);
        if (node->size)
            g_string_append_printf(buf, ",node.%u.size=%llu", node->id, node->size);
        spmLaunchDaxFormat(buf, node);
    }
    spmNodeNumberingFormat(buf, data->pxm, data->npxm);
    return g_string_free(g_steal_pointer(&buf), FALSE);
}
