/*
 * qemucapabilitiestest.c: QEMU capabilities from .replies files, from a
 * fake QEMU process replaying them (with faults), from hostile input, and
 * from Debian's real QEMU
 *
 * tests/qemucapabilitiesdata/caps_*.replies each have an expected caps file
 * caps_*.xml; SPM_TEST_REGENERATE_OUTPUT=1 rewrites them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemumonitorreplay.h"
#include "qemu_capabilities.h"
#include "domain_conf.h"
#include "spmerror.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_BINARY "/usr/bin/qemu-system-x86_64"

static char *testTmpDir;   /* everything a test creates goes below */
static char *testProbeDir; /* the probes' private directories go here */

typedef struct {
    const char *name; /* caps_VERSION_x86_64 */
    unsigned int version;
    spmForm form;
    bool reserved;
    bool hmat;
    const char *defaultMachine;
    const char *q35;
} testCapsData;

static const testCapsData testCapsFiles[] = {
    {"caps_11.1.3_x86_64", 11001003, SPM_FORM_SP_MEM, false, true, "pc-i440fx-11.1", "pc-q35-11.1"},
    {"caps_10.2.2-memmap-type_x86_64", 10002002, SPM_FORM_MEMMAP_TYPE, true, true, "pc-i440fx-10.2",
     "pc-q35-10.2"},
    {"caps_7.2.22_x86_64", 7002022, SPM_FORM_NONE, false, true, "pc-i440fx-7.2", "pc-q35-7.2"},
};


static char *
testDataPath(const char *name, const char *suffix)
{
    g_autofree char *file = g_strdup_printf("%s%s", name, suffix);

    return g_build_filename(spmTestSrcdir(), "qemucapabilitiesdata", file, NULL);
}


static bool
testHasError(const char *text)
{
    size_t i;

    for (i = 0; i < spmErrorTotal(); i++) {
        g_autofree char *msg = spmErrorFormat(spmErrorGet(i));

        if (strstr(msg, text))
            return true;
    }
    return false;
}


static int
testCheckFacts(const spmQEMUCaps *caps, const testCapsData *data)
{
    if (spmQEMUCapsGetVersion(caps) != data->version ||
        !SPM_STREQ(spmQEMUCapsGetArch(caps), "x86_64")) {
        printf("# version %u arch %s\n", spmQEMUCapsGetVersion(caps), spmQEMUCapsGetArch(caps));
        return -1;
    }
    if (spmQEMUCapsGetSpmForm(caps) != data->form) {
        printf("# form %s\n", spmFormTypeToString(spmQEMUCapsGetSpmForm(caps)));
        return -1;
    }
    if (!spmQEMUCapsSupportsMemmap(caps, SPM_MEMMAP_NORMAL) ||
        spmQEMUCapsSupportsMemmap(caps, SPM_MEMMAP_SPM) != (data->form != SPM_FORM_NONE) ||
        spmQEMUCapsSupportsMemmap(caps, SPM_MEMMAP_RESERVED) != data->reserved ||
        spmQEMUCapsSupportsMemmap(caps, SPM_MEMMAP_LAST)) {
        printf("# memmap support is wrong\n");
        return -1;
    }
    if (spmQEMUCapsHasHMAT(caps) != data->hmat || !spmQEMUCapsHasObjectJSON(caps) ||
        !spmQEMUCapsHasDeviceJSON(caps)) {
        printf("# HMAT/JSON flags are wrong\n");
        return -1;
    }
    if (g_strcmp0(spmQEMUCapsResolveMachine(caps, NULL), data->defaultMachine) != 0 ||
        g_strcmp0(spmQEMUCapsResolveMachine(caps, "q35"), data->q35) != 0 ||
        g_strcmp0(spmQEMUCapsResolveMachine(caps, data->q35), data->q35) != 0 ||
        spmQEMUCapsResolveMachine(caps, "no-such-machine") || !spmQEMUCapsHasMachine(caps, "pc") ||
        spmQEMUCapsHasMachine(caps, "pc-q35-99.9") || spmQEMUCapsHasMachine(caps, NULL)) {
        printf("# machine resolution is wrong: default %s, q35 %s\n",
               spmQEMUCapsResolveMachine(caps, NULL), spmQEMUCapsResolveMachine(caps, "q35"));
        return -1;
    }
    if (!spmQEMUCapsHasMemoryDevice(caps, "pc-dimm") ||
        spmQEMUCapsHasMemoryDevice(caps, "sp-mem") != (data->form == SPM_FORM_SP_MEM))
        return -1;
    return 0;
}


/* Formats @caps (as if it came from TEST_BINARY, without a stamp) and
 * compares with the expected file of @data. */
static int
testCompareCaps(spmQEMUCaps *caps, const testCapsData *data)
{
    g_autofree char *expectPath = testDataPath(data->name, ".xml");
    g_autofree char *actual = NULL;

    spmQEMUCapsSetBinary(caps, TEST_BINARY);
    spmQEMUCapsSetStamp(caps, NULL);
    actual = spmQEMUCapsFormat(caps);
    return spmTestCompareToFile(actual, expectPath);
}


static int
testCapsFromReplies(const void *opaque)
{
    const testCapsData *data = opaque;
    g_autofree char *replies = testDataPath(data->name, ".replies");
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmQEMUCaps) again = NULL;
    g_autoptr(spmQEMUCaps) loaded = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *reformatted = NULL;

    if (!(caps = spmQEMUCapsNewFromReplies(replies, TEST_BINARY)))
        return -1;
    if (testCompareCaps(caps, data) < 0 || testCheckFacts(caps, data) < 0)
        return -1;

    /* the caps file reads back to the same capabilities */
    formatted = spmQEMUCapsFormat(caps);
    if (!(again = spmQEMUCapsParseString(formatted, strlen(formatted), "formatted")))
        return -1;
    reformatted = spmQEMUCapsFormat(again);
    if (!SPM_STREQ(formatted, reformatted) || testCheckFacts(again, data) < 0) {
        printf("# the caps file does not read back the same\n");
        return -1;
    }

    /* spmQEMUCapsLoadFile takes a .replies file as well */
    if (!(loaded = spmQEMUCapsLoadFile(replies)) ||
        !SPM_STREQ(spmQEMUCapsGetBinary(loaded), replies) || testCheckFacts(loaded, data) < 0)
        return -1;
    return 0;
}


static int
testCapsLoadExpected(const void *opaque)
{
    const testCapsData *data = opaque;
    g_autofree char *path = testDataPath(data->name, ".xml");
    g_autoptr(spmQEMUCaps) caps = spmQEMUCapsLoadFile(path);
    g_autofree char *text = NULL;
    g_autofree char *expect = NULL;

    if (!caps || testCheckFacts(caps, data) < 0)
        return -1;
    text = spmQEMUCapsFormat(caps);
    expect = spmTestLoadFile(path);
    return SPM_STREQ(text, expect) ? 0 : -1;
}


static spmQEMUProbeOptions
testProbeOptions(int timeoutMs, size_t maxMessage)
{
    spmQEMUProbeOptions opts = {
        .startTimeoutMs = timeoutMs,
        .commandTimeoutMs = timeoutMs,
        .maxMessage = maxMessage,
        .tmpdir = testProbeDir,
    };
    return opts;
}


/* The live probe code against the fake QEMU gives the same caps as the
 * offline code, also with events, stale replies and partial reads. */
static int
testCapsProbeReplay(const void *opaque)
{
    const testCapsData *data = opaque;
    g_autofree char *replies = testDataPath(data->name, ".replies");
    spmQMPReplayFault faults[] = {
        SPM_QMP_REPLAY_FAULT_NONE,
        SPM_QMP_REPLAY_FAULT_NOISE,
        SPM_QMP_REPLAY_FAULT_DRIP,
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(faults); i++) {
        g_autofree char *extra =
            g_strdup_printf("--fault %s", spmQMPReplayFaultTypeToString(faults[i]));
        g_autofree char *fake = spmQMPReplayWriteFakeQEMU(testTmpDir, "fake-qemu", replies, extra);
        spmQEMUProbeOptions opts = testProbeOptions(10000, 0);
        g_autoptr(spmQEMUCaps) caps = NULL;

        if (!fake || !(caps = spmQEMUCapsProbeFull(fake, &opts)))
            return -1;
        if (!SPM_STREQ(spmQEMUCapsGetBinary(caps), fake) || testCompareCaps(caps, data) < 0 ||
            testCheckFacts(caps, data) < 0 || spmTestCheckNoLeftovers(testProbeDir) < 0)
            return -1;
    }
    return 0;
}


typedef struct {
    const char *title;
    const char *replies; /* caps_*.replies name, or NULL for @binary */
    const char *extra;   /* helper options */
    const char *binary;  /* content of a script, or NULL for the helper */
    int timeoutMs;
    size_t maxMessage;
    bool succeeds;
    const char *errors[3]; /* texts that must appear among the errors */
} testProbeFault;


static int
testCapsProbeFault(const void *opaque)
{
    const testProbeFault *tf = opaque;
    g_autofree char *fake = NULL;
    spmQEMUProbeOptions opts = testProbeOptions(tf->timeoutMs, tf->maxMessage);
    g_autoptr(spmQEMUCaps) caps = NULL;
    size_t i;

    if (tf->replies) {
        g_autofree char *replies = testDataPath(tf->replies, ".replies");

        if (!(fake = spmQMPReplayWriteFakeQEMU(testTmpDir, "fake-qemu", replies, tf->extra)))
            return -1;
    } else {
        fake = g_build_filename(testTmpDir, "not-qemu", NULL);
        if (!g_file_set_contents(fake, tf->binary, -1, NULL) ||
            chmod(fake, strstr(tf->title, "not executable") ? 0644 : 0755) < 0)
            return -1;
    }

    caps = spmQEMUCapsProbeFull(fake, &opts);
    if (!!caps != tf->succeeds || (!caps && spmErrorCount() == 0)) {
        printf("# the probe %s\n", caps ? "succeeded" : "failed");
        return -1;
    }
    if (caps && spmErrorTotal() != 0)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(tf->errors) && tf->errors[i]; i++) {
        /* valgrind fails a bad exec in the child itself, exiting with 101 */
        if (spmTestUnderValgrind() && g_str_has_prefix(tf->title, "bad interpreter") &&
            testHasError("exited with status 101 during startup"))
            break;
        if (!testHasError(tf->errors[i])) {
            g_autofree char *all = spmTestFormatErrors();
            printf("# missing error '%s' among:\n# %s", tf->errors[i], all);
            return -1;
        }
    }
    if (caps && spmQEMUCapsGetSpmForm(caps) != SPM_FORM_NONE)
        return -1;
    unlink(fake);
    return spmTestCheckNoLeftovers(testProbeDir);
}


static int
testCapsProbeMissing(const void *opaque G_GNUC_UNUSED)
{
    spmQEMUProbeOptions opts = testProbeOptions(1000, 0);

    if (spmQEMUCapsProbeFull("/nonexistent/qemu-system-x86_64", &opts) ||
        !testHasError("cannot execute QEMU '/nonexistent/qemu-system-x86_64': No such file"))
        return -1;
    spmErrorReset();
    if (spmQEMUCapsProbeFull("no-such-qemu-in-path", &opts) ||
        !testHasError("cannot find QEMU binary 'no-such-qemu-in-path' in $PATH"))
        return -1;
    return spmTestCheckNoLeftovers(testProbeDir);
}


/* ------------------------------------------------------------------------
 * Hostile replies files
 */

/* A minimal, valid conversation; @override replaces the reply to one command. */
static char *
testSmallReplies(const char *cmd, const char *reply)
{
    const char *commands[][2] = {
        {"{\"execute\": \"query-version\"}",
         "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 11}, "
         "\"package\": \"x\"}}"},
        {"{\"execute\": \"query-target\"}", "{\"return\": {\"arch\": \"x86_64\"}}"},
        {"{\"execute\": \"query-qmp-schema\"}",
         "{\"return\": [{\"name\": \"query-version\", \"meta-type\": \"command\", "
         "\"arg-type\": \"0\", \"ret-type\": \"0\"}, {\"name\": \"0\", \"meta-type\": \"object\", "
         "\"members\": []}]}"},
        {"{\"execute\": \"qom-list-types\", \"arguments\": {\"implements\": \"memory-device\"}}",
         "{\"return\": [{\"name\": \"pc-dimm\", \"parent\": \"device\"}, "
         "{\"name\": \"sp-mem\", \"parent\": \"device\"}]}"},
        {"{\"execute\": \"device-list-properties\", \"arguments\": {\"typename\": \"sp-mem\"}}",
         "{\"return\": [{\"name\": \"memdev\", \"type\": \"link<memory-backend>\"}]}"},
        {"{\"execute\": \"query-machines\"}",
         "{\"return\": [{\"name\": \"pc-q35-11.1\", \"alias\": \"q35\", \"is-default\": true, "
         "\"cpu-max\": 4096, \"numa-mem-supported\": false, \"deprecated\": false}]}"},
    };
    g_autoptr(GString) out = g_string_new(NULL);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(commands); i++) {
        bool hit = cmd && strstr(commands[i][0], cmd);

        if (hit && !reply)
            continue;
        g_string_append_printf(out, "%s\n\n%s\n\n", commands[i][0], hit ? reply : commands[i][1]);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}


typedef struct {
    const char *title;
    const char *cmd;   /* the command whose reply is replaced (NULL: none) */
    const char *reply; /* the new reply; NULL: leave the command out */
    const char *raw;   /* the whole file instead */
    const char *error; /* NULL: must succeed */
} testHostileReplies;


static spmQEMUCaps *
testCapsFromText(const char *text, size_t len)
{
    g_autofree char *path = g_build_filename(testTmpDir, "hostile.replies", NULL);
    spmQEMUCaps *caps;

    if (!g_file_set_contents(path, text, len, NULL))
        return NULL;
    caps = spmQEMUCapsNewFromReplies(path, TEST_BINARY);
    unlink(path);
    return caps;
}


static int
testCapsHostile(const void *opaque)
{
    const testHostileReplies *th = opaque;
    g_autofree char *text = th->raw ? g_strdup(th->raw) : testSmallReplies(th->cmd, th->reply);
    g_autoptr(spmQEMUCaps) caps = testCapsFromText(text, strlen(text));

    if (!th->error) {
        if (!caps) {
            g_autofree char *all = spmTestFormatErrors();
            printf("# failed: %s", all);
            return -1;
        }
        return 0;
    }
    if (caps || !testHasError(th->error)) {
        g_autofree char *all = spmTestFormatErrors();
        printf("# expected '%s', got: %s\n", th->error, caps ? "success" : all);
        return -1;
    }
    return 0;
}


/* Truncated and bit-flipped copies of a real file: errors, never crashes. */
static int
testCapsMutations(const void *opaque)
{
    size_t iterations = GPOINTER_TO_SIZE(opaque);
    g_autofree char *path = testDataPath("caps_11.1.3_x86_64", ".replies");
    g_autofree char *orig = spmTestLoadFile(path);
    size_t len = strlen(orig);
    GRand *rand = g_rand_new_with_seed(31337);
    size_t i;

    for (i = 0; i < iterations; i++) {
        g_autofree char *copy = g_strdup(orig);
        g_autoptr(spmQEMUCaps) caps = NULL;
        size_t n = len;

        if (i % 3 == 0) {
            n = g_rand_int_range(rand, 0, len);
        } else {
            int flips = g_rand_int_range(rand, 1, 9);
            int j;

            for (j = 0; j < flips; j++)
                copy[g_rand_int_range(rand, 0, len)] = (char)g_rand_int_range(rand, 1, 256);
        }
        caps = testCapsFromText(copy, n);
        if (!caps && spmErrorCount() == 0) {
            printf("# mutation %zu failed without an error\n", i);
            g_rand_free(rand);
            return -1;
        }
        spmErrorReset();
    }
    g_rand_free(rand);
    return 0;
}


/* ------------------------------------------------------------------------
 * Debian's real QEMU
 */

static int
testCapsLiveDebian(const void *opaque G_GNUC_UNUSED)
{
    spmQEMUProbeOptions opts = testProbeOptions(30000, 0);
    g_autoptr(spmQEMUCaps) caps = NULL;

    if (access(TEST_BINARY, X_OK) < 0)
        return SPM_TEST_EXIT_SKIP;
    if (!(caps = spmQEMUCapsProbeFull(TEST_BINARY, &opts)))
        return -1;
    if (spmQEMUCapsGetVersion(caps) / 1000000 != 7 ||
        spmQEMUCapsGetSpmForm(caps) != SPM_FORM_NONE ||
        !SPM_STREQ(spmQEMUCapsGetArch(caps), "x86_64") || !spmQEMUCapsHasMachine(caps, "q35"))
        return -1;
    if (spmTestCheckNoLeftovers(testProbeDir) < 0)
        return -1;
    /* the recording was made from this very build */
    if (spmQEMUCapsGetVersion(caps) == testCapsFiles[2].version && !spmTestRegenerate())
        return testCompareCaps(caps, &testCapsFiles[2]);
    return 0;
}


/* Every data file belongs to a test. */
static int
testCapsDataFiles(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *dirpath = g_build_filename(spmTestSrcdir(), "qemucapabilitiesdata", NULL);
    g_autoptr(GDir) dir = g_dir_open(dirpath, 0, NULL);
    const char *entry;
    int ret = 0;

    if (!dir)
        return -1;
    while ((entry = g_dir_read_name(dir))) {
        bool known = false;
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(testCapsFiles); i++) {
            g_autofree char *replies = g_strdup_printf("%s.replies", testCapsFiles[i].name);
            g_autofree char *xml = g_strdup_printf("%s.xml", testCapsFiles[i].name);

            known |= SPM_STREQ(entry, replies) || SPM_STREQ(entry, xml);
        }
        if (!known) {
            printf("# unused data file %s\n", entry);
            ret = -1;
        }
    }
    return ret;
}


static int
mymain(void)
{
    int ret = 0;
    g_autofree char *deep = NULL;
    static const testProbeFault faults[] = {
        {"QEMU dies at start",
         "caps_7.2.22_x86_64",
         "--die-at-start",
         NULL,
         5000,
         0,
         false,
         {"QEMU '",
          "' exited with status 1 during startup: qemu-system-x86_64: "
          "-machine none,accel=tcg: simulated startup failure",
          NULL}},
        {"QEMU never opens its monitor",
         "caps_7.2.22_x86_64",
         "--hang-at-start --stderr 'warning: host is slow'",
         NULL,
         500,
         0,
         false,
         {"did not open its monitor within 500 ms: warning: host is slow", NULL}},
        {"QEMU never greets",
         "caps_7.2.22_x86_64",
         "--fault no-greeting",
         NULL,
         500,
         0,
         false,
         {"within 500 ms while waiting for the QMP greeting", NULL}},
        {"QEMU greets wrongly",
         "caps_7.2.22_x86_64",
         "--fault bad-greeting",
         NULL,
         5000,
         0,
         false,
         {"did not start with a QMP greeting", NULL}},
        {"slow peer",
         "caps_7.2.22_x86_64",
         "--fault slow:query-machines",
         NULL,
         500,
         0,
         false,
         {"Timed out during operation: no answer from the monitor of '",
          "within 500 ms while waiting for the reply to 'query-machines'", NULL}},
        {"truncated reply",
         "caps_7.2.22_x86_64",
         "--fault truncate:query-qmp-schema",
         NULL,
         5000,
         0,
         false,
         {"closed the connection in the middle of a message while waiting for the reply to "
          "'query-qmp-schema'",
          NULL}},
        {"invalid JSON",
         "caps_7.2.22_x86_64",
         "--fault garbage:query-version",
         NULL,
         5000,
         0,
         false,
         {"sent a malformed message while waiting for the reply to 'query-version'", NULL}},
        {"huge reply",
         "caps_7.2.22_x86_64",
         "--fault huge:query-machines --huge 4000000",
         NULL,
         5000,
         1000000,
         false,
         {"exceeds the limit of 1000000 bytes", NULL}},
        {"error reply",
         "caps_7.2.22_x86_64",
         "--fault error:query-machines",
         NULL,
         5000,
         0,
         false,
         {"'query-machines' failed on the monitor of '",
          "': simulated failure of query-machines (GenericError)", NULL}},
        {"error reply to an optional query",
         "caps_11.1.3_x86_64",
         "--fault error:device-list-properties",
         NULL,
         5000,
         0,
         true,
         {NULL}},
        {"peer exits mid-way",
         "caps_7.2.22_x86_64",
         "--fault exit:query-target",
         NULL,
         5000,
         0,
         false,
         {"closed the connection while waiting for the reply to 'query-target'",
          "exited with status 1 while being probed: "
          "qemu-system-x86_64: simulated crash while answering",
          NULL}},
        {"odd reply",
         "caps_7.2.22_x86_64",
         "--fault odd-reply:query-version",
         NULL,
         5000,
         0,
         false,
         {"sent an unexpected message while waiting for the reply to 'query-version'", NULL}},
        {"wrong machines",
         "caps_7.2.22_x86_64",
         "--fault wrong-types:query-machines",
         NULL,
         5000,
         0,
         false,
         {"malformed reply to 'query-machines' from QEMU '", NULL}},
        {"wrong schema",
         "caps_7.2.22_x86_64",
         "--fault wrong-types:query-qmp-schema",
         NULL,
         5000,
         0,
         false,
         {"the reply to query-qmp-schema is not an array", NULL}},
        {"not executable",
         NULL,
         NULL,
         "#!/bin/sh\nexit 0\n",
         5000,
         0,
         false,
         {"cannot execute QEMU '", "Permission denied", NULL}},
        {"bad interpreter",
         NULL,
         NULL,
         "#!/nonexistent/sh\n",
         5000,
         0,
         false,
         {"cannot execute QEMU '", "No such file or directory", NULL}},
        {"not QEMU at all",
         NULL,
         NULL,
         "#!/bin/sh\necho 'not QEMU' >&2\nexit 0\n",
         5000,
         0,
         false,
         {"exited with status 0 during startup: not QEMU", NULL}},
        {"killed at start",
         NULL,
         NULL,
         "#!/bin/sh\nkill -9 $$\n",
         5000,
         0,
         false,
         {"was killed by signal 9 during startup", NULL}},
    };
    testHostileReplies hostile[] = {
        {"small but complete", NULL, NULL, NULL, NULL},
        {"version -1", "query-version",
         "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": -1, \"major\": 11}}}", NULL,
         "malformed reply to 'query-version' from QEMU '" TEST_BINARY "': "
         "no valid 'qemu' version"},
        {"version 1000", "query-version",
         "{\"return\": {\"qemu\": {\"micro\": 1000, \"minor\": 1, \"major\": 11}}}", NULL,
         "no valid 'qemu' version"},
        {"version as string", "query-version",
         "{\"return\": {\"qemu\": {\"micro\": \"0\", \"minor\": 1, \"major\": 11}}}", NULL,
         "no valid 'qemu' version"},
        {"version not an object", "query-version", "{\"return\": [11, 1, 0]}", NULL,
         "no valid 'qemu' version"},
        {"package with control characters", "query-version",
         "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 11}, "
         "\"package\": \"a\\u0001b\"}}",
         NULL, "invalid 'package'"},
        {"arch with a space", "query-target", "{\"return\": {\"arch\": \"x86 64\"}}", NULL,
         "no valid 'arch'"},
        {"arch as number", "query-target", "{\"return\": {\"arch\": 64}}", NULL, "no valid 'arch'"},
        {"no query-target", "query-target", NULL, NULL, "has no reply to 'query-target'"},
        {"error reply to query-target", "query-target",
         "{\"error\": {\"class\": \"GenericError\", \"desc\": \"nope\"}}", NULL,
         "'query-target' failed on the monitor of '" TEST_BINARY "': nope (GenericError)"},
        {"schema not an array", "query-qmp-schema", "{\"return\": {}}", NULL,
         "the reply to query-qmp-schema is not an array"},
        {"schema entry without name", "query-qmp-schema",
         "{\"return\": [{\"meta-type\": \"command\"}]}", NULL, "has no name or meta-type"},
        {"empty schema", "query-qmp-schema", "{\"return\": []}", NULL, NULL},
        {"inconsistent schema", "query-qmp-schema",
         "{\"return\": [{\"name\": \"set-numa-node\", \"meta-type\": \"command\", "
         "\"arg-type\": \"404\"}]}",
         NULL,
         "malformed reply to 'query-qmp-schema' from QEMU '" TEST_BINARY "': "
         "set-numa-node/arg-type/+node/memmap-type"},
        {"memory devices not an array", "qom-list-types", "{\"return\": 1}", NULL,
         "malformed reply to 'qom-list-types'"},
        {"memory device without name", "qom-list-types", "{\"return\": [{\"parent\": \"x\"}]}",
         NULL, "a type without a valid name"},
        {"memory device with a slash", "qom-list-types", "{\"return\": [{\"name\": \"a/b\"}]}",
         NULL, "a type without a valid name"},
        {"property without type", "device-list-properties",
         "{\"return\": [{\"name\": \"memdev\"}]}", NULL, "a property without a valid name"},
        {"machines not an array", "query-machines", "{\"return\": {}}", NULL,
         "malformed reply to 'query-machines'"},
        {"machine without name", "query-machines", "{\"return\": [{\"alias\": \"q35\"}]}", NULL,
         "a machine type with invalid members"},
        {"machine with a bad alias", "query-machines",
         "{\"return\": [{\"name\": \"q\", \"alias\": \"<q35>\"}]}", NULL,
         "a machine type with invalid members"},
        {"machine with is-default as string", "query-machines",
         "{\"return\": [{\"name\": \"q\", \"is-default\": \"yes\"}]}", NULL,
         "a machine type with invalid members"},
        {"machine with negative cpu-max", "query-machines",
         "{\"return\": [{\"name\": \"q\", \"cpu-max\": -5}]}", NULL, "an invalid 'cpu-max'"},
        {"two default machines", "query-machines",
         "{\"return\": [{\"name\": \"a\", \"is-default\": true}, "
         "{\"name\": \"b\", \"is-default\": true}]}",
         NULL, NULL},
        {"empty file", NULL, NULL, "", "holds no QMP commands"},
        {"only blanks", NULL, NULL, "\n\n  \n", "holds no QMP commands"},
        {"command without reply", NULL, NULL, "{\"execute\": \"query-version\"}\n",
         "ends without the reply to 'query-version'"},
        {"reply without command", NULL, NULL, "{\"return\": {}}\n",
         "line 1: expected a command with 'execute'"},
        {"not an object", NULL, NULL, "{\"execute\": \"x\"}\n\n[1, 2]\n",
         "line 3: expected a JSON object"},
        {"arguments not an object", NULL, NULL,
         "{\"execute\": \"x\", \"arguments\": 5}\n\n{\"return\": {}}\n",
         "the arguments of 'x' are not an object"},
        {"reply neither return nor error", NULL, NULL, "{\"execute\": \"x\"}\n\n{\"hello\": {}}\n",
         "expected the reply to 'x'"},
        {"invalid JSON", NULL, NULL, "{\"execute\": \"x\"}\n\n{\"return\": [1,,]}\n", "line 3: "},
        {"truncated JSON", NULL, NULL, "{\"execute\": \"x\"}\n\n{\"return\": [1, 2",
         "line 3: unexpected end of file"},
        {"escaped NUL", NULL, NULL, "{\"execute\": \"x\"}\n\n{\"return\": \"\\u0000\"}\n\n",
         "has no reply to 'query-version'"},
        {"nested too deep", NULL, NULL, NULL, "line 1: "},
    };
    size_t i;

    testTmpDir = g_dir_make_tmp("spmcapstest-XXXXXX", NULL);
    testProbeDir = g_build_filename(testTmpDir, "probes", NULL);
    if (!testTmpDir || mkdir(testProbeDir, 0700) < 0)
        return -1;

    /* a JSON document nested 100000 deep */
    deep = g_strnfill(100000, '[');
    hostile[G_N_ELEMENTS(hostile) - 1].raw = deep;

    for (i = 0; i < G_N_ELEMENTS(testCapsFiles); i++) {
        g_autofree char *title = g_strdup_printf("%s from replies", testCapsFiles[i].name);
        g_autofree char *load = g_strdup_printf("%s.xml loads", testCapsFiles[i].name);
        g_autofree char *probe =
            g_strdup_printf("%s probed through a fake QEMU", testCapsFiles[i].name);

        if (spmTestRun(title, testCapsFromReplies, &testCapsFiles[i]) < 0 ||
            spmTestRun(load, testCapsLoadExpected, &testCapsFiles[i]) < 0 ||
            spmTestRun(probe, testCapsProbeReplay, &testCapsFiles[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("data files", testCapsDataFiles, NULL) < 0)
        ret = -1;

    for (i = 0; i < G_N_ELEMENTS(faults); i++) {
        g_autofree char *title = g_strdup_printf("probe fault: %s", faults[i].title);

        if (spmTestRun(title, testCapsProbeFault, &faults[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("probe fault: missing binary", testCapsProbeMissing, NULL) < 0)
        ret = -1;

    for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *title = g_strdup_printf("hostile replies: %s", hostile[i].title);

        if (spmTestRun(title, testCapsHostile, &hostile[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("mutated replies", testCapsMutations,
                   GSIZE_TO_POINTER(getenv("SPM_TEST_EXPENSIVE") ? 3000 : 60)) < 0)
        ret = -1;

    if (spmTestRun("live probe of Debian's QEMU", testCapsLiveDebian, NULL) < 0)
        ret = -1;

    if (spmTestRemoveTree(testTmpDir) < 0) {
        printf("# cannot remove %s\n", testTmpDir);
        ret = -1;
    }
    g_free(testProbeDir);
    g_free(testTmpDir);
    return ret;
}

SPM_TEST_MAIN(mymain)
