/*
 * virt_spm_lock.c: the per-domain lock of the verbs that change a domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm_lock.h"
#include "shim_emulator_link.h"
#include "shim_typed_domains.h"
#include "spmbuildtree.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"
#include "spmuuid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

/* How long to sleep between tries of a held lock. */
#define SPM_CLI_LOCK_POLL_US (20 * 1000)

struct _spmCliDomainLock {
    char uuid[SPM_UUID_STRING_BUFLEN];
    char *path;
    int fd;
    unsigned int refs;
};

/* The locks this process holds, by UUID. */
static GHashTable *spmCliDomainLocks;

/* $VIRT_SPM_LOCK_TIMEOUT in seconds, else the default. */
static unsigned int
spmCliLockTimeout(void)
{
    const char *env = getenv("VIRT_SPM_LOCK_TIMEOUT");
    unsigned int secs;

    if (env && *env && spmParseUInt(env, SPM_NUMBER_BLANKS, &secs))
        return secs;
    return SPM_CLI_LOCK_TIMEOUT_DEFAULT;
}

/* The pid the lock file @fd names, for the busy message ("" when none). */
static char *
spmCliLockHolder(int fd)
{
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    unsigned int pid;

    if (n <= 0)
        return g_strdup("");
    buf[n] = '\0';
    g_strchomp(buf);
    if (!spmParseUInt(buf, SPM_NUMBER_BLANKS, &pid) || pid == 0)
        return g_strdup("");
    return g_strdup_printf(_(" (held by process %1$u)"), pid);
}

/* Removes the temporary files a killed writer of the domain's register
 * entry or journal left (spmFileWriteAtomic names them ENTRY.XXXXXX and
 * ENTRY.journal.XXXXXX): only the holder of the domain's lock writes
 * those. */
static void
spmCliLockCleanRegister(const char *base, const char *uuid)
{
    g_autofree char *dir = g_build_filename(base, SPM_TYPED_DOMAINS_DIR, NULL);
    g_autofree char *entryTmp = g_strdup_printf("%s.", uuid);
    g_autofree char *journalTmp = g_strdup_printf("%s.journal.", uuid);
    g_autoptr(GDir) dh = g_dir_open(dir, 0, NULL);
    const char *name;

    while (dh && (name = g_dir_read_name(dh))) {
        g_autofree char *path = NULL;
        size_t len = strlen(name);

        if (!(g_str_has_prefix(name, journalTmp) && len == strlen(journalTmp) + 6) &&
            !(g_str_has_prefix(name, entryTmp) && len == strlen(entryTmp) + 6))
            continue;
        path = g_build_filename(dir, name, NULL);
        if (unlink(path) == 0)
            spmLogDebugMessage(__func__, "removed '%s', left by an interrupted virt-spm", path);
    }
}

int
spmCliDomainLockAcquire(const char *uuid, const char *name, spmCliDomainLock **lockret)
{
    g_autofree char *dir = NULL;
    g_autofree char *holder = NULL;
    char canon[SPM_UUID_STRING_BUFLEN];
    spmCliDomainLock *lock;
    unsigned int timeout = spmCliLockTimeout();
    gint64 deadline;
    char pid[32];
    int fd;

    *lockret = NULL;
    if (!spmUUIDCanonicalize(uuid, canon)) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, _("cannot lock domain '%1$s': '%2$s' is not a UUID"),
                       name, uuid);
        return SPM_EXIT_INTERNAL;
    }
    if (!spmCliDomainLocks)
        spmCliDomainLocks = g_hash_table_new(g_str_hash, g_str_equal);
    if ((lock = g_hash_table_lookup(spmCliDomainLocks, canon))) {
        lock->refs++;
        *lockret = lock;
        return SPM_EXIT_OK;
    }

    dir = g_build_filename(spmEmulatorLinkBaseDir(), SPM_CLI_LOCK_DIR, NULL);
    if (spmFileMakePath(dir, 0755) < 0)
        return SPM_EXIT_IO;
    lock = g_new0(spmCliDomainLock, 1);
    lock->fd = -1;
    g_strlcpy(lock->uuid, canon, sizeof(lock->uuid));
    lock->path = g_strdup_printf("%s/%s.lock", dir, canon);
    if ((fd = open(lock->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        spmReportSystemError(errno, _("cannot open the lock file '%1$s' of domain '%2$s'"),
                             lock->path, name);
        goto error;
    }
    lock->fd = fd;

    deadline = g_get_monotonic_time() + (gint64)timeout * G_USEC_PER_SEC;
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK) {
            spmReportSystemError(errno, _("cannot lock '%1$s' for domain '%2$s'"), lock->path,
                                 name);
            goto error;
        }
        if (g_get_monotonic_time() >= deadline) {
            holder = spmCliLockHolder(fd);
            spmReportError(
                SPM_ERR_OPERATION_TIMEOUT,
                _("domain '%1$s' is busy: another virt-spm command is changing it%2$s and did not finish within %3$u seconds (its lock is '%4$s'); try again when it has finished, or wait longer with VIRT_SPM_LOCK_TIMEOUT"),
                name, holder, timeout, lock->path);
            spmCliDomainLockRelease(lock);
            return SPM_EXIT_BUSY;
        }
        g_usleep(SPM_CLI_LOCK_POLL_US);
    }
    /* who holds it, for the busy message of the next one */
    g_snprintf(pid, sizeof(pid), "%lld\n", (long long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
        /* only the busy message of others would lack the pid */
    }
    spmCliLockCleanRegister(spmEmulatorLinkBaseDir(), canon);
    lock->refs = 1;
    g_hash_table_insert(spmCliDomainLocks, lock->uuid, lock);
    *lockret = lock;
    return SPM_EXIT_OK;

error:
    spmCliDomainLockRelease(lock);
    return SPM_EXIT_IO;
}

void
spmCliStep(const char *step)
{
    const char *env;
    unsigned int ms;

    spmLogDebugMessage(__func__, "%s", step);
    if (!spmRunningFromBuildTree() || !(env = getenv("VIRT_SPM_TEST_STEP_DELAY_MS")) ||
        !spmParseUInt(env, SPM_NUMBER_BLANKS, &ms))
        return;
    g_usleep((gulong)ms * 1000);
}

void
spmCliDomainLockRelease(spmCliDomainLock *lock)
{
    if (!lock)
        return;
    if (lock->refs > 1) {
        lock->refs--;
        return;
    }
    if (lock->refs == 1)
        g_hash_table_remove(spmCliDomainLocks, lock->uuid);
    /* closing the last descriptor drops the flock */
    if (lock->fd >= 0)
        close(lock->fd);
    g_free(lock->path);
    g_free(lock);
}
