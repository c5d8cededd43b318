/*
 * qemu_qapi.h: queries over QEMU's introspected QAPI schema
 *
 * query-qmp-schema returns every type, command and event of the binary; the
 * names of non-builtin types are masked as numbers that differ between
 * builds, so a type is found by walking from a command or event, never by
 * its name.  The query syntax is libvirt's (virQEMUQAPISchemaPathGet):
 *
 *   COMMAND_OR_EVENT/arg-type|ret-type/COMPONENT/COMPONENT/...
 *
 * where a component is
 *   name       the member @name of the current object
 *   *name      the same, but the member must be optional (has "default")
 *   +case      the variant @case of the current union
 *   ^value     true when the current enum has @value (last component, or
 *              followed only by a $feature of that value)
 *   !jsontype  true when the current builtin has that JSON type: null,
 *              string, number, int, boolean or value (last component)
 *   $feature   true when the current command, object, enum (value) or
 *              member type lists @feature (last component)
 * A component whose name starts with anything but a letter is written
 * with one leading space.  Arrays are flattened; alternates are tried
 * member by member.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#include "qemu_json.h"

typedef struct _spmQAPISchema spmQAPISchema;

/*
 * Indexes the reply of query-qmp-schema (an array of entries, each with a
 * "name" and a "meta-type").  Takes a new reference to @reply.  Returns
 * NULL with an error reported when the reply is not such an array.
 */
spmQAPISchema *spmQAPISchemaNew(json_object *reply);
void spmQAPISchemaFree(spmQAPISchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQAPISchema, spmQAPISchemaFree);

/*
 * Evaluates @query.  Returns 1 when it is found (*entry, if given, is then
 * the selected schema entry, borrowed, or NULL for a boolean query), 0 when
 * it is not, and -1 with an error reported when the query is malformed or
 * the schema is inconsistent along the path.
 */
int spmQAPISchemaPathGet(const spmQAPISchema *schema, const char *query, json_object **entry);

/* true only when spmQAPISchemaPathGet() returns 1 */
bool spmQAPISchemaPathExists(const spmQAPISchema *schema, const char *query);
