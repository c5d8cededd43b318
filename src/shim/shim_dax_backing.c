/*
 * shim_dax_backing.c: back a typed NUMA node with a host device-dax device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_dax_backing.h"
#include "spmerror.h"
#include "spmjsonobject.h"
#include "spmkeyval.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

/* Backend properties the rewrite sets, and those a file backend lacks. */
static const char *const spmDaxDroppedProps[] = {
    "qom-type", "mem-path", "align", "share", "hugetlb", "hugetlbsize", "seal", NULL,
};

int
spmLaunchDaxValidate(const spmLaunchNode *node)
{
    if (!node->daxPath) {
        if (node->daxAlign) {
            spmReportError(SPM_ERR_INVALID_ARG,
                           _("launch data node '%1$u' has 'dax-align' without 'dax'"), node->id);
            return -1;
        }
        return 0;
    }
    if (node->daxPath[0] != '/') {
        spmReportError(SPM_ERR_INVALID_ARG,
                       _("launch data node '%1$u' has 'dax' '%2$s', not an absolute path"),
                       node->id, node->daxPath);
        return -1;
    }
    if (node->daxAlign == 0 || (node->daxAlign & (node->daxAlign - 1)) != 0) {
        spmReportError(
            SPM_ERR_INVALID_ARG,
            _("launch data node '%1$u' needs a 'dax-align' that is a power of two, not '%2$llu'"),
            node->id, node->daxAlign);
        return -1;
    }
    if (node->size == 0 || node->size % node->daxAlign != 0) {
        spmReportError(
            SPM_ERR_INVALID_ARG,
            _("launch data node '%1$u' with 'dax' needs a non-zero 'size' that is a multiple of 'dax-align' %2$llu"),
            node->id, node->daxAlign);
        return -1;
    }
    return 0;
}

void
spmLaunchDaxFormat(GString *buf, const spmLaunchNode *node)
{
    g_autofree char *path = NULL;

    if (!node->daxPath)
        return;
    path = spmKeyvalEscape(node->daxPath);
    g_string_append_printf(buf, ",node.%u.dax=%s,node.%u.dax-align=%llu", node->id, path, node->id,
                           node->daxAlign);
}

static bool
spmDaxDropped(const char *key)
{
    return g_strv_contains(spmDaxDroppedProps, key);
}

static void
spmDaxJSONString(GString *buf, const char *str)
{
    const char *p;

    g_string_append_c(buf, '"');
    for (p = str; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(buf, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            g_string_append_printf(buf, "\\u%04x", (unsigned char)*p);
        else
            g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, '"');
}

/* The JSON -object @str as a file backend on @node's dax device. */
static char *
spmDaxRewriteJSON(const char *str, const spmLaunchNode *node)
{
    g_autoptr(GArray) members = spmJSONObjectMembers(str);
    g_autoptr(GString) buf = g_string_new("{\"qom-type\":\"memory-backend-file\"");
    size_t i;

    if (!members)
        return NULL;
    for (i = 0; i < members->len; i++) {
        const spmJSONMember *m = &g_array_index(members, spmJSONMember, i);

        if (spmDaxDropped(m->key))
            continue;
        g_string_append_c(buf, ',');
        spmDaxJSONString(buf, m->key);
        g_string_append_c(buf, ':');
        g_string_append_len(buf, str + m->valueStart, m->valueEnd - m->valueStart);
    }
    g_string_append(buf, ",\"mem-path\":");
    spmDaxJSONString(buf, node->daxPath);
    g_string_append_printf(buf, ",\"align\":%llu,\"share\":true}", node->daxAlign);
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

static char *
spmDaxRewriteKeyval(const char *str, const spmLaunchNode *node)
{
    g_autoptr(spmKeyval) kv = NULL;
    g_autoptr(spmKeyval) out = spmKeyvalNew();
    g_autofree char *align = g_strdup_printf("%llu", node->daxAlign);
    size_t i;

    if (spmKeyvalParse(str, "qom-type", &kv) < 0)
        return NULL;
    spmKeyvalAppend(out, "qom-type", "memory-backend-file");
    out->implied = true;
    for (i = 0; i < kv->npairs; i++) {
        if (!spmDaxDropped(kv->pairs[i].key))
            spmKeyvalAppend(out, kv->pairs[i].key, kv->pairs[i].value);
    }
    spmKeyvalAppend(out, "mem-path", node->daxPath);
    spmKeyvalAppend(out, "align", align);
    spmKeyvalAppend(out, "share", "on");
    return spmKeyvalFormat(out);
}

/* The id of the -object value @str, or NULL. */
static char *
spmDaxObjectId(const char *str)
{
    g_autoptr(spmKeyval) kv = NULL;
    g_autoptr(GArray) members = NULL;
    size_t i;

    if (str[0] == '{') {
        if (!(members = spmJSONObjectMembers(str)))
            return NULL;
        for (i = 0; i < members->len; i++) {
            const spmJSONMember *m = &g_array_index(members, spmJSONMember, i);

            if (SPM_STREQ(m->key, "id") && m->string)
                return g_strdup(m->string);
        }
        return NULL;
    }
    if (spmKeyvalParse(str, "qom-type", &kv) < 0)
        return NULL;
    return g_strdup(spmKeyvalGet(kv, "id"));
}

/* The memdev of "-numa node,nodeid=@id,...", or NULL (error reported). */
static char *
spmDaxNodeMemdev(GPtrArray *args, unsigned int id)
{
    g_autofree char *want = g_strdup_printf("%u", id);
    char *memdev = NULL;
    size_t i;

    for (i = 0; i + 1 < args->len; i++) {
        g_autoptr(spmKeyval) kv = NULL;
        size_t mark;

        if (!SPM_STREQ(args->pdata[i], "-numa"))
            continue;
        mark = spmErrorMark();
        if (spmKeyvalParse(args->pdata[i + 1], "type", &kv) < 0) {
            spmErrorTruncate(mark);
            continue;
        }
        if (g_strcmp0(spmKeyvalGet(kv, "type"), "node") != 0 ||
            g_strcmp0(spmKeyvalGet(kv, "nodeid"), want) != 0)
            continue;
        if (spmKeyvalCount(kv, "memdev") == 1 && spmKeyvalGet(kv, "memdev"))
            memdev = g_strdup(spmKeyvalGet(kv, "memdev"));
        break;
    }
    if (!memdev)
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("dax-backed NUMA node '%1$u' has no '-numa node,nodeid=%1$u,memdev=' in QEMU's command line"),
            id);
    return memdev;
}

static int
spmDaxRewriteNode(GPtrArray *args, const spmLaunchNode *node)
{
    g_autofree char *memdev = spmDaxNodeMemdev(args, node->id);
    size_t found = 0;
    size_t at = 0;
    char *value;
    size_t i;

    if (!memdev)
        return -1;
    for (i = 0; i + 1 < args->len; i++) {
        g_autofree char *id = NULL;
        size_t mark = spmErrorMark();

        if (!SPM_STREQ(args->pdata[i], "-object"))
            continue;
        id = spmDaxObjectId(args->pdata[i + 1]);
        spmErrorTruncate(mark);
        if (id && SPM_STREQ(id, memdev)) {
            found++;
            at = i + 1;
        }
    }
    if (found == 0) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("memory backend '%1$s' of dax-backed NUMA node '%2$u' is not in QEMU's command line"),
            memdev, node->id);
        return -1;
    }
    if (found > 1) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("memory backend '%1$s' of dax-backed NUMA node '%2$u' appears %3$zu times in QEMU's command line"),
            memdev, node->id, found);
        return -1;
    }
    if (((const char *)args->pdata[at])[0] == '{')
        value = spmDaxRewriteJSON(args->pdata[at], node);
    else
        value = spmDaxRewriteKeyval(args->pdata[at], node);
    if (!value) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("cannot read memory backend '%1$s' of NUMA node '%2$u': '-object %3$s'"),
                       memdev, node->id, (const char *)args->pdata[at]);
        return -1;
    }
    g_free(args->pdata[at]);
    args->pdata[at] = value;
    return 0;
}

int
spmShimDaxBackingApply(const char *const *argv, const spmLaunchData *data, char ***newargv)
{
    g_autoptr(GPtrArray) args = NULL;
    bool any = false;
    size_t i;

    *newargv = NULL;
    for (i = 0; i < data->nnodes; i++)
        any |= data->nodes[i].daxPath != NULL;
    if (!any)
        return 0;

    args = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; argv[i]; i++)
        g_ptr_array_add(args, g_strdup(argv[i]));
    for (i = 0; i < data->nnodes; i++) {
        if (data->nodes[i].daxPath && spmDaxRewriteNode(args, &data->nodes[i]) < 0)
            return -1;
    }
    g_ptr_array_add(args, NULL);
    g_ptr_array_set_free_func(args, NULL);
    *newargv = (char **)g_ptr_array_free(g_steal_pointer(&args), FALSE);
    return 0;
}
