/*
 * qemu_replies.c: libvirt-style recorded QMP conversations (.replies files)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_replies.h"
#include "spmerror.h"
#include "spmfile.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU

/* Real files are below 2 MiB with a few dozen commands. */
#define SPM_QEMU_REPLIES_MAX_SIZE (16 * 1024 * 1024)
#define SPM_QEMU_REPLIES_MAX_DOCS 20000

typedef struct {
    char *cmd;
    json_object *args; /* NULL when the command had none */
    json_object *reply;
    bool used;
} spmQEMURepliesEntry;

struct _spmQEMUReplies {
    spmQEMURepliesEntry *entries;
    size_t nentries;
};


void
spmQEMURepliesFree(spmQEMUReplies *replies)
{
    size_t i;

    if (!replies)
        return;
    for (i = 0; i < replies->nentries; i++) {
        g_free(replies->entries[i].cmd);
        json_object_put(replies->entries[i].args);
        json_object_put(replies->entries[i].reply);
    }
    g_free(replies->entries);
    g_free(replies);
}


/* Line numbers for messages, counted incrementally (offsets only grow). */
typedef struct {
    const char *data;
    size_t off;
    size_t line;
} spmQEMURepliesLines;

static size_t
spmQEMURepliesLine(spmQEMURepliesLines *lines, size_t off)
{
    for (; lines->off < off; lines->off++) {
        if (lines->data[lines->off] == '\n')
            lines->line++;
    }
    return lines->line;
}


/* The next JSON document at or after *off, or NULL at the end (*err false)
 * or on a syntax error (*err true, reported).  *docStart is where it starts. */
static json_object *
spmQEMURepliesNextDoc(const char *data, size_t len, size_t *off, size_t *docStart,
                      spmQEMURepliesLines *lines, const char *name, bool *err)
{
    json_tokener *tok;
    json_object *obj;
    enum json_tokener_error jerr;
    size_t start;

    *err = false;
    while (*off < len && g_ascii_isspace(data[*off]))
        (*off)++;
    if (*off >= len)
        return NULL;
    start = *docStart = *off;

    if (!(tok = json_tokener_new())) {
        *err = true;
        spmReportError(SPM_ERR_INTERNAL_ERROR, "%s", _("cannot allocate a JSON parser"));
        return NULL;
    }
    obj = json_tokener_parse_ex(tok, data + start, (int)(len - start));
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_success)
        *off = start + json_tokener_get_parse_end(tok);
    json_tokener_free(tok);

    if (jerr != json_tokener_success || !obj) {
        json_object_put(obj);
        *err = true;
        spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' line %2$zu: %3$s"), name,
                       spmQEMURepliesLine(lines, start),
                       jerr == json_tokener_continue ? _("unexpected end of file")
                                                     : json_tokener_error_desc(jerr));
        return NULL;
    }
    return obj;
}


spmQEMUReplies *
spmQEMURepliesParse(const char *data, size_t len, const char *name)
{
    g_autoptr(spmQEMUReplies) replies = g_new0(spmQEMUReplies, 1);
    g_autoptr(GArray) entries = g_array_new(FALSE, TRUE, sizeof(spmQEMURepliesEntry));
    spmQEMURepliesEntry *pending = NULL;
    spmQEMURepliesLines lines = {.data = data, .line = 1};
    size_t ndocs = 0;
    size_t off = 0;
    bool err = false;

    if (len > SPM_QEMU_REPLIES_MAX_SIZE || memchr(data, '\0', len)) {
        spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' is not a QMP replies file"), name);
        return NULL;
    }

    for (;;) {
        size_t docStart = off;
        json_object *doc = spmQEMURepliesNextDoc(data, len, &off, &docStart, &lines, name, &err);
        json_object *val;
        size_t line;

        if (!doc)
            break;
        line = spmQEMURepliesLine(&lines, docStart);
        if (++ndocs > SPM_QEMU_REPLIES_MAX_DOCS) {
            json_object_put(doc);
            err = true;
            spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' holds more than %2$d documents"), name,
                           SPM_QEMU_REPLIES_MAX_DOCS);
            break;
        }

        if (!json_object_is_type(doc, json_type_object) ||
            json_object_object_get_ex(doc, "event", NULL) ||
            json_object_object_get_ex(doc, "QMP", NULL)) {
            bool isObject = json_object_is_type(doc, json_type_object);

            json_object_put(doc);
            if (!isObject) {
                err = true;
                spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' line %2$zu: expected a JSON object"),
                               name, line);
                break;
            }
            continue;
        }

        if (!pending) {
            spmQEMURepliesEntry entry = {0};

            if (!json_object_object_get_ex(doc, "execute", &val) ||
                !json_object_is_type(val, json_type_string)) {
                json_object_put(doc);
                err = true;
                spmReportError(SPM_ERR_QMP_ERROR,
                               _("'%1$s' line %2$zu: expected a command with 'execute'"), name,
                               line);
                break;
            }
            entry.cmd = g_strdup(json_object_get_string(val));
            if (json_object_object_get_ex(doc, "arguments", &val)) {
                if (!json_object_is_type(val, json_type_object)) {
                    err = true;
                    spmReportError(
                        SPM_ERR_QMP_ERROR,
                        _("'%1$s' line %2$zu: the arguments of '%3$s' are not an object"), name,
                        line, entry.cmd);
                    g_free(entry.cmd);
                    json_object_put(doc);
                    break;
                }
                if (json_object_object_length(val) > 0)
                    entry.args = json_object_get(val);
            }
            json_object_put(doc);
            g_array_append_val(entries, entry);
            pending = &g_array_index(entries, spmQEMURepliesEntry, entries->len - 1);
        } else {
            if (!json_object_object_get_ex(doc, "return", NULL) &&
                !json_object_object_get_ex(doc, "error", NULL)) {
                json_object_put(doc);
                err = true;
                spmReportError(SPM_ERR_QMP_ERROR,
                               _("'%1$s' line %2$zu: expected the reply to '%3$s'"), name, line,
                               pending->cmd);
                break;
            }
            pending->reply = doc;
            pending = NULL;
        }
    }

    if (!err && pending) {
        err = true;
        spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' ends without the reply to '%2$s'"), name,
                       pending->cmd);
    }

    replies->nentries = entries->len;
    replies->entries =
        (spmQEMURepliesEntry *)(void *)g_array_free(g_steal_pointer(&entries), FALSE);
    if (err)
        return NULL;
    if (replies->nentries == 0) {
        spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' holds no QMP commands"), name);
        return NULL;
    }
    return g_steal_pointer(&replies);
}


spmQEMUReplies *
spmQEMURepliesNewFromFile(const char *path)
{
    g_autofree char *data = NULL;
    size_t len = 0;

    if (spmFileReadAll(path, SPM_QEMU_REPLIES_MAX_SIZE, &data, &len) < 0)
        return NULL;
    return spmQEMURepliesParse(data, len, path);
}


static bool
spmQEMURepliesArgsEqual(json_object *a, json_object *b)
{
    if (a && json_object_object_length(a) == 0)
        a = NULL;
    if (b && json_object_object_length(b) == 0)
        b = NULL;
    if (!a || !b)
        return !a && !b;
    return json_object_equal(a, b) == 1;
}


json_object *
spmQEMURepliesLookup(spmQEMUReplies *replies, const char *cmd, json_object *args)
{
    spmQEMURepliesEntry *last = NULL;
    size_t i;

    if (args && !json_object_is_type(args, json_type_object))
        return NULL;

    for (i = 0; i < replies->nentries; i++) {
        spmQEMURepliesEntry *e = &replies->entries[i];

        if (!SPM_STREQ(e->cmd, cmd) || !spmQEMURepliesArgsEqual(e->args, args))
            continue;
        if (!e->used) {
            e->used = true;
            return e->reply;
        }
        last = e;
    }
    return last ? last->reply : NULL;
}
