/*
 * shim_argv_rewrite.c: turns libvirt's QEMU argv into an SPM one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_argv_rewrite.h"
#include "shim_node_numbering.h"
#include "shim_dax_backing.h"
#include "spmerror.h"
#include "spmjsonobject.h"
#include "spmkeyval.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

static void
spmQEMUJSONAppendString(GString *buf, const char *str)
{
    const unsigned char *p;

    g_string_append_c(buf, '"');
    for (p = (const unsigned char *)str; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(buf, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(buf, "\\u%04x", *p);
        else
            g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, '"');
}


/* ---- sizes as QEMU reads them ---- */

/* ---- scanning libvirt's argv ---- */

typedef struct _spmQEMUNumaNode spmQEMUNumaNode;
struct _spmQEMUNumaNode {
    size_t idx; /* index of the option's value */
    unsigned int id;
    spmKeyval *kv;
};

typedef struct _spmQEMUArgv spmQEMUArgv;
struct _spmQEMUArgv {
    GPtrArray *args; /* owned strings, NULL-terminated */
    GArray *nodes;   /* spmQEMUNumaNode */
    GArray *objects; /* size_t: indexes of -object values */
    GArray *devices; /* size_t: indexes of -device values */
    size_t memIdx;   /* index of the -m value; 0: none */
    size_t nmem;
    size_t lastNumaIdx; /* index of the last -numa value; 0: none */
    bool keyvalDevice;  /* some -device is in key=value form */
};

static void
spmQEMUNumaNodeClear(void *data)
{
    spmQEMUNumaNode *node = data;

    spmKeyvalFree(node->kv);
}

static void
spmQEMUArgvFree(spmQEMUArgv *qargv)
{
    if (!qargv)
        return;
    if (qargv->args)
        g_ptr_array_unref(qargv->args);
    if (qargv->nodes)
        g_array_unref(qargv->nodes);
    if (qargv->objects)
        g_array_unref(qargv->objects);
    if (qargv->devices)
        g_array_unref(qargv->devices);
    g_free(qargv);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMUArgv, spmQEMUArgvFree);

bool
spmQEMUIsOption(const char *arg, const char *name)
{
    if (arg[0] != '-')
        return false;
    if (arg[1] == '-')
        arg++;
    return SPM_STREQ(arg + 1, name);
}

static const char *
spmQEMUArgvGet(const spmQEMUArgv *qargv, size_t idx)
{
    return g_ptr_array_index(qargv->args, idx);
}

static void
spmQEMUArgvReplace(spmQEMUArgv *qargv, size_t idx, char *value)
{
    g_free(g_ptr_array_index(qargv->args, idx));
    g_ptr_array_index(qargv->args, idx) = value;
}

static int
spmQEMUArgvAddNumaNode(spmQEMUArgv *qargv, size_t idx, spmKeyval *kv)
{
    spmQEMUNumaNode node = {.idx = idx};
    const char *nodeid = spmKeyvalGet(kv, "nodeid");
    size_t i;

    if (spmKeyvalCount(kv, "nodeid") != 1 || !nodeid || !spmParseUInt(nodeid, 0, &node.id)) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("QEMU option '-numa %1$s' has no single numeric 'nodeid'"),
                       spmQEMUArgvGet(qargv, idx));
        spmKeyvalFree(kv);
        return -1;
    }
    for (i = 0; i < qargv->nodes->len; i++) {
        if (g_array_index(qargv->nodes, spmQEMUNumaNode, i).id == node.id) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                           _("QEMU's command line has NUMA node '%1$u' more than once"), node.id);
            spmKeyvalFree(kv);
            return -1;
        }
    }
    node.kv = kv;
    g_array_append_val(qargv->nodes, node);
    return 0;
}

static spmQEMUArgv *
spmQEMUArgvScan(const char *const *argv)
{
    g_autoptr(spmQEMUArgv) qargv = g_new0(spmQEMUArgv, 1);
    size_t i;

    qargv->args = g_ptr_array_new_with_free_func(g_free);
    qargv->nodes = g_array_new(FALSE, TRUE, sizeof(spmQEMUNumaNode));
    g_array_set_clear_func(qargv->nodes, spmQEMUNumaNodeClear);
    qargv->objects = g_array_new(FALSE, FALSE, sizeof(size_t));
    qargv->devices = g_array_new(FALSE, FALSE, sizeof(size_t));

    for (i = 0; argv[i]; i++)
        g_ptr_array_add(qargv->args, g_strdup(argv[i]));
    g_ptr_array_add(qargv->args, NULL);

    /* libvirt writes every option and its value as two arguments; values that
     * look like one of these options make the scan fail, never misapply. */
    for (i = 1; argv[i]; i++) {
        const char *opt = argv[i];
        bool numa = spmQEMUIsOption(opt, "numa");
        bool mem = spmQEMUIsOption(opt, "m");
        bool object = spmQEMUIsOption(opt, "object");
        bool device = spmQEMUIsOption(opt, "device");
        const char *value;

        if (!numa && !mem && !object && !device)
            continue;
        if (!(value = argv[i + 1])) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, _("QEMU option '%1$s' has no value"), opt);
            return NULL;
        }
        i++;

        if (mem) {
            qargv->memIdx = i;
            qargv->nmem++;
        } else if (object) {
            g_array_append_val(qargv->objects, i);
        } else if (device) {
            g_array_append_val(qargv->devices, i);
            if (value[0] != '{')
                qargv->keyvalDevice = true;
        } else {
            g_autoptr(spmKeyval) kv = NULL;

            qargv->lastNumaIdx = i;
            if (spmKeyvalParse(value, "type", &kv) < 0)
                return NULL;
            if (g_strcmp0(spmKeyvalGet(kv, "type"), "node") == 0 &&
                spmQEMUArgvAddNumaNode(qargv, i, g_steal_pointer(&kv)) < 0)
                return NULL;
        }
    }
    return g_steal_pointer(&qargv);
}

static spmQEMUNumaNode *
spmQEMUArgvFindNode(spmQEMUArgv *qargv, unsigned int id)
{
    size_t i;

    for (i = 0; i < qargv->nodes->len; i++) {
        spmQEMUNumaNode *node = &g_array_index(qargv->nodes, spmQEMUNumaNode, i);

        if (node->id == id)
            return node;
    }
    return NULL;
}

/* Reads id, qom-type and size of the -object value @str (JSON or key=value).
 * Returns 0 with *id NULL when the object has no id. */
static int
spmQEMUObjectParse(const char *str, char **id, char **type, char **size, bool *json)
{
    size_t i;

    *json = str[0] == '{';
    if (*json) {
        g_autoptr(GArray) members = spmJSONObjectMembers(str);

        if (!members) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, _("cannot parse QEMU option '-object %1$s'"),
                           str);
            return -1;
        }
        for (i = 0; i < members->len; i++) {
            spmJSONMember *m = &g_array_index(members, spmJSONMember, i);
            char **dest = NULL;
            size_t j;

            for (j = 0; j < i; j++) {
                if (SPM_STREQ(g_array_index(members, spmJSONMember, j).key, m->key)) {
                    spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                                   _("QEMU option '-object %1$s' repeats member '%2$s'"), str,
                                   m->key);
                    return -1;
                }
            }
            if (SPM_STREQ(m->key, "id"))
                dest = &m->string;
            else if (SPM_STREQ(m->key, "qom-type"))
                dest = &m->string;
            else if (SPM_STREQ(m->key, "size"))
                dest = &m->number;
            if (!dest)
                continue;
            if (!*dest) {
                spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                               _("QEMU option '-object %1$s' has an invalid '%2$s'"), str, m->key);
                return -1;
            }
            if (SPM_STREQ(m->key, "id"))
                *id = g_steal_pointer(dest);
            else if (SPM_STREQ(m->key, "qom-type"))
                *type = g_steal_pointer(dest);
            else
                *size = g_steal_pointer(dest);
        }
    } else {
        g_autoptr(spmKeyval) kv = NULL;

        if (spmKeyvalParse(str, "qom-type", &kv) < 0)
            return -1;
        if (spmKeyvalCount(kv, "id") > 1 || spmKeyvalCount(kv, "size") > 1) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                           _("QEMU option '-object %1$s' repeats 'id' or 'size'"), str);
            return -1;
        }
        *id = g_strdup(spmKeyvalGet(kv, "id"));
        *type = g_strdup(spmKeyvalGet(kv, "qom-type"));
        *size = g_strdup(spmKeyvalGet(kv, "size"));
    }
    return 0;
}

/* The driver and the NUMA node ('node', which memory devices have) of a
 * -device value; *@node NULL when it has none. */
static int
spmQEMUDeviceParse(const char *str, char **driver, char **node)
{
    size_t i;

    if (str[0] == '{') {
        g_autoptr(GArray) members = spmJSONObjectMembers(str);

        if (!members) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, _("cannot parse QEMU option '-device %1$s'"),
                           str);
            return -1;
        }
        for (i = 0; i < members->len; i++) {
            spmJSONMember *m = &g_array_index(members, spmJSONMember, i);

            if (SPM_STREQ(m->key, "driver") && m->string && !*driver)
                *driver = g_strdup(m->string);
            else if (SPM_STREQ(m->key, "node") && !*node)
                *node = g_strdup(m->number ? m->number : m->string ? m->string : "?");
        }
    } else {
        g_autoptr(spmKeyval) kv = NULL;

        if (spmKeyvalParse(str, "driver", &kv) < 0)
            return -1;
        *driver = g_strdup(spmKeyvalGet(kv, "driver"));
        *node = g_strdup(spmKeyvalGet(kv, "node"));
    }
    return 0;
}

/* A typed node holds its SPM memory and nothing else: no memory device
 * (pc-dimm, nvdimm, virtio-mem) may name it.  virt-spm refuses that at
 * define; this catches a device added to the domain behind its back. */
static int
spmQEMUArgvCheckDevices(spmQEMUArgv *qargv, const spmLaunchData *data)
{
    size_t i;

    for (i = 0; i < qargv->devices->len; i++) {
        const char *str = spmQEMUArgvGet(qargv, g_array_index(qargv->devices, size_t, i));
        g_autofree char *driver = NULL;
        g_autofree char *nodestr = NULL;
        unsigned int node;

        if (spmQEMUDeviceParse(str, &driver, &nodestr) < 0)
            return -1;
        if (!nodestr)
            continue;
        if (!spmParseUInt(nodestr, 0, &node)) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                           _("QEMU option '-device %1$s' has an invalid 'node'"), str);
            return -1;
        }
        if (spmLaunchDataGetNode(data, node)) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("memory device '%1$s' is on typed NUMA node '%2$u' ('-device %3$s'), but a typed node holds only its SPM memory; move the device to a normal cell"),
                driver ? driver : "?", node, str);
            return -1;
        }
    }
    return 0;
}

/* Checks that the memory backend @memdev of NUMA node @node exists once
 * and, if @size is not 0, has exactly @size bytes. */
static int
spmQEMUArgvCheckBackend(spmQEMUArgv *qargv, unsigned int node, const char *memdev,
                        unsigned long long size)
{
    g_autofree char *foundType = NULL;
    g_autofree char *foundSize = NULL;
    bool foundJSON = false;
    size_t found = 0;
    unsigned long long bytes = 0;
    bool sizeOK;
    size_t i;

    for (i = 0; i < qargv->objects->len; i++) {
        const char *str = spmQEMUArgvGet(qargv, g_array_index(qargv->objects, size_t, i));
        g_autofree char *id = NULL;
        g_autofree char *type = NULL;
        g_autofree char *sz = NULL;
        bool json;

        if (spmQEMUObjectParse(str, &id, &type, &sz, &json) < 0)
            return -1;
        if (!id || !SPM_STREQ(id, memdev))
            continue;
        found++;
        g_free(foundType);
        g_free(foundSize);
        foundType = g_steal_pointer(&type);
        foundSize = g_steal_pointer(&sz);
        foundJSON = json;
    }

    if (found == 0) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("memory backend '%1$s' of NUMA node '%2$u' is not in QEMU's command line"),
                       memdev, node);
        return -1;
    }
    if (found > 1) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("memory backend '%1$s' of NUMA node '%2$u' appears more than once"),
                       memdev, node);
        return -1;
    }
    if (!foundType || !g_str_has_prefix(foundType, "memory-backend-")) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("object '%1$s' of NUMA node '%2$u' is not a memory backend but '%3$s'"),
                       memdev, node, foundType ? foundType : "");
        return -1;
    }
    if (size == 0)
        return 0;

    /* JSON sizes are plain integers; key=value sizes take QEMU's suffixes. */
    if (!foundSize)
        sizeOK = false;
    else if (foundJSON)
        sizeOK =
            !strpbrk(foundSize, "-.eE") && spmParseNumber(foundSize, SPM_NUMBER_SIZE, 0, &bytes);
    else
        sizeOK = spmParseNumber(foundSize, SPM_NUMBER_SIZE, 0, &bytes);
    if (!sizeOK) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("cannot read the size '%1$s' of memory backend '%2$s'"),
                       foundSize ? foundSize : "", memdev);
        return -1;
    }
    if (bytes != size) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("backend '%1$s' of NUMA node '%2$u' has %3$llu bytes, launch data %4$llu"),
                       memdev, node, bytes, size);
        return -1;
    }
    return 0;
}

char *
spmQEMUFormatSpMemDevice(unsigned int node, const char *memdev, unsigned long long addr,
                         bool keyval)
{
    GString *buf = g_string_new(NULL);

    if (keyval) {
        g_autofree char *escaped = spmKeyvalEscape(memdev);

        g_string_append_printf(buf, "sp-mem,id=spm-node%u,memdev=%s,node=%u,addr=%llu", node,
                               escaped, node, addr);
    } else {
        g_string_append_printf(buf,
                               "{\"driver\":\"sp-mem\",\"id\":\"spm-node%u\",\"memdev\":", node);
        spmQEMUJSONAppendString(buf, memdev);
        g_string_append_printf(buf, ",\"node\":%u,\"addr\":%llu}", node, addr);
    }
    return g_string_free(buf, FALSE);
}

char *
spmQEMUFormatMemoryWithoutTyped(const char *libvirtMemory, const spmLaunchData *data)
{
    g_autoptr(spmKeyval) kv = NULL;
    const char *sizeStr;
    const char *maxmemStr;
    const char *slotsStr;
    unsigned long long size;
    unsigned long long maxmem = data->maxmem;
    unsigned long long libvirtMaxmem = 0;
    unsigned int slots = data->slots;
    unsigned int libvirtSlots = 0;
    unsigned long long typed = 0;
    unsigned long long ram;
    size_t i;

    for (i = 0; i < data->nnodes; i++) {
        if (typed > G_MAXUINT64 - data->nodes[i].size) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("the typed NUMA node sizes overflow"));
            return NULL;
        }
        typed += data->nodes[i].size;
    }

    if (spmKeyvalParse(libvirtMemory, "size", &kv) < 0)
        return NULL;
    for (i = 0; i < kv->npairs; i++) {
        const char *key = kv->pairs[i].key;

        if ((!SPM_STREQ(key, "size") && !SPM_STREQ(key, "maxmem") && !SPM_STREQ(key, "slots")) ||
            !kv->pairs[i].value || spmKeyvalCount(kv, key) != 1) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, _("cannot parse QEMU option '-m %1$s'"),
                           libvirtMemory);
            return NULL;
        }
    }
    sizeStr = spmKeyvalGet(kv, "size");
    maxmemStr = spmKeyvalGet(kv, "maxmem");
    slotsStr = spmKeyvalGet(kv, "slots");
    /* -m sizes without a suffix are MiB, maxmem without one is bytes. */
    if (!sizeStr || !spmParseNumber(sizeStr, SPM_NUMBER_SIZE, SPM_MIB, &size) ||
        (maxmemStr && !spmParseNumber(maxmemStr, SPM_NUMBER_SIZE, 0, &libvirtMaxmem)) ||
        (slotsStr && !spmParseUInt(slotsStr, 0, &libvirtSlots))) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, _("cannot parse QEMU option '-m %1$s'"),
                       libvirtMemory);
        return NULL;
    }

    if (typed >= size) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("the typed NUMA nodes (%1$llu bytes) leave no RAM of '-m %2$s'"), typed,
                       libvirtMemory);
        return NULL;
    }
    ram = size - typed;
    maxmem = MAX(maxmem, libvirtMaxmem);
    slots = MAX(slots, libvirtSlots);
    if (maxmem < size) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("maxmem %1$llu bytes cannot hold RAM %2$llu plus SPM %3$llu bytes"),
                       maxmem, ram, typed);
        return NULL;
    }
    if (ram % SPM_KIB != 0 || maxmem % SPM_KIB != 0) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("RAM %1$llu and maxmem %2$llu bytes of '-m %3$s' are not KiB multiples"),
                       ram, maxmem, libvirtMemory);
        return NULL;
    }

    if (slots > 0)
        return g_strdup_printf("size=%lluk,slots=%u,maxmem=%lluk", ram / SPM_KIB, slots,
                               maxmem / SPM_KIB);
    return g_strdup_printf("size=%lluk,maxmem=%lluk", ram / SPM_KIB, maxmem / SPM_KIB);
}

/* -m without the typed memory; see the header for the rules. */
static int
spmQEMUArgvRewriteMemory(spmQEMUArgv *qargv, const spmLaunchData *data)
{
    char *memory;

    if (qargv->nmem != 1) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("QEMU's command line has %1$zu '-m' options, expected one"), qargv->nmem);
        return -1;
    }
    if (!(memory = spmQEMUFormatMemoryWithoutTyped(spmQEMUArgvGet(qargv, qargv->memIdx), data)))
        return -1;
    spmQEMUArgvReplace(qargv, qargv->memIdx, memory);
    return 0;
}

int
spmQEMUArgvFindLaunchData(const char *const *argv, size_t *idx)
{
    size_t found = 0;
    size_t i;

    for (i = 1; argv[0] && argv[i]; i++) {
        if (!SPM_STREQ(argv[i], SPM_LAUNCH_OPTION))
            continue;
        if (found) {
            spmReportError(SPM_ERR_INVALID_ARG, _("QEMU's command line has '%1$s' more than once"),
                           SPM_LAUNCH_OPTION);
            return -1;
        }
        if (!argv[i + 1]) {
            spmReportError(SPM_ERR_INVALID_ARG, _("QEMU option '%1$s' has no value"),
                           SPM_LAUNCH_OPTION);
            return -1;
        }
        found = i;
    }
    if (!found)
        return 0;
    *idx = found;
    return 1;
}

int
spmQEMUArgvApplyLaunchData(const char *const *argv, const spmLaunchData *data, char ***newargv)
{
    g_autoptr(spmQEMUArgv) qargv = NULL;
    g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) daxArgv = NULL;
    bool spmem = data->form == SPM_FORM_SP_MEM;
    size_t launchIdx;
    size_t mark;
    size_t i;

    if (!argv[0]) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, "%s", _("empty QEMU argv"));
        return -1;
    }
    if (spmLaunchDataValidate(data) < 0)
        return -1;
    /* dax-backed nodes: their backends become file backends first */
    if (spmShimDaxBackingApply(argv, data, &daxArgv) < 0)
        return -1;
    if (daxArgv)
        argv = (const char *const *)daxArgv;
    mark = spmErrorMark();
    if (spmQEMUArgvFindLaunchData(argv, &launchIdx) != 0) {
        spmErrorTruncate(mark);
        spmReportError(SPM_ERR_INTERNAL_ERROR,
                       _("launch data arguments '%1$s' left in the argv to rewrite"),
                       SPM_LAUNCH_OPTION);
        return -1;
    }
    if (!(qargv = spmQEMUArgvScan(argv)) || spmQEMUArgvCheckDevices(qargv, data) < 0)
        return -1;

    for (i = 0; i < data->nnodes; i++) {
        const spmLaunchNode *lnode = &data->nodes[i];
        spmQEMUNumaNode *node = spmQEMUArgvFindNode(qargv, lnode->id);
        const char *memdev;

        if (!node) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                           _("typed NUMA node '%1$u' is not in QEMU's command line"), lnode->id);
            return -1;
        }
        if (spmKeyvalCount(node->kv, "mem") > 0) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                           _("typed NUMA node '%1$u' has legacy 'mem=': '-numa %2$s'"), lnode->id,
                           spmQEMUArgvGet(qargv, node->idx));
            return -1;
        }
        if (spmKeyvalCount(node->kv, "memmap-type") > 0) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                           _("typed NUMA node '%1$u' already has a memmap-type: '-numa %2$s'"),
                           lnode->id, spmQEMUArgvGet(qargv, node->idx));
            return -1;
        }
        memdev = spmKeyvalGet(node->kv, "memdev");
        if (spmKeyvalCount(node->kv, "memdev") != 1 || !memdev || !*memdev) {
            spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                           _("typed NUMA node '%1$u' has no single memory backend: '-numa %2$s'"),
                           lnode->id, spmQEMUArgvGet(qargv, node->idx));
            return -1;
        }
        if (spmQEMUArgvCheckBackend(qargv, lnode->id, memdev, lnode->size) < 0)
            return -1;

        if (spmem) {
            g_ptr_array_add(
                devices,
                spmQEMUFormatSpMemDevice(lnode->id, memdev, lnode->addr, qargv->keyvalDevice));
            spmKeyvalRemove(node->kv, "memdev");
        } else {
            spmKeyvalAppend(node->kv, "memmap-type", spmMemmapTypeToString(lnode->memmap));
        }
        spmQEMUArgvReplace(qargv, node->idx, spmKeyvalFormat(node->kv));
    }

    if (spmem) {
        size_t pos = qargv->lastNumaIdx + 1;

        if (spmQEMUArgvRewriteMemory(qargv, data) < 0)
            return -1;
        for (i = 0; i < devices->len; i++) {
            g_ptr_array_insert(qargv->args, pos++, g_strdup("-device"));
            g_ptr_array_insert(qargv->args, pos++, g_steal_pointer(&devices->pdata[i]));
        }
    }

    if (data->npxm > 0 &&
        spmNodeNumberingApply((char **)qargv->args->pdata, data->pxm, data->npxm) < 0)
        return -1;

    *newargv = (char **)g_ptr_array_free(g_steal_pointer(&qargv->args), FALSE);
    return 0;
}

int
spmQEMUArgvRewrite(const char *const *argv, char ***newargv)
{
    g_autoptr(spmLaunchData) data = NULL;
    g_autofree const char **rest = NULL;
    size_t idx;
    size_t n;
    size_t i;
    size_t j = 0;
    int rc;

    *newargv = NULL;
    if ((rc = spmQEMUArgvFindLaunchData(argv, &idx)) <= 0)
        return rc;
    if (spmLaunchDataParse(argv[idx + 1], &data) < 0)
        return -1;

    n = g_strv_length((char **)argv);
    rest = g_new0(const char *, n - 1);
    for (i = 0; i < n; i++) {
        if (i != idx && i != idx + 1)
            rest[j++] = argv[i];
    }
    if (spmQEMUArgvApplyLaunchData(rest, data, newargv) < 0)
        return -1;
    return 1;
}
