/*
 * qemu_capabilities.c: what a QEMU binary can do for SPM-typed NUMA nodes
 *
 * The same code interprets the replies of a live QEMU and of a recorded
 * .replies file: only the way a command is run differs (spmQEMUCapsRunner).
 * Every reply is checked for shape and content, so that a broken or hostile
 * peer or file gives an error, never a crash or a wrong answer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_capabilities_priv.h"
#include "qemu_qapi.h"
#include "qemu_replies.h"
#include "domain_conf.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"
#include "spmxml.h"

#include <errno.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CAPS

SPM_ENUM_IMPL(spmQEMUCaps, SPM_QEMU_CAPS_LAST, "device.sp-mem", "sp-mem.props",
              "query-memory-devices.sp-mem", "query-memory-devices.sp-mem.addr", "numa.memmap-type",
              "numa.memmap-type.spm", "numa.memmap-type.reserved", "numa.hmat", "object.json",
              "device.json", "memory-backend-ram", "memory-backend-memfd", "memory-backend-file",
              "device.pc-dimm");

/* Capabilities read from the QAPI schema. */
static const struct {
    const char *query;
    spmQEMUCapsFlags flag;
} spmQEMUCapsSchemaQueries[] = {
    {"query-memory-devices/ret-type/type/^sp-mem", SPM_QEMU_CAPS_QUERY_MEMORY_DEVICES_SP_MEM},
    {"query-memory-devices/ret-type/+sp-mem/data/addr",
     SPM_QEMU_CAPS_QUERY_MEMORY_DEVICES_SP_MEM_ADDR},
    {"set-numa-node/arg-type/+node/memmap-type", SPM_QEMU_CAPS_NUMA_MEMMAP_TYPE},
    {"set-numa-node/arg-type/+node/memmap-type/^spm", SPM_QEMU_CAPS_NUMA_MEMMAP_TYPE_SPM},
    {"set-numa-node/arg-type/+node/memmap-type/^reserved", SPM_QEMU_CAPS_NUMA_MEMMAP_TYPE_RESERVED},
    {"set-numa-node/arg-type/+hmat-lb", SPM_QEMU_CAPS_NUMA_HMAT},
    {"object-add/arg-type/+memory-backend-ram/size", SPM_QEMU_CAPS_OBJECT_JSON},
    {"device_add/$json-cli", SPM_QEMU_CAPS_DEVICE_JSON},
    {"object-add/arg-type/qom-type/^memory-backend-ram", SPM_QEMU_CAPS_OBJECT_MEMORY_RAM},
    {"object-add/arg-type/qom-type/^memory-backend-memfd", SPM_QEMU_CAPS_OBJECT_MEMORY_MEMFD},
    {"object-add/arg-type/qom-type/^memory-backend-file", SPM_QEMU_CAPS_OBJECT_MEMORY_FILE},
};


void
spmQEMUCapsStampClear(spmQEMUCapsStamp *stamp)
{
    g_clear_pointer(&stamp->moduleDir, g_free);
    g_clear_pointer(&stamp->selfVersion, g_free);
    memset(stamp, 0, sizeof(*stamp));
}


bool
spmQEMUCapsStampEqual(const spmQEMUCapsStamp *a, const spmQEMUCapsStamp *b)
{
    return a->binaryCtimeNs == b->binaryCtimeNs && a->binaryMtimeNs == b->binaryMtimeNs &&
        a->binarySize == b->binarySize && a->binaryInode == b->binaryInode &&
        a->binaryDev == b->binaryDev && g_strcmp0(a->moduleDir, b->moduleDir) == 0 &&
        a->moduleDirMtimeNs == b->moduleDirMtimeNs &&
        g_strcmp0(a->selfVersion, b->selfVersion) == 0;
}


void
spmQEMUCapsMachineClear(spmQEMUCapsMachine *m)
{
    g_free(m->name);
    g_free(m->alias);
    g_free(m->defaultRAMid);
}


void
spmQEMUCapsPropertyClear(spmQEMUCapsProperty *p)
{
    g_free(p->name);
    g_free(p->type);
}


spmQEMUCaps *
spmQEMUCapsNew(const char *binary)
{
    spmQEMUCaps *caps = g_new0(spmQEMUCaps, 1);

    caps->binary = g_strdup(binary);
    caps->memoryDevices = g_ptr_array_new_with_free_func(g_free);
    caps->spMemProps = g_array_new(FALSE, TRUE, sizeof(spmQEMUCapsProperty));
    g_array_set_clear_func(caps->spMemProps, (GDestroyNotify)spmQEMUCapsPropertyClear);
    caps->machines = g_array_new(FALSE, TRUE, sizeof(spmQEMUCapsMachine));
    g_array_set_clear_func(caps->machines, (GDestroyNotify)spmQEMUCapsMachineClear);
    return caps;
}


void
spmQEMUCapsFree(spmQEMUCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->binary);
    spmQEMUCapsStampClear(&caps->stamp);
    g_free(caps->versionStr);
    g_free(caps->package);
    g_free(caps->arch);
    g_ptr_array_unref(caps->memoryDevices);
    g_array_unref(caps->spMemProps);
    g_array_unref(caps->machines);
    g_free(caps);
}


char *
spmQEMUCapsVersionToString(unsigned int version)
{
    return g_strdup_printf("%u.%u.%u", version / 1000000, (version / 1000) % 1000, version % 1000);
}


void
spmQEMUCapsSetVersion(spmQEMUCaps *caps, unsigned int version)
{
    caps->version = version;
    g_free(caps->versionStr);
    caps->versionStr = spmQEMUCapsVersionToString(version);
}


/* ------------------------------------------------------------------------
 * Checks of strings that come from QEMU or from files
 */

/* A name: machine types, device types, architectures, property names. */
bool
spmQEMUCapsValidToken(const char *str)
{
    size_t len = str ? strlen(str) : 0;

    if (len == 0 || len > 256)
        return false;
    return strspn(str,
                  "abcdefghijklmnopqrstuvwxyz"
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789._+:-") == len;
}


/* Free text: valid UTF-8 without control characters. */
bool
spmQEMUCapsValidText(const char *str)
{
    const unsigned char *p;

    if (!str || strlen(str) > SPM_QEMU_CAPS_MAX_TEXT || !g_utf8_validate(str, -1, NULL))
        return false;
    for (p = (const unsigned char *)str; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}


/* ------------------------------------------------------------------------
 * Interpreting replies
 */

typedef struct {
    /* 0, -1 (reported; transport), -2 (reported; QEMU's error reply) */
    int (*run)(void *opaque, const char *cmd, json_object *args, json_object **ret);
    void *opaque;
    const char *name; /* the emulator, for messages */
} spmQEMUCapsRunner;


static int
spmQEMUCapsMalformed(const spmQEMUCapsRunner *runner, const char *cmd, const char *what)
{
    spmReportError(SPM_ERR_QMP_ERROR, _("malformed reply to '%1$s' from QEMU '%2$s': %3$s"), cmd,
                   runner->name, what);
    return -1;
}


static json_object *
spmQEMUCapsJSONGet(json_object *obj, const char *key, json_type type)
{
    json_object *val;

    if (!json_object_object_get_ex(obj, key, &val) || !json_object_is_type(val, type))
        return NULL;
    return val;
}


/* 1 and *value set when @key is a boolean, 0 when absent, -1 when not a boolean */
static int
spmQEMUCapsJSONBool(json_object *obj, const char *key, bool *value)
{
    json_object *val;

    if (!json_object_object_get_ex(obj, key, &val))
        return 0;
    if (!json_object_is_type(val, json_type_boolean))
        return -1;
    *value = json_object_get_boolean(val);
    return 1;
}


/* 1 and *str set (borrowed) when @key is a valid token, 0 when absent, -1 otherwise */
static int
spmQEMUCapsJSONToken(json_object *obj, const char *key, const char **str)
{
    json_object *val;

    if (!json_object_object_get_ex(obj, key, &val))
        return 0;
    if (!json_object_is_type(val, json_type_string) ||
        !spmQEMUCapsValidToken(json_object_get_string(val)))
        return -1;
    *str = json_object_get_string(val);
    return 1;
}


static int
spmQEMUCapsVersionPart(json_object *qemu, const char *key, unsigned int *part)
{
    json_object *val = spmQEMUCapsJSONGet(qemu, key, json_type_int);
    int64_t n;

    if (!val)
        return -1;
    n = json_object_get_int64(val);
    if (n < 0 || n > 999)
        return -1;
    *part = (unsigned int)n;
    return 0;
}


static int
spmQEMUCapsProcessVersion(spmQEMUCaps *caps, const spmQEMUCapsRunner *runner, json_object *ret)
{
    const char *cmd = "query-version";
    json_object *qemu = spmQEMUCapsJSONGet(ret, "qemu", json_type_object);
    json_object *package;
    unsigned int major;
    unsigned int minor;
    unsigned int micro;

    if (!qemu || spmQEMUCapsVersionPart(qemu, "major", &major) < 0 ||
        spmQEMUCapsVersionPart(qemu, "minor", &minor) < 0 ||
        spmQEMUCapsVersionPart(qemu, "micro", &micro) < 0)
        return spmQEMUCapsMalformed(runner, cmd, _("no valid 'qemu' version"));

    spmQEMUCapsSetVersion(caps, major * 1000000 + minor * 1000 + micro);

    if ((package = spmQEMUCapsJSONGet(ret, "package", json_type_string))) {
        const char *text = json_object_get_string(package);
        g_autofree char *trimmed = g_strstrip(g_strdup(text));

        if (!spmQEMUCapsValidText(trimmed))
            return spmQEMUCapsMalformed(runner, cmd, _("invalid 'package'"));
        if (*trimmed)
            caps->package = g_steal_pointer(&trimmed);
    }
    return 0;
}


static int
spmQEMUCapsProcessTarget(spmQEMUCaps *caps, const spmQEMUCapsRunner *runner, json_object *ret)
{
    const char *arch = NULL;

    if (!json_object_is_type(ret, json_type_object) ||
        spmQEMUCapsJSONToken(ret, "arch", &arch) != 1)
        return spmQEMUCapsMalformed(runner, "query-target", _("no valid 'arch'"));
    /* libvirt calls QEMU's i386 target i686 */
    caps->arch = g_strdup(SPM_STREQ(arch, "i386") ? "i686" : arch);
    return 0;
}


static int
spmQEMUCapsProcessSchema(spmQEMUCaps *caps, const spmQEMUCapsRunner *runner, json_object *ret)
{
    g_autoptr(spmQAPISchema) schema = NULL;
    size_t i;

    if (!(schema = spmQAPISchemaNew(ret))) {
        spmQEMUCapsMalformed(runner, "query-qmp-schema", _("not a QAPI schema"));
        return -1;
    }

    for (i = 0; i < G_N_ELEMENTS(spmQEMUCapsSchemaQueries); i++) {
        int rc = spmQAPISchemaPathGet(schema, spmQEMUCapsSchemaQueries[i].query, NULL);

        if (rc < 0)
            return spmQEMUCapsMalformed(runner, "query-qmp-schema",
                                        spmQEMUCapsSchemaQueries[i].query);
        if (rc == 1)
            caps->flags[spmQEMUCapsSchemaQueries[i].flag] = true;
    }
    return 0;
}


static int
spmQEMUCapsProcessMemoryDevices(spmQEMUCaps *caps, const spmQEMUCapsRunner *runner,
                                json_object *ret)
{
    const char *cmd = "qom-list-types";
    size_t n;
    size_t i;

    if (!json_object_is_type(ret, json_type_array))
        return spmQEMUCapsMalformed(runner, cmd, _("not an array"));
    n = json_object_array_length(ret);
    if (n > SPM_QEMU_CAPS_MAX_DEVICES)
        return spmQEMUCapsMalformed(runner, cmd, _("too many types"));

    for (i = 0; i < n; i++) {
        json_object *entry = json_object_array_get_idx(ret, i);
        const char *name = NULL;

        if (!json_object_is_type(entry, json_type_object) ||
            spmQEMUCapsJSONToken(entry, "name", &name) != 1)
            return spmQEMUCapsMalformed(runner, cmd, _("a type without a valid name"));
        g_ptr_array_add(caps->memoryDevices, g_strdup(name));
    }

    caps->flags[SPM_QEMU_CAPS_DEVICE_SP_MEM] = spmQEMUCapsHasMemoryDevice(caps, "sp-mem");
    caps->flags[SPM_QEMU_CAPS_DEVICE_PC_DIMM] = spmQEMUCapsHasMemoryDevice(caps, "pc-dimm");
    return 0;
}


static bool
spmQEMUCapsHasSpMemProp(const spmQEMUCaps *caps, const char *name)
{
    size_t i;

    for (i = 0; i < caps->spMemProps->len; i++) {
        if (SPM_STREQ(g_array_index(caps->spMemProps, spmQEMUCapsProperty, i).name, name))
            return true;
    }
    return false;
}


static void
spmQEMUCapsUpdateSpMemProps(spmQEMUCaps *caps)
{
    caps->flags[SPM_QEMU_CAPS_SP_MEM_PROPS] = spmQEMUCapsHasSpMemProp(caps, "memdev") &&
        spmQEMUCapsHasSpMemProp(caps, "node") && spmQEMUCapsHasSpMemProp(caps, "addr");
}


static int
spmQEMUCapsProcessSpMemProps(spmQEMUCaps *caps, const spmQEMUCapsRunner *runner, json_object *ret)
{
    const char *cmd = "device-list-properties";
    size_t n;
    size_t i;

    if (!json_object_is_type(ret, json_type_array))
        return spmQEMUCapsMalformed(runner, cmd, _("not an array"));
    n = json_object_array_length(ret);
    if (n > SPM_QEMU_CAPS_MAX_PROPS)
        return spmQEMUCapsMalformed(runner, cmd, _("too many properties"));

    for (i = 0; i < n; i++) {
        json_object *entry = json_object_array_get_idx(ret, i);
        json_object *type;
        spmQEMUCapsProperty prop = {0};
        const char *name = NULL;

        if (!json_object_is_type(entry, json_type_object) ||
            spmQEMUCapsJSONToken(entry, "name", &name) != 1 ||
            !(type = spmQEMUCapsJSONGet(entry, "type", json_type_string)) ||
            !spmQEMUCapsValidText(json_object_get_string(type)))
            return spmQEMUCapsMalformed(runner, cmd, _("a property without a valid name or type"));
        prop.name = g_strdup(name);
        prop.type = g_strdup(json_object_get_string(type));
        g_array_append_val(caps->spMemProps, prop);
    }
    spmQEMUCapsUpdateSpMemProps(caps);
    return 0;
}


static int
spmQEMUCapsProcessMachines(spmQEMUCaps *caps, const spmQEMUCapsRunner *runner, json_object *ret)
{
    const char *cmd = "query-machines";
    bool haveDefault = false;
    size_t n;
    size_t i;

    if (!json_object_is_type(ret, json_type_array))
        return spmQEMUCapsMalformed(runner, cmd, _("not an array"));
    n = json_object_array_length(ret);
    if (n > SPM_QEMU_CAPS_MAX_MACHINES)
        return spmQEMUCapsMalformed(runner, cmd, _("too many machine types"));

    for (i = 0; i < n; i++) {
        json_object *entry = json_object_array_get_idx(ret, i);
        spmQEMUCapsMachine m = {.acpi = SPM_TRISTATE_ABSENT};
        const char *name = NULL;
        const char *alias = NULL;
        const char *ramid = NULL;
        json_object *cpumax;
        bool flag = false;
        int rc;

        if (!json_object_is_type(entry, json_type_object) ||
            spmQEMUCapsJSONToken(entry, "name", &name) != 1 ||
            spmQEMUCapsJSONToken(entry, "alias", &alias) < 0 ||
            spmQEMUCapsJSONToken(entry, "default-ram-id", &ramid) < 0 ||
            spmQEMUCapsJSONBool(entry, "is-default", &m.isDefault) < 0 ||
            spmQEMUCapsJSONBool(entry, "numa-mem-supported", &m.numaMemSupported) < 0 ||
            spmQEMUCapsJSONBool(entry, "deprecated", &m.deprecated) < 0 ||
            (rc = spmQEMUCapsJSONBool(entry, "acpi", &flag)) < 0)
            return spmQEMUCapsMalformed(runner, cmd, _("a machine type with invalid members"));

        if (rc == 1)
            m.acpi = flag ? SPM_TRISTATE_YES : SPM_TRISTATE_NO;
        if (json_object_object_get_ex(entry, "cpu-max", &cpumax)) {
            int64_t v;

            if (!json_object_is_type(cpumax, json_type_int) ||
                (v = json_object_get_int64(cpumax)) < 0 || v > G_MAXUINT)
                return spmQEMUCapsMalformed(runner, cmd, _("an invalid 'cpu-max'"));
            m.maxCpus = (unsigned int)v;
        }
        /* only the first default counts */
        if (m.isDefault && haveDefault)
            m.isDefault = false;
        haveDefault |= m.isDefault;

        m.name = g_strdup(name);
        m.alias = g_strdup(alias);
        m.defaultRAMid = g_strdup(ramid);
        g_array_append_val(caps->machines, m);
    }
    return 0;
}


/* Runs @cmd; a QEMU error reply is an error unless @tolerate (then 1). */
static int
spmQEMUCapsRun(const spmQEMUCapsRunner *runner, const char *cmd, json_object *args, bool tolerate,
               json_object **ret)
{
    size_t mark = spmErrorMark();
    int rc = runner->run(runner->opaque, cmd, args, ret);

    if (rc == -2 && tolerate) {
        spmErrorTruncate(mark);
        return 1;
    }
    return rc < 0 ? -1 : 0;
}


static int
spmQEMUCapsInitQMP(spmQEMUCaps *caps, const spmQEMUCapsRunner *runner)
{
    g_autoptr(json_object) version = NULL;
    g_autoptr(json_object) target = NULL;
    g_autoptr(json_object) schema = NULL;
    g_autoptr(json_object) memdevs = NULL;
    g_autoptr(json_object) memdevsArgs = json_object_new_object();
    g_autoptr(json_object) machines = NULL;

    json_object_object_add(memdevsArgs, "implements", json_object_new_string("memory-device"));

    if (spmQEMUCapsRun(runner, "query-version", NULL, false, &version) < 0 ||
        spmQEMUCapsProcessVersion(caps, runner, version) < 0)
        return -1;
    if (spmQEMUCapsRun(runner, "query-target", NULL, false, &target) < 0 ||
        spmQEMUCapsProcessTarget(caps, runner, target) < 0)
        return -1;
    if (spmQEMUCapsRun(runner, "query-qmp-schema", NULL, false, &schema) < 0 ||
        spmQEMUCapsProcessSchema(caps, runner, schema) < 0)
        return -1;
    g_clear_pointer(&schema, json_object_put);
    if (spmQEMUCapsRun(runner, "qom-list-types", memdevsArgs, false, &memdevs) < 0 ||
        spmQEMUCapsProcessMemoryDevices(caps, runner, memdevs) < 0)
        return -1;

    if (caps->flags[SPM_QEMU_CAPS_DEVICE_SP_MEM]) {
        g_autoptr(json_object) props = NULL;
        g_autoptr(json_object) propsArgs = json_object_new_object();
        int rc;

        json_object_object_add(propsArgs, "typename", json_object_new_string("sp-mem"));
        /* a refusal leaves sp-mem without properties, hence unusable */
        if ((rc = spmQEMUCapsRun(runner, "device-list-properties", propsArgs, true, &props)) < 0)
            return -1;
        if (rc == 0 && spmQEMUCapsProcessSpMemProps(caps, runner, props) < 0)
            return -1;
    }

    if (spmQEMUCapsRun(runner, "query-machines", NULL, false, &machines) < 0 ||
        spmQEMUCapsProcessMachines(caps, runner, machines) < 0)
        return -1;
    return 0;
}


/* ------------------------------------------------------------------------
 * Live probe
 */

typedef struct {
    spmQEMUProbeProcess *proc;
} spmQEMUCapsLiveData;


static int
spmQEMUCapsLiveRun(void *opaque, const char *cmd, json_object *args, json_object **ret)
{
    spmQEMUCapsLiveData *data = opaque;
    int rc = spmQMPClientCommand(spmQEMUProbeProcessGetClient(data->proc), cmd, args, ret);

    if (rc == -1)
        spmQEMUProbeProcessReportExit(data->proc);
    return rc;
}


char *
spmQEMUCapsResolveBinary(const char *binary)
{
    char *path;

    if (!binary || !*binary) {
        spmReportError(SPM_ERR_INVALID_ARG, "%s", _("no QEMU binary given"));
        return NULL;
    }
    if (strchr(binary, '/'))
        return g_canonicalize_filename(binary, NULL);
    if (!(path = g_find_program_in_path(binary))) {
        spmReportError(SPM_ERR_INVALID_ARG, _("cannot find QEMU binary '%1$s' in $PATH"), binary);
        return NULL;
    }
    return path;
}


spmQEMUCaps *
spmQEMUCapsProbeFull(const char *binary, const spmQEMUProbeOptions *opts)
{
    g_autofree char *path = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmQEMUProbeProcess) proc = NULL;
    spmQEMUCapsLiveData data = {0};
    spmQEMUCapsRunner runner = {.run = spmQEMUCapsLiveRun, .opaque = &data};

    if (!(path = spmQEMUCapsResolveBinary(binary)))
        return NULL;
    caps = spmQEMUCapsNew(path);
    runner.name = path;
    if (!(proc = spmQEMUProbeProcessStart(path, opts)))
        return NULL;
    data.proc = proc;
    if (spmQEMUCapsInitQMP(caps, &runner) < 0)
        return NULL;
    return g_steal_pointer(&caps);
}


spmQEMUCaps *
spmQEMUCapsProbe(const char *binary)
{
    return spmQEMUCapsProbeFull(binary, NULL);
}


/* ------------------------------------------------------------------------
 * Offline, from a .replies file
 */

typedef struct {
    spmQEMUReplies *replies;
    const char *path;
    const char *name;
} spmQEMUCapsRepliesData;


static int
spmQEMUCapsRepliesRun(void *opaque, const char *cmd, json_object *args, json_object **ret)
{
    spmQEMUCapsRepliesData *data = opaque;
    json_object *reply = spmQEMURepliesLookup(data->replies, cmd, args);
    json_object *val;

    *ret = NULL;
    if (!reply) {
        spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' has no reply to '%2$s'"), data->path, cmd);
        return -1;
    }
    if (json_object_object_get_ex(reply, "error", &val)) {
        json_object *klass = spmQEMUCapsJSONGet(val, "class", json_type_string);
        json_object *desc = spmQEMUCapsJSONGet(val, "desc", json_type_string);

        spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' failed on the monitor of '%2$s': %3$s (%4$s)"),
                       cmd, data->name, desc ? json_object_get_string(desc) : _("no description"),
                       klass ? json_object_get_string(klass) : "GenericError");
        return -2;
    }
    if (!json_object_object_get_ex(reply, "return", &val)) {
        spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' has no reply to '%2$s'"), data->path, cmd);
        return -1;
    }
    *ret = json_object_get(val);
    return 0;
}


spmQEMUCaps *
spmQEMUCapsNewFromReplies(const char *repliesPath, const char *binaryName)
{
    g_autoptr(spmQEMUReplies) replies = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    spmQEMUCapsRepliesData data = {0};
    spmQEMUCapsRunner runner = {.run = spmQEMUCapsRepliesRun, .opaque = &data};

    if (!binaryName)
        binaryName = repliesPath;
    if (!(replies = spmQEMURepliesNewFromFile(repliesPath)))
        return NULL;

    caps = spmQEMUCapsNew(binaryName);
    data.replies = replies;
    data.path = repliesPath;
    data.name = binaryName;
    runner.name = binaryName;
    if (spmQEMUCapsInitQMP(caps, &runner) < 0)
        return NULL;
    return g_steal_pointer(&caps);
}


/* ------------------------------------------------------------------------
 * Queries
 */

spmForm
spmQEMUCapsGetSpmForm(const spmQEMUCaps *caps)
{
    if (caps->flags[SPM_QEMU_CAPS_DEVICE_SP_MEM] && caps->flags[SPM_QEMU_CAPS_SP_MEM_PROPS] &&
        caps->flags[SPM_QEMU_CAPS_QUERY_MEMORY_DEVICES_SP_MEM])
        return SPM_FORM_SP_MEM;
    if (caps->flags[SPM_QEMU_CAPS_NUMA_MEMMAP_TYPE_SPM])
        return SPM_FORM_MEMMAP_TYPE;
    return SPM_FORM_NONE;
}


bool
spmQEMUCapsSupportsMemmap(const spmQEMUCaps *caps, int memmap)
{
    switch ((spmMemmap)memmap) {
    case SPM_MEMMAP_NORMAL:
        return true;
    case SPM_MEMMAP_SPM:
        return spmQEMUCapsGetSpmForm(caps) != SPM_FORM_NONE;
    case SPM_MEMMAP_RESERVED:
        return caps->flags[SPM_QEMU_CAPS_NUMA_MEMMAP_TYPE_RESERVED];
    case SPM_MEMMAP_LAST:
        break;
    }
    return false;
}


bool
spmQEMUCapsGet(const spmQEMUCaps *caps, spmQEMUCapsFlags flag)
{
    return flag < SPM_QEMU_CAPS_LAST && caps->flags[flag];
}


void
spmQEMUCapsSet(spmQEMUCaps *caps, spmQEMUCapsFlags flag)
{
    if (flag < SPM_QEMU_CAPS_LAST)
        caps->flags[flag] = true;
}


void
spmQEMUCapsClear(spmQEMUCaps *caps, spmQEMUCapsFlags flag)
{
    if (flag < SPM_QEMU_CAPS_LAST)
        caps->flags[flag] = false;
}


const char *
spmQEMUCapsGetBinary(const spmQEMUCaps *caps)
{
    return caps->binary;
}


void
spmQEMUCapsSetBinary(spmQEMUCaps *caps, const char *binary)
{
    g_free(caps->binary);
    caps->binary = g_strdup(binary);
}


unsigned int
spmQEMUCapsGetVersion(const spmQEMUCaps *caps)
{
    return caps->version;
}


const char *
spmQEMUCapsGetVersionString(const spmQEMUCaps *caps)
{
    return caps->versionStr ? caps->versionStr : "0.0.0";
}


const char *
spmQEMUCapsGetPackage(const spmQEMUCaps *caps)
{
    return caps->package;
}


const char *
spmQEMUCapsGetArch(const spmQEMUCaps *caps)
{
    return caps->arch;
}


const spmQEMUCapsMachine *
spmQEMUCapsGetMachine(const spmQEMUCaps *caps, const char *name)
{
    size_t i;

    for (i = 0; i < caps->machines->len; i++) {
        const spmQEMUCapsMachine *m = &g_array_index(caps->machines, spmQEMUCapsMachine, i);

        if (name ? SPM_STREQ(m->name, name) : m->isDefault)
            return m;
    }
    if (!name)
        return NULL;
    for (i = 0; i < caps->machines->len; i++) {
        const spmQEMUCapsMachine *m = &g_array_index(caps->machines, spmQEMUCapsMachine, i);

        if (m->alias && SPM_STREQ(m->alias, name))
            return m;
    }
    return NULL;
}


const char *
spmQEMUCapsResolveMachine(const spmQEMUCaps *caps, const char *name)
{
    const spmQEMUCapsMachine *m = spmQEMUCapsGetMachine(caps, name);

    return m ? m->name : NULL;
}


bool
spmQEMUCapsHasMachine(const spmQEMUCaps *caps, const char *name)
{
    return name && spmQEMUCapsGetMachine(caps, name) != NULL;
}


bool
spmQEMUCapsHasHMAT(const spmQEMUCaps *caps)
{
    return caps->flags[SPM_QEMU_CAPS_NUMA_HMAT];
}


bool
spmQEMUCapsHasObjectJSON(const spmQEMUCaps *caps)
{
    return caps->flags[SPM_QEMU_CAPS_OBJECT_JSON];
}


bool
spmQEMUCapsHasDeviceJSON(const spmQEMUCaps *caps)
{
    return caps->flags[SPM_QEMU_CAPS_DEVICE_JSON];
}


bool
spmQEMUCapsHasMemoryDevice(const spmQEMUCaps *caps, const char *type)
{
    size_t i;

    for (i = 0; i < caps->memoryDevices->len; i++) {
        if (SPM_STREQ(g_ptr_array_index(caps->memoryDevices, i), type))
            return true;
    }
    return false;
}


const spmQEMUCapsStamp *
spmQEMUCapsGetStamp(const spmQEMUCaps *caps)
{
    return caps->hasStamp ? &caps->stamp : NULL;
}


void
spmQEMUCapsSetStamp(spmQEMUCaps *caps, const spmQEMUCapsStamp *stamp)
{
    spmQEMUCapsStampClear(&caps->stamp);
    caps->hasStamp = stamp != NULL;
    if (!stamp)
        return;
    caps->stamp = *stamp;
    caps->stamp.moduleDir = g_strdup(stamp->moduleDir);
    caps->stamp.selfVersion = g_strdup(stamp->selfVersion);
}
