/*
 * qemuqapitest.c: the QAPI schema query engine on real and hostile schemas
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemu_qapi.h"
#include "qemu_replies.h"
#include "spmerror.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *replies;
    const char *query;
    int expect;           /* 1, 0 or -1 */
    const char *metaType; /* meta-type of the selected entry, when 1 */
} testQAPIQuery;

typedef struct {
    const char *name;
    const char *schema; /* JSON text of a query-qmp-schema reply */
    const char *query;  /* NULL: spmQAPISchemaNew must fail */
    int expect;
} testQAPIHostile;

static GHashTable *testSchemas; /* replies file -> spmQAPISchema */


static spmQAPISchema *
testLoadSchema(const char *name)
{
    g_autofree char *path = NULL;
    g_autoptr(spmQEMUReplies) replies = NULL;
    json_object *reply;
    spmQAPISchema *schema;

    if ((schema = g_hash_table_lookup(testSchemas, name)))
        return schema;

    path = g_build_filename(spmTestSrcdir(), "qemucapabilitiesdata", name, NULL);
    if (!(replies = spmQEMURepliesNewFromFile(path)) ||
        !(reply = spmQEMURepliesLookup(replies, "query-qmp-schema", NULL)) ||
        !(schema = spmQAPISchemaNew(json_object_object_get(reply, "return"))))
        return NULL;
    g_hash_table_insert(testSchemas, g_strdup(name), schema);
    return schema;
}


static int
testQAPIQueryRun(const void *opaque)
{
    const testQAPIQuery *tq = opaque;
    spmQAPISchema *schema = testLoadSchema(tq->replies);
    json_object *entry = NULL;
    int rc;

    if (!schema)
        return -1;
    rc = spmQAPISchemaPathGet(schema, tq->query, &entry);
    if (rc != tq->expect) {
        printf("# '%s' gave %d, expected %d\n", tq->query, rc, tq->expect);
        return -1;
    }
    if ((rc < 0) != (spmErrorCount() > 0)) {
        printf("# errors reported: %zu\n", spmErrorCount());
        return -1;
    }
    if (spmQAPISchemaPathExists(schema, tq->query) != (rc == 1) || (rc < 0 && spmErrorCount() != 1))
        return -1;
    if (tq->metaType) {
        json_object *meta = entry ? json_object_object_get(entry, "meta-type") : NULL;

        if (!meta || !SPM_STREQ(json_object_get_string(meta), tq->metaType)) {
            printf("# '%s' selected %s\n", tq->query,
                   entry ? json_object_to_json_string(entry) : "nothing");
            return -1;
        }
    } else if (rc == 1) {
        /* a boolean query (^, !, $ last) selects no entry */
        const char *last = strrchr(tq->query, '/');

        if (!last || !strchr("^!$", last[1]) || entry) {
            printf("# '%s' is not a boolean query or selected an entry\n", tq->query);
            return -1;
        }
    }
    return 0;
}


static int
testQAPIHostileRun(const void *opaque)
{
    const testQAPIHostile *th = opaque;
    g_autoptr(json_object) reply = json_tokener_parse(th->schema);
    g_autoptr(spmQAPISchema) schema = NULL;
    int rc;

    if (!reply) {
        printf("# bad test data\n");
        return -1;
    }
    schema = spmQAPISchemaNew(reply);
    if (!th->query) {
        if (schema || spmErrorCount() != 1) {
            printf("# an invalid schema was accepted\n");
            return -1;
        }
        return 0;
    }
    if (!schema)
        return -1;
    rc = spmQAPISchemaPathGet(schema, th->query, NULL);
    if (rc != th->expect) {
        printf("# '%s' gave %d, expected %d\n", th->query, rc, th->expect);
        return -1;
    }
    return 0;
}


/* A binary tree of alternates 40 levels deep: 2^40 paths without a budget. */
static int
testQAPIExponential(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(GString) text = g_string_new("[{\"name\": \"c\", \"meta-type\": \"command\", "
                                           "\"ret-type\": \"a0\"}, "
                                           "{\"name\": \"str\", \"meta-type\": \"builtin\", "
                                           "\"json-type\": \"string\"}");
    g_autoptr(json_object) reply = NULL;
    g_autoptr(spmQAPISchema) schema = NULL;
    int i;

    for (i = 0; i < 40; i++) {
        g_string_append_printf(text,
                               ", {\"name\": \"a%d\", \"meta-type\": \"alternate\", "
                               "\"members\": [{\"type\": \"a%d\"}, {\"type\": \"a%d\"}]}",
                               i, i + 1, i + 1);
    }
    g_string_append_printf(text,
                           ", {\"name\": \"a40\", \"meta-type\": \"alternate\", "
                           "\"members\": [{\"type\": \"str\"}]}]");
    if (!(reply = json_tokener_parse(text->str)) || !(schema = spmQAPISchemaNew(reply)))
        return -1;
    if (spmQAPISchemaPathGet(schema, "c/ret-type/!string", NULL) != 1)
        return -1;
    if (spmQAPISchemaPathGet(schema, "c/ret-type/!int", NULL) != -1 || spmErrorCount() != 1 ||
        !strstr(spmGetLastError()->message, "loops or nests too deeply"))
        return -1;
    return 0;
}


static int
mymain(void)
{
    int ret = 0;
    static const char *v11 = "caps_11.1.3_x86_64.replies";
    static const char *v10 = "caps_10.2.2-memmap-type_x86_64.replies";
    static const char *v7 = "caps_7.2.22_x86_64.replies";
    const testQAPIQuery queries[] = {
        /* the SPM probes */
        {v11, "query-memory-devices/ret-type/type/^sp-mem", 1, NULL},
        {v10, "query-memory-devices/ret-type/type/^sp-mem", 0, NULL},
        {v7, "query-memory-devices/ret-type/type/^sp-mem", 0, NULL},
        {v11, "query-memory-devices/ret-type/+sp-mem/data/addr", 1, "builtin"},
        {v11, "query-memory-devices/ret-type/+sp-mem/data/memaddr", 0, NULL},
        {v11, "query-memory-devices/ret-type/+virtio-mem/data/memaddr", 1, "builtin"},
        {v11, "query-memory-devices/ret-type/+sp-mem/data/*id", 1, "builtin"},
        {v11, "query-memory-devices/ret-type/+sp-mem/data/*addr", 0, NULL},
        {v7, "query-memory-devices/ret-type/+sp-mem", 0, NULL},
        {v10, "set-numa-node/arg-type/+node/memmap-type", 1, "enum"},
        {v10, "set-numa-node/arg-type/+node/*memmap-type", 1, "enum"},
        {v10, "set-numa-node/arg-type/+node/memmap-type/^spm", 1, NULL},
        {v10, "set-numa-node/arg-type/+node/memmap-type/^reserved", 1, NULL},
        {v10, "set-numa-node/arg-type/+node/memmap-type/^normal", 1, NULL},
        {v10, "set-numa-node/arg-type/+node/memmap-type/^bogus", 0, NULL},
        {v11, "set-numa-node/arg-type/+node/memmap-type", 0, NULL},
        {v11, "set-numa-node/arg-type/+node/memmap-type/^spm", 0, NULL},
        {v7, "set-numa-node/arg-type/+node/memmap-type/^spm", 0, NULL},
        {v7, "set-numa-node/arg-type/+hmat-lb", 1, "object"},
        {v7, "set-numa-node/arg-type/+node/initiator", 1, "builtin"},
        /* the tag member is not optional */
        {v7, "set-numa-node/arg-type/type", 1, "enum"},
        {v7, "set-numa-node/arg-type/*type", 0, NULL},
        {v7, "set-numa-node/arg-type/+nosuchcase", 0, NULL},
        {v7, "set-numa-node/arg-type/nosuchmember", 0, NULL},
        /* commands and events */
        {v7, "query-version", 1, "command"},
        {v7, "query-version/ret-type", 1, "object"},
        {v7, "query-version/arg-type", 1, "object"},
        {v7, "no-such-command/arg-type", 0, NULL},
        {v7, "SHUTDOWN/arg-type/guest", 1, "builtin"},
        {v7, "SHUTDOWN/arg-type/reason/^host-signal", 1, NULL},
        /* features: of commands, of enum values */
        {v7, "device_add/$json-cli", 1, NULL},
        {v7, "device_add/$json-cli-hotplug", 1, NULL},
        {v7, "device_add/$no-such-feature", 0, NULL},
        {v11, "query-kvm/$deprecated", 1, NULL},
        {v11, "migrate-set-capabilities/arg-type/capabilities/capability/^x-colo/$unstable", 1,
         NULL},
        {v11, "migrate-set-capabilities/arg-type/capabilities/capability/^x-colo/$deprecated", 0,
         NULL},
        {v11, "migrate-set-capabilities/arg-type/capabilities/capability/^events/$unstable", 0,
         NULL},
        /* JSON types of builtins; arrays are flattened */
        {v7, "query-version/ret-type/qemu/major/!int", 1, NULL},
        {v7, "query-version/ret-type/qemu/major/!string", 0, NULL},
        {v7, "query-machines/ret-type/name/!string", 1, NULL},
        {v7, "query-machines/ret-type", 1, "array"},
        {v11, "query-machines/ret-type/*alias", 1, "builtin"},
        /* alternates are tried member by member */
        {v11, "blockdev-add/arg-type/+qcow2/backing/!null", 1, NULL},
        {v11, "blockdev-add/arg-type/+qcow2/backing/!string", 1, NULL},
        {v11, "blockdev-add/arg-type/+qcow2/backing/!boolean", 0, NULL},
        {v11, "blockdev-add/arg-type/+qcow2/backing/+file", 1, "object"},
        /* a leading space stands for a plain name */
        {v7, "query-version/ret-type/ qemu", 1, "object"},
        /* modifiers that do not fit the current type */
        {v7, "query-version/ret-type/^qemu", 0, NULL},
        {v7, "query-version/ret-type/qemu/major/^1", 0, NULL},
        {v7, "query-version/+ret-type", 0, NULL},
        {v7, "set-numa-node/arg-type/type/!string", 0, NULL},
        /* malformed queries */
        {v7, "", -1, NULL},
        {v7, "query-version//qemu", -1, NULL},
        {v7, "query-version/ret-type/", -1, NULL},
        {v7, "query-version/members", -1, NULL},
        {v7, "query-version/ret-type/qemu/major/!int/more", -1, NULL},
        {v7, "device_add/$json-cli/more", -1, NULL},
        {v7, "SHUTDOWN/arg-type/reason/^host-signal/more", -1, NULL},
        {v7, "query-version/ret-type/#qemu", -1, NULL},
    };
    const testQAPIHostile hostile[] = {
        {"not an array", "{\"name\": \"x\"}", NULL, 0},
        {"entry without name", "[{\"meta-type\": \"command\"}]", NULL, 0},
        {"entry without meta-type", "[{\"name\": \"c\"}]", NULL, 0},
        {"entry not an object", "[1]", NULL, 0},
        {"duplicate names",
         "[{\"name\": \"c\", \"meta-type\": \"command\"}, "
         "{\"name\": \"c\", \"meta-type\": \"event\"}]",
         NULL, 0},
        {"dangling type", "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"1\"}]",
         "c/ret-type/x", -1},
        {"array of itself",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"[a]\"}, "
         "{\"name\": \"[a]\", \"meta-type\": \"array\", \"element-type\": \"[a]\"}]",
         "c/ret-type/x", -1},
        {"alternate of itself",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"a\"}, "
         "{\"name\": \"a\", \"meta-type\": \"alternate\", "
         "\"members\": [{\"type\": \"a\"}, {\"type\": \"a\"}, {\"type\": \"a\"}]}]",
         "c/ret-type/x", -1},
        {"object containing itself",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"o\"}, "
         "{\"name\": \"o\", \"meta-type\": \"object\", "
         "\"members\": [{\"name\": \"x\", \"type\": \"o\"}]}]",
         "c/ret-type/x/x/x/x/x/x/x/x/x/x/x/^y", 0},
        {"members not an array",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"o\"}, "
         "{\"name\": \"o\", \"meta-type\": \"object\", \"members\": 7}]",
         "c/ret-type/x", -1},
        {"member without type",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"o\"}, "
         "{\"name\": \"o\", \"meta-type\": \"object\", \"members\": [{\"name\": \"x\"}]}]",
         "c/ret-type/x", -1},
        {"enum without values",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"e\"}, "
         "{\"name\": \"e\", \"meta-type\": \"enum\"}]",
         "c/ret-type/^x", -1},
        {"enum with old values only",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"e\"}, "
         "{\"name\": \"e\", \"meta-type\": \"enum\", \"values\": [\"x\", \"y\"]}]",
         "c/ret-type/^y", 1},
        {"features not strings",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"features\": [1]}]", "c/$x", -1},
        {"unknown meta-type",
         "[{\"name\": \"c\", \"meta-type\": \"command\", \"ret-type\": \"z\"}, "
         "{\"name\": \"z\", \"meta-type\": \"zebra\"}]",
         "c/ret-type/x", 0},
    };
    size_t i;

    testSchemas =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)spmQAPISchemaFree);

    for (i = 0; i < G_N_ELEMENTS(queries); i++) {
        g_autofree char *title = g_strdup_printf("%s '%s'", queries[i].replies, queries[i].query);

        if (spmTestRun(title, testQAPIQueryRun, &queries[i]) < 0)
            ret = -1;
    }
    for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *title = g_strdup_printf("hostile schema: %s", hostile[i].name);

        if (spmTestRun(title, testQAPIHostileRun, &hostile[i]) < 0)
            ret = -1;
    }

    if (spmTestRun("hostile schema: exponential alternates", testQAPIExponential, NULL) < 0)
        ret = -1;

    g_hash_table_unref(testSchemas);
    return ret;
}

SPM_TEST_MAIN(mymain)
