/*
 * virt_spm_device.c: "attach-device": virsh attach-device, with memory
 * devices of domains with typed cells checked first
 *
 * A typed cell holds its SPM memory and nothing else, and sp-mem is
 * cold-plug only, so no memory device may go to a typed cell, running or
 * not; a memory device on a normal cell must still fit the layout beside
 * the pinned sp-mem ranges.  libvirt's hooks cannot veto a hotplug, so this
 * verb checks the domain with the device added (the SPM rules, the
 * emulator's capabilities, the layout) before libvirt sees the device.  A
 * persistent change to such a domain is defined as "define" does it, so
 * that the launch data follows the new memory.  Other devices, and domains
 * without typed cells, go to libvirt unchanged.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "virt_spm_domain.h"
#include "virt_spm_intent.h"
#include "virt_spm_lock.h"
#include "domain_metadata.h"
#include "qemu_define.h"
#include "spmerror.h"
#include "spmfile.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

/*
 * Checks one side of the attachment (the running definition of @dom, or
 * with @inactive the persistent one).  A domain virt-spm did not define
 * with typed cells (*@typed false, when @typed is not NULL) is libvirt's
 * alone.  Otherwise its
 * user's XML with @device appended to <devices> is loaded and checked:
 * schema (the persistent one only: the running XML has runtime parts),
 * rules, capabilities, layout; when @defret is not NULL, the checked domain,
 * its real emulator and its launch data are returned for a definition.
 * An exit code.
 */
static int
spmCliCheckAttach(virDomainPtr dom, bool inactive, xmlNodePtr device, bool noCache, bool *typed,
                  spmDomainDef **defret, char **realEmulator, spmLaunchData **launch)
{
    unsigned int flags = VIR_DOMAIN_XML_SECURE | (inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
    g_autofree char *xml = NULL;
    g_autofree char *user = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmDomainMetadata) md = NULL;
    g_autoptr(spmDomainDef) def = NULL;
    g_autofree char *emulator = NULL;
    g_autoptr(spmLaunchData) data = NULL;
    xmlNodePtr root;
    xmlNodePtr devices;
    int rc;

    if (typed)
        *typed = false;
    if ((rc = spmCliGetDomainXML(dom, flags, false, &xml)) != SPM_EXIT_OK)
        return rc;
    if (!(doc = spmXMLParse(xml, strlen(xml), _("the domain's XML"))) ||
        spmDomainMetadataParseDoc(doc, &md) < 0)
        return SPM_EXIT_INVALID_CONFIG;
    if (!md || md->ncells == 0)
        return SPM_EXIT_OK;
    if (typed)
        *typed = true;

    g_clear_pointer(&doc, xmlFreeDoc);
    if (!(user = spmQEMUDefineRestoreUserXML(xml, strlen(xml))) ||
        !(doc = spmXMLParse(user, strlen(user), _("the domain's XML"))))
        return SPM_EXIT_INVALID_CONFIG;
    root = xmlDocGetRootElement(doc);
    if (!(devices = spmXMLChildElement(root, "devices")))
        devices = xmlNewChild(root, NULL, BAD_CAST "devices", NULL);
    xmlAddChild(devices, xmlDocCopyNode(device, doc, 1));
    if ((rc = spmCliLoadDomainDoc(g_steal_pointer(&doc), !inactive, &def)) != SPM_EXIT_OK ||
        (rc = spmCliPrepareDef(def, noCache, &emulator, &data)) != SPM_EXIT_OK)
        return rc;
    if (defret) {
        *defret = g_steal_pointer(&def);
        *realEmulator = g_steal_pointer(&emulator);
        *launch = g_steal_pointer(&data);
    }
    return SPM_EXIT_OK;
}

static int
spmCmdAttachDevice(spmCliContext *ctx, const spmCliCommand *cmd, const spmCliArgs *args)
{
    const char *domain = spmCliArgsPositional(args, 0);
    const char *file = spmCliArgsPositional(args, 1);
    bool live = spmCliArgsFlag(args, "live");
    bool config = spmCliArgsFlag(args, "config");
    bool current = spmCliArgsFlag(args, "current");
    bool persistent = spmCliArgsFlag(args, "persistent");
    bool noCache = spmCliArgsFlag(args, "no-cache");
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(virDomain) defined = NULL;
    g_autoptr(spmCliDomainLock) lock = NULL;
    g_autoptr(xmlDoc) devdoc = NULL;
    g_autoptr(spmDomainDef) configDef = NULL;
    g_autoptr(spmLaunchData) configLaunch = NULL;
    g_autofree char *configEmulator = NULL;
    g_autofree char *devxml = NULL;
    bool configTyped = false;
    char uuid[VIR_UUID_STRING_BUFLEN];
    xmlNodePtr device;
    size_t len = 0;
    int active;
    int rc = SPM_EXIT_OK;

    if (current && (live || config || persistent))
        return spmCliUsageError(
            ctx, cmd, "%s",
            _("--current cannot be combined with --live, --config or --persistent"));
    if (spmFileReadAll(file, SPM_FILE_READ_MAX, &devxml, &len) < 0)
        return spmCliFinish(ctx, SPM_EXIT_IO);
    if (!(devdoc = spmXMLParse(devxml, len, file)))
        return spmCliFinish(ctx, SPM_EXIT_MALFORMED);
    device = xmlDocGetRootElement(devdoc);

    if (!(conn = spmCliConnect(ctx)) || !(dom = spmCliLookupDomain(conn, domain)))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    if (virDomainGetUUIDString(dom, uuid) < 0) {
        spmCliReportLibvirtError(_("failed to get the domain's UUID"));
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    }
    /* from the check to the definition: nobody changes the domain between */
    if ((rc = spmCliDomainLockAcquire(uuid, virDomainGetName(dom), &lock)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    spmCliStep("locked");
    /* an earlier command on the domain killed half-way: settled first */
    if ((rc = spmCliIntentSettle(conn, uuid)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    if ((active = virDomainIsActive(dom)) < 0) {
        spmCliReportLibvirtError(_("failed to get the domain's state"));
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    }
    if (persistent) {
        config = true;
        live = active > 0;
    } else if (!live && !config) {
        live = active > 0;
        config = !live;
    }

    if (xmlStrEqual(device->name, BAD_CAST "memory")) {
        if (live &&
            (rc = spmCliCheckAttach(dom, false, device, noCache, NULL, NULL, NULL, NULL)) !=
                SPM_EXIT_OK)
            goto refused;
        if (config &&
            (rc = spmCliCheckAttach(dom, true, device, noCache, &configTyped, &configDef,
                                    &configEmulator, &configLaunch)) != SPM_EXIT_OK)
            goto refused;
    }

    /* the running guest first, as libvirt orders it */
    if (live && virDomainAttachDeviceFlags(dom, devxml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        spmCliReportLibvirtError(_("failed to attach the device to the running domain"));
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    }
    if (config) {
        if (configTyped) {
            rc = spmCliDefineDef(conn, configDef, configEmulator, configLaunch,
                                 _("the domain with the new device"), &defined);
        } else if (virDomainAttachDeviceFlags(dom, devxml, VIR_DOMAIN_AFFECT_CONFIG) < 0) {
            spmCliReportLibvirtError(_("failed to attach the device to the persistent domain"));
            rc = SPM_EXIT_LIBVIRT;
        }
        if (rc != SPM_EXIT_OK) {
            if (live)
                spmReportError(
                    SPM_ERR_OPERATION_FAILED, "%s",
                    _("the device is attached to the running domain only; its persistent configuration is unchanged"));
            return spmCliFinish(ctx, rc);
        }
    }
    spmCliStep("attached");
    if (!ctx->quiet)
        printf("%s\n", _("Device attached successfully"));
    return spmCliFinish(ctx, SPM_EXIT_OK);

refused:
    spmReportError(
        SPM_ERR_OPERATION_INVALID,
        _("memory device from '%1$s' not attached to domain '%2$s'; nothing was changed"), file,
        virDomainGetName(dom));
    return spmCliFinish(ctx, rc);
}

static const GOptionEntry spmCliAttachDeviceOptions[] = {
    {"live", 0, 0, G_OPTION_ARG_NONE, NULL, N_("affect the running domain"), NULL},
    {"config", 0, 0, G_OPTION_ARG_NONE, NULL, N_("affect the persistent domain"), NULL},
    {"current", 0, 0, G_OPTION_ARG_NONE, NULL,
     N_("affect the running domain if it runs, else the persistent one (the default)"), NULL},
    {"persistent", 0, 0, G_OPTION_ARG_NONE, NULL,
     N_("affect the persistent domain, and the running one if it runs"), NULL},
    SPM_CLI_OPTION_NO_CACHE,
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdAttachDevice = {
    .name = "attach-device",
    .handler = spmCmdAttachDevice,
    .options = spmCliAttachDeviceOptions,
    .synopsis = "[--live] [--config] [--current] [--persistent] [--no-cache] DOMAIN FILE|-",
    .summary = N_("attach a device; memory devices of SPM domains are checked first"),
    .description = N_(
        "Attach a device from an XML file, as virsh attach-device. A memory device for a domain with typed cells is checked first (no memory on a typed cell, running or not; the layout with the new device), and a persistent change is defined as 'define' does it."),
    .minargs = 2,
    .maxargs = 2,
};
