/*
 * qemucapscachetest.c: the capabilities cache: hits, invalidation by each
 * part of the stamp, corrupt and foreign files, concurrent writers
 *
 * A fake QEMU (tests/qemureplayhelper) counts its starts, so a test sees
 * whether a lookup probed or read the cache.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemumonitorreplay.h"
#include "qemu_capscache.h"
#include "spmerror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *testTmpDir;
static char *testCacheDir;
static char *testProbeDir;
static char *testModDir;
static spmQEMUProbeOptions testOpts;

typedef struct {
    char *binary;    /* the fake QEMU */
    char *countFile; /* one line per start */
    char *cacheFile;
} testFake;


static void
testFakeFree(testFake *fake)
{
    if (!fake)
        return;
    unlink(fake->binary);
    unlink(fake->countFile);
    unlink(fake->cacheFile);
    g_free(fake->binary);
    g_free(fake->countFile);
    g_free(fake->cacheFile);
    g_free(fake);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(testFake, testFakeFree);


static testFake *
testFakeNew(const char *name, const char *replies)
{
    testFake *fake = g_new0(testFake, 1);
    g_autofree char *path =
        g_build_filename(spmTestSrcdir(), "qemucapabilitiesdata", replies, NULL);
    g_autofree char *extra = NULL;

    fake->countFile = g_strdup_printf("%s/%s.count", testTmpDir, name);
    extra = g_strdup_printf("--count '%s'", fake->countFile);
    fake->binary = spmQMPReplayWriteFakeQEMU(testTmpDir, name, path, extra);
    fake->cacheFile = spmQEMUCapsCachePath(fake->binary);
    unlink(fake->countFile);
    return fake;
}


/* How often the fake QEMU was started. */
static size_t
testFakeStarts(const testFake *fake)
{
    g_autofree char *text = NULL;
    size_t n = 0;
    const char *p;

    if (!g_file_get_contents(fake->countFile, &text, NULL, NULL))
        return 0;
    for (p = text; *p; p++)
        n += *p == '\n';
    return n;
}


/* Looks @fake up and checks it was probed @starts times in all; no error
 * may be left queued, and the cache file must then be valid. */
static int
testLookup(const testFake *fake, unsigned int flags, size_t starts)
{
    g_autoptr(spmQEMUCaps) caps = spmQEMUCapsLookupFull(fake->binary, flags, &testOpts);
    g_autoptr(spmQEMUCaps) cached = NULL;
    g_autofree char *text = NULL;
    spmQEMUCapsStamp stamp = {0};
    int ret = -1;

    if (!caps) {
        printf("# lookup failed\n");
        return -1;
    }
    if (spmErrorTotal() != 0) {
        g_autofree char *errs = spmTestFormatErrors();
        printf("# errors left queued: %s", errs);
        return -1;
    }
    if (testFakeStarts(fake) != starts) {
        printf("# %zu starts, expected %zu\n", testFakeStarts(fake), starts);
        return -1;
    }
    if (!SPM_STREQ(spmQEMUCapsGetBinary(caps), fake->binary) ||
        spmQEMUCapsGetVersion(caps) != 11001003 || spmQEMUCapsGetSpmForm(caps) != SPM_FORM_SP_MEM)
        return -1;
    if (flags & SPM_QEMU_CAPS_NO_CACHE)
        return 0;

    /* what is cached is what was returned, with the present stamp */
    if (spmQEMUCapsComputeStamp(fake->binary, &stamp) < 0)
        return -1;
    if (!(cached = spmQEMUCapsCacheLoad(fake->binary, &stamp))) {
        printf("# no valid cache file after the lookup\n");
        goto cleanup;
    }
    text = spmQEMUCapsFormat(caps);
    {
        g_autofree char *cachedText = spmQEMUCapsFormat(cached);

        if (!SPM_STREQ(text, cachedText)) {
            printf("# the cache holds something else\n");
            goto cleanup;
        }
    }
    ret = 0;

cleanup:
    spmQEMUCapsStampClear(&stamp);
    return ret;
}


static int
testCacheHit(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(testFake) fake = testFakeNew("hit", "caps_11.1.3_x86_64.replies");
    struct stat sb;

    if (testLookup(fake, 0, 1) < 0 || testLookup(fake, 0, 1) < 0 || testLookup(fake, 0, 1) < 0)
        return -1;
    if (stat(fake->cacheFile, &sb) < 0 || (sb.st_mode & 0777) != 0644)
        return -1;
    /* --no-cache probes every time and leaves the cache alone */
    if (testLookup(fake, SPM_QEMU_CAPS_NO_CACHE, 2) < 0 ||
        testLookup(fake, SPM_QEMU_CAPS_NO_CACHE, 3) < 0 || testLookup(fake, 0, 3) < 0)
        return -1;
    return 0;
}


static int
testCacheNoCacheWrites(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(testFake) fake = testFakeNew("nocache", "caps_11.1.3_x86_64.replies");

    if (testLookup(fake, SPM_QEMU_CAPS_NO_CACHE, 1) < 0)
        return -1;
    if (access(fake->cacheFile, F_OK) == 0) {
        printf("# --no-cache wrote a cache file\n");
        return -1;
    }
    return 0;
}


/* Edits the cache file with a regular expression substitution. */
static int
testEditCache(const testFake *fake, const char *pattern, const char *replacement)
{
    g_autofree char *text = NULL;
    g_autofree char *edited = NULL;
    g_autoptr(GRegex) re = g_regex_new(pattern, 0, 0, NULL);

    if (!re || !g_file_get_contents(fake->cacheFile, &text, NULL, NULL))
        return -1;
    edited = g_regex_replace(re, text, -1, 0, replacement, 0, NULL);
    if (!edited || SPM_STREQ(edited, text)) {
        printf("# '%s' did not change the cache file\n", pattern);
        return -1;
    }
    return g_file_set_contents(fake->cacheFile, edited, -1, NULL) ? 0 : -1;
}


typedef struct {
    const char *title;
    const char *pattern;
    const char *replacement;
} testStampEdit;


/* Each part of the stamp alone invalidates the cached result. */
static int
testCacheStampPart(const void *opaque)
{
    const testStampEdit *edit = opaque;
    g_autoptr(testFake) fake = testFakeNew("stamp", "caps_11.1.3_x86_64.replies");

    if (testLookup(fake, 0, 1) < 0 || testLookup(fake, 0, 1) < 0)
        return -1;
    if (testEditCache(fake, edit->pattern, edit->replacement) < 0)
        return -1;
    if (testLookup(fake, 0, 2) < 0 || testLookup(fake, 0, 2) < 0)
        return -1;
    return 0;
}


static int
testTouch(const char *path, bool mtime)
{
    struct timespec times[2] = {
        {.tv_nsec = UTIME_OMIT},
        {.tv_sec = 1000000000 + g_random_int_range(0, 100000), .tv_nsec = 0},
    };

    struct stat before;
    struct stat after;
    int tries;

    if (mtime)
        return utimensat(AT_FDCWD, path, times, 0);

    /* ctime only; timestamps are as coarse as a clock tick, so repeat
     * until the ctime really changed */
    if (stat(path, &before) < 0)
        return -1;
    for (tries = 0; tries < 200; tries++) {
        if (chmod(path, 0700) < 0 || chmod(path, 0755) < 0 || stat(path, &after) < 0)
            return -1;
        if (after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
            after.st_ctim.tv_nsec != before.st_ctim.tv_nsec)
            return 0;
        g_usleep(5000);
    }
    return -1;
}


/* Real changes to the binary or the module directory. */
static int
testCacheRealChanges(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(testFake) fake = testFakeNew("real", "caps_11.1.3_x86_64.replies");
    g_autofree char *copy = g_strdup_printf("%s.new", fake->binary);
    g_autofree char *text = NULL;
    size_t starts = 1;

    if (testLookup(fake, 0, starts) < 0)
        return -1;
    /* the ctime alone (chmod) */
    if (testTouch(fake->binary, false) < 0 || testLookup(fake, 0, ++starts) < 0)
        return -1;
    /* mtime */
    if (testTouch(fake->binary, true) < 0 || testLookup(fake, 0, ++starts) < 0)
        return -1;
    /* a new file in place (inode) */
    if (!g_file_get_contents(fake->binary, &text, NULL, NULL) ||
        !g_file_set_contents(copy, text, -1, NULL) || chmod(copy, 0755) < 0 ||
        rename(copy, fake->binary) < 0 || testLookup(fake, 0, ++starts) < 0)
        return -1;
    /* the module directory */
    if (testTouch(testModDir, true) < 0 || testLookup(fake, 0, ++starts) < 0)
        return -1;
    /* and nothing changed */
    if (testLookup(fake, 0, starts) < 0)
        return -1;
    return 0;
}


typedef struct {
    const char *title;
    const char *content; /* NULL: see the title */
} testCorruption;


static int
testCacheCorruption(const void *opaque)
{
    const testCorruption *tc = opaque;
    g_autoptr(testFake) fake = testFakeNew("corrupt", "caps_11.1.3_x86_64.replies");
    g_autofree char *good = NULL;
    gsize len = 0;

    if (testLookup(fake, 0, 1) < 0 || !g_file_get_contents(fake->cacheFile, &good, &len, NULL))
        return -1;

    if (tc->content) {
        if (!g_file_set_contents(fake->cacheFile, tc->content, -1, NULL))
            return -1;
    } else if (g_str_has_prefix(tc->title, "truncated")) {
        /* cut at many places */
        size_t cuts[] = {0, 1, 10, len / 3, len / 2, len - 20, len - 2};
        size_t i;
        size_t starts = 1;

        for (i = 0; i < G_N_ELEMENTS(cuts); i++) {
            if (!g_file_set_contents(fake->cacheFile, good, cuts[i], NULL) ||
                testLookup(fake, 0, ++starts) < 0)
                return -1;
        }
        return 0;
    } else if (g_str_has_prefix(tc->title, "a directory")) {
        if (unlink(fake->cacheFile) < 0 || mkdir(fake->cacheFile, 0755) < 0)
            return -1;
        /* unreadable and not replaceable: probe every time, no error */
        if (testLookup(fake, SPM_QEMU_CAPS_NO_CACHE, 2) < 0)
            return -1;
        {
            g_autoptr(spmQEMUCaps) caps = spmQEMUCapsLookupFull(fake->binary, 0, &testOpts);

            if (!caps || spmErrorTotal() != 0 || testFakeStarts(fake) != 3)
                return -1;
        }
        return rmdir(fake->cacheFile);
    } else if (g_str_has_prefix(tc->title, "another binary")) {
        /* a valid file, with a valid stamp, written for another path */
        g_autoptr(testFake) other = testFakeNew("other", "caps_11.1.3_x86_64.replies");
        g_autofree char *text = NULL;

        if (testLookup(other, 0, 1) < 0 ||
            !g_file_get_contents(other->cacheFile, &text, NULL, NULL) ||
            !g_file_set_contents(fake->cacheFile, text, -1, NULL))
            return -1;
    } else if (g_str_has_prefix(tc->title, "random bytes")) {
        g_autofree char *noise = g_malloc(len);
        GRand *rand = g_rand_new_with_seed(99);
        gsize i;

        for (i = 0; i < len; i++)
            noise[i] = (char)g_rand_int_range(rand, 0, 256);
        g_rand_free(rand);
        if (!g_file_set_contents(fake->cacheFile, noise, len, NULL))
            return -1;
    }

    if (testLookup(fake, 0, 2) < 0 || testLookup(fake, 0, 2) < 0)
        return -1;
    return 0;
}


static testFake *volatile testConcurrentFake;

/* Several processes probe and write the same cache file at once. */
static int
testCacheConcurrent(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(testFake) fake = testFakeNew("concurrent", "caps_11.1.3_x86_64.replies");
    g_autofree char *dir = g_path_get_dirname(fake->cacheFile);
    g_autoptr(GDir) listing = NULL;
    const char *entry;
    pid_t pids[8];
    int barrier[2];
    size_t i;
    int ret = 0;

    /* reachable from the forked children, which leave by _exit() */
    testConcurrentFake = fake;
    if (pipe(barrier) < 0)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(pids); i++) {
        if ((pids[i] = fork()) < 0)
            return -1;
        if (pids[i] == 0) {
            spmQEMUCaps *caps;
            char c;
            int rc;

            close(barrier[1]);
            /* wait until every child exists */
            if (read(barrier[0], &c, 1) != 0)
                _exit(3);
            caps = spmQEMUCapsLookupFull(fake->binary, 0, &testOpts);
            rc = caps && spmErrorTotal() == 0 && spmQEMUCapsGetSpmForm(caps) == SPM_FORM_SP_MEM ? 0
                                                                                                : 1;
            spmQEMUCapsFree(caps);
            spmErrorReset();
            _exit(rc);
        }
    }
    close(barrier[0]);
    close(barrier[1]);

    for (i = 0; i < G_N_ELEMENTS(pids); i++) {
        int status;

        if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("# child %zu failed (status %d)\n", i, status);
            ret = -1;
        }
    }
    if (ret < 0)
        return -1;

    /* all of them (or most) probed; the file is whole and nothing is left over */
    if (testFakeStarts(fake) < 1 || testLookup(fake, 0, testFakeStarts(fake)) < 0)
        return -1;
    if (!(listing = g_dir_open(dir, 0, NULL)))
        return -1;
    while ((entry = g_dir_read_name(listing))) {
        if (!g_str_has_suffix(entry, ".xml")) {
            printf("# left behind in the cache: %s\n", entry);
            ret = -1;
        }
    }
    return ret;
}


/* A cache directory that cannot be created costs time, not an error. */
static int
testCacheUnwritable(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *blocker = g_build_filename(testTmpDir, "blocker", NULL);
    g_autoptr(testFake) fake = NULL;
    int ret;

    if (!g_file_set_contents(blocker, "", 0, NULL))
        return -1;
    g_setenv("VIRT_SPM_CACHE_DIR", blocker, TRUE);
    fake = testFakeNew("unwritable", "caps_11.1.3_x86_64.replies");
    ret = testLookup(fake, SPM_QEMU_CAPS_NO_CACHE, 1);
    if (ret == 0) {
        g_autoptr(spmQEMUCaps) caps = spmQEMUCapsLookupFull(fake->binary, 0, &testOpts);

        if (!caps || spmErrorTotal() != 0 || testFakeStarts(fake) != 2)
            ret = -1;
    }
    g_setenv("VIRT_SPM_CACHE_DIR", testCacheDir, TRUE);
    unlink(blocker);
    return ret;
}


static int
testCachePaths(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = NULL;
    g_autofree char *resolved = NULL;
    g_autofree char *relative = NULL;
    g_autofree char *expect = g_build_filename(testCacheDir, "qemu", "capabilities",
                                               "926803a9278e445ec919c2b6cbd8c1c4"
                                               "49c75b26dcb1686b774314180376c725.xml",
                                               NULL);
    g_autofree char *oldPath = g_strdup(g_getenv("PATH"));
    g_autofree char *newPath = NULL;
    g_autoptr(testFake) fake = testFakeNew("qemu-in-path", "caps_11.1.3_x86_64.replies");

    /* libvirt's key: the sha256 of the path string */
    path = spmQEMUCapsCachePath("/usr/bin/qemu-system-x86_64");
    if (!SPM_STREQ(path, expect)) {
        printf("# %s\n", path);
        return -1;
    }
    /* the default directories */
    g_unsetenv("VIRT_SPM_CACHE_DIR");
    g_free(path);
    path = spmQEMUCapsCacheDir();
    g_setenv("VIRT_SPM_CACHE_DIR", testCacheDir, TRUE);
    if (!SPM_STREQ(path, geteuid() == 0 ? "/var/cache/virt-spm" : "")) {
        g_autofree char *user = g_build_filename(g_get_user_cache_dir(), "virt-spm", NULL);

        if (geteuid() == 0 || !SPM_STREQ(path, user))
            return -1;
    }

    /* names without a slash are looked up in $PATH, others made absolute */
    newPath = g_strdup_printf("%s:%s", testTmpDir, oldPath ? oldPath : "/usr/bin");
    g_setenv("PATH", newPath, TRUE);
    resolved = spmQEMUCapsResolveBinary("qemu-in-path");
    g_setenv("PATH", oldPath ? oldPath : "/usr/bin:/bin", TRUE);
    if (!resolved || !SPM_STREQ(resolved, fake->binary))
        return -1;
    relative = spmQEMUCapsResolveBinary("./a/../b");
    if (!relative || !g_path_is_absolute(relative) || strstr(relative, ".."))
        return -1;
    if (spmQEMUCapsResolveBinary("no-such-qemu-anywhere") ||
        !strstr(spmGetLastError()->message, "cannot find QEMU binary 'no-such-qemu-anywhere'"))
        return -1;
    spmErrorReset();
    if (spmQEMUCapsLookup("/nonexistent/qemu", 0) ||
        !strstr(spmGetLastError()->message, "cannot access QEMU binary '/nonexistent/qemu'"))
        return -1;
    return 0;
}


static int
mymain(void)
{
    int ret = 0;
    static const testStampEdit edits[] = {
        /* dropping the first digit keeps a valid, different number */
        {"binary ctime", "ctime='\\d(\\d+)'", "ctime='\\1'"},
        {"binary mtime", "mtime='\\d(\\d+)' size", "mtime='\\1' size"},
        {"binary size", "size='\\d(\\d+)'", "size='\\1'"},
        {"binary inode", "inode='\\d(\\d+)'", "inode='\\1'"},
        {"binary device", "dev='(\\d+)'", "dev='1\\1'"},
        {"module directory path", "<moduleDir path='([^']*)'", "<moduleDir path='\\1x'"},
        {"module directory mtime", "<moduleDir path='([^']*)' mtime='\\d(\\d+)'",
         "<moduleDir path='\\1' mtime='\\2'"},
        {"module directory gone", "<moduleDir path='[^']*' mtime='\\d+'/>", "<moduleDir/>"},
        {"virt-spm version", "<selfVersion>[^<]*<", "<selfVersion>0.0.1<"},
        {"no stamp", "<stamp>[^$]*</stamp>\\n", ""},
    };
    static const testCorruption corruptions[] = {
        {"empty", ""},
        {"truncated", NULL},
        {"random bytes", NULL},
        {"not XML", "{\"return\": {}}"},
        {"foreign XML", "<domain type='kvm'><name>x</name></domain>"},
        {"unknown flag",
         "<spmQEMUCaps><emulator>x</emulator><version>1</version>"
         "<arch>x86_64</arch><flag name='from-the-future'/></spmQEMUCaps>"},
        {"another binary", NULL},
        {"a directory", NULL},
    };
    size_t i;

    testTmpDir = g_dir_make_tmp("spmcapscachetest-XXXXXX", NULL);
    testCacheDir = g_build_filename(testTmpDir, "cache", NULL);
    testProbeDir = g_build_filename(testTmpDir, "probes", NULL);
    testModDir = g_build_filename(testTmpDir, "modules", NULL);
    if (!testTmpDir || mkdir(testProbeDir, 0700) < 0 || mkdir(testModDir, 0755) < 0)
        return -1;
    g_setenv("VIRT_SPM_CACHE_DIR", testCacheDir, TRUE);
    g_setenv("QEMU_MODULE_DIR", testModDir, TRUE);
    testOpts.tmpdir = testProbeDir;
    testOpts.startTimeoutMs = 10000;

    if (spmTestRun("cache hit", testCacheHit, NULL) < 0)
        ret = -1;
    if (spmTestRun("--no-cache writes nothing", testCacheNoCacheWrites, NULL) < 0)
        ret = -1;
    for (i = 0; i < G_N_ELEMENTS(edits); i++) {
        g_autofree char *title = g_strdup_printf("invalidated by the %s", edits[i].title);

        if (spmTestRun(title, testCacheStampPart, &edits[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("invalidated by real changes", testCacheRealChanges, NULL) < 0)
        ret = -1;
    for (i = 0; i < G_N_ELEMENTS(corruptions); i++) {
        g_autofree char *title = g_strdup_printf("corrupt cache: %s", corruptions[i].title);

        if (spmTestRun(title, testCacheCorruption, &corruptions[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("concurrent writers", testCacheConcurrent, NULL) < 0)
        ret = -1;
    if (spmTestRun("unwritable cache directory", testCacheUnwritable, NULL) < 0)
        ret = -1;
    if (spmTestRun("cache paths and binary names", testCachePaths, NULL) < 0)
        ret = -1;

    {
        g_autoptr(GDir) probes = g_dir_open(testProbeDir, 0, NULL);

        if (!probes || g_dir_read_name(probes)) {
            printf("# probes left something behind\n");
            ret = -1;
        }
    }
    if (spmTestRemoveTree(testTmpDir) < 0)
        ret = -1;
    g_free(testTmpDir);
    g_free(testCacheDir);
    g_free(testProbeDir);
    g_free(testModDir);
    return ret;
}

SPM_TEST_MAIN(mymain)
