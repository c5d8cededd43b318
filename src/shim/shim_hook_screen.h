/*
 * shim_hook_screen.h: the libvirt hook's fast answer for the domains it has
 * nothing to do with
 *
 * libvirt runs the qemu hook for every operation of every domain on the
 * host, and waits for it.  Nearly all of them are domains without typed
 * cells, for which the hook's answer is "go on" and nothing else happens.
 * The hook's full decision (src/qemu/qemu_hook.h, and the Nova part,
 * tools/virt_spm_hook_nova.h) parses the XML with libxml2 and may probe
 * capabilities and lay the guest out; a program linking all that takes
 * several milliseconds just to load.  So the hook libvirt runs
 * (tools/virt-spm-hook.c) is a small static program built from this
 * directory and glib only, like the shim: it screens the operation here,
 * exits 0 when the screen says the full decision could only allow it and
 * do nothing, and otherwise execs the full hook (virt-spm-hook-full) with
 * the same argv and XML.
 *
 * The screen may say "decide" for any domain (that only costs time); it
 * says "allow" only when all of these hold, which together rule out
 * everything the full decision refuses or acts on:
 *   - the operation is none the hook looks at, or
 *   - the XML is well formed to GMarkup and to the rules GMarkup leaves
 *     out (no '<' in an attribute value, no attribute given twice, white
 *     space between attributes, names that are NCNames in declared
 *     namespaces, and those namespaces only libvirt's QEMU one, Nova's and
 *     libosinfo's, no "]]>" in text, libxml2's size limits), it
 *     is printable ASCII, its root is <domain>, it has no character
 *     reference, DOCTYPE, CDATA, comment or processing instruction and no
 *     default namespace that could hide a name, and
 *   - it names neither virt-spm's metadata namespace nor the launch option
 *     (so it has no typed cells and no launch data), and
 *   - for a start: the register next to its <emulator> does not list its
 *     <uuid>; and if it is a Nova guest, its XML names no virt_spm: extra
 *     spec, its flavor is not in the host's flavor file, and no runtime
 *     launch data is left for it;
 *   - for "stopped end" and "release end": no runtime launch data is left
 *     for its <uuid>.
 * tests/fuzz/fuzz_hook.c checks that contract against the full decision:
 * whenever the screen allows, the full decision allows too and its Nova
 * part finds no typing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* The hook invocations virt-spm acts on (argv[2] and argv[3]). */
typedef enum {
    SPM_HOOK_OP_OTHER = 0,
    SPM_HOOK_OP_MIGRATE, /* "migrate begin": an incoming migration */
    SPM_HOOK_OP_RESTORE, /* "restore begin" */
    SPM_HOOK_OP_PREPARE, /* "prepare begin": a start */
    SPM_HOOK_OP_STOPPED, /* "stopped end" or "release end" */
} spmHookOp;

/* The operation of the hook argv @argv (@argc entries, argv[0] the program). */
spmHookOp spmHookGetOp(int argc, const char *const *argv);

/*
 * The domain a "stopped end" or "release end" is about, whose runtime
 * launch data goes (tools/virt_spm_hook_nova.h): the first <uuid> in the
 * XML @xml (@len bytes, NULL: none), canonical.  NULL when there is none
 * (the XML of a stop need not be read whole: no parse).
 */
char *spmHookStoppedUUID(const char *xml, size_t len);

typedef enum {
    SPM_HOOK_SCREEN_ALLOW = 0, /* exit 0: the full decision would allow, and do nothing */
    SPM_HOOK_SCREEN_DECIDE,    /* run the full decision */
} spmHookScreenVerdict;

/*
 * Screens the hook invocation @argv with the domain XML @xml (@len bytes;
 * NULL when it could not be read), as above.  @flavorsFile is the Nova
 * flavor file (NULL: spmNovaFlavorsFile()).  Reports no error.
 */
spmHookScreenVerdict spmHookScreen(int argc, const char *const *argv, const char *xml, size_t len,
                                   const char *flavorsFile);
