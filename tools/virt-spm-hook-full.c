/*
 * virt-spm-hook-full.c: the libvirt qemu hook's full decision: refuses to
 * restore or receive guests with SPM-typed NUMA cells, and to start them
 * without the shim's launch data
 *
 * libvirt runs virt-spm-hook (tools/virt-spm-hook.c), a small static
 * program that screens each call (src/shim/shim_hook_screen.h) and execs
 * this one, with the same argv and the domain XML on standard input, for
 * the calls it cannot answer alone.  Run by hand, it decides the same.
 *
 * QEMU 11.1 leaves sp-mem contents out of its migration stream without
 * blocking migration: a restored or migrated SPM guest would find zeros
 * where its accelerator memory was.  libvirt runs the hook as
 * /etc/libvirt/hooks/qemu.d/virt-spm with
 *
 *     virt-spm-hook GUEST OPERATION SUB-OPERATION EXTRA
 *
 * and the domain XML on standard input.  It exits 1, with the reason on
 * standard error (libvirt reports it), for
 *   - "migrate begin" (incoming, on the destination) and "restore begin" of
 *     a domain that virt-spm defined with typed cells;
 *   - "prepare begin" (a start) of a domain with typed cells, by its
 *     metadata or by the register of typed domains (shim_typed_domains.h),
 *     whose <qemu:commandline> lost the launch data: started anyway, it
 *     would boot the SPM memory as ordinary RAM, whatever <emulator> says;
 *   - "prepare begin" of a typed domain whose UEFI firmware is verified to
 *     drop soft-reserved memory (the verdict 'virt-spm define' gives too,
 *     src/qemu/qemu_firmware.h: the descriptors or the firmware
 *     configuration file may have changed since the definition);
 *   - "prepare begin" of an OpenStack Nova guest whose flavor asks for typed
 *     cells that cannot be honoured on this host (virt_spm_hook_nova.h);
 * and 0 otherwise.  The decision is spmQEMUHookDecide (src/qemu/qemu_hook.c,
 * fuzzed by tests/fuzz/fuzz_hook.c); this program reads and prints.  For
 * OpenStack Nova guests that the decision lets start it also hands the
 * typing their flavor asks for to the shim (virt_spm_hook_nova.h), and
 * removes it again at "stopped end" and "release end".  For migrate and
 * restore libvirt reads a replacement XML from standard output: this hook
 * writes nothing, which keeps the XML as it is.  It must not call back into
 * libvirt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_nova.h"
#include "qemu_hook.h"
#include "shim_hook_screen.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmxml.h"
#include "virt_spm_hook_nova.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

/* "prepare begin" of a guest the decision lets start: a Nova guest whose
 * flavor types cells gets its launch data here; the exit code. */
static int
spmHookNovaStart(const char *guest, const char *xml, size_t len)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!spmNovaMaybeInstance(xml, len))
        return 0;
    if (!(doc = spmXMLParse(xml, len, _("the domain XML from libvirt")))) {
        spmErrorPrintAll(stderr, SPM_QEMU_HOOK_PROG);
        return 1;
    }
    return spmHookNovaPrepare(guest, doc) < 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
    const char *const *args = (const char *const *)argv;
    g_autofree char *xml = NULL;
    g_autofree char *message = NULL;
    size_t len = 0;
    spmQEMUHookVerdict verdict;

    setlocale(LC_ALL, "");
    if (spmHookGetOp(argc, args) == SPM_HOOK_OP_STOPPED) {
        /* no XML: nothing to find a Nova guest's launch data by */
        if (spmFileReadAll("-", SPM_FILE_READ_MAX, &xml, &len) < 0)
            return 0;
        return spmHookNovaRelease(argv[1], xml, len);
    }
    /* the XML only when the operation is one the hook may refuse */
    if (spmQEMUHookNeedsDomainXML(argc, args) &&
        spmFileReadAll("-", SPM_FILE_READ_MAX, &xml, &len) < 0)
        g_clear_pointer(&xml, g_free);
    verdict = spmQEMUHookDecide(argc, args, xml, len, &message);
    if (verdict != SPM_QEMU_HOOK_ALLOW) {
        spmErrorPrintAll(stderr, SPM_QEMU_HOOK_PROG);
        fputs(message, stderr);
        return verdict;
    }
    if (spmHookGetOp(argc, args) == SPM_HOOK_OP_PREPARE)
        return spmHookNovaStart(argv[1], xml, len);
    return 0;
}
