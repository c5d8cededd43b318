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
 * A verb that changes a domain changes two stores that cannot change
 * together: libvirt's definition and this register.  So it first writes
 * its intent beside the entry,
 *
 *   BASE/typed-domains/<uuid>.journal
 *
 * saying what the domain was (libvirt's definition, by a digest of its
 * inactive XML, and whether it was listed) and what it is to become (its
 * launch data, whether it stays defined, whether it is listed).  The
 * journal is removed once both stores hold the new state.  A journal that
 * outlives its verb (the verb was killed, or the host lost power) tells
 * the next verb on the domain which of the two states libvirt's definition
 * is in, and so what the register must say: that verb settles it before
 * it does anything else (tools/virt_spm_intent.h).  Until then the shim
 * and the hook read the register as it is, which fails closed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmuuid.h"

#define SPM_TYPED_DOMAINS_DIR "typed-domains"

/* The base directory of the emulator link @linkPath (BASE/<hash>/<name>). */
char *spmTypedDomainsBaseFromLink(const char *linkPath);

/* The register that goes with a domain whose <emulator> is @emulator
 * (NULL: none): the one beside the emulator link when @emulator is one,
 * else the default place, spmEmulatorLinkBaseDir(). */
char *spmTypedDomainsBaseForEmulator(const char *emulator);

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

/* What a verb on a domain changes, written before it changes anything. */
typedef struct {
    bool oldDefined; /* libvirt held a definition before */
    char *oldDigest; /* its inactive XML's SHA-256, when it did */
    bool oldListed;  /* the register listed the domain before */
    bool newDefined; /* libvirt holds a definition after */
    char *newLaunch; /* that definition's launch data; NULL when untyped */
    bool newListed;  /* the register lists the domain after */
    char *name;      /* the domain's name, for the register entry */
} spmTypedDomainsIntent;

void spmTypedDomainsIntentClear(spmTypedDomainsIntent *intent);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(spmTypedDomainsIntent, spmTypedDomainsIntentClear);

/* Writes @intent as the journal of the domain @uuid, durably (fsync of the
 * file and of its directory); 0, or -1 with an error. */
int spmTypedDomainsIntentWrite(const char *baseDir, const char *uuid,
                               const spmTypedDomainsIntent *intent);

/* The journal of the domain @uuid into @intent: 1 when there is one, 0
 * when there is none, -1 with an error when it cannot be read or makes no
 * sense (the caller then keeps the register as it is: fail closed). */
int spmTypedDomainsIntentRead(const char *baseDir, const char *uuid, spmTypedDomainsIntent *intent);

/* Removes the journal of the domain @uuid, durably; 0 also when there is
 * none, -1 with an error. */
int spmTypedDomainsIntentRemove(const char *baseDir, const char *uuid);

/*
 * The listed domain (or the domain of a journal) whose UUID or recorded
 * name is @domain: 1 with its
 * canonical UUID in @uuid, 0 when none is (or the register cannot be read).
 * For `virt-spm undefine` to finish an undefine that was interrupted after
 * libvirt forgot the domain.
 */
int spmTypedDomainsFind(const char *baseDir, const char *domain, char uuid[SPM_UUID_STRING_BUFLEN]);
