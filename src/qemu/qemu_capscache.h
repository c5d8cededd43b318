/*
 * qemu_capscache.h: the on-disk cache of probed QEMU capabilities, and
 * spmQEMUCapsLookup(), the way virt-spm gets the capabilities of a binary
 *
 * The cache sits above qemu_capabilities.h: it probes, loads and formats
 * through it, and qemu_capabilities.c never calls the cache.
 *
 * One caps file per binary (qemu_capabilities.h describes the format):
 *   CACHEDIR/qemu/capabilities/SHA256.xml
 * where SHA256 is the hex sha256 of the absolute binary path (as given, not
 * resolved through symlinks) and CACHEDIR is $VIRT_SPM_CACHE_DIR if set,
 * else /var/cache/virt-spm for root, else $XDG_CACHE_HOME/virt-spm
 * (~/.cache/virt-spm).
 *
 * A cached result is used only when its <stamp> matches the present one:
 * the binary's ctime, mtime, size, inode and device, the path and mtime of
 * QEMU's module directory, and virt-spm's version.  Anything else (a
 * missing, corrupt, truncated or foreign file, a file written for another
 * path) means a new probe, never an error.  Files are replaced atomically
 * (temporary file + rename), so concurrent writers are safe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "qemu_capabilities.h"

#define SPM_QEMU_CAPS_SYSTEM_CACHE_DIR "/var/cache/virt-spm"

/* The cache directory (see above), newly allocated. */
char *spmQEMUCapsCacheDir(void);

/* The cache file for @binary (an absolute path). */
char *spmQEMUCapsCachePath(const char *binary);

/* The module directory QEMU @binary would load modules from, or NULL. */
char *spmQEMUCapsFindModuleDir(const char *binary);

/* Fills @stamp for @binary as it is now.  -1 with an error when the binary
 * cannot be examined. */
int spmQEMUCapsComputeStamp(const char *binary, spmQEMUCapsStamp *stamp);

/* The cached caps of @binary if they are valid for @stamp, else NULL (no
 * error is left queued either way). */
spmQEMUCaps *spmQEMUCapsCacheLoad(const char *binary, const spmQEMUCapsStamp *stamp);

/* Writes @caps (which must carry a stamp) to the cache.  -1 with an error. */
int spmQEMUCapsCacheSave(const spmQEMUCaps *caps);

typedef enum {
    SPM_QEMU_CAPS_NO_CACHE = 1 << 0, /* probe; neither read nor write the cache */
} spmQEMUCapsLookupFlags;

/* From the cache when it is valid for @binary, else probed and cached.  A
 * relative @binary is looked up in $PATH. */
spmQEMUCaps *spmQEMUCapsLookup(const char *binary, unsigned int flags);

/* spmQEMUCapsLookup() with probe options (@opts may be NULL). */
spmQEMUCaps *spmQEMUCapsLookupFull(const char *binary, unsigned int flags,
                                   const spmQEMUProbeOptions *opts);
