/*
 * qemumonitorreplay.c: a fake QMP server that answers from a .replies file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemumonitorreplay.h"

#include "testutils.h"
#include "spmfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

/* An internal result: the connection goes on. */
#define SPM_QMP_REPLAY_CONTINUE ((spmQMPReplayResult)-1)

/* Requests from a client are small; anything longer is a broken client. */
#define SPM_QMP_REPLAY_MAX_REQUEST (1024 * 1024)

SPM_ENUM_IMPL(spmQMPReplayFault, SPM_QMP_REPLAY_FAULT_LAST, "none", "no-greeting", "bad-greeting",
              "slow", "truncate", "garbage", "huge", "error", "exit", "noise", "drip", "not-object",
              "odd-reply", "wrong-types");

struct _spmQMPReplay {
    spmQEMUReplies *replies;
    spmQMPReplayFault fault;
    char *command;
    size_t hugeSize;
    char *greeting;
    size_t ncommands;
    bool quit;
    GRand *rand;
};


static char *
spmQMPReplayBuildGreeting(spmQEMUReplies *replies)
{
    json_object *reply = spmQEMURepliesLookup(replies, "query-version", NULL);
    g_autoptr(GString) out = g_string_new("{\"QMP\": {\"version\": ");
    json_object *ret;

    if (reply && json_object_object_get_ex(reply, "return", &ret))
        g_string_append(out, json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN));
    else
        g_string_append(out,
                        "{\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 0}, "
                        "\"package\": \"\"}");
    g_string_append(out, ", \"capabilities\": [\"oob\"]}}\r\n");
    return g_string_free(g_steal_pointer(&out), FALSE);
}


spmQMPReplay *
spmQMPReplayNew(spmQEMUReplies *replies, const spmQMPReplayConfig *config)
{
    spmQMPReplay *replay = g_new0(spmQMPReplay, 1);

    replay->replies = replies;
    if (config) {
        replay->fault = config->fault;
        replay->command = g_strdup(config->command);
        replay->hugeSize = config->hugeSize;
    }
    /* the greeting looks up query-version: do it on a copy of the state */
    replay->greeting = spmQMPReplayBuildGreeting(replies);
    replay->rand = g_rand_new_with_seed(1729);
    return replay;
}


void
spmQMPReplayFree(spmQMPReplay *replay)
{
    if (!replay)
        return;
    spmQEMURepliesFree(replay->replies);
    g_free(replay->command);
    g_free(replay->greeting);
    g_rand_free(replay->rand);
    g_free(replay);
}


int
spmQMPReplayParseFault(const char *spec, spmQMPReplayConfig *config)
{
    const char *colon = strchr(spec, ':');
    g_autofree char *name = colon ? g_strndup(spec, colon - spec) : g_strdup(spec);
    int fault = spmQMPReplayFaultTypeFromString(name);

    if (fault < 0)
        return -1;
    config->fault = fault;
    config->command = colon && colon[1] ? colon + 1 : NULL;
    return 0;
}


size_t
spmQMPReplayGetCommandCount(const spmQMPReplay *replay)
{
    return replay->ncommands;
}


bool
spmQMPReplayGotQuit(const spmQMPReplay *replay)
{
    return replay->quit;
}


char *
spmQMPReplayWriteFakeQEMU(const char *dir, const char *name, const char *replies,
                          const char *extraArgs)
{
    g_autofree char *helper = g_build_filename(spmTestBuilddir(), "qemureplayhelper", NULL);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *script = NULL;
    g_autoptr(GError) err = NULL;

    script = g_strdup_printf("#!/bin/sh\nexec '%s' --replies '%s' %s -- \"$@\"\n", helper, replies,
                             extraArgs ? extraArgs : "");
    if (!g_file_set_contents(path, script, -1, &err) || chmod(path, 0755) < 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, err ? err->message : g_strerror(errno));
        return NULL;
    }
    return g_steal_pointer(&path);
}


static int
spmQMPReplayWriteAll(int fd, const char *data, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t put = send(fd, data + done, len - done, MSG_NOSIGNAL);

        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return -1;
        done += put;
    }
    return 0;
}


static int
spmQMPReplaySend(spmQMPReplay *replay, int fd, const char *data, size_t len)
{
    size_t done = 0;

    if (replay->fault != SPM_QMP_REPLAY_FAULT_DRIP)
        return spmQMPReplayWriteAll(fd, data, len);

    /* tiny pieces at first, then bigger ones, with pauses between them */
    while (done < len) {
        size_t piece = done < 64 ? 1 + g_rand_int_range(replay->rand, 0, 7)
                                 : 1 + g_rand_int_range(replay->rand, 0, 16384);

        piece = MIN(piece, len - done);
        if (spmQMPReplayWriteAll(fd, data + done, piece) < 0)
            return -1;
        done += piece;
        g_usleep(done < 64 ? 1000 : 50);
    }
    return 0;
}


static int
spmQMPReplaySendObject(spmQMPReplay *replay, int fd, json_object *obj)
{
    g_autofree char *line =
        g_strdup_printf("%s\r\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));

    return spmQMPReplaySend(replay, fd, line, strlen(line));
}


/* Reads until the peer closes. */
static void
spmQMPReplayDrain(int fd)
{
    char buf[4096];
    ssize_t got;

    do {
        got = read(fd, buf, sizeof(buf));
    } while (got > 0 || (got < 0 && errno == EINTR));
}


/* The reply object for @cmd/@args with @id (a new object). */
static json_object *
spmQMPReplayAnswer(spmQMPReplay *replay, bool *negotiated, const char *cmd, json_object *args)
{
    json_object *reply;
    json_object *copy = NULL;

    if (SPM_STREQ(cmd, "qmp_capabilities") && !*negotiated) {
        *negotiated = true;
        return json_tokener_parse("{\"return\": {}}");
    }
    if (!*negotiated) {
        return json_tokener_parse("{\"error\": {\"class\": \"CommandNotFound\", "
                                  "\"desc\": \"Expecting capabilities negotiation with "
                                  "'qmp_capabilities'\"}}");
    }
    if (SPM_STREQ(cmd, "quit"))
        return json_tokener_parse("{\"return\": {}}");

    if (!(reply = spmQEMURepliesLookup(replay->replies, cmd, args))) {
        g_autofree char *text = g_strdup_printf("{\"error\": {\"class\": \"CommandNotFound\", "
                                                "\"desc\": \"The command %s has not been found\"}}",
                                                cmd);
        return json_tokener_parse(text);
    }
    if (json_object_deep_copy(reply, &copy, NULL) < 0)
        return NULL;
    json_object_object_del(copy, "id");
    return copy;
}


static spmQMPReplayResult
spmQMPReplayFaultReply(spmQMPReplay *replay, int fd, const char *cmd, json_object *id,
                       json_object *answer)
{
    g_autoptr(GString) out = NULL;
    const char *text;

    switch (replay->fault) {
    case SPM_QMP_REPLAY_FAULT_TRUNCATE:
        text = json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN);
        spmQMPReplaySend(replay, fd, text, strlen(text) / 2);
        return SPM_QMP_REPLAY_DONE;

    case SPM_QMP_REPLAY_FAULT_GARBAGE:
        text = "{\"return\": [1, 2,, {]]}\r\n";
        break;

    case SPM_QMP_REPLAY_FAULT_NOT_OBJECT:
        text = "[1, 2, 3]\r\n";
        break;

    case SPM_QMP_REPLAY_FAULT_HUGE: {
        size_t fill = replay->hugeSize > 64 ? replay->hugeSize - 64 : 1;
        g_autofree char *blob = g_malloc(fill);

        memset(blob, 'x', fill);
        out = g_string_sized_new(fill + 128);
        g_string_append(out, "{\"return\": \"");
        g_string_append_len(out, blob, fill);
        g_string_append_printf(out, "\", \"id\": %s}\r\n",
                               json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
        return spmQMPReplaySend(replay, fd, out->str, out->len) < 0 ? SPM_QMP_REPLAY_IO_ERROR
                                                                    : SPM_QMP_REPLAY_CONTINUE;
    }

    case SPM_QMP_REPLAY_FAULT_ERROR:
        out = g_string_new(NULL);
        g_string_append_printf(out,
                               "{\"error\": {\"class\": \"GenericError\", "
                               "\"desc\": \"simulated failure of %s\"}, \"id\": %s}\r\n",
                               cmd, json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
        text = out->str;
        break;

    case SPM_QMP_REPLAY_FAULT_ODD_REPLY:
        out = g_string_new(NULL);
        g_string_append_printf(out, "{\"hello\": 1, \"id\": %s}\r\n",
                               json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
        text = out->str;
        break;

    case SPM_QMP_REPLAY_FAULT_WRONG_TYPES:
        out = g_string_new(NULL);
        g_string_append_printf(out, "{\"return\": \"not what you expected\", \"id\": %s}\r\n",
                               json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
        text = out->str;
        break;

    default:
        return SPM_QMP_REPLAY_CONTINUE;
    }

    return spmQMPReplaySend(replay, fd, text, strlen(text)) < 0 ? SPM_QMP_REPLAY_IO_ERROR
                                                                : SPM_QMP_REPLAY_CONTINUE;
}


spmQMPReplayResult
spmQMPReplayServe(spmQMPReplay *replay, int fd)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    bool negotiated = false;

    if (replay->fault == SPM_QMP_REPLAY_FAULT_NO_GREETING) {
        spmQMPReplayDrain(fd);
        return SPM_QMP_REPLAY_DONE;
    }
    if (replay->fault == SPM_QMP_REPLAY_FAULT_BAD_GREETING) {
        const char *bad = "{\"hello\": \"this is not QEMU\"}\r\n";

        spmQMPReplaySend(replay, fd, bad, strlen(bad));
        spmQMPReplayDrain(fd);
        return SPM_QMP_REPLAY_DONE;
    }
    if (spmQMPReplaySend(replay, fd, replay->greeting, strlen(replay->greeting)) < 0)
        return SPM_QMP_REPLAY_IO_ERROR;

    for (;;) {
        g_autofree char *line = spmFileReadLine(fd, buf, SPM_QMP_REPLAY_MAX_REQUEST);
        g_autoptr(json_object) request = NULL;
        g_autoptr(json_object) answer = NULL;
        json_object *val;
        json_object *id = NULL;
        json_object *args = NULL;
        const char *cmd;
        bool faulty;

        if (!line)
            return SPM_QMP_REPLAY_DONE;
        g_strstrip(line);
        if (!*line)
            continue;

        request = json_tokener_parse(line);
        if (!request || !json_object_is_type(request, json_type_object) ||
            !json_object_object_get_ex(request, "execute", &val) ||
            !json_object_is_type(val, json_type_string)) {
            const char *err = "{\"error\": {\"class\": \"GenericError\", "
                              "\"desc\": \"JSON parse error\"}}\r\n";

            if (spmQMPReplaySend(replay, fd, err, strlen(err)) < 0)
                return SPM_QMP_REPLAY_IO_ERROR;
            continue;
        }
        cmd = json_object_get_string(val);
        json_object_object_get_ex(request, "id", &id);
        json_object_object_get_ex(request, "arguments", &args);
        replay->ncommands++;

        faulty = replay->fault != SPM_QMP_REPLAY_FAULT_NONE &&
            (!replay->command || SPM_STREQ(replay->command, cmd));

        if (faulty && replay->fault == SPM_QMP_REPLAY_FAULT_SLOW) {
            spmQMPReplayDrain(fd);
            return SPM_QMP_REPLAY_DONE;
        }
        if (faulty && replay->fault == SPM_QMP_REPLAY_FAULT_EXIT)
            return SPM_QMP_REPLAY_EXITED;

        if (!(answer = spmQMPReplayAnswer(replay, &negotiated, cmd, args)))
            return SPM_QMP_REPLAY_IO_ERROR;
        if (id)
            json_object_object_add(answer, "id", json_object_get(id));

        if (replay->fault == SPM_QMP_REPLAY_FAULT_NOISE) {
            const char *noise = "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
                                "\"event\": \"RESUME\"}\r\n"
                                "{\"return\": {}, \"id\": \"stale-reply\"}\r\n"
                                "\r\n";

            if (spmQMPReplaySend(replay, fd, noise, strlen(noise)) < 0)
                return SPM_QMP_REPLAY_IO_ERROR;
        }

        if (faulty) {
            spmQMPReplayResult rc = spmQMPReplayFaultReply(replay, fd, cmd, id, answer);
            if (rc != SPM_QMP_REPLAY_CONTINUE)
                return rc;
            if (replay->fault != SPM_QMP_REPLAY_FAULT_NOISE &&
                replay->fault != SPM_QMP_REPLAY_FAULT_DRIP)
                continue;
        }

        if (spmQMPReplaySendObject(replay, fd, answer) < 0)
            return SPM_QMP_REPLAY_IO_ERROR;
        if (SPM_STREQ(cmd, "quit") && negotiated) {
            replay->quit = true;
            return SPM_QMP_REPLAY_DONE;
        }
    }
}


struct _spmQMPReplayThread {
    GThread *thread;
    spmQMPReplay *replay;
    int fd;
    char *raw;
    size_t rawlen;
};


static gpointer
spmQMPReplayThreadMain(gpointer opaque)
{
    spmQMPReplayThread *t = opaque;
    spmQMPReplayResult rc = SPM_QMP_REPLAY_DONE;

    if (t->replay) {
        rc = spmQMPReplayServe(t->replay, t->fd);
    } else if (spmQMPReplayWriteAll(t->fd, t->raw, t->rawlen) < 0) {
        rc = SPM_QMP_REPLAY_IO_ERROR;
    }
    close(t->fd);
    t->fd = -1;
    return GINT_TO_POINTER(rc);
}


static spmQMPReplayThread *
spmQMPReplayThreadSpawn(spmQMPReplayThread *t, int *clientfd)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        g_free(t->raw);
        g_free(t);
        return NULL;
    }
    t->fd = sv[0];
    *clientfd = sv[1];
    t->thread = g_thread_new("qmp-replay", spmQMPReplayThreadMain, t);
    return t;
}


spmQMPReplayThread *
spmQMPReplayThreadStart(spmQMPReplay *replay, int *clientfd)
{
    spmQMPReplayThread *t = g_new0(spmQMPReplayThread, 1);

    t->replay = replay;
    return spmQMPReplayThreadSpawn(t, clientfd);
}


spmQMPReplayThread *
spmQMPReplayThreadStartRaw(const char *data, size_t len, int *clientfd)
{
    spmQMPReplayThread *t = g_new0(spmQMPReplayThread, 1);

    t->raw = g_malloc(len + 1);
    memcpy(t->raw, data, len);
    t->rawlen = len;
    return spmQMPReplayThreadSpawn(t, clientfd);
}


spmQMPReplayResult
spmQMPReplayThreadJoin(spmQMPReplayThread *thread)
{
    spmQMPReplayResult rc;

    if (!thread)
        return SPM_QMP_REPLAY_IO_ERROR;
    rc = GPOINTER_TO_INT(g_thread_join(thread->thread));
    g_free(thread->raw);
    g_free(thread);
    return rc;
}
