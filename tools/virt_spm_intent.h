/*
 * virt_spm_intent.h: the journal that keeps a verb's two stores in step
 *
 * define, edit, attach-device and undefine change libvirt's definition of
 * a domain and virt-spm's register of typed domains (shim_typed_domains.h).
 * No operation changes both at once, so each verb, holding the domain's
 * lock (virt_spm_lock.h), writes its intent first, makes its changes, and
 * removes the intent last:
 *
 *   begin:  BASE/typed-domains/<uuid>.journal, fsync'd: the old state
 *           (libvirt's definition by digest, the register entry) and the
 *           new one (launch data, defined or not, listed or not)
 *   steps:  the emulator link, the register entry, libvirt's definition,
 *           in the order that fails closed (listed before a typed
 *           definition exists, unlisted after an untyped one does)
 *   end:    the journal removed
 *
 * After a kill or a power loss at any point, the journal and libvirt's
 * definition tell which state the domain is in: libvirt's definition is
 * either the old one or the new one (libvirt writes it atomically), and the
 * register entry that goes with it is the one the journal names for that
 * state.  The next verb on the domain settles the register to it before it
 * starts (spmCliIntentSettle): so the domain is in the old state or the new
 * one, whole, and never in a mix that a later verb would build on.  Until a
 * verb settles it, the shim and the hook read the register as it is, which
 * is always a superset of the typed definitions: a start may be refused,
 * never let through with typed cells as ordinary RAM.
 *
 * When libvirt's definition is neither state (someone changed it with
 * plain libvirt tools in between), settling keeps the domain listed if
 * either state listed it or the definition is typed, and says so.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "virt_spm.h"

#include <libvirt/libvirt.h>

/*
 * Settles the journal a killed verb left for the domain @uuid, if any: the
 * register entry is made to match libvirt's definition as above, then the
 * journal goes.  The caller holds the domain's lock.  Returns SPM_EXIT_OK
 * (also when there was no journal), or another exit code with the error
 * queued.
 */
int spmCliIntentSettle(virConnectPtr conn, const char *uuid);

/*
 * Settles an older journal, then writes the journal of a verb about to
 * make the domain @uuid (named @name) defined with @newLaunch (the launch
 * data; NULL when untyped) or, when !@newDefined, undefined.  The caller
 * holds the domain's lock.  SPM_EXIT_OK, or another exit code with the
 * error queued.
 */
int spmCliIntentBegin(virConnectPtr conn, const char *uuid, const char *name, bool newDefined,
                      const char *newLaunch);

/* Removes the journal once the verb's new state is whole; SPM_EXIT_OK or
 * SPM_EXIT_IO with the error queued. */
int spmCliIntentEnd(const char *uuid);
