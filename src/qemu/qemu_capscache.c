/*
 * qemu_capscache.c: the on-disk cache of probed QEMU capabilities
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_capscache.h"
#include "spmerror.h"
#include "spmfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CAPS

/* Far above a real caps file (about 30 KiB). */
#define SPM_QEMU_CAPS_CACHE_FILE_MAX (4 * 1024 * 1024)

/* The multiarch directory of Debian-style library paths. */
#if defined(__x86_64__)
#define SPM_QEMU_MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define SPM_QEMU_MULTIARCH "aarch64-linux-gnu"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define SPM_QEMU_MULTIARCH "powerpc64le-linux-gnu"
#elif defined(__s390x__)
#define SPM_QEMU_MULTIARCH "s390x-linux-gnu"
#elif defined(__riscv) && __riscv_xlen == 64
#define SPM_QEMU_MULTIARCH "riscv64-linux-gnu"
#endif


char *
spmQEMUCapsCacheDir(void)
{
    const char *env = g_getenv("VIRT_SPM_CACHE_DIR");

    if (env && *env)
        return g_strdup(env);
    if (geteuid() == 0)
        return g_strdup(SPM_QEMU_CAPS_SYSTEM_CACHE_DIR);
    return g_build_filename(g_get_user_cache_dir(), "virt-spm", NULL);
}


char *
spmQEMUCapsCachePath(const char *binary)
{
    g_autofree char *dir = spmQEMUCapsCacheDir();
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    g_autofree char *file = g_strdup_printf("%s.xml", sum);

    return g_build_filename(dir, "qemu", "capabilities", file, NULL);
}


static bool
spmQEMUCapsIsDir(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}


char *
spmQEMUCapsFindModuleDir(const char *binary)
{
    const char *env = g_getenv("QEMU_MODULE_DIR");
    g_autofree char *real = NULL;
    g_autofree char *bindir = NULL;
    const char *const candidates[] = {
#ifdef SPM_QEMU_MULTIARCH
        "../lib/" SPM_QEMU_MULTIARCH "/qemu",
#endif
        "../lib64/qemu",
        "../lib/qemu",
    };
    size_t i;

    /* QEMU looks at $QEMU_MODULE_DIR first, then at its configured module
     * directory, relocated relative to where the binary lives */
    if (env && *env && spmQEMUCapsIsDir(env))
        return g_strdup(env);

    if (!(real = realpath(binary, NULL)))
        return NULL;
    bindir = g_path_get_dirname(real);
    for (i = 0; i < G_N_ELEMENTS(candidates); i++) {
        g_autofree char *dir = g_build_filename(bindir, candidates[i], NULL);
        g_autofree char *canon = g_canonicalize_filename(dir, NULL);

        if (spmQEMUCapsIsDir(canon))
            return g_steal_pointer(&canon);
    }
    return NULL;
}


static long long
spmQEMUCapsTimeNs(const struct timespec *ts)
{
    return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}


int
spmQEMUCapsComputeStamp(const char *binary, spmQEMUCapsStamp *stamp)
{
    struct stat sb;

    memset(stamp, 0, sizeof(*stamp));
    if (stat(binary, &sb) < 0) {
        spmReportSystemError(errno, _("cannot access QEMU binary '%1$s'"), binary);
        return -1;
    }
    stamp->binaryCtimeNs = spmQEMUCapsTimeNs(&sb.st_ctim);
    stamp->binaryMtimeNs = spmQEMUCapsTimeNs(&sb.st_mtim);
    stamp->binarySize = sb.st_size;
    stamp->binaryInode = sb.st_ino;
    stamp->binaryDev = sb.st_dev;

    if ((stamp->moduleDir = spmQEMUCapsFindModuleDir(binary))) {
        if (stat(stamp->moduleDir, &sb) == 0)
            stamp->moduleDirMtimeNs = spmQEMUCapsTimeNs(&sb.st_mtim);
        else
            g_clear_pointer(&stamp->moduleDir, g_free);
    }
    stamp->selfVersion = g_strdup(PACKAGE_VERSION);
    return 0;
}


spmQEMUCaps *
spmQEMUCapsCacheLoad(const char *binary, const spmQEMUCapsStamp *stamp)
{
    g_autofree char *path = spmQEMUCapsCachePath(binary);
    g_autofree char *data = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    const spmQEMUCapsStamp *cached;
    size_t mark = spmErrorMark();
    size_t len = 0;

    if (access(path, F_OK) < 0)
        return NULL;

    if (spmFileReadAll(path, SPM_QEMU_CAPS_CACHE_FILE_MAX, &data, &len) < 0 ||
        !(caps = spmQEMUCapsParseString(data, len, path))) {
        SPM_DEBUG("ignoring unreadable cache file '%s'", path);
        spmErrorTruncate(mark);
        return NULL;
    }
    if (!SPM_STREQ(spmQEMUCapsGetBinary(caps), binary)) {
        SPM_DEBUG("ignoring cache file '%s' written for '%s'", path, spmQEMUCapsGetBinary(caps));
        return NULL;
    }
    if (!(cached = spmQEMUCapsGetStamp(caps)) || !spmQEMUCapsStampEqual(cached, stamp)) {
        SPM_DEBUG("cache file '%s' is out of date", path);
        return NULL;
    }
    return g_steal_pointer(&caps);
}


int
spmQEMUCapsCacheSave(const spmQEMUCaps *caps)
{
    g_autofree char *path = spmQEMUCapsCachePath(spmQEMUCapsGetBinary(caps));
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *data = NULL;

    if (!spmQEMUCapsGetStamp(caps)) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, _("capabilities of '%1$s' have no stamp"),
                       spmQEMUCapsGetBinary(caps));
        return -1;
    }
    data = spmQEMUCapsFormat(caps);
    if (spmFileMakePath(dir, 0755) < 0 || spmFileWriteAtomic(path, data, strlen(data), 0644) < 0)
        return -1;
    return 0;
}


spmQEMUCaps *
spmQEMUCapsLookupFull(const char *binary, unsigned int flags, const spmQEMUProbeOptions *opts)
{
    g_autofree char *path = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    spmQEMUCapsStamp stamp = {0};
    size_t mark;

    if (!(path = spmQEMUCapsResolveBinary(binary)))
        return NULL;
    if (flags & SPM_QEMU_CAPS_NO_CACHE)
        return spmQEMUCapsProbeFull(path, opts);

    /* the stamp is taken before probing: a binary replaced meanwhile makes
     * the next lookup probe again */
    if (spmQEMUCapsComputeStamp(path, &stamp) < 0)
        return NULL;

    if ((caps = spmQEMUCapsCacheLoad(path, &stamp))) {
        SPM_DEBUG("capabilities of '%s' from the cache", path);
        spmQEMUCapsStampClear(&stamp);
        return g_steal_pointer(&caps);
    }

    if (!(caps = spmQEMUCapsProbeFull(path, opts))) {
        spmQEMUCapsStampClear(&stamp);
        return NULL;
    }
    spmQEMUCapsSetStamp(caps, &stamp);
    spmQEMUCapsStampClear(&stamp);

    mark = spmErrorMark();
    if (spmQEMUCapsCacheSave(caps) < 0) {
        /* a cache that cannot be written only costs time */
        if (spmLogDebugEnabled()) {
            const spmError *err = spmGetLastError();
            SPM_DEBUG("not caching: %s", err ? err->message : "");
        }
        spmErrorTruncate(mark);
    }
    return g_steal_pointer(&caps);
}


spmQEMUCaps *
spmQEMUCapsLookup(const char *binary, unsigned int flags)
{
    return spmQEMUCapsLookupFull(binary, flags, NULL);
}
