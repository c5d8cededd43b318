/*
 * qemu_qapi.c: queries over QEMU's introspected QAPI schema
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_qapi.h"
#include "spmerror.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU

/* Bounds on a walk, so that a hostile schema (types referring to
 * themselves through arrays or alternates) cannot loop or blow the stack. */
#define SPM_QAPI_MAX_DEPTH 64
#define SPM_QAPI_MAX_STEPS 100000

/* The component modifiers; the terminating NUL stands for a plain name. */
#define SPM_QAPI_MODIFIERS "*+^!$"

struct _spmQAPISchema {
    json_object *reply;
    GHashTable *entries; /* name (borrowed from @reply) -> entry (borrowed) */
};

typedef enum {
    SPM_QAPI_FOUND = 1,
    SPM_QAPI_NOT_FOUND = 0,
    SPM_QAPI_BAD_QUERY = -1,
    SPM_QAPI_BAD_SCHEMA = -2,
    SPM_QAPI_TOO_DEEP = -3,
} spmQAPIResult;

typedef struct {
    const spmQAPISchema *schema;
    char **components; /* the components after the command */
    size_t ncomponents;
    size_t steps;
    const char *badComponent; /* for messages */
    json_object *found;
} spmQAPIWalk;


spmQAPISchema *
spmQAPISchemaNew(json_object *reply)
{
    g_autoptr(GHashTable) entries = NULL;
    spmQAPISchema *schema;
    size_t n;
    size_t i;

    if (!reply || !json_object_is_type(reply, json_type_array)) {
        spmReportError(SPM_ERR_QMP_ERROR, "%s", _("the reply to query-qmp-schema is not an array"));
        return NULL;
    }

    entries = g_hash_table_new(g_str_hash, g_str_equal);
    n = json_object_array_length(reply);
    for (i = 0; i < n; i++) {
        json_object *entry = json_object_array_get_idx(reply, i);
        json_object *name;
        json_object *meta;

        if (!json_object_is_type(entry, json_type_object) ||
            !json_object_object_get_ex(entry, "name", &name) ||
            !json_object_is_type(name, json_type_string) ||
            !json_object_object_get_ex(entry, "meta-type", &meta) ||
            !json_object_is_type(meta, json_type_string)) {
            spmReportError(
                SPM_ERR_QMP_ERROR,
                _("entry %1$zu of the reply to query-qmp-schema has no name or meta-type"), i);
            return NULL;
        }
        if (!g_hash_table_insert(entries, (gpointer)json_object_get_string(name), entry)) {
            spmReportError(SPM_ERR_QMP_ERROR, _("the reply to query-qmp-schema lists '%1$s' twice"),
                           json_object_get_string(name));
            return NULL;
        }
    }

    schema = g_new0(spmQAPISchema, 1);
    schema->reply = json_object_get(reply);
    schema->entries = g_steal_pointer(&entries);
    return schema;
}


void
spmQAPISchemaFree(spmQAPISchema *schema)
{
    if (!schema)
        return;
    g_hash_table_unref(schema->entries);
    json_object_put(schema->reply);
    g_free(schema);
}


/* The entry called @name, or NULL. */
static json_object *
spmQAPISchemaLookup(const spmQAPISchema *schema, const char *name)
{
    if (!name)
        return NULL;
    return g_hash_table_lookup(schema->entries, name);
}


/* The string member @key of @obj, or NULL. */
static const char *
spmQAPIGetString(json_object *obj, const char *key)
{
    json_object *val;

    if (!json_object_object_get_ex(obj, key, &val) || !json_object_is_type(val, json_type_string))
        return NULL;
    return json_object_get_string(val);
}


/* The element of the array @key of @obj whose string member @field is
 * @value.  SPM_QAPI_BAD_SCHEMA when @key is not an array. */
static spmQAPIResult
spmQAPIFindInArray(json_object *obj, const char *key, const char *field, const char *value,
                   json_object **found)
{
    json_object *arr;
    size_t n;
    size_t i;

    *found = NULL;
    if (!json_object_object_get_ex(obj, key, &arr))
        return SPM_QAPI_NOT_FOUND;
    if (!json_object_is_type(arr, json_type_array))
        return SPM_QAPI_BAD_SCHEMA;

    n = json_object_array_length(arr);
    for (i = 0; i < n; i++) {
        json_object *cur = json_object_array_get_idx(arr, i);
        const char *name;

        if (!json_object_is_type(cur, json_type_object))
            return SPM_QAPI_BAD_SCHEMA;
        if ((name = spmQAPIGetString(cur, field)) && SPM_STREQ(name, value)) {
            *found = cur;
            return SPM_QAPI_FOUND;
        }
    }
    return SPM_QAPI_NOT_FOUND;
}


/* Whether the array @arr of strings holds @str. */
static spmQAPIResult
spmQAPIStringArrayHas(json_object *arr, const char *str)
{
    size_t n;
    size_t i;

    if (!json_object_is_type(arr, json_type_array))
        return SPM_QAPI_BAD_SCHEMA;

    n = json_object_array_length(arr);
    for (i = 0; i < n; i++) {
        json_object *cur = json_object_array_get_idx(arr, i);

        if (!json_object_is_type(cur, json_type_string))
            return SPM_QAPI_BAD_SCHEMA;
        if (SPM_STREQ(json_object_get_string(cur), str))
            return SPM_QAPI_FOUND;
    }
    return SPM_QAPI_NOT_FOUND;
}


/* Whether the "features" array of @obj lists @feature. */
static spmQAPIResult
spmQAPIHasFeature(json_object *obj, const char *feature)
{
    json_object *arr;

    if (!json_object_object_get_ex(obj, "features", &arr))
        return SPM_QAPI_NOT_FOUND;
    return spmQAPIStringArrayHas(arr, feature);
}


/* Splits a component into its modifier ('\0' for a plain name) and name. */
static char
spmQAPIComponent(const char *comp, const char **name)
{
    if (g_ascii_isalpha(comp[0]) || comp[0] == '\0') {
        *name = comp;
        return '\0';
    }
    *name = comp + 1;
    return comp[0] == ' ' ? '\0' : comp[0];
}


static spmQAPIResult spmQAPIWalkType(spmQAPIWalk *walk, const char *typeName, size_t pos,
                                     size_t depth);


/* A boolean component must be the last one. */
static spmQAPIResult
spmQAPICheckTerminal(spmQAPIWalk *walk, size_t pos)
{
    if (pos + 1 != walk->ncomponents) {
        walk->badComponent = walk->components[pos];
        return SPM_QAPI_BAD_QUERY;
    }
    return SPM_QAPI_FOUND;
}


static spmQAPIResult
spmQAPIWalkCommand(spmQAPIWalk *walk, json_object *cur, size_t pos, size_t depth)
{
    const char *name;
    char mod = spmQAPIComponent(walk->components[pos], &name);
    const char *type;

    if (mod == '$') {
        if (spmQAPICheckTerminal(walk, pos) < 0)
            return SPM_QAPI_BAD_QUERY;
        return spmQAPIHasFeature(cur, name);
    }
    if (mod != '\0')
        return SPM_QAPI_NOT_FOUND;
    if (!SPM_STREQ(name, "arg-type") && !SPM_STREQ(name, "ret-type")) {
        walk->badComponent = walk->components[pos];
        return SPM_QAPI_BAD_QUERY;
    }
    if (!(type = spmQAPIGetString(cur, name)))
        return SPM_QAPI_NOT_FOUND;
    return spmQAPIWalkType(walk, type, pos + 1, depth + 1);
}


static spmQAPIResult
spmQAPIWalkObject(spmQAPIWalk *walk, json_object *cur, size_t pos, size_t depth)
{
    const char *name;
    char mod = spmQAPIComponent(walk->components[pos], &name);
    json_object *sel = NULL;
    spmQAPIResult rc;
    const char *type;

    switch (mod) {
    case '$':
        if (spmQAPICheckTerminal(walk, pos) < 0)
            return SPM_QAPI_BAD_QUERY;
        return spmQAPIHasFeature(cur, name);
    case '+':
        rc = spmQAPIFindInArray(cur, "variants", "case", name, &sel);
        break;
    case '\0':
    case '*':
        rc = spmQAPIFindInArray(cur, "members", "name", name, &sel);
        if (rc == SPM_QAPI_FOUND && mod == '*' && !json_object_object_get_ex(sel, "default", NULL))
            return SPM_QAPI_NOT_FOUND;
        break;
    default:
        return SPM_QAPI_NOT_FOUND;
    }

    if (rc != SPM_QAPI_FOUND)
        return rc;
    if (!(type = spmQAPIGetString(sel, "type")))
        return SPM_QAPI_BAD_SCHEMA;
    return spmQAPIWalkType(walk, type, pos + 1, depth + 1);
}


static spmQAPIResult
spmQAPIWalkEnum(spmQAPIWalk *walk, json_object *cur, size_t pos)
{
    const char *name;
    char mod = spmQAPIComponent(walk->components[pos], &name);
    json_object *member = NULL;
    json_object *values;
    spmQAPIResult rc;

    if (mod == '$') {
        if (spmQAPICheckTerminal(walk, pos) < 0)
            return SPM_QAPI_BAD_QUERY;
        return spmQAPIHasFeature(cur, name);
    }
    if (mod != '^')
        return SPM_QAPI_NOT_FOUND;

    /* '^value' may be followed by one '$feature' of that value */
    if (pos + 1 < walk->ncomponents) {
        const char *feature;

        if (spmQAPIComponent(walk->components[pos + 1], &feature) != '$') {
            walk->badComponent = walk->components[pos];
            return SPM_QAPI_BAD_QUERY;
        }
        if (spmQAPICheckTerminal(walk, pos + 1) < 0)
            return SPM_QAPI_BAD_QUERY;
        /* only the "members" form (QEMU 6.2+) carries features of values */
        if ((rc = spmQAPIFindInArray(cur, "members", "name", name, &member)) != SPM_QAPI_FOUND)
            return rc;
        return spmQAPIHasFeature(member, feature);
    }

    /* "members" (QEMU 6.2+) or the older "values" */
    if (json_object_object_get_ex(cur, "members", NULL))
        return spmQAPIFindInArray(cur, "members", "name", name, &member);

    if (json_object_object_get_ex(cur, "values", &values))
        return spmQAPIStringArrayHas(values, name);
    return SPM_QAPI_BAD_SCHEMA;
}


static spmQAPIResult
spmQAPIWalkBuiltin(spmQAPIWalk *walk, json_object *cur, size_t pos)
{
    const char *name;
    char mod = spmQAPIComponent(walk->components[pos], &name);
    const char *jsontype;

    if (mod == '$') {
        if (spmQAPICheckTerminal(walk, pos) < 0)
            return SPM_QAPI_BAD_QUERY;
        return spmQAPIHasFeature(cur, name);
    }
    if (mod != '!')
        return SPM_QAPI_NOT_FOUND;
    if (spmQAPICheckTerminal(walk, pos) < 0)
        return SPM_QAPI_BAD_QUERY;
    if (!(jsontype = spmQAPIGetString(cur, "json-type")))
        return SPM_QAPI_BAD_SCHEMA;
    return SPM_STREQ(jsontype, name) ? SPM_QAPI_FOUND : SPM_QAPI_NOT_FOUND;
}


static spmQAPIResult
spmQAPIWalkAlternate(spmQAPIWalk *walk, json_object *cur, size_t pos, size_t depth)
{
    json_object *members;
    size_t n;
    size_t i;

    if (!json_object_object_get_ex(cur, "members", &members) ||
        !json_object_is_type(members, json_type_array))
        return SPM_QAPI_BAD_SCHEMA;

    n = json_object_array_length(members);
    for (i = 0; i < n; i++) {
        json_object *member = json_object_array_get_idx(members, i);
        const char *type;
        spmQAPIResult rc;

        if (!json_object_is_type(member, json_type_object) ||
            !(type = spmQAPIGetString(member, "type")))
            return SPM_QAPI_BAD_SCHEMA;
        if ((rc = spmQAPIWalkType(walk, type, pos, depth + 1)) != SPM_QAPI_NOT_FOUND)
            return rc;
    }
    return SPM_QAPI_NOT_FOUND;
}


static spmQAPIResult
spmQAPIWalkType(spmQAPIWalk *walk, const char *typeName, size_t pos, size_t depth)
{
    json_object *cur;
    const char *meta;
    const char *compName;

    if (depth > SPM_QAPI_MAX_DEPTH || ++walk->steps > SPM_QAPI_MAX_STEPS)
        return SPM_QAPI_TOO_DEEP;

    if (!(cur = spmQAPISchemaLookup(walk->schema, typeName)))
        return SPM_QAPI_BAD_SCHEMA;

    if (pos == walk->ncomponents) {
        walk->found = cur;
        return SPM_QAPI_FOUND;
    }

    if (!strchr(SPM_QAPI_MODIFIERS, spmQAPIComponent(walk->components[pos], &compName))) {
        walk->badComponent = walk->components[pos];
        return SPM_QAPI_BAD_QUERY;
    }

    meta = spmQAPIGetString(cur, "meta-type");
    if (!meta)
        return SPM_QAPI_BAD_SCHEMA;
    if (SPM_STREQ(meta, "command") || SPM_STREQ(meta, "event"))
        return spmQAPIWalkCommand(walk, cur, pos, depth);
    if (SPM_STREQ(meta, "object"))
        return spmQAPIWalkObject(walk, cur, pos, depth);
    if (SPM_STREQ(meta, "array")) {
        const char *element = spmQAPIGetString(cur, "element-type");

        if (!element)
            return SPM_QAPI_BAD_SCHEMA;
        return spmQAPIWalkType(walk, element, pos, depth + 1);
    }
    if (SPM_STREQ(meta, "enum"))
        return spmQAPIWalkEnum(walk, cur, pos);
    if (SPM_STREQ(meta, "builtin"))
        return spmQAPIWalkBuiltin(walk, cur, pos);
    if (SPM_STREQ(meta, "alternate"))
        return spmQAPIWalkAlternate(walk, cur, pos, depth);
    return SPM_QAPI_NOT_FOUND;
}


int
spmQAPISchemaPathGet(const spmQAPISchema *schema, const char *query, json_object **entry)
{
    g_auto(GStrv) components = NULL;
    spmQAPIWalk walk = {.schema = schema};
    spmQAPIResult rc;
    size_t i;

    if (entry)
        *entry = NULL;

    if (!query || !*query || !(components = g_strsplit(query, "/", -1)) || !components[0]) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, _("malformed QAPI schema query '%1$s'"),
                       query ? query : "");
        return -1;
    }
    for (i = 0; components[i]; i++) {
        if (!*components[i]) {
            spmReportError(SPM_ERR_INTERNAL_ERROR,
                           _("malformed QAPI schema query '%1$s': empty component"), query);
            return -1;
        }
    }

    /* the first component names a command or an event */
    if (!spmQAPISchemaLookup(schema, components[0]))
        return 0;

    walk.components = components + 1;
    walk.ncomponents = g_strv_length(components) - 1;
    rc = spmQAPIWalkType(&walk, components[0], 0, 0);

    switch (rc) {
    case SPM_QAPI_FOUND:
        if (entry)
            *entry = walk.found;
        return 1;
    case SPM_QAPI_NOT_FOUND:
        return 0;
    case SPM_QAPI_BAD_QUERY:
        spmReportError(SPM_ERR_INTERNAL_ERROR,
                       _("malformed QAPI schema query '%1$s' at component '%2$s'"), query,
                       walk.badComponent ? walk.badComponent : "");
        return -1;
    case SPM_QAPI_BAD_SCHEMA:
        spmReportError(SPM_ERR_QMP_ERROR, _("the QAPI schema is inconsistent along '%1$s'"), query);
        return -1;
    case SPM_QAPI_TOO_DEEP:
        spmReportError(SPM_ERR_QMP_ERROR,
                       _("the QAPI schema loops or nests too deeply along '%1$s'"), query);
        return -1;
    }
    return -1;
}


bool
spmQAPISchemaPathExists(const spmQAPISchema *schema, const char *query)
{
    size_t mark = spmErrorMark();
    int rc = spmQAPISchemaPathGet(schema, query, NULL);

    spmErrorTruncate(mark);
    return rc == 1;
}
