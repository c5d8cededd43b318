/*
 * shimtest.c: the virt-spm-shim program and the emulator link helper
 *
 * Usage (from meson): shimtest SHIM ARGVDUMP
 * An emulator link directory is made in a private temp dir with `target`
 * -> ARGVDUMP (tests/argvdump.c), then the shim is started through the link
 * the way libvirt starts QEMU, and what ARGVDUMP prints is checked: same
 * pid (exec in place), inherited descriptor still open, argv rewritten or
 * passed through; on refusal the shim exits 1 and ARGVDUMP never runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "shim_emulator_link.h"
#include "shim_launch_data.h"
#include "shim_typed_domains.h"
#include "spmerror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* the descriptor the parent leaves open, as libvirt does with the monitor */
#define SHIM_TEST_FD 42

static const char *shimPath;
static const char *argvdumpPath;
static char *tmpDir;

typedef struct _shimRun shimRun;
struct _shimRun {
    pid_t pid;
    int status;
    char *out;
    char *err;
};

static void
shimRunClear(shimRun *run)
{
    g_free(run->out);
    g_free(run->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(shimRun, shimRunClear);

/* fork + exec @path with @argv (argv[0] as given) and fd SHIM_TEST_FD open;
 * stdout and stderr go to files. */
static int
shimSpawn(const char *path, const char *const *argv, shimRun *run)
{
    g_autofree char *outPath = g_build_filename(tmpDir, "stdout", NULL);
    g_autofree char *errPath = g_build_filename(tmpDir, "stderr", NULL);
    int outfd = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int errfd = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int keepfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid;

    if (outfd < 0 || errfd < 0 || keepfd < 0)
        return -1;
    fflush(stdout);
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        if (dup2(outfd, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0 ||
            dup2(keepfd, SHIM_TEST_FD) < 0)
            _exit(127);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(outfd);
    close(errfd);
    close(keepfd);
    run->pid = pid;
    if (waitpid(pid, &run->status, 0) != pid)
        return -1;
    if (!g_file_get_contents(outPath, &run->out, NULL, NULL) ||
        !g_file_get_contents(errPath, &run->err, NULL, NULL))
        return -1;
    unlink(outPath);
    unlink(errPath);
    return 0;
}

/* Checks argvdump's report: pid of the spawned process, the kept fd, and
 * "arg" lines equal to @expect (argv[0] included). */
static int
shimCheckDump(const shimRun *run, const char *const *expect)
{
    g_autoptr(GString) want = g_string_new(NULL);
    g_autofree char *pidLine = g_strdup_printf("pid %lld\n", (long long)run->pid);
    g_autofree char *fdLine = g_strdup_printf("\nfd %d\n", SHIM_TEST_FD);
    const char *args;
    size_t i;

    if (!WIFEXITED(run->status) || WEXITSTATUS(run->status) != 0) {
        printf("# exit status %d, stderr: %s\n", run->status, run->err);
        return -1;
    }
    if (!g_str_has_prefix(run->out, pidLine)) {
        printf("# pid changed: spawned %lld, output:\n# %s\n", (long long)run->pid, run->out);
        return -1;
    }
    if (!strstr(run->out, fdLine)) {
        printf("# inherited fd %d was not kept open\n", SHIM_TEST_FD);
        return -1;
    }
    for (i = 0; expect[i]; i++)
        g_string_append_printf(want, "arg %s\n", expect[i]);
    if (!(args = strstr(run->out, "\narg ")) || !SPM_STREQ(args + 1, want->str)) {
        printf("# argv differs:\n# got: %s\n# want: %s\n", args ? args + 1 : "", want->str);
        return -1;
    }
    return 0;
}

static int
shimCheckRefused(const shimRun *run, const char *message)
{
    if (!WIFEXITED(run->status) || WEXITSTATUS(run->status) != 1) {
        printf("# exit status %d, expected 1\n", run->status);
        return -1;
    }
    if (*run->out) {
        printf("# the target ran: %s\n", run->out);
        return -1;
    }
    if (!strstr(run->err, "virt-spm-shim: error: ") || !strstr(run->err, message)) {
        printf("# stderr '%s' lacks '%s'\n", run->err, message);
        return -1;
    }
    return 0;
}

static char *
shimMakeLink(const char *sub, const char *target)
{
    g_autofree char *base = g_build_filename(tmpDir, sub, NULL);
    char *link = NULL;

    if (spmEmulatorLinkCreate(base, target, shimPath, &link) < 0)
        return NULL;
    return link;
}

#define SHIM_JSON_RAM0 \
    "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node0\",\"size\":2147483648}"
#define SHIM_JSON_RAM1 \
    "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node1\",\"size\":1073741824}"
/* libvirt's memory arguments for a 2 GiB cell 0 with vCPUs and a 1 GiB cell 1 */
#define SHIM_NUMA2_ARGS                                                                          \
    "-m", "3072", "-object", SHIM_JSON_RAM0, "-numa", "node,nodeid=0,cpus=0-1,memdev=ram-node0", \
        "-object", SHIM_JSON_RAM1, "-numa", "node,nodeid=1,memdev=ram-node1"
#define SHIM_DATA                                                  \
    "v=1,form=sp-mem,maxmem=3221225472,slots=0,node.1.memmap=spm," \
    "node.1.addr=0x100000000,node.1.size=1073741824"

static int
testRewrite(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *link = shimMakeLink("emulators", argvdumpPath);
    g_auto(shimRun) run = {0};
    const char *argv[] = {NULL,
                          "-name",
                          "guest=spm,,x",
                          SHIM_NUMA2_ARGS,
                          "-device",
                          "{\"driver\":\"pc-dimm\"}",
                          "-virt-spm-launch",
                          SHIM_DATA,
                          "-msg",
                          "timestamp=on",
                          NULL};
    const char *expect[] = {argvdumpPath,
                            "-name",
                            "guest=spm,,x",
                            "-m",
                            "size=2097152k,maxmem=3145728k",
                            "-object",
                            SHIM_JSON_RAM0,
                            "-numa",
                            "node,nodeid=0,cpus=0-1,memdev=ram-node0",
                            "-object",
                            SHIM_JSON_RAM1,
                            "-numa",
                            "node,nodeid=1",
                            "-device",
                            "{\"driver\":\"sp-mem\",\"id\":\"spm-node1\",\"memdev\":\"ram-node1\","
                            "\"node\":1,\"addr\":4294967296}",
                            "-device",
                            "{\"driver\":\"pc-dimm\"}",
                            "-msg",
                            "timestamp=on",
                            NULL};

    if (!link)
        return -1;
    argv[0] = link;
    if (shimSpawn(link, argv, &run) < 0)
        return -1;
    if (shimCheckDump(&run, expect) < 0)
        return -1;
    /* one line in the domain log with what QEMU really got */
    if (!g_str_has_prefix(run.err, "virt-spm-shim: exec: ") ||
        !strstr(run.err, " -m size=2097152k,maxmem=3145728k ")) {
        printf("# stderr: %s\n", run.err);
        return -1;
    }
    return 0;
}

static int
testPassThrough(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *link = shimMakeLink("emulators", argvdumpPath);
    g_auto(shimRun) run = {0};
    /* libvirt's capability probe, plus arguments a rewrite would touch */
    const char *argv[] = {NULL,
                          "-S",
                          "-no-user-config",
                          "-nodefaults",
                          "-nographic",
                          "-machine",
                          "none,accel=kvm:tcg",
                          "-m",
                          "3072",
                          "-numa",
                          "node,nodeid=0,memdev=x",
                          "--virt-spm-launch",
                          "",
                          "a,,b",
                          NULL};
    const char *expect[G_N_ELEMENTS(argv)];
    size_t i;

    if (!link)
        return -1;
    argv[0] = link;
    for (i = 0; i < G_N_ELEMENTS(argv); i++)
        expect[i] = argv[i];
    expect[0] = argvdumpPath;
    if (shimSpawn(link, argv, &run) < 0 || shimCheckDump(&run, expect) < 0)
        return -1;
    if (*run.err) {
        printf("# unexpected stderr: %s\n", run.err);
        return -1;
    }
    return 0;
}

typedef struct _refusal refusal;
struct _refusal {
    const char *name;
    const char *data;   /* NULL: no launch arguments */
    const char *target; /* NULL: argvdump */
    bool direct;        /* run the shim binary itself, not a link */
    const char *message;
};

static int
testRefused(const void *opaque)
{
    const refusal *tc = opaque;
    g_autofree char *sub = g_strdup_printf("emulators-%s", tc->name);
    g_autofree char *link = NULL;
    g_auto(shimRun) run = {0};
    const char *argv[] = {NULL, SHIM_NUMA2_ARGS, "-virt-spm-launch", tc->data, NULL};

    if (tc->direct) {
        link = g_strdup(shimPath);
    } else if (!(link = shimMakeLink(sub, tc->target ? tc->target : argvdumpPath))) {
        return -1;
    }
    argv[0] = link;
    if (shimSpawn(link, argv, &run) < 0)
        return -1;
    return shimCheckRefused(&run, tc->message);
}

#define SHIM_UUID "c7a5fdbd-edaf-9455-926a-d65c16db1809"

typedef enum {
    SHIM_UNLISTED,   /* not in the register: passes through */
    SHIM_LISTED,     /* virt-spm defined it with typed cells: refused */
    SHIM_UNREADABLE, /* the register cannot be read: refused */
} shimGuestCase;

/* A guest launch through the shim without launch data, as libvirt starts
 * it (-name, -uuid): a guest without typed cells runs untouched; one that
 * `virt-spm define` listed would boot its typed cells as plain RAM, so
 * nothing runs, and neither when the register cannot be read. */
static int
testGuestWithoutData(const void *opaque)
{
    shimGuestCase kind = GPOINTER_TO_INT(opaque);
    g_autofree char *sub = g_strdup_printf("emulators-nodata-guest-%d", (int)kind);
    g_autofree char *link = shimMakeLink(sub, argvdumpPath);
    g_autofree char *base = g_build_filename(tmpDir, sub, NULL);
    g_autofree char *regdir = g_build_filename(base, SPM_TYPED_DOMAINS_DIR, NULL);
    g_auto(shimRun) run = {0};
    const char *argv[] = {
        NULL, "-name", "guest=spm,debug-threads=on", "-uuid", SHIM_UUID, SHIM_NUMA2_ARGS, NULL};
    const char *expect[G_N_ELEMENTS(argv)];
    size_t i;

    if (!link)
        return -1;
    if (kind == SHIM_UNREADABLE) {
        /* a file where the register's directory belongs: ENOTDIR */
        if (!g_file_set_contents(regdir, "", 0, NULL))
            return -1;
    } else if (spmTypedDomainsAdd(base, "00000000-0000-0000-0000-000000000001", "other") < 0) {
        /* another domain is listed */
        return -1;
    }
    if (kind == SHIM_LISTED &&
        spmTypedDomainsAdd(base, "C7A5FDBDEDAF9455926AD65C16DB1809", "spm") < 0)
        return -1;
    argv[0] = link;
    for (i = 0; i < G_N_ELEMENTS(argv); i++)
        expect[i] = argv[i];
    expect[0] = argvdumpPath;
    if (shimSpawn(link, argv, &run) < 0)
        return -1;
    switch (kind) {
    case SHIM_UNLISTED:
        if (shimCheckDump(&run, expect) < 0)
            return -1;
        if (*run.err) {
            printf("# unexpected stderr: %s\n", run.err);
            return -1;
        }
        return 0;
    case SHIM_LISTED:
        return shimCheckRefused(&run, "domain " SHIM_UUID " has SPM-typed cells");
    case SHIM_UNREADABLE:
        return shimCheckRefused(&run, "cannot tell whether");
    }
    return -1;
}

/* ---- the register of typed domains ---- */

static int
testTypedDomains(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *base = g_build_filename(tmpDir, "register", NULL);
    g_autofree char *entry =
        g_build_filename(base, SPM_TYPED_DOMAINS_DIR, "c7a5fdbd-edaf-9455-926a-d65c16db1809", NULL);
    g_autofree char *text = NULL;
    g_autofree char *linkBase = spmTypedDomainsBaseFromLink("/b/ase/0123/qemu-system-x86_64");
    struct stat sb;

    if (!SPM_STREQ(linkBase, "/b/ase")) {
        printf("# base of a link: %s\n", linkBase);
        return -1;
    }
    if (spmTypedDomainsLookup(base, SHIM_UUID) != 0)
        return -1;
    /* any spelling libvirt accepts lands on the one canonical entry */
    if (spmTypedDomainsAdd(base, " C7A5FDBD-EDAF-9455-926A-D65C16DB1809\n", "spm") < 0 ||
        spmTypedDomainsLookup(base, "c7a5fdbdedaf9455926ad65c16db1809") != 1)
        return -1;
    if (!g_file_get_contents(entry, &text, NULL, NULL) || !SPM_STREQ(text, "spm\n") ||
        stat(entry, &sb) < 0 || (sb.st_mode & 0777) != 0644) {
        printf("# entry '%s' is wrong\n", entry);
        return -1;
    }
    if (spmTypedDomainsAdd(base, SHIM_UUID, "renamed") < 0 ||
        spmTypedDomainsRemove(base, SHIM_UUID) < 0 || spmTypedDomainsLookup(base, SHIM_UUID) != 0 ||
        spmTypedDomainsRemove(base, SHIM_UUID) < 0)
        return -1;
    /* not UUIDs: refused with an error, nothing written */
    spmErrorReset();
    if (spmTypedDomainsAdd(base, "../../etc/passwd", "x") != -1 ||
        spmTypedDomainsLookup(base, "c7a5fdbd-edaf-9455-926a-d65c16db180") != -1 ||
        spmTypedDomainsRemove(base, "") != -1 || spmErrorCount() != 3 ||
        !spmErrorHasCode(SPM_ERR_INVALID_ARG))
        return -1;
    spmErrorReset();
    return 0;
}

/* Whether a start without launch data may go on: decided once for the shim
 * and the hook. */
static int
testStartWithoutLaunchData(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *base = g_build_filename(tmpDir, "startcheck", NULL);
    g_autofree char *blocked = g_build_filename(tmpDir, "startcheck-blocked", NULL);
    const spmError *err;

    spmErrorReset();
    /* not a guest, or a guest virt-spm did not list: it starts */
    if (spmTypedDomainsCheckStartWithoutLaunchData(base, NULL) != 0 ||
        spmTypedDomainsCheckStartWithoutLaunchData(base, SHIM_UUID) != 0 || spmErrorCount() != 0)
        return -1;
    /* listed: refused, with the reason */
    if (spmTypedDomainsAdd(base, SHIM_UUID, "spm") < 0 ||
        spmTypedDomainsCheckStartWithoutLaunchData(base, SHIM_UUID) != 1 || spmErrorCount() != 1 ||
        !(err = spmGetLastError()) || err->code != SPM_ERR_OPERATION_INVALID ||
        !strstr(err->message, "domain " SHIM_UUID " has SPM-typed cells") ||
        !strstr(err->message, "lost '" SPM_LAUNCH_OPTION "'")) {
        printf("# listed domain: %s\n", spmErrorCount() ? spmGetLastError()->message : "no error");
        return -1;
    }
    spmErrorReset();
    /* nobody can tell: refused with an error */
    if (!g_file_set_contents(blocked, "", 0, NULL) ||
        spmTypedDomainsCheckStartWithoutLaunchData(blocked, SHIM_UUID) != -1 ||
        spmErrorCount() != 1 ||
        spmTypedDomainsCheckStartWithoutLaunchData(base, "not-a-uuid") != -1 ||
        spmErrorCount() != 2) {
        printf("# an unreadable register or a bad UUID is not refused\n");
        return -1;
    }
    spmErrorReset();
    return spmTypedDomainsRemove(base, SHIM_UUID);
}

/* ---- the emulator link helper ---- */

static int
testLinkCreate(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *base = g_build_filename(tmpDir, "links", NULL);
    g_autofree char *hash =
        g_compute_checksum_for_string(G_CHECKSUM_SHA256, "/usr/bin/qemu-system-x86_64", -1);
    g_autofree char *want = g_build_filename(base, hash, "qemu-system-x86_64", NULL);
    g_autofree char *targetPath = g_build_filename(base, hash, "target", NULL);
    g_autofree char *link = NULL;
    g_autofree char *link2 = NULL;
    g_autofree char *link3 = NULL;
    g_autofree char *emulator = NULL;
    g_autofree char *dest = NULL;
    g_autofree char *computed = spmEmulatorLinkPath(base, "/usr/bin/qemu-system-x86_64");
    g_autofree char *linkDir = NULL;
    struct stat sb;

    if (!computed || !SPM_STREQ(computed, want))
        return -1;
    if (spmEmulatorLinkCreate(base, "/usr/bin/qemu-system-x86_64", "/opt/shim", &link) < 0 ||
        !SPM_STREQ(link, want))
        return -1;
    if (!(dest = g_file_read_link(link, NULL)) || !SPM_STREQ(dest, "/opt/shim"))
        return -1;
    g_clear_pointer(&dest, g_free);
    linkDir = g_path_get_dirname(link);
    if (stat(linkDir, &sb) < 0 || (sb.st_mode & 0777) != 0755)
        return -1;
    if (spmEmulatorLinkGetTarget(link, &emulator) != 1 ||
        !SPM_STREQ(emulator, "/usr/bin/qemu-system-x86_64"))
        return -1;
    /* idempotent */
    if (spmEmulatorLinkCreate(base, "/usr/bin/qemu-system-x86_64", "/opt/shim", &link2) < 0 ||
        !SPM_STREQ(link2, want))
        return -1;
    /* a reinstalled shim and a broken target are repaired in place */
    if (unlink(targetPath) < 0 || symlink("/wrong", targetPath) < 0)
        return -1;
    if (spmEmulatorLinkCreate(base, "/usr/bin/qemu-system-x86_64", "/usr/shim", &link3) < 0)
        return -1;
    if (!(dest = g_file_read_link(link3, NULL)) || !SPM_STREQ(dest, "/usr/shim"))
        return -1;
    g_clear_pointer(&dest, g_free);
    if (!(dest = g_file_read_link(targetPath, NULL)) ||
        !SPM_STREQ(dest, "/usr/bin/qemu-system-x86_64"))
        return -1;
    /* no temporary entries are left behind */
    {
        g_autoptr(GDir) dir = g_dir_open(base, 0, NULL);
        g_autofree char *sub = g_build_filename(base, hash, NULL);
        g_autoptr(GDir) dir2 = g_dir_open(sub, 0, NULL);
        const char *name;
        size_t n = 0;

        while (dir && (name = g_dir_read_name(dir)))
            n++;
        while (dir2 && (name = g_dir_read_name(dir2)))
            n++;
        if (n != 3) {
            printf("# %zu entries, expected 3\n", n);
            return -1;
        }
    }
    /* a path that is not a link */
    g_clear_pointer(&emulator, g_free);
    if (spmEmulatorLinkGetTarget("/usr/bin/qemu-system-x86_64", &emulator) != 0)
        return -1;
    return 0;
}

static void *
shimLinkThread(void *opaque)
{
    const char *base = opaque;
    g_autofree char *link = NULL;

    if (spmEmulatorLinkCreate(base, "/usr/bin/qemu-system-x86_64", "/opt/shim", &link) < 0)
        return GINT_TO_POINTER(1);
    return NULL;
}

/* Several threads create the same directory at once: all succeed, and what
 * stays is one complete directory without temporary entries. */
static int
testLinkConcurrent(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *base = g_build_filename(tmpDir, "links-race", NULL);
    g_autoptr(GDir) dir = NULL;
    const char *name;
    GThread *threads[8];
    size_t n = 0;
    size_t i;
    int ret = 0;

    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("link", shimLinkThread, base);
    for (i = 0; i < G_N_ELEMENTS(threads); i++) {
        if (g_thread_join(threads[i]))
            ret = -1;
    }
    if (!(dir = g_dir_open(base, 0, NULL)))
        return -1;
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *sub = g_build_filename(base, name, NULL);
        g_autofree char *target = g_build_filename(sub, "target", NULL);
        g_autofree char *dest = g_file_read_link(target, NULL);

        if (!dest || !SPM_STREQ(dest, "/usr/bin/qemu-system-x86_64"))
            ret = -1;
        n++;
    }
    if (n != 1) {
        printf("# %zu entries in %s, expected 1\n", n, base);
        ret = -1;
    }
    return ret;
}

static int
testLinkInvalid(const void *opaque G_GNUC_UNUSED)
{
    const char *bad[] = {
        "qemu-system-x86_64", "/usr/bin/../bin/qemu", "/usr/bin/qemu/", "/usr//bin/qemu",
        "/usr/bin/./qemu",    "/opt/target",          "/opt/.hidden",   "/",
    };
    g_autofree char *base = g_build_filename(tmpDir, "links-bad", NULL);
    g_autofree char *file = g_build_filename(tmpDir, "afile", NULL);
    g_autofree char *fileBase = g_build_filename(file, "sub", NULL);
    g_autofree char *link = NULL;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (spmEmulatorLinkCreate(base, bad[i], "/opt/shim", &link) == 0) {
            printf("# '%s' accepted\n", bad[i]);
            return -1;
        }
        if (spmErrorCount() != 1)
            return -1;
        spmErrorReset();
    }
    if (spmEmulatorLinkCreate(base, "/usr/bin/qemu", "shim", &link) == 0)
        return -1;
    spmErrorReset();
    if (!g_file_set_contents(file, "", 0, NULL))
        return -1;
    if (spmEmulatorLinkCreate(fileBase, "/usr/bin/qemu", "/opt/shim", &link) == 0)
        return -1;
    spmErrorReset();
    unlink(file);
    return g_file_test(base, G_FILE_TEST_EXISTS) ? -1 : 0;
}

static int
mymain(void)
{
    static const refusal refusals[] = {
        {"version", "v=2,form=sp-mem", NULL, false, "unsupported launch data version '2'"},
        {"size",
         "v=1,form=sp-mem,maxmem=3221225472,node.1.memmap=spm,"
         "node.1.addr=0x100000000,node.1.size=2147483648",
         NULL, false, "has 1073741824 bytes, launch data 2147483648"},
        {"nodata", "", NULL, false, "launch data has no version"},
        {"novalue", NULL, NULL, false, "'-virt-spm-launch' has no value"},
        {"direct", SHIM_DATA, NULL, true, "is not a virt-spm emulator link"},
        {"loop", SHIM_DATA, NULL, false, "is the shim itself"},
        {"missing", SHIM_DATA, "/nonexistent/qemu-system-x86_64", false,
         "cannot execute '/nonexistent/qemu-system-x86_64'"},
    };
    int ret = 0;
    size_t i;

    if (!(tmpDir = g_dir_make_tmp("shimtest-XXXXXX", NULL)))
        return -1;

    if (spmTestRun("shim rewrites and execs in place", testRewrite, NULL) < 0)
        ret = -1;
    if (spmTestRun("shim passes through without launch data", testPassThrough, NULL) < 0)
        ret = -1;
    if (spmTestRun("shim passes a guest without typed cells through", testGuestWithoutData,
                   GINT_TO_POINTER(SHIM_UNLISTED)) < 0)
        ret = -1;
    if (spmTestRun("shim refuses a guest without launch data that virt-spm listed as typed",
                   testGuestWithoutData, GINT_TO_POINTER(SHIM_LISTED)) < 0)
        ret = -1;
    if (spmTestRun("shim refuses a guest when the register cannot be read", testGuestWithoutData,
                   GINT_TO_POINTER(SHIM_UNREADABLE)) < 0)
        ret = -1;
    if (spmTestRun("register of typed domains", testTypedDomains, NULL) < 0)
        ret = -1;
    if (spmTestRun("register of typed domains decides a start without launch data",
                   testStartWithoutLaunchData, NULL) < 0)
        ret = -1;
    for (i = 0; i < G_N_ELEMENTS(refusals); i++) {
        g_autofree char *title = g_strdup_printf("shim refuses: %s", refusals[i].name);
        const refusal *tc = &refusals[i];
        refusal loop = *tc;

        if (SPM_STREQ(tc->name, "loop")) {
            loop.target = shimPath;
            tc = &loop;
        }
        if (spmTestRun(title, testRefused, tc) < 0)
            ret = -1;
    }
    if (spmTestRun("emulator link create", testLinkCreate, NULL) < 0)
        ret = -1;
    if (spmTestRun("emulator link concurrent", testLinkConcurrent, NULL) < 0)
        ret = -1;
    if (spmTestRun("emulator link invalid", testLinkInvalid, NULL) < 0)
        ret = -1;

    if (spmTestRemoveTree(tmpDir) < 0) {
        fprintf(stderr, "cannot remove %s: %s\n", tmpDir, g_strerror(errno));
        ret = -1;
    }
    g_free(tmpDir);
    return ret;
}

int
main(int argc, char **argv)
{
    if (argc != 3 || !g_path_is_absolute(argv[1]) || !g_path_is_absolute(argv[2])) {
        fprintf(stderr, "usage: %s /path/to/virt-spm-shim /path/to/argvdump\n", argv[0]);
        return 1;
    }
    shimPath = argv[1];
    argvdumpPath = argv[2];
    return spmTestMain(argc, argv, mymain);
}
