/*
 * virt_spm_lock.h: the per-domain lock of the verbs that change a domain
 *
 * define, edit, attach-device and undefine change three things that must
 * agree: libvirt's definition, the register of typed domains
 * (shim_typed_domains.h) and the emulator link the definition names.  Two
 * of them running on the same domain at once could interleave those steps
 * and leave, say, libvirt's definition of one run with the register entry
 * of the other.  So each takes the domain's lock first:
 *
 *   BASE/locks/<uuid>.lock      (BASE: spmEmulatorLinkBaseDir())
 *
 * an flock(2) on a file named by the domain's UUID: the UUID is what
 * libvirt and the register key a domain by, it survives a rename, and it
 * is known before the definition (define settles it first).  A lock by
 * name would let `virt-spm define` of a renamed domain and `virt-spm
 * undefine` of its old name run together on one register entry.  The lock
 * files stay (removing a lock file races with its next user); each is a
 * few bytes holding the pid of its last holder, for the busy message.  The
 * kernel drops an flock when its holder dies, so a killed virt-spm never
 * leaves a domain locked.
 *
 * A lock held by another process is waited for, up to
 * $VIRT_SPM_LOCK_TIMEOUT seconds (default 30, libvirt's own wait for a
 * domain's job), then the verb fails with a "busy" error and
 * SPM_EXIT_BUSY.  Locks are counted per process: a verb that holds a
 * domain's lock may take it again (attach-device, then the definition).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "virt_spm.h"

#define SPM_CLI_LOCK_DIR "locks"
#define SPM_CLI_LOCK_TIMEOUT_DEFAULT 30

typedef struct _spmCliDomainLock spmCliDomainLock;

/*
 * Takes the lock of the domain @uuid (named @name in messages) into
 * *@lock, waiting as said above.  Returns SPM_EXIT_OK, SPM_EXIT_BUSY with
 * the busy error queued, or SPM_EXIT_IO / SPM_EXIT_INVALID_CONFIG with the
 * error queued.  Once locked, leftovers of a killed writer of the domain's
 * register entry (its temporary files) are removed.
 */
int spmCliDomainLockAcquire(const char *uuid, const char *name, spmCliDomainLock **lock);

/*
 * A step boundary of a verb that changes a domain (@step names it in debug
 * output).  For the crash-safety test only: a virt-spm run from its build
 * tree with $VIRT_SPM_TEST_STEP_DELAY_MS set sleeps that long here, so that
 * a SIGKILL at a random moment lands between any two steps as often as
 * anywhere else.  An installed virt-spm ignores the variable.
 */
void spmCliStep(const char *step);

/* Releases a lock from spmCliDomainLockAcquire (NULL: nothing). */
void spmCliDomainLockRelease(spmCliDomainLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmCliDomainLock, spmCliDomainLockRelease);
