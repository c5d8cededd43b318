/*
 * qemuqmptest.c: the QMP client against a replayed QEMU, with faults
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemumonitorreplay.h"
#include "qemu_monitor_qmp.h"
#include "spmerror.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Short, so that faults which need a timeout stay quick. */
#define TEST_TIMEOUT_MS 300

typedef struct {
    const char *replies; /* file name in qemucapabilitiesdata/ */
    spmQMPReplayFault fault;
    const char *command; /* the command the fault hits */
    size_t hugeSize;
    size_t maxMessage;   /* 0: the client's default */
    const char *run;     /* the command to run after the handshake */
    const char *argName; /* one string argument, or NULL */
    const char *argValue;
    int expectHandshake;     /* 0 or -1 */
    int expectCommand;       /* 0, -1 or -2 */
    spmErrorCode expectCode; /* of the last error when failing */
    const char *expectText;  /* part of the last error message */
} testQMPCaseData;


static char *
testRepliesPath(const char *name)
{
    return g_build_filename(spmTestSrcdir(), "qemucapabilitiesdata", name, NULL);
}


static spmQMPReplay *
testNewReplay(const char *name, const spmQMPReplayConfig *config)
{
    g_autofree char *path = testRepliesPath(name);
    spmQEMUReplies *replies = spmQEMURepliesNewFromFile(path);

    if (!replies)
        return NULL;
    return spmQMPReplayNew(replies, config);
}


static int
testCheckLastError(spmErrorCode code, const char *text)
{
    const spmError *err = spmGetLastError();

    if (!err) {
        printf("# expected an error, none was reported\n");
        return -1;
    }
    if (err->code != code || (text && !strstr(err->message, text))) {
        printf("# unexpected error (code %u, expected %u): %s\n", err->code, code, err->message);
        return -1;
    }
    return 0;
}


static int
testQMPCase(const void *opaque)
{
    const testQMPCaseData *tc = opaque;
    spmQMPReplayConfig config = {tc->fault, tc->command, tc->hugeSize};
    g_autoptr(spmQMPReplay) replay = testNewReplay(tc->replies, &config);
    g_autoptr(json_object) args = NULL;
    g_autoptr(json_object) ret = NULL;
    spmQMPReplayThread *thread;
    spmQMPClient *client;
    int fd = -1;
    int rc;
    int result = -1;

    if (!replay || !(thread = spmQMPReplayThreadStart(replay, &fd)))
        return -1;
    if (!(client = spmQMPClientNew(fd, "/usr/bin/qemu-test"))) {
        close(fd);
        spmQMPReplayThreadJoin(thread);
        return -1;
    }
    spmQMPClientSetTimeout(client, TEST_TIMEOUT_MS);
    if (tc->maxMessage)
        spmQMPClientSetMaxMessage(client, tc->maxMessage);

    rc = spmQMPClientHandshake(client);
    if (rc != tc->expectHandshake) {
        printf("# handshake returned %d, expected %d\n", rc, tc->expectHandshake);
        goto cleanup;
    }
    if (rc < 0) {
        result = testCheckLastError(tc->expectCode, tc->expectText);
        goto cleanup;
    }
    if (spmQMPClientGetGreetingVersion(client) == 0) {
        printf("# no version in the greeting\n");
        goto cleanup;
    }

    if (tc->argName) {
        args = json_object_new_object();
        json_object_object_add(args, tc->argName, json_object_new_string(tc->argValue));
    }
    rc = spmQMPClientCommand(client, tc->run, args, &ret);
    if (rc != tc->expectCommand) {
        printf("# '%s' returned %d, expected %d\n", tc->run, rc, tc->expectCommand);
        goto cleanup;
    }
    if (rc == 0) {
        if (!ret) {
            printf("# no return value\n");
            goto cleanup;
        }
        result = 0;
        goto cleanup;
    }
    if (ret) {
        printf("# a return value despite the failure\n");
        goto cleanup;
    }
    if (testCheckLastError(tc->expectCode, tc->expectText) < 0)
        goto cleanup;

    /* after a transport failure the client refuses to go on */
    if (rc == -1) {
        g_autoptr(json_object) again = NULL;

        if (!spmQMPClientIsBroken(client) ||
            spmQMPClientCommand(client, "query-version", NULL, &again) != -1 ||
            testCheckLastError(SPM_ERR_OPERATION_INVALID, "failed earlier") < 0) {
            printf("# a broken client accepted another command\n");
            goto cleanup;
        }
    }
    result = 0;

cleanup:
    spmQMPClientFree(client);
    spmQMPReplayThreadJoin(thread);
    return result;
}


/* The same reply whether the peer sends it at once, in drips or with noise. */
static int
testQMPSameReply(const void *opaque)
{
    spmQMPReplayFault fault = GPOINTER_TO_INT(opaque);
    const char *name = "caps_11.1.3_x86_64.replies";
    g_autofree char *path = testRepliesPath(name);
    g_autoptr(spmQEMUReplies) recorded = spmQEMURepliesNewFromFile(path);
    spmQMPReplayConfig config = {.fault = fault};
    g_autoptr(spmQMPReplay) replay = testNewReplay(name, &config);
    g_autoptr(json_object) ret = NULL;
    json_object *expected;
    spmQMPReplayThread *thread;
    spmQMPClient *client;
    int fd = -1;
    int result = -1;

    if (!recorded || !replay || !(thread = spmQMPReplayThreadStart(replay, &fd)))
        return -1;
    client = spmQMPClientNew(fd, "qemu");
    spmQMPClientSetTimeout(client, 10000);

    if (spmQMPClientHandshake(client) < 0 ||
        spmQMPClientCommand(client, "query-qmp-schema", NULL, &ret) < 0)
        goto cleanup;
    expected =
        json_object_object_get(spmQEMURepliesLookup(recorded, "query-qmp-schema", NULL), "return");
    if (!json_object_equal(expected, ret)) {
        printf("# the schema differs from the recording\n");
        goto cleanup;
    }
    if (fault == SPM_QMP_REPLAY_FAULT_NOISE && spmQMPClientGetEventCount(client) < 2) {
        printf("# events were not seen\n");
        goto cleanup;
    }
    result = 0;

cleanup:
    spmQMPClientFree(client);
    spmQMPReplayThreadJoin(thread);
    return result;
}


/* Arbitrary bytes from the peer: an error or a value, never a crash or hang. */
static int
testQMPFuzz(const void *opaque)
{
    size_t iterations = GPOINTER_TO_SIZE(opaque);
    const char *greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, "
                           "\"major\": 9}}, \"capabilities\": []}}\r\n";
    const char *pieces[] = {
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\r\n",
        "\n",
        " ",
        "\\",
        "\\u0000",
        "\\ud800",
        "\"return\"",
        "\"error\"",
        "\"event\"",
        "\"id\"",
        "\"spm-1\"",
        "\"spm-2\"",
        "{}",
        "null",
        "true",
        "1e999999",
        "-0",
        "18446744073709551616",
        "\"class\"",
        "\"desc\"",
        "\xff",
        "\xc3\x28",
        "\0",
        "{\"return\": {}, \"id\": \"spm-1\"}\r\n",
        "{\"error\": {}, \"id\": \"spm-2\"}\r\n",
        "{\"event\": \"X\"}\r\n",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    };
    GRand *rand = g_rand_new_with_seed(4242);
    size_t i;
    int result = 0;

    for (i = 0; i < iterations; i++) {
        g_autoptr(GString) data = g_string_new(NULL);
        spmQMPReplayThread *thread;
        spmQMPClient *client;
        g_autoptr(json_object) ret = NULL;
        int npieces = g_rand_int_range(rand, 0, 40);
        int fd = -1;
        int j;

        if (g_rand_boolean(rand))
            g_string_append(data, greeting);
        for (j = 0; j < npieces; j++) {
            const char *p = pieces[g_rand_int_range(rand, 0, G_N_ELEMENTS(pieces))];

            g_string_append_len(data, p, *p ? (gssize)strlen(p) : 1);
        }
        if (!(thread = spmQMPReplayThreadStartRaw(data->str, data->len, &fd)))
            return -1;
        client = spmQMPClientNew(fd, "fuzz");
        spmQMPClientSetTimeout(client, 2000);
        if (spmQMPClientHandshake(client) == 0)
            spmQMPClientCommand(client, "query-version", NULL, &ret);
        spmQMPClientFree(client);
        spmQMPReplayThreadJoin(thread);
        spmErrorReset();
    }
    g_rand_free(rand);
    return result;
}


static int
testQMPConnectMissing(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *dir = g_dir_make_tmp("spmqmptest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "missing.sock", NULL);
    g_autofree char *longpath = g_strnfill(200, 'x');
    int fd = spmQMPConnectUnix(path);
    int saved = errno;

    rmdir(dir);
    if (fd >= 0 || saved != ENOENT) {
        printf("# connecting to a missing socket: fd %d errno %d\n", fd, saved);
        return -1;
    }
    if (spmQMPConnectUnix(longpath) >= 0 || errno != ENAMETOOLONG)
        return -1;
    return 0;
}


static int
mymain(void)
{
    int ret = 0;
    static const testQMPCaseData cases[] = {
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_NONE, NULL, 0, 0, "query-version", NULL,
         NULL, 0, 0, 0, NULL},
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_NONE, NULL, 0, 0,
         "device-list-properties", "typename", "sp-mem", 0, 0, 0, NULL},
        /* error replies surface with the command and QEMU's class */
        {"caps_7.2.22_x86_64.replies", SPM_QMP_REPLAY_FAULT_NONE, NULL, 0, 0,
         "device-list-properties", "typename", "sp-mem", 0, -2, SPM_ERR_QMP_ERROR,
         "'device-list-properties' failed on the monitor of '/usr/bin/qemu-test': "
         "Device 'sp-mem' not found (DeviceNotFound)"},
        {"caps_7.2.22_x86_64.replies", SPM_QMP_REPLAY_FAULT_NONE, NULL, 0, 0, "no-such-command",
         NULL, NULL, 0, -2, SPM_ERR_QMP_ERROR, "(CommandNotFound)"},
        {"caps_7.2.22_x86_64.replies", SPM_QMP_REPLAY_FAULT_ERROR, "query-machines", 0, 0,
         "query-machines", NULL, NULL, 0, -2, SPM_ERR_QMP_ERROR,
         "simulated failure of query-machines (GenericError)"},
        /* a peer that never answers */
        {"caps_7.2.22_x86_64.replies", SPM_QMP_REPLAY_FAULT_SLOW, "query-machines", 0, 0,
         "query-machines", NULL, NULL, 0, -1, SPM_ERR_OPERATION_TIMEOUT,
         "within 300 ms while waiting for the reply to 'query-machines'"},
        {"caps_7.2.22_x86_64.replies", SPM_QMP_REPLAY_FAULT_NO_GREETING, NULL, 0, 0, NULL, NULL,
         NULL, -1, 0, SPM_ERR_OPERATION_TIMEOUT,
         "within 300 ms while waiting for the QMP greeting"},
        {"caps_7.2.22_x86_64.replies", SPM_QMP_REPLAY_FAULT_SLOW, "qmp_capabilities", 0, 0, NULL,
         NULL, NULL, -1, 0, SPM_ERR_OPERATION_TIMEOUT, "'qmp_capabilities'"},
        {"caps_7.2.22_x86_64.replies", SPM_QMP_REPLAY_FAULT_BAD_GREETING, NULL, 0, 0, NULL, NULL,
         NULL, -1, 0, SPM_ERR_QMP_ERROR, "did not start with a QMP greeting"},
        /* truncated, invalid, oversized, odd replies */
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_TRUNCATE, "query-qmp-schema", 0, 0,
         "query-qmp-schema", NULL, NULL, 0, -1, SPM_ERR_QMP_ERROR,
         "closed the connection in the middle of a message while waiting for the reply to "
         "'query-qmp-schema'"},
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_GARBAGE, "query-target", 0, 0,
         "query-target", NULL, NULL, 0, -1, SPM_ERR_QMP_ERROR,
         "sent a malformed message while waiting for the reply to 'query-target': "
         "'{\"return\": [1, 2,, {]]}'"},
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_NOT_OBJECT, "query-target", 0, 0,
         "query-target", NULL, NULL, 0, -1, SPM_ERR_QMP_ERROR, "malformed message"},
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_ODD_REPLY, "query-target", 0, 0,
         "query-target", NULL, NULL, 0, -1, SPM_ERR_QMP_ERROR,
         "sent an unexpected message while waiting for the reply to 'query-target'"},
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_HUGE, "query-target", 8 * 1024 * 1024,
         1024 * 1024, "query-target", NULL, NULL, 0, -1, SPM_ERR_QMP_ERROR,
         "exceeds the limit of 1048576 bytes"},
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_HUGE, "query-target", 3 * 1024 * 1024,
         4 * 1024 * 1024, "query-target", NULL, NULL, 0, 0, 0, NULL},
        /* a peer that goes away */
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_EXIT, "query-version", 0, 0,
         "query-version", NULL, NULL, 0, -1, SPM_ERR_QMP_ERROR,
         "closed the connection while waiting for the reply to 'query-version'"},
        {"caps_11.1.3_x86_64.replies", SPM_QMP_REPLAY_FAULT_EXIT, "qmp_capabilities", 0, 0, NULL,
         NULL, NULL, -1, 0, SPM_ERR_QMP_ERROR,
         "closed the connection while waiting for the reply to 'qmp_capabilities'"},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *title = g_strdup_printf(
            "%s %s:%s %s", cases[i].replies, spmQMPReplayFaultTypeToString(cases[i].fault),
            cases[i].command ? cases[i].command : "*", cases[i].run ? cases[i].run : "handshake");
        if (spmTestRun(title, testQMPCase, &cases[i]) < 0)
            ret = -1;
    }

    if (spmTestRun("replies in drips", testQMPSameReply,
                   GINT_TO_POINTER(SPM_QMP_REPLAY_FAULT_DRIP)) < 0)
        ret = -1;
    if (spmTestRun("replies among events and stale replies", testQMPSameReply,
                   GINT_TO_POINTER(SPM_QMP_REPLAY_FAULT_NOISE)) < 0)
        ret = -1;
    if (spmTestRun("connect to a missing socket", testQMPConnectMissing, NULL) < 0)
        ret = -1;
    if (spmTestRun("random bytes from the peer", testQMPFuzz,
                   GSIZE_TO_POINTER(getenv("SPM_TEST_EXPENSIVE") ? 20000 : 500)) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
