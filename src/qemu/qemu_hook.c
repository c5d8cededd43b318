/*
 * qemu_hook.c: the decision of the libvirt qemu hook: refuse to restore or
 * receive guests with SPM-typed NUMA cells, and to start them without the
 * shim's launch data
 *
 * QEMU 11.1 leaves sp-mem contents out of its migration stream without
 * blocking migration: a restored or migrated SPM guest would find zeros
 * where its accelerator memory was.  So the hook refuses
 *   - "migrate begin" (incoming, on the destination) and "restore begin" of
 *     a domain that virt-spm defined with typed cells;
 *   - "prepare begin" (a start) of a domain with typed cells, by its
 *     metadata or by the register of typed domains (shim_typed_domains.h),
 *     whose <qemu:commandline> lost the launch data: started anyway, it
 *     would boot the SPM memory as ordinary RAM, whatever <emulator> says;
 *   - "prepare begin" of a typed domain (it has launch data) whose UEFI
 *     firmware is verified to drop soft-reserved memory (qemu_firmware.h:
 *     the descriptors or the firmware configuration file may have changed
 *     since 'virt-spm define' checked it);
 * and lets everything else through.  An XML that cannot be read is refused
 * for those operations (fail closed).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_hook.h"
#include "domain_metadata.h"
#include "domain_conf.h"
#include "qemu_define.h"
#include "qemu_firmware.h"
#include "shim_hook_screen.h"
#include "shim_typed_domains.h"
#include "spmerror.h"
#include "spmxml.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

bool
spmQEMUHookNeedsDomainXML(int argc, const char *const *argv)
{
    spmHookOp op = spmHookGetOp(argc, argv);

    return op == SPM_HOOK_OP_MIGRATE || op == SPM_HOOK_OP_RESTORE || op == SPM_HOOK_OP_PREPARE;
}

/* The domain XML and virt-spm's metadata in it (*@md NULL when there is
 * none); -1 with an error. */
static int
spmQEMUHookParseDomain(const char *xml, size_t len, xmlDoc **docret, spmDomainMetadata **md)
{
    g_autoptr(xmlDoc) doc = NULL;

    *md = NULL;
    if (!xml || !(doc = spmXMLParse(xml, len, _("the domain XML from libvirt"))) ||
        spmDomainMetadataParseDoc(doc, md) < 0)
        return -1;
    *docret = g_steal_pointer(&doc);
    return 0;
}

/* Restore (@incoming false) or incoming migration (@incoming true) of the
 * guest @guest. */
static spmQEMUHookVerdict
spmQEMUHookCheckMigration(const char *guest, bool incoming, const char *xml, size_t len,
                          size_t mark, char **message)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmDomainMetadata) md = NULL;

    if (spmQEMUHookParseDomain(xml, len, &doc, &md) < 0) {
        /* Fail closed: without the XML nobody can say the guest has no SPM. */
        if (incoming)
            *message = g_strdup_printf(
                _("%1$s: error: refusing to receive an incoming migration of domain '%2$s': its XML cannot be read, so it may have SPM memory that would be lost\n"),
                SPM_QEMU_HOOK_PROG, guest);
        else
            *message = g_strdup_printf(
                _("%1$s: error: refusing to restore domain '%2$s': its XML cannot be read, so it may have SPM memory that would be lost\n"),
                SPM_QEMU_HOOK_PROG, guest);
        return SPM_QEMU_HOOK_REFUSE;
    }
    spmErrorTruncate(mark);
    if (!md || md->ncells == 0)
        return SPM_QEMU_HOOK_ALLOW;

    if (incoming)
        *message = g_strdup_printf(
            _("%1$s: error: refusing to receive an incoming migration of domain '%2$s': it has %3$zu SPM-typed NUMA cell(s) (cell %4$u first), and QEMU does not carry sp-mem contents in its migration stream, so the guest would find zeros in place of that memory; shut the guest down and start it fresh instead\n"),
            SPM_QEMU_HOOK_PROG, guest, md->ncells, md->cells[0].id);
    else
        *message = g_strdup_printf(
            _("%1$s: error: refusing to restore domain '%2$s': it has %3$zu SPM-typed NUMA cell(s) (cell %4$u first), and QEMU does not carry sp-mem contents in its migration stream, so the guest would find zeros in place of that memory; shut the guest down and start it fresh instead\n"),
            SPM_QEMU_HOOK_PROG, guest, md->ncells, md->cells[0].id);
    return SPM_QEMU_HOOK_REFUSE;
}

/* Where the register of typed domains is, for the domain @doc. */
static char *
spmQEMUHookRegisterBase(xmlDocPtr doc)
{
    xmlNodePtr emulator = spmXMLFindPath(xmlDocGetRootElement(doc), "devices/emulator");
    g_autofree char *path = emulator ? spmXMLNodeContent(emulator) : NULL;

    return spmTypedDomainsBaseForEmulator(path);
}

/* A start of a typed guest (it has launch data): refused when its firmware
 * drops soft-reserved memory; an unknown firmware only warns, and libvirt
 * shows nothing of a hook that succeeds. */
static spmQEMUHookVerdict
spmQEMUHookCheckFirmware(const char *guest, xmlDocPtr doc, size_t mark, char **message)
{
    g_autoptr(spmDomainDef) def = NULL;
    xmlDocPtr copy = xmlCopyDoc(doc, 1);

    if (!copy || !(def = spmDomainDefParseDoc(copy)) || spmQEMUFirmwareCheckDomain(def) > 0) {
        *message = g_strdup_printf(
            _("%1$s: error: refusing to start domain '%2$s': its SPM-typed cells would not reach the guest with this firmware\n"),
            SPM_QEMU_HOOK_PROG, guest);
        return SPM_QEMU_HOOK_REFUSE;
    }
    spmErrorTruncate(mark);
    return SPM_QEMU_HOOK_ALLOW;
}

/* A start of the guest @guest: refused when it has typed cells and lost
 * its launch data, or its firmware drops them. */
static spmQEMUHookVerdict
spmQEMUHookCheckStart(const char *guest, const char *xml, size_t len, size_t mark, char **message)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmDomainMetadata) md = NULL;
    g_autofree char *base = NULL;
    g_autofree char *uuid = NULL;
    xmlNodePtr uuidNode;
    int listed;

    if (spmQEMUHookParseDomain(xml, len, &doc, &md) < 0) {
        *message = g_strdup_printf(
            _("%1$s: error: refusing to start domain '%2$s': its XML cannot be read, so it may have SPM cells that would boot as ordinary RAM\n"),
            SPM_QEMU_HOOK_PROG, guest);
        return SPM_QEMU_HOOK_REFUSE;
    }
    if (spmQEMUDefineHasLaunchData(doc))
        return spmQEMUHookCheckFirmware(guest, doc, mark, message);
    if (md && md->ncells > 0) {
        spmErrorTruncate(mark);
        *message = g_strdup_printf(
            _("%1$s: error: refusing to start domain '%2$s': its metadata lists %3$zu SPM-typed NUMA cell(s) (cell %4$u first) but its <qemu:commandline> lost '%5$s', so those cells would boot as ordinary RAM; define it again with 'virt-spm define' from the XML that 'virt-spm dumpxml' prints\n"),
            SPM_QEMU_HOOK_PROG, guest, md->ncells, md->cells[0].id, SPM_LAUNCH_OPTION);
        return SPM_QEMU_HOOK_REFUSE;
    }
    if (!(uuidNode = spmXMLChildElement(xmlDocGetRootElement(doc), "uuid")) ||
        !(uuid = spmXMLNodeContent(uuidNode))) {
        spmErrorTruncate(mark);
        return SPM_QEMU_HOOK_ALLOW;
    }
    base = spmQEMUHookRegisterBase(doc);
    if ((listed = spmTypedDomainsCheckStartWithoutLaunchData(base, uuid)) == 0) {
        spmErrorTruncate(mark);
        return SPM_QEMU_HOOK_ALLOW;
    }
    if (listed < 0)
        *message = g_strdup_printf(
            _("%1$s: error: refusing to start domain '%2$s': cannot tell whether virt-spm defined it with SPM-typed cells\n"),
            SPM_QEMU_HOOK_PROG, guest);
    else
        *message = g_strdup_printf(
            _("%1$s: error: refusing to start domain '%2$s': its XML also lost virt-spm's metadata; define it again with 'virt-spm define' from your own XML\n"),
            SPM_QEMU_HOOK_PROG, guest);
    return SPM_QEMU_HOOK_REFUSE;
}

spmQEMUHookVerdict
spmQEMUHookDecide(int argc, const char *const *argv, const char *xml, size_t len, char **message)
{
    /* errors queued before the call (reading @xml) stay for a refusal */
    size_t mark = spmErrorMark();

    *message = NULL;
    if (argc < 4) {
        *message = g_strdup_printf(_("usage: %1$s GUEST OPERATION SUB-OPERATION [EXTRA]\n"),
                                   SPM_QEMU_HOOK_PROG);
        return SPM_QEMU_HOOK_USAGE;
    }
    switch (spmHookGetOp(argc, argv)) {
    case SPM_HOOK_OP_MIGRATE:
        return spmQEMUHookCheckMigration(argv[1], true, xml, len, mark, message);
    case SPM_HOOK_OP_RESTORE:
        return spmQEMUHookCheckMigration(argv[1], false, xml, len, mark, message);
    case SPM_HOOK_OP_PREPARE:
        return spmQEMUHookCheckStart(argv[1], xml, len, mark, message);
    case SPM_HOOK_OP_STOPPED:
    case SPM_HOOK_OP_OTHER:
        break;
    }
    return SPM_QEMU_HOOK_ALLOW;
}
