/*
 * shim_emulator_link.h: per-QEMU directories that route libvirt through the shim
 *
 * `virt-spm define` writes into <emulator> not the real QEMU but
 *
 *   BASE/<sha256 of the real QEMU path>/<basename of the real QEMU>  -> the shim
 *   BASE/<sha256 of the real QEMU path>/target                       -> the real QEMU
 *
 * libvirt keys its capability cache by the emulator path, so each real QEMU
 * keeps its own cache entry.  The shim finds `target` next to argv[0] (the
 * path libvirt executes) and execs it.  BASE is SPM_EMULATOR_LINK_DIR in
 * production (tests pass their own).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#define SPM_EMULATOR_LINK_DIR SPM_LOCALSTATEDIR "/lib/virt-spm/emulators"
#define SPM_EMULATOR_LINK_TARGET "target"
#define SPM_SHIM_PATH SPM_LIBEXECDIR "/virt-spm-shim"

/* The base directory: $VIRT_SPM_EMULATOR_DIR when set (tests), else
 * SPM_EMULATOR_LINK_DIR. */
const char *spmEmulatorLinkBaseDir(void);

/* BASE/<sha256 of @emulator>/<basename of @emulator>, without touching the
 * file system; NULL with an error when @emulator is not an absolute,
 * normalized path. */
char *spmEmulatorLinkPath(const char *baseDir, const char *emulator);

/*
 * Creates (or repairs) the directory for the real QEMU @emulator so that its
 * link points at @shim, and returns the link path for <emulator> in
 * *@linkPath.  The directory appears atomically with both links (built under
 * a temporary name and renamed); in an existing directory a link that points
 * elsewhere is replaced atomically (rename over it).  Safe against
 * concurrent callers.  Directories are created mode 0755, so that the QEMU
 * user can traverse them.
 */
int spmEmulatorLinkCreate(const char *baseDir, const char *emulator, const char *shim,
                          char **linkPath);

/*
 * If @path is an emulator link (its directory has a `target` link), sets
 * *@emulator to the real QEMU and returns 1; returns 0 when it is not one,
 * -1 on a system error.
 */
int spmEmulatorLinkGetTarget(const char *path, char **emulator);

/*
 * Like spmEmulatorLinkGetTarget(), and also for a path that is a symbolic
 * link to an emulator link (what `virt-spm host-setup` puts in place of the
 * host's QEMU): 1 with the emulator link in *@linkPath and the real QEMU in
 * *@emulator, 0 when @path is neither, -1 on a system error.
 */
int spmEmulatorLinkResolve(const char *path, char **linkPath, char **emulator);
