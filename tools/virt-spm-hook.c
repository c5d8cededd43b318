/*
 * virt-spm-hook.c: libvirt qemu hook that refuses to restore or receive
 * guests with SPM-typed NUMA cells
 *
 * QEMU 11.1 leaves sp-mem contents out of its migration stream without
 * blocking migration: a restored or migrated SPM guest would find zeros
 * where its accelerator memory was.  libvirt runs this program as
 * /etc/libvirt/hooks/qemu.d/virt-spm with
 *
 *     virt-spm-hook GUEST OPERATION SUB-OPERATION EXTRA
 *
 * and the domain XML on standard input.  It exits 1, with the reason on
 * standard error (libvirt reports it), for "migrate begin" (incoming, on
 * the destination) and "restore begin" of a domain that virt-spm defined
 * with typed cells; 0 otherwise.  For migrate and restore libvirt reads a
 * replacement XML from standard output: this hook writes nothing, which
 * keeps the XML as it is.  It must not call back into libvirt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_metadata.h"
#include "spmerror.h"
#include "spmfile.h"

#include <libxml/parser.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

#define SPM_HOOK_PROG "virt-spm-hook"

static int
spmHookCheck(const char *guest, const char *op)
{
    g_autofree char *buf = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmDomainMetadata) md = NULL;
    size_t len = 0;
    int rc;

    if (spmFileReadAll("-", SPM_FILE_READ_MAX, &buf, &len) < 0 ||
        !(doc = spmXMLParse(buf, len, _("the domain XML from libvirt"))) ||
        (rc = spmDomainMetadataParseDoc(doc, &md)) < 0) {
        /* Fail closed: without the XML nobody can say the guest has no SPM. */
        spmErrorPrintAll(stderr, SPM_HOOK_PROG);
        fprintf(
            stderr,
            _("%1$s: error: refusing to %2$s domain '%3$s': its XML cannot be read, so it may have SPM memory that would be lost\n"),
            SPM_HOOK_PROG, op, guest);
        return 1;
    }
    if (rc == 0 || md->ncells == 0)
        return 0;

    fprintf(
        stderr,
        _("%1$s: error: refusing to %2$s domain '%3$s': it has %4$zu SPM-typed NUMA cell(s) (cell %5$u first), and QEMU does not carry sp-mem contents in its migration stream, so the guest would find zeros in place of that memory; shut the guest down and start it fresh instead\n"),
        SPM_HOOK_PROG, op, guest, md->ncells, md->cells[0].id);
    return 1;
}

int
main(int argc, char **argv)
{
    const char *guest;
    const char *op;
    const char *subop;

    setlocale(LC_ALL, "");
    if (argc < 4) {
        fprintf(stderr, _("usage: %1$s GUEST OPERATION SUB-OPERATION [EXTRA]\n"), SPM_HOOK_PROG);
        return 3;
    }
    guest = argv[1];
    op = argv[2];
    subop = argv[3];

    if (!SPM_STREQ(subop, "begin"))
        return 0;
    if (SPM_STREQ(op, "migrate"))
        return spmHookCheck(guest, _("receive an incoming migration of"));
    if (SPM_STREQ(op, "restore"))
        return spmHookCheck(guest, _("restore"));
    return 0;
}
