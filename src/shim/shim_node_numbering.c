/*
 * shim_node_numbering.c: the guest's NUMA node N is the domain's cell N
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_node_numbering.h"
#include "shim_argv_rewrite.h"
#include "spmerror.h"
#include "spmjsonobject.h"
#include "spmkeyval.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

/* Launch data keys "pxm.N" */
#define SPM_NODE_NUMBERING_KEY "pxm."
/* More cells than QEMU's MAX_NODES (128) is never a real domain. */
#define SPM_NODE_NUMBERING_MAX 4096

void
spmNodeNumberingMoveToEnd(size_t ncells, unsigned int last, unsigned int *pxm)
{
    size_t i;

    for (i = 0; i < ncells; i++) {
        if (i < last)
            pxm[i] = i;
        else if (i == last)
            pxm[i] = ncells - 1;
        else
            pxm[i] = i - 1;
    }
}


bool
spmNodeNumberingIsIdentity(const unsigned int *pxm, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (pxm[i] != i)
            return false;
    }
    return true;
}


int
spmNodeNumberingValidate(const unsigned int *pxm, size_t n)
{
    g_autofree bool *seen = g_new0(bool, n);
    size_t i;

    for (i = 0; i < n; i++) {
        if (pxm[i] == G_MAXUINT) {
            spmReportError(
                SPM_ERR_INVALID_ARG,
                _("launch data renames some NUMA cells but not cell '%1$zu' ('pxm.%1$zu')"), i);
            return -1;
        }
        if (pxm[i] >= n || seen[pxm[i]]) {
            spmReportError(
                SPM_ERR_INVALID_ARG,
                _("launch data gives NUMA cell '%1$zu' the QEMU node id '%2$u', which is not a free id below %3$zu"),
                i, pxm[i], n);
            return -1;
        }
        seen[pxm[i]] = true;
    }
    return 0;
}


int
spmNodeNumberingParseKey(const char *key, const char *value, unsigned int **pxm, size_t *npxm)
{
    unsigned int cell;
    unsigned int id;
    size_t i;

    if (!g_str_has_prefix(key, SPM_NODE_NUMBERING_KEY))
        return 0;
    if (!spmParseUInt(key + strlen(SPM_NODE_NUMBERING_KEY), 0, &cell) ||
        cell >= SPM_NODE_NUMBERING_MAX || !value || !spmParseUInt(value, 0, &id)) {
        spmReportError(SPM_ERR_INVALID_ARG, _("invalid launch data key '%1$s' with value '%2$s'"),
                       key, value ? value : "");
        return -1;
    }
    if (cell >= *npxm) {
        *pxm = g_renew(unsigned int, *pxm, cell + 1);
        for (i = *npxm; i <= cell; i++)
            (*pxm)[i] = G_MAXUINT;
        *npxm = cell + 1;
    }
    if ((*pxm)[cell] != G_MAXUINT) {
        spmReportError(SPM_ERR_INVALID_ARG, _("launch data renames NUMA cell '%1$u' twice"), cell);
        return -1;
    }
    (*pxm)[cell] = id;
    return 1;
}


void
spmNodeNumberingFormat(GString *buf, const unsigned int *pxm, size_t n)
{
    size_t i;

    if (spmNodeNumberingIsIdentity(pxm, n))
        return;
    for (i = 0; i < n; i++)
        g_string_append_printf(buf, "," SPM_NODE_NUMBERING_KEY "%zu=%u", i, pxm[i]);
}


/* ---- renaming node ids in QEMU options ---- */

/* The new text of node id @str, or NULL with an error. */
static char *
spmNodeNumberingRenameId(const char *option, const char *value, const char *key, const char *str,
                         const unsigned int *pxm, size_t npxm)
{
    unsigned int id;

    if (!str || !spmParseUInt(str, 0, &id) || id >= npxm) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("cannot rename NUMA node '%1$s' of '%2$s' in QEMU option '%3$s %4$s': the launch data numbers %5$zu cells and node ids must be decimal"),
            str ? str : "", key, option, value, npxm);
        return NULL;
    }
    return g_strdup_printf("%u", pxm[id]);
}


/* key=value form: renames every value of a key in @keys. */
static char *
spmNodeNumberingRenameKeyval(const char *option, const char *value, const char *implied,
                             const char *const *keys, const unsigned int *pxm, size_t npxm)
{
    g_autoptr(spmKeyval) kv = NULL;
    bool changed = false;
    size_t i;

    if (spmKeyvalParse(value, implied, &kv) < 0)
        return NULL;
    for (i = 0; i < kv->npairs; i++) {
        spmKeyvalPair *pair = &kv->pairs[i];
        char *renamed;

        if (!g_strv_contains(keys, pair->key))
            continue;
        if (!(renamed = spmNodeNumberingRenameId(option, value, pair->key, pair->value, pxm, npxm)))
            return NULL;
        g_free(pair->value);
        pair->value = renamed;
        changed = true;
    }
    if (!changed)
        return g_strdup(value);
    return spmKeyvalFormat(kv);
}


/* JSON form: renames the number of every top-level member in @keys. */
static char *
spmNodeNumberingRenameJSON(const char *option, const char *value, const char *const *keys,
                           const unsigned int *pxm, size_t npxm)
{
    g_autoptr(GArray) members = spmJSONObjectMembers(value);
    g_autoptr(GString) out = NULL;
    size_t copied = 0;
    size_t i;

    if (!members) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, _("cannot parse QEMU option '%1$s %2$s'"),
                       option, value);
        return NULL;
    }
    out = g_string_new(NULL);
    for (i = 0; i < members->len; i++) {
        const spmJSONMember *m = &g_array_index(members, spmJSONMember, i);
        g_autofree char *renamed = NULL;

        if (!g_strv_contains(keys, m->key))
            continue;
        if (!(renamed = spmNodeNumberingRenameId(option, value, m->key, m->number, pxm, npxm)))
            return NULL;
        g_string_append_len(out, value + copied, m->valueStart - copied);
        g_string_append(out, renamed);
        copied = m->valueEnd;
    }
    g_string_append(out, value + copied);
    return g_string_free(g_steal_pointer(&out), FALSE);
}


/* -global DRIVER.PROP=VALUE or -global driver=D,property=P,value=V */
static int
spmNodeNumberingCheckGlobal(const char *option, const char *value)
{
    g_autoptr(spmKeyval) kv = NULL;
    size_t i;

    if (spmKeyvalParse(value, NULL, &kv) < 0)
        return -1;
    for (i = 0; i < kv->npairs; i++) {
        const spmKeyvalPair *pair = &kv->pairs[i];
        const char *prop;

        if (SPM_STREQ(pair->key, "property")) {
            prop = pair->value ? pair->value : "";
        } else if (SPM_STREQ(pair->key, "driver") || SPM_STREQ(pair->key, "value")) {
            continue;
        } else {
            const char *dot = strrchr(pair->key, '.');

            prop = dot ? dot + 1 : pair->key;
        }
        if (SPM_STREQ(prop, "node") || SPM_STREQ(prop, "numa_node")) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("QEMU option '%1$s %2$s' sets a NUMA node for a whole device type, which virt-spm cannot renumber to keep the guest's node ids equal to the cells; set the node on each device instead"),
                option, value);
            return -1;
        }
    }
    return 0;
}


char *
spmNodeNumberingRenameValue(const char *option, const char *value, const unsigned int *pxm,
                            size_t npxm)
{
    static const char *const deviceKeys[] = {"node", "numa_node", NULL};
    static const char *const objectKeys[] = {"node", NULL};
    static const char *const nodeKeys[] = {"nodeid", "initiator", NULL};
    static const char *const distKeys[] = {"src", "dst", NULL};
    static const char *const cpuKeys[] = {"node-id", NULL};
    static const char *const lbKeys[] = {"initiator", "target", NULL};

    if (spmQEMUIsOption(option, "device") || spmQEMUIsOption(option, "object")) {
        const char *const *keys = spmQEMUIsOption(option, "device") ? deviceKeys : objectKeys;

        if (value[0] == '{')
            return spmNodeNumberingRenameJSON(option, value, keys, pxm, npxm);
        return spmNodeNumberingRenameKeyval(
            option, value, spmQEMUIsOption(option, "device") ? "driver" : "qom-type", keys, pxm,
            npxm);
    }
    if (spmQEMUIsOption(option, "numa")) {
        g_autoptr(spmKeyval) kv = NULL;
        const char *type;
        const char *const *keys;

        if (spmKeyvalParse(value, "type", &kv) < 0)
            return NULL;
        type = spmKeyvalGet(kv, "type");
        if (g_strcmp0(type, "node") == 0)
            keys = nodeKeys;
        else if (g_strcmp0(type, "dist") == 0)
            keys = distKeys;
        else if (g_strcmp0(type, "cpu") == 0 || g_strcmp0(type, "hmat-cache") == 0)
            keys = cpuKeys;
        else if (g_strcmp0(type, "hmat-lb") == 0)
            keys = lbKeys;
        else {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("QEMU option '%1$s %2$s' is of an unknown type, so its NUMA node ids cannot be renumbered"),
                option, value);
            return NULL;
        }
        return spmNodeNumberingRenameKeyval(option, value, "type", keys, pxm, npxm);
    }
    if (spmQEMUIsOption(option, "global") && spmNodeNumberingCheckGlobal(option, value) < 0)
        return NULL;
    return g_strdup(value);
}


/*
 * QEMU packs boot RAM in node-id order: renaming must not reorder the nodes
 * that have boot RAM (memdev=), or every address would move (and with the
 * memmap-type form a typed node could land at address 0).
 */
static int
spmNodeNumberingCheckBootRAM(GArray *withRAM, const unsigned int *pxm)
{
    size_t i;
    size_t j;

    for (i = 0; i < withRAM->len; i++) {
        unsigned int a = g_array_index(withRAM, unsigned int, i);

        for (j = 0; j < withRAM->len; j++) {
            unsigned int b = g_array_index(withRAM, unsigned int, j);

            if (a < b && pxm[a] > pxm[b]) {
                spmReportError(
                    SPM_ERR_CONFIG_UNSUPPORTED,
                    _("the launch data gives NUMA cells '%1$u' and '%2$u', which both have boot RAM, QEMU node ids in the opposite order ('%3$u' and '%4$u'), which would move their memory"),
                    a, b, pxm[a], pxm[b]);
                return -1;
            }
        }
    }
    return 0;
}


int
spmNodeNumberingApply(char **argv, const unsigned int *pxm, size_t npxm)
{
    g_autoptr(GArray) withRAM = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    size_t nnodes = 0;
    size_t i;

    if (spmNodeNumberingValidate(pxm, npxm) < 0)
        return -1;
    for (i = 1; argv[0] && argv[i]; i++) {
        const char *opt = argv[i];
        char *renamed;

        if (!spmQEMUIsOption(opt, "numa") && !spmQEMUIsOption(opt, "device") &&
            !spmQEMUIsOption(opt, "object") && !spmQEMUIsOption(opt, "global"))
            continue;
        if (!argv[i + 1]) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, _("QEMU option '%1$s' has no value"), opt);
            return -1;
        }
        i++;
        if (spmQEMUIsOption(opt, "numa")) {
            g_autoptr(spmKeyval) kv = NULL;

            if (spmKeyvalParse(argv[i], "type", &kv) < 0)
                return -1;
            if (g_strcmp0(spmKeyvalGet(kv, "type"), "node") == 0) {
                unsigned int id;

                nnodes++;
                if (spmKeyvalGet(kv, "memdev") && spmKeyvalGet(kv, "nodeid") &&
                    spmParseUInt(spmKeyvalGet(kv, "nodeid"), 0, &id) && id < npxm)
                    g_array_append_val(withRAM, id);
            }
        }
        if (!(renamed = spmNodeNumberingRenameValue(opt, argv[i], pxm, npxm)))
            return -1;
        g_free(argv[i]);
        argv[i] = renamed;
    }
    if (nnodes != npxm) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("QEMU's command line has %1$zu NUMA nodes, but the launch data numbers %2$zu cells"),
            nnodes, npxm);
        return -1;
    }
    return spmNodeNumberingCheckBootRAM(withRAM, pxm);
}
