/*
 * qemu_replies.h: libvirt-style recorded QMP conversations (.replies files)
 *
 * A .replies file holds JSON documents: a command ({"execute": ...,
 * "arguments": ..., "id": ...}), then QEMU's reply ({"return": ...} or
 * {"error": ...}), and so on; libvirt pretty-prints them separated by blank
 * lines, but any whitespace between documents is accepted here.  Events
 * ({"event": ...}) are skipped.  Replies are looked up by command and
 * arguments, not by position or id.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#include "qemu_json.h"

typedef struct _spmQEMUReplies spmQEMUReplies;

/* Parses @len bytes of @data; @name labels the source in messages.
 * Returns NULL with an error reported for anything but the format above. */
spmQEMUReplies *spmQEMURepliesParse(const char *data, size_t len, const char *name);
/* Reads and parses @path. */
spmQEMUReplies *spmQEMURepliesNewFromFile(const char *path);
void spmQEMURepliesFree(spmQEMUReplies *replies);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMUReplies, spmQEMURepliesFree);


/*
 * The recorded reply (the whole object, with "return" or "error"; borrowed)
 * to @cmd with @args (NULL and {} are the same).  When a command was
 * recorded more than once, successive lookups walk through the recordings
 * and then keep returning the last one.  NULL when it was never recorded.
 */
json_object *spmQEMURepliesLookup(spmQEMUReplies *replies, const char *cmd, json_object *args);
