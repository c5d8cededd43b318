/*
 * shim_emulator_link.c: per-QEMU directories that route libvirt through the shim
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_emulator_link.h"
#include "spmerror.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

/* Absolute, and already in the form g_canonicalize_filename() gives. */
static bool
spmEmulatorPathIsNormal(const char *path)
{
    g_autofree char *canon = NULL;

    if (!g_path_is_absolute(path))
        return false;
    canon = g_canonicalize_filename(path, "/");
    return SPM_STREQ(canon, path) && !SPM_STREQ(path, "/");
}

const char *
spmEmulatorLinkBaseDir(void)
{
    const char *env = getenv("VIRT_SPM_EMULATOR_DIR");

    return env && *env ? env : SPM_EMULATOR_LINK_DIR;
}

char *
spmEmulatorLinkPath(const char *baseDir, const char *emulator)
{
    g_autofree char *hash = NULL;
    g_autofree char *name = NULL;

    if (!spmEmulatorPathIsNormal(emulator)) {
        spmReportError(SPM_ERR_INVALID_ARG,
                       _("emulator path '%1$s' must be absolute and normalized"), emulator);
        return NULL;
    }
    name = g_path_get_basename(emulator);
    if (name[0] == '.' || SPM_STREQ(name, SPM_EMULATOR_LINK_TARGET)) {
        spmReportError(SPM_ERR_INVALID_ARG,
                       _("emulator file name '%1$s' cannot be used for an emulator link"), name);
        return NULL;
    }
    hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, emulator, -1);
    return g_build_filename(baseDir, hash, name, NULL);
}

/* readlink(2) into a new string; -1 with errno set on failure. */
static int
spmEmulatorReadLink(const char *path, char **dest)
{
    size_t size = 256;

    while (true) {
        g_autofree char *buf = g_malloc(size);
        ssize_t n = readlink(path, buf, size);

        if (n < 0)
            return -1;
        if ((size_t)n < size) {
            buf[n] = '\0';
            *dest = g_steal_pointer(&buf);
            return 0;
        }
        size *= 2;
    }
}

#define SPM_EMULATOR_LINK_TMP_PREFIX ".tmp-"

static void
spmEmulatorSyncDir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return;
    if (fsync(fd) < 0) {
        /* best effort: the rename is atomic either way */
    }
    close(fd);
}

/*
 * Temporary names carry the pid of their maker (".tmp-PID-XXXXXX" for a
 * link directory in the making, ".NAME.PID.XXXXXXXX" for a link), so that
 * what a killed maker left can be told from what a live one is still
 * building: removes every entry of @dir named @prefix PID and more whose
 * PID is no process any more.  Best effort: a leftover only wastes a name.
 */
static void
spmEmulatorSweepTmp(const char *dir, const char *prefix)
{
    g_autoptr(GDir) dh = g_dir_open(dir, 0, NULL);
    const char *entry;

    while (dh && (entry = g_dir_read_name(dh))) {
        g_autofree char *path = NULL;
        g_autoptr(GDir) inner = NULL;
        const char *child;
        char *end = NULL;
        guint64 pid;

        if (!g_str_has_prefix(entry, prefix))
            continue;
        pid = g_ascii_strtoull(entry + strlen(prefix), &end, 10);
        if (end == entry + strlen(prefix) || (*end != '-' && *end != '.') || pid == 0 ||
            pid > G_MAXINT || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        path = g_build_filename(dir, entry, NULL);
        if (unlink(path) == 0)
            continue;
        /* a directory in the making: its links, then itself */
        if (!(inner = g_dir_open(path, 0, NULL)))
            continue;
        while ((child = g_dir_read_name(inner))) {
            g_autofree char *childPath = g_build_filename(path, child, NULL);

            unlink(childPath);
        }
        if (rmdir(path) == 0)
            spmLogDebugMessage(__func__, "removed '%s', left by an interrupted virt-spm", path);
    }
}

/* Makes @dir/@name a symlink to @dest, replacing whatever link is there by
 * rename(2), so that readers see the old or the new link, never none. */
static int
spmEmulatorLinkEnsure(const char *dir, const char *name, const char *dest)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *current = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *prefix = NULL;

    if (spmEmulatorReadLink(path, &current) == 0 && SPM_STREQ(current, dest))
        return 0;
    if (!current && errno != ENOENT && errno != EINVAL) {
        spmReportSystemError(errno, _("cannot read link '%1$s'"), path);
        return -1;
    }

    prefix = g_strdup_printf(".%s.", name);
    spmEmulatorSweepTmp(dir, prefix);
    while (true) {
        g_free(tmp);
        tmp = g_strdup_printf("%s/%s%u.%08x", dir, prefix, (unsigned int)getpid(), g_random_int());
        if (symlink(dest, tmp) == 0)
            break;
        if (errno != EEXIST) {
            spmReportSystemError(errno, _("cannot create link '%1$s'"), tmp);
            return -1;
        }
    }
    if (rename(tmp, path) < 0) {
        spmReportSystemError(errno, _("cannot rename '%1$s' to '%2$s'"), tmp, path);
        unlink(tmp);
        return -1;
    }
    spmEmulatorSyncDir(dir);
    return 0;
}

static void
spmEmulatorRemoveTmpDir(const char *tmpdir, const char *name)
{
    g_autofree char *target = g_build_filename(tmpdir, SPM_EMULATOR_LINK_TARGET, NULL);
    g_autofree char *link = g_build_filename(tmpdir, name, NULL);

    unlink(target);
    unlink(link);
    rmdir(tmpdir);
}

/* Builds the directory under a temporary name and renames it into place.
 * Returns 1 when another caller created @dir first. */
static int
spmEmulatorLinkCreateDir(const char *baseDir, const char *dir, const char *name,
                         const char *emulator, const char *shim)
{
    g_autofree char *tmpname =
        g_strdup_printf("%s%u-XXXXXX", SPM_EMULATOR_LINK_TMP_PREFIX, (unsigned int)getpid());
    g_autofree char *tmpdir = g_build_filename(baseDir, tmpname, NULL);
    g_autofree char *target = NULL;
    g_autofree char *link = NULL;

    spmEmulatorSweepTmp(baseDir, SPM_EMULATOR_LINK_TMP_PREFIX);
    if (!g_mkdtemp_full(tmpdir, 0755)) {
        spmReportSystemError(errno, _("cannot create a directory in '%1$s'"), baseDir);
        return -1;
    }
    target = g_build_filename(tmpdir, SPM_EMULATOR_LINK_TARGET, NULL);
    link = g_build_filename(tmpdir, name, NULL);
    if (chmod(tmpdir, 0755) < 0 || symlink(emulator, target) < 0 || symlink(shim, link) < 0) {
        spmReportSystemError(errno, _("cannot populate '%1$s'"), tmpdir);
        spmEmulatorRemoveTmpDir(tmpdir, name);
        return -1;
    }
    spmEmulatorSyncDir(tmpdir);
    if (rename(tmpdir, dir) < 0) {
        int err = errno;

        spmEmulatorRemoveTmpDir(tmpdir, name);
        if (err == EEXIST || err == ENOTEMPTY)
            return 1;
        spmReportSystemError(err, _("cannot rename '%1$s' to '%2$s'"), tmpdir, dir);
        return -1;
    }
    spmEmulatorSyncDir(baseDir);
    return 0;
}

int
spmEmulatorLinkCreate(const char *baseDir, const char *emulator, const char *shim, char **linkPath)
{
    g_autofree char *link = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *name = NULL;
    struct stat sb;
    int rc;

    if (!(link = spmEmulatorLinkPath(baseDir, emulator)))
        return -1;
    if (!g_path_is_absolute(shim)) {
        spmReportError(SPM_ERR_INVALID_ARG, _("shim path '%1$s' must be absolute"), shim);
        return -1;
    }
    dir = g_path_get_dirname(link);
    name = g_path_get_basename(link);

    if (g_mkdir_with_parents(baseDir, 0755) < 0) {
        spmReportSystemError(errno, _("cannot create directory '%1$s'"), baseDir);
        return -1;
    }

    if (lstat(dir, &sb) < 0) {
        if (errno != ENOENT) {
            spmReportSystemError(errno, _("cannot access '%1$s'"), dir);
            return -1;
        }
        if ((rc = spmEmulatorLinkCreateDir(baseDir, dir, name, emulator, shim)) < 0)
            return -1;
        if (rc == 0) {
            *linkPath = g_steal_pointer(&link);
            return 0;
        }
        /* lost a race: fall through and check what the winner made */
        if (lstat(dir, &sb) < 0) {
            spmReportSystemError(errno, _("cannot access '%1$s'"), dir);
            return -1;
        }
    }
    if (!S_ISDIR(sb.st_mode)) {
        spmReportError(SPM_ERR_OPERATION_FAILED, _("'%1$s' exists and is not a directory"), dir);
        return -1;
    }
    if (spmEmulatorLinkEnsure(dir, SPM_EMULATOR_LINK_TARGET, emulator) < 0 ||
        spmEmulatorLinkEnsure(dir, name, shim) < 0)
        return -1;

    *linkPath = g_steal_pointer(&link);
    return 0;
}

int
spmEmulatorLinkGetTarget(const char *path, char **emulator)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *target = g_build_filename(dir, SPM_EMULATOR_LINK_TARGET, NULL);
    g_autofree char *dest = NULL;

    if (spmEmulatorReadLink(target, &dest) < 0) {
        if (errno == ENOENT || errno == EINVAL || errno == ENOTDIR)
            return 0;
        spmReportSystemError(errno, _("cannot read link '%1$s'"), target);
        return -1;
    }
    if (!g_path_is_absolute(dest)) {
        g_autofree char *rel = g_steal_pointer(&dest);

        dest = g_build_filename(dir, rel, NULL);
    }
    *emulator = g_steal_pointer(&dest);
    return 1;
}

int
spmEmulatorLinkResolve(const char *path, char **linkPath, char **emulator)
{
    g_autofree char *dest = NULL;
    int rc;

    if ((rc = spmEmulatorLinkGetTarget(path, emulator)) != 0) {
        if (rc > 0)
            *linkPath = g_strdup(path);
        return rc;
    }
    /* host-setup: the host's QEMU path is a symbolic link to an emulator link */
    if (spmEmulatorReadLink(path, &dest) < 0)
        return 0;
    if (!g_path_is_absolute(dest)) {
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *rel = g_steal_pointer(&dest);

        dest = g_build_filename(dir, rel, NULL);
    }
    if ((rc = spmEmulatorLinkGetTarget(dest, emulator)) > 0)
        *linkPath = g_steal_pointer(&dest);
    return rc;
}
