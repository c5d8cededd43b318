/*
 * virt-spm-hook.c: libvirt qemu hook that refuses to restore or receive
 * guests with SPM-typed NUMA cells, and to start them without the shim's
 * launch data
 *
 * QEMU 11.1 leaves sp-mem contents out of its migration stream without
 * blocking migration: a restored or migrated SPM guest would find zeros
 * where its accelerator memory was.  libvirt runs this program as
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
 * and 0 otherwise.  For OpenStack Nova guests it also hands the typing their
 * flavor asks for to the shim (virt_spm_hook_nova.h), and removes it again
 * at "stopped end" and "release end".  For migrate and restore libvirt reads a replacement
 * XML from standard output: this hook writes nothing, which keeps the XML
 * as it is.  It must not call back into libvirt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_metadata.h"
#include "qemu_define.h"
#include "shim_emulator_link.h"
#include "shim_typed_domains.h"
#include "spmerror.h"
#include "spmfile.h"
#include "virt_spm_hook_nova.h"

#include <libxml/parser.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

/* The domain XML libvirt gives on standard input, and virt-spm's metadata
 * in it (*@md NULL when there is none); -1 with an error. */
static int
spmHookReadDomain(xmlDoc **docret, spmDomainMetadata **md)
{
    g_autofree char *buf = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    size_t len = 0;

    *md = NULL;
    if (spmFileReadAll("-", SPM_FILE_READ_MAX, &buf, &len) < 0 ||
        !(doc = spmXMLParse(buf, len, _("the domain XML from libvirt"))) ||
        spmDomainMetadataParseDoc(doc, md) < 0)
        return -1;
    *docret = g_steal_pointer(&doc);
    return 0;
}

/* Refusal of a restore (@incoming false) or an incoming migration
 * (@incoming true) of a typed guest. */
static int
spmHookCheckMigration(const char *guest, bool incoming)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmDomainMetadata) md = NULL;

    if (spmHookReadDomain(&doc, &md) < 0) {
        /* Fail closed: without the XML nobody can say the guest has no SPM. */
        spmErrorPrintAll(stderr, SPM_HOOK_PROG);
        if (incoming)
            fprintf(
                stderr,
                _("%1$s: error: refusing to receive an incoming migration of domain '%2$s': its XML cannot be read, so it may have SPM memory that would be lost\n"),
                SPM_HOOK_PROG, guest);
        else
            fprintf(
                stderr,
                _("%1$s: error: refusing to restore domain '%2$s': its XML cannot be read, so it may have SPM memory that would be lost\n"),
                SPM_HOOK_PROG, guest);
        return 1;
    }
    if (!md || md->ncells == 0)
        return 0;

    if (incoming)
        fprintf(
            stderr,
            _("%1$s: error: refusing to receive an incoming migration of domain '%2$s': it has %3$zu SPM-typed NUMA cell(s) (cell %4$u first), and QEMU does not carry sp-mem contents in its migration stream, so the guest would find zeros in place of that memory; shut the guest down and start it fresh instead\n"),
            SPM_HOOK_PROG, guest, md->ncells, md->cells[0].id);
    else
        fprintf(
            stderr,
            _("%1$s: error: refusing to restore domain '%2$s': it has %3$zu SPM-typed NUMA cell(s) (cell %4$u first), and QEMU does not carry sp-mem contents in its migration stream, so the guest would find zeros in place of that memory; shut the guest down and start it fresh instead\n"),
            SPM_HOOK_PROG, guest, md->ncells, md->cells[0].id);
    return 1;
}

/* Where the register of typed domains is: next to the emulator link the
 * domain runs, else the default place. */
static char *
spmHookRegisterBase(xmlDocPtr doc)
{
    xmlNodePtr emulator = spmXMLFindPath(xmlDocGetRootElement(doc), "devices/emulator");
    g_autofree char *path = emulator ? spmXMLNodeContent(emulator) : NULL;
    g_autofree char *target = NULL;
    size_t mark = spmErrorMark();

    if (path && g_path_is_absolute(path) && spmEmulatorLinkGetTarget(path, &target) > 0)
        return spmTypedDomainsBaseFromLink(path);
    /* not a link we can read: the default place is the only one left */
    spmErrorTruncate(mark);
    return g_strdup(spmEmulatorLinkBaseDir());
}

/* Refusal of a start of a typed guest that lost its launch data. */
static int
spmHookCheckStart(const char *guest)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmDomainMetadata) md = NULL;
    g_autofree char *base = NULL;
    xmlNodePtr uuidNode;
    g_autofree char *uuid = NULL;
    int listed = 0;

    if (spmHookReadDomain(&doc, &md) < 0) {
        spmErrorPrintAll(stderr, SPM_HOOK_PROG);
        fprintf(
            stderr,
            _("%1$s: error: refusing to start domain '%2$s': its XML cannot be read, so it may have SPM cells that would boot as ordinary RAM\n"),
            SPM_HOOK_PROG, guest);
        return 1;
    }
    if (spmQEMUDefineHasLaunchData(doc))
        return 0;
    if (md && md->ncells > 0) {
        fprintf(
            stderr,
            _("%1$s: error: refusing to start domain '%2$s': its metadata lists %3$zu SPM-typed NUMA cell(s) (cell %4$u first) but its <qemu:commandline> lost '%5$s', so those cells would boot as ordinary RAM; define it again with 'virt-spm define' from the XML that 'virt-spm dumpxml' prints\n"),
            SPM_HOOK_PROG, guest, md->ncells, md->cells[0].id, SPM_LAUNCH_OPTION);
        return 1;
    }
    /* a Nova guest whose flavor types cells gets its launch data from here */
    if ((listed = spmHookNovaPrepare(guest, doc)) != 0)
        return listed > 0 ? 0 : 1;
    if (!(uuidNode = spmXMLChildElement(xmlDocGetRootElement(doc), "uuid")) ||
        !(uuid = spmXMLNodeContent(uuidNode)))
        return 0;
    base = spmHookRegisterBase(doc);
    if ((listed = spmTypedDomainsCheckStartWithoutLaunchData(base, uuid)) == 0)
        return 0;
    spmErrorPrintAll(stderr, SPM_HOOK_PROG);
    if (listed < 0)
        fprintf(
            stderr,
            _("%1$s: error: refusing to start domain '%2$s': cannot tell whether virt-spm defined it with SPM-typed cells\n"),
            SPM_HOOK_PROG, guest);
    else
        fprintf(
            stderr,
            _("%1$s: error: refusing to start domain '%2$s': its XML also lost virt-spm's metadata; define it again with 'virt-spm define' from your own XML\n"),
            SPM_HOOK_PROG, guest);
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

    if ((SPM_STREQ(op, "stopped") || SPM_STREQ(op, "release")) && SPM_STREQ(subop, "end")) {
        g_autofree char *buf = NULL;
        size_t len = 0;

        /* no XML: nothing to find the launch data by */
        if (spmFileReadAll("-", SPM_FILE_READ_MAX, &buf, &len) < 0)
            return 0;
        return spmHookNovaRelease(guest, buf, len);
    }
    if (!SPM_STREQ(subop, "begin"))
        return 0;
    if (SPM_STREQ(op, "migrate"))
        return spmHookCheckMigration(guest, true);
    if (SPM_STREQ(op, "restore"))
        return spmHookCheckMigration(guest, false);
    if (SPM_STREQ(op, "prepare"))
        return spmHookCheckStart(guest);
    return 0;
}
