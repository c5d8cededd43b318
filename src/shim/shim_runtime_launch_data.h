/*
 * shim_runtime_launch_data.h: launch data handed to the shim at run time
 *
 * A domain that virt-spm did not define (an OpenStack Nova guest) carries no
 * launch data in its <qemu:commandline>: libvirt does not let its qemu hook
 * edit the XML.  The hook (tools/virt-spm-hook.c) computes the launch data
 * at "prepare begin" and leaves it in
 *
 *     DIR/<uuid>        (DIR: SPM_RUNTIME_LAUNCH_DIR, a tmpfs)
 *
 * written atomically by root, mode 0644 in a root-owned 0755 directory:
 * writable by root only, readable by the user libvirt runs QEMU (and so the
 * shim) as.  The content is the launch data text (shim_launch_data.h) and a
 * newline.  The shim reads it when libvirt's argv has no launch data and
 * refuses a file that someone else than root could have written; the hook
 * removes it when the domain stops.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "shim_launch_data.h"

#define SPM_RUNTIME_LAUNCH_DIR "/run/virt-spm/launch"

/* $VIRT_SPM_RUNTIME_DIR when set (tests), else SPM_RUNTIME_LAUNCH_DIR.
 * libvirt starts hooks and QEMU with a clean environment, so under libvirt
 * it is always the default. */
const char *spmRuntimeLaunchDir(void);

/* DIR/<canonical uuid>; NULL with an error when @uuid is not a UUID. */
char *spmRuntimeLaunchPath(const char *dir, const char *uuid);

/* Writes @data for the domain @uuid (creating @dir); 0 or -1 with an error. */
int spmRuntimeLaunchDataWrite(const char *dir, const char *uuid, const spmLaunchData *data);

/*
 * Reads the launch data of the domain @uuid: 0 when there is none, 1 with
 * *@data set, -1 with an error (unreadable, not root's, writable by others
 * than root, or invalid).
 */
int spmRuntimeLaunchDataRead(const char *dir, const char *uuid, spmLaunchData **data);

/* Removes the launch data of the domain @uuid; 0 also when there was none. */
int spmRuntimeLaunchDataRemove(const char *dir, const char *uuid);
