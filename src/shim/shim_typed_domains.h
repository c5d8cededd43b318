/*
 * shim_typed_domains.h: the register of domains virt-spm defined with
 * typed cells
 *
 * The launch data in <qemu:commandline> is what makes an SPM domain start
 * right, and what makes it fail closed without the shim.  Someone who
 * edits the domain with plain libvirt tools can still take the launch data
 * away; the guest would then boot its SPM memory as ordinary RAM.  So
 * `virt-spm define` also records each domain with typed cells here, by
 * UUID, and both the shim and the libvirt hook refuse to start a listed
 * domain that comes without launch data.  Domains not listed (defined by
 * other tools, or by virt-spm without typed cells) pass through.
 *
 *   BASE/typed-domains/<uuid>     (contents: the domain name, for people)
 *
 * BASE is the emulator link directory (see shim_emulator_link.h), so the
 * shim finds the register two levels above the link libvirt executes.
 * Entries are readable by everyone (the shim runs as the QEMU user), and
 * written atomically.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmuuid.h"

#define SPM_TYPED_DOMAINS_DIR "typed-domains"

/* The base directory of the emulator link @linkPath (BASE/<hash>/<name>). */
char *spmTypedDomainsBaseFromLink(const char *linkPath);

/*
 * 1 when the domain @uuid is listed under @baseDir, 0 when it is not, -1
 * with an error when @uuid is not a UUID or the register cannot be read
 * (callers refuse to start the guest then: they cannot tell).
 */
int spmTypedDomainsLookup(const char *baseDir, const char *uuid);

/*
 * Decides whether the domain @uuid may start although its launch
 * (libvirt's QEMU argv, or its XML for the hook) carries no launch data:
 * not when `virt-spm define` listed it under @baseDir, since then someone
 * took the launch data out of its <qemu:commandline> and its typed cells
 * would boot as ordinary RAM.  Used by the shim and by the hook, so both
 * refuse the same starts for the same reason.
 *
 * Returns 0 when the start may go on (@uuid NULL: not a guest's launch, or
 * the domain is not listed), 1 with an error reported when the domain is
 * listed, -1 with an error reported when nobody can tell (@uuid is not a
 * UUID, or the register cannot be read).  Callers refuse unless it is 0.
 */
int spmTypedDomainsCheckStartWithoutLaunchData(const char *baseDir, const char *uuid);

/* Lists the domain @uuid (named @name) under @baseDir; 0, or -1 with an
 * error.  Listing a listed domain again just renames it. */
int spmTypedDomainsAdd(const char *baseDir, const char *uuid, const char *name);

/* Takes the domain @uuid off the list; 0 also when it was not listed, -1
 * with an error. */
int spmTypedDomainsRemove(const char *baseDir, const char *uuid);

/*
 * The listed domain whose UUID or recorded name is @domain: 1 with its
 * canonical UUID in @uuid, 0 when none is (or the register cannot be read).
 * For `virt-spm undefine` to finish an undefine that was interrupted after
 * libvirt forgot the domain.
 */
int spmTypedDomainsFind(const char *baseDir, const char *domain, char uuid[SPM_UUID_STRING_BUFLEN]);
