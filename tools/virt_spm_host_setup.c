/*
 * virt_spm_host_setup.c: "virt-spm host-setup": the shim in front of the
 * host's default QEMU, for guests that other tools (OpenStack Nova) define
 *
 * Nova never sets <emulator>, so libvirt runs its default QEMU
 * (/usr/bin/qemu-system-x86_64 on Debian).  --install diverts that file
 * with dpkg-divert (package upgrades then install the new QEMU under the
 * diverted name) and puts there a symbolic link to a virt-spm emulator link
 * (shim_emulator_link.h) whose target is the real QEMU: the diverted binary,
 * or --qemu PATH.  --remove undoes it; --status reports it.
 *
 *   PATH            -> BASE/<hash>/<name>  -> the shim
 *                      BASE/<hash>/target  -> the real QEMU
 *   PATH.distrib       the diverted binary (dpkg-divert --rename)
 *
 * libvirt keeps the capabilities of PATH until the ctime of the file PATH
 * resolves to changes: install and remove change it, so that libvirt probes
 * again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "virt_spm_domain.h"
#include "shim_emulator_link.h"
#include "spmenum.h"
#include "spmerror.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

#define SPM_HOST_SETUP_PACKAGE "virt-spm"
#define SPM_HOST_SETUP_SUFFIX ".distrib"
#define SPM_HOST_SETUP_DEFAULT_EMULATOR "/usr/bin/qemu-system-x86_64"

/* The QEMU binaries host-setup may divert, and the Debian packages that
 * ship them. */
typedef struct {
    const char *path;
    const char *package;
} spmHostSetupKnownQEMU;

static const spmHostSetupKnownQEMU spmHostSetupKnown[] = {
    {"/usr/bin/qemu-system-x86_64", "qemu-system-x86"},
    {"/usr/bin/qemu-system-aarch64", "qemu-system-arm"},
};

typedef enum {
    SPM_HOST_SETUP_NOT_INSTALLED = 0, /* not diverted */
    SPM_HOST_SETUP_INSTALLED,         /* diverted by virt-spm, the link in place */
    SPM_HOST_SETUP_DIVERTED_ONLY,     /* diverted by virt-spm, no link of ours */
    SPM_HOST_SETUP_FOREIGN,           /* diverted by someone else */

    SPM_HOST_SETUP_LAST
} spmHostSetupState;
SPM_ENUM_DECL(spmHostSetupState);
SPM_ENUM_IMPL(spmHostSetupState, SPM_HOST_SETUP_LAST, "not-installed", "installed", "diverted-only",
              "foreign-diversion");

typedef struct {
    spmHostSetupState state;
    char *holder;   /* the package holding the diversion, or NULL */
    char *diverted; /* PATH.distrib */
    char *linkPath; /* the emulator link PATH points at */
    char *real;     /* its target */
} spmHostSetupInfo;

static void
spmHostSetupInfoClear(spmHostSetupInfo *info)
{
    g_free(info->holder);
    g_free(info->diverted);
    g_free(info->linkPath);
    g_free(info->real);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(spmHostSetupInfo, spmHostSetupInfoClear);

/* Runs @argv; its standard output (stripped) in *@out.  -1 with an error
 * when it cannot run or fails. */
static int
spmHostSetupRun(const char *const *argv, char **out)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *sout = NULL;
    g_autofree char *serr = NULL;
    g_autofree char *cmd = g_strjoinv(" ", (char **)argv);
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &sout, &serr,
                      &status, &err)) {
        spmReportError(SPM_ERR_OPERATION_FAILED, _("cannot run '%1$s': %2$s"), cmd, err->message);
        return -1;
    }
    if (!g_spawn_check_wait_status(status, &err)) {
        spmReportError(SPM_ERR_OPERATION_FAILED, _("'%1$s' failed: %2$s"), cmd, g_strstrip(serr));
        return -1;
    }
    if (out)
        *out = g_strdup(g_strstrip(sout));
    return 0;
}

static const spmHostSetupKnownQEMU *
spmHostSetupLookupKnown(const char *path)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(spmHostSetupKnown); i++) {
        if (SPM_STREQ(spmHostSetupKnown[i].path, path))
            return &spmHostSetupKnown[i];
    }
    return NULL;
}

static int
spmHostSetupInspect(const char *path, spmHostSetupInfo *info)
{
    const char *listArgv[] = {"dpkg-divert", "--listpackage", path, NULL};
    const char *nameArgv[] = {"dpkg-divert", "--truename", path, NULL};
    g_autofree char *holder = NULL;
    g_autofree char *truename = NULL;

    if (spmHostSetupRun(listArgv, &holder) < 0)
        return -1;
    if (!*holder) {
        info->state = SPM_HOST_SETUP_NOT_INSTALLED;
        return 0;
    }
    info->holder = g_steal_pointer(&holder);
    if (!SPM_STREQ(info->holder, SPM_HOST_SETUP_PACKAGE)) {
        info->state = SPM_HOST_SETUP_FOREIGN;
        return 0;
    }
    if (spmHostSetupRun(nameArgv, &truename) < 0)
        return -1;
    info->diverted = g_steal_pointer(&truename);
    if (spmEmulatorLinkResolve(path, &info->linkPath, &info->real) > 0 &&
        !SPM_STREQ(info->linkPath, path))
        info->state = SPM_HOST_SETUP_INSTALLED;
    else
        info->state = SPM_HOST_SETUP_DIVERTED_ONLY;
    return 0;
}

/* A new ctime on the file @path resolves to, so that libvirt probes it again. */
static int
spmHostSetupTouch(const char *path)
{
    struct stat sb;

    if (stat(path, &sb) < 0 || chmod(path, sb.st_mode & 07777) < 0) {
        spmReportSystemError(errno, _("cannot refresh the status change time of '%1$s'"), path);
        return -1;
    }
    return 0;
}

/* @path becomes a symbolic link to @dest, atomically. */
static int
spmHostSetupLink(const char *path, const char *dest)
{
    g_autofree char *tmp = g_strdup_printf("%s.virt-spm-new", path);

    unlink(tmp);
    if (symlink(dest, tmp) < 0) {
        spmReportSystemError(errno, _("cannot create the link '%1$s'"), tmp);
        return -1;
    }
    if (rename(tmp, path) < 0) {
        spmReportSystemError(errno, _("cannot rename '%1$s' to '%2$s'"), tmp, path);
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int
spmHostSetupCheckOwner(const char *path, const spmHostSetupKnownQEMU *known)
{
    const char *argv[] = {"dpkg-query", "-S", path, NULL};
    g_autofree char *out = NULL;
    g_autofree char *expect = NULL;
    struct stat sb;

    if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        spmReportError(
            SPM_ERR_OPERATION_INVALID,
            _("'%1$s' is not a regular file: host-setup puts the shim only in front of the QEMU binary of a Debian package"),
            path);
        return -1;
    }
    if (spmHostSetupRun(argv, &out) < 0) {
        spmReportError(
            SPM_ERR_OPERATION_INVALID,
            _("'%1$s' belongs to no Debian package: host-setup diverts only the QEMU of package '%2$s'; install that package, or define guests with 'virt-spm define'"),
            path, known->package);
        return -1;
    }
    expect = g_strdup_printf("%s: %s", known->package, path);
    if (!SPM_STREQ(out, expect)) {
        spmReportError(
            SPM_ERR_OPERATION_INVALID,
            _("'%1$s' belongs to '%2$s', not to package '%3$s': host-setup diverts only the QEMU binaries of the packages it knows"),
            path, out, known->package);
        return -1;
    }
    return 0;
}

/* The real QEMU behind the shim: @qemu, else the diverted binary. */
static char *
spmHostSetupRealQEMU(const char *qemu, const char *diverted, const char *shim)
{
    g_autofree char *real = NULL;
    struct stat sb;
    struct stat shimsb;

    if (!qemu)
        return g_strdup(diverted);
    if (!g_path_is_absolute(qemu)) {
        g_autofree char *cwd = g_get_current_dir();

        real = g_build_filename(cwd, qemu, NULL);
    } else {
        real = g_strdup(qemu);
    }
    if (stat(real, &sb) < 0 || !S_ISREG(sb.st_mode) || access(real, X_OK) < 0) {
        spmReportError(SPM_ERR_INVALID_ARG,
                       _("--qemu '%1$s' is not an executable file: name the real QEMU binary"),
                       qemu);
        return NULL;
    }
    if (stat(shim, &shimsb) == 0 && shimsb.st_dev == sb.st_dev && shimsb.st_ino == sb.st_ino) {
        spmReportError(SPM_ERR_INVALID_ARG, _("--qemu '%1$s' is virt-spm's shim, not a QEMU"),
                       qemu);
        return NULL;
    }
    return g_steal_pointer(&real);
}

static int
spmHostSetupInstall(const char *path, const char *qemu)
{
    g_auto(spmHostSetupInfo) info = {0};
    const spmHostSetupKnownQEMU *known = spmHostSetupLookupKnown(path);
    g_autofree char *shim = spmCliShimPath();
    g_autofree char *diverted = g_strconcat(path, SPM_HOST_SETUP_SUFFIX, NULL);
    g_autofree char *real = NULL;
    g_autofree char *linkPath = NULL;
    struct stat sb;

    if (!known) {
        spmReportError(
            SPM_ERR_INVALID_ARG,
            _("host-setup does not know '%1$s': it puts the shim in front of /usr/bin/qemu-system-x86_64 or /usr/bin/qemu-system-aarch64 only"),
            path);
        return SPM_EXIT_USAGE;
    }
    if (spmHostSetupInspect(path, &info) < 0)
        return SPM_EXIT_IO;
    if (info.state == SPM_HOST_SETUP_FOREIGN) {
        spmReportError(
            SPM_ERR_OPERATION_INVALID,
            _("'%1$s' is already diverted by '%2$s': host-setup will not take a diversion that someone else holds; remove it first ('dpkg-divert --list %1$s')"),
            path, info.holder);
        return SPM_EXIT_INVALID_CONFIG;
    }
    if (info.state == SPM_HOST_SETUP_NOT_INSTALLED) {
        if (spmHostSetupCheckOwner(path, known) < 0)
            return SPM_EXIT_INVALID_CONFIG;
    } else {
        g_free(diverted);
        diverted = g_strdup(info.diverted);
        /* diverted by us: PATH is our link, or absent (an interrupted run) */
        if (lstat(path, &sb) == 0 && info.state != SPM_HOST_SETUP_INSTALLED) {
            spmReportError(
                SPM_ERR_OPERATION_INVALID,
                _("'%1$s' is diverted by virt-spm but is not virt-spm's link: something replaced it; move it away and run 'virt-spm host-setup --install' again"),
                path);
            return SPM_EXIT_INVALID_CONFIG;
        }
    }
    if (!(real = spmHostSetupRealQEMU(qemu, diverted, shim)))
        return SPM_EXIT_USAGE;
    if (info.state == SPM_HOST_SETUP_NOT_INSTALLED) {
        const char *argv[] = {"dpkg-divert", "--package", SPM_HOST_SETUP_PACKAGE,
                              "--rename",    "--divert",  diverted,
                              "--add",       path,        NULL};

        if (spmHostSetupRun(argv, NULL) < 0)
            return SPM_EXIT_IO;
    }
    if (spmEmulatorLinkCreate(spmEmulatorLinkBaseDir(), real, shim, &linkPath) < 0 ||
        spmHostSetupLink(path, linkPath) < 0 || spmHostSetupTouch(path) < 0)
        return SPM_EXIT_IO;
    printf(
        _("%1$s: the shim is in front of '%2$s' (diverted to '%3$s'); the real QEMU is '%4$s'\n"),
        path, path, diverted, real);
    return SPM_EXIT_OK;
}

/* Removes the emulator link directory of @real when it is the diverted
 * binary (nobody else names that path); others may serve defined domains. */
static void
spmHostSetupRemoveLinkDir(const char *linkPath, const char *real, const char *diverted)
{
    g_autofree char *dir = NULL;
    g_autofree char *target = NULL;

    if (!linkPath || !real || !SPM_STREQ(real, diverted))
        return;
    dir = g_path_get_dirname(linkPath);
    target = g_build_filename(dir, SPM_EMULATOR_LINK_TARGET, NULL);
    unlink(linkPath);
    unlink(target);
    rmdir(dir);
}

static int
spmHostSetupRemove(const char *path)
{
    g_auto(spmHostSetupInfo) info = {0};
    struct stat sb;

    if (spmHostSetupInspect(path, &info) < 0)
        return SPM_EXIT_IO;
    switch (info.state) {
    case SPM_HOST_SETUP_NOT_INSTALLED:
        printf(_("%1$s: the shim is not installed there; nothing to do\n"), path);
        return SPM_EXIT_OK;
    case SPM_HOST_SETUP_FOREIGN:
        spmReportError(SPM_ERR_OPERATION_INVALID,
                       _("'%1$s' is diverted by '%2$s', not by virt-spm: leaving it alone"), path,
                       info.holder);
        return SPM_EXIT_INVALID_CONFIG;
    case SPM_HOST_SETUP_DIVERTED_ONLY:
        if (lstat(path, &sb) == 0) {
            spmReportError(
                SPM_ERR_OPERATION_INVALID,
                _("'%1$s' is diverted by virt-spm but is not virt-spm's link: something replaced it; move it away and run 'virt-spm host-setup --remove' again"),
                path);
            return SPM_EXIT_INVALID_CONFIG;
        }
        break;
    case SPM_HOST_SETUP_INSTALLED:
        if (unlink(path) < 0) {
            spmReportSystemError(errno, _("cannot remove '%1$s'"), path);
            return SPM_EXIT_IO;
        }
        break;
    case SPM_HOST_SETUP_LAST:
        break;
    }
    {
        const char *argv[] = {"dpkg-divert", "--package", SPM_HOST_SETUP_PACKAGE,
                              "--rename",    "--divert",  info.diverted,
                              "--remove",    path,        NULL};

        if (spmHostSetupRun(argv, NULL) < 0)
            return SPM_EXIT_IO;
    }
    spmHostSetupRemoveLinkDir(info.linkPath, info.real, info.diverted);
    if (spmHostSetupTouch(path) < 0)
        return SPM_EXIT_IO;
    printf(_("%1$s: restored; the shim is no longer in front of it\n"), path);
    return SPM_EXIT_OK;
}

static int
spmHostSetupStatus(const char *path)
{
    g_auto(spmHostSetupInfo) info = {0};

    if (spmHostSetupInspect(path, &info) < 0)
        return SPM_EXIT_IO;
    printf("emulator: %s\n", path);
    printf("state: %s\n", spmHostSetupStateTypeToString(info.state));
    if (info.holder)
        printf("diverted-by: %s\n", info.holder);
    if (info.diverted)
        printf("diverted-to: %s\n", info.diverted);
    if (info.linkPath)
        printf("emulator-link: %s\n", info.linkPath);
    if (info.real)
        printf("real-qemu: %s\n", info.real);
    return SPM_EXIT_OK;
}

static int
spmCmdHostSetup(spmCliContext *ctx, const spmCliCommand *cmd, const spmCliArgs *args)
{
    bool install = spmCliArgsFlag(args, "install");
    bool remove = spmCliArgsFlag(args, "remove");
    bool status = spmCliArgsFlag(args, "status");
    const char *qemu = spmCliArgsString(args, "qemu");
    const char *path = spmCliArgsString(args, "emulator");

    if (install + remove + status != 1)
        return spmCliUsageError(ctx, cmd, "%s",
                                _("give exactly one of --install, --remove and --status"));
    if (qemu && !install)
        return spmCliUsageError(ctx, cmd, "%s", _("--qemu goes with --install only"));
    if (!path)
        path = SPM_HOST_SETUP_DEFAULT_EMULATOR;
    if (install)
        return spmCliFinish(ctx, spmHostSetupInstall(path, qemu));
    if (remove)
        return spmCliFinish(ctx, spmHostSetupRemove(path));
    return spmCliFinish(ctx, spmHostSetupStatus(path));
}

static const GOptionEntry spmCliHostSetupOptions[] = {
    {"install", 0, 0, G_OPTION_ARG_NONE, NULL,
     N_("put the shim in front of the host's QEMU (dpkg-divert --rename)"), NULL},
    {"remove", 0, 0, G_OPTION_ARG_NONE, NULL, N_("undo --install exactly"), NULL},
    {"status", 0, 0, G_OPTION_ARG_NONE, NULL, N_("report what is installed"), NULL},
    {"qemu", 0, 0, G_OPTION_ARG_FILENAME, NULL,
     N_("the real QEMU behind the shim (default: the diverted binary)"), N_("PATH")},
    SPM_CLI_OPTION_EMULATOR(N_("the host's QEMU path (default: /usr/bin/qemu-system-x86_64)")),
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdHostSetup = {
    .name = "host-setup",
    .handler = spmCmdHostSetup,
    .options = spmCliHostSetupOptions,
    .synopsis = "--install [--qemu PATH] | --remove | --status [--emulator PATH]",
    .summary = N_("put the shim in front of the host's default QEMU, for guests Nova defines"),
    .description = N_(
        "Put virt-spm's emulator shim in front of the host's default QEMU with dpkg-divert, so that guests defined by other tools (OpenStack Nova), which never set <emulator>, get their SPM typing from the libvirt hook. --qemu chooses the real QEMU behind the shim; --remove restores the host's QEMU exactly; --status reports the state. Running --install twice is harmless; it refuses a binary no known Debian package owns, and a diversion someone else holds."),
    .minargs = 0,
    .maxargs = 0,
};
