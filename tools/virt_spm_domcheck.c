/*
 * virt_spm_domcheck.c: "virt-spm domcheck": is the running guest what
 * virt-spm defined and predicted? (src/qemu/qemu_domcheck.c)
 *
 * What QEMU built is read through libvirt (virDomainQemuMonitorCommand,
 * QMP only: HMP "info numa" aborts QEMU 11.1.3 when an sp-mem device
 * exists).  The expectation is the user's XML that libvirt keeps (memmap
 * restored from virt-spm's metadata), the launch data define stored, and
 * the layout virt-spm predicts for that XML with the domain's QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "virt_spm_libvirt.h"
#include "domain_conf.h"
#include "qemu_capabilities.h"
#include "qemu_define.h"
#include "qemu_domcheck.h"
#include "qemu_layout.h"
#include "shim_emulator_link.h"
#include "spmerror.h"
#include "spmxml.h"

#include <libvirt/libvirt-qemu.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

/* One QMP command's reply; NULL after queueing libvirt's error. */
static char *
spmCliDomcheckQMP(virDomainPtr dom, const char *command)
{
    g_autofree char *cmd = g_strdup_printf("{\"execute\":\"%s\"}", command);
    char *reply = NULL;

    if (virDomainQemuMonitorCommand(dom, cmd, &reply, VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT) <
        0) {
        g_autofree char *ctx = g_strdup_printf(_("QMP '%1$s' failed"), command);

        spmCliReportLibvirtError(ctx);
        return NULL;
    }
    return reply;
}


/* libvirt's <emulator> of the running domain is one of virt-spm's shim
 * links. */
static bool
spmCliDomcheckRunsShim(xmlDocPtr doc)
{
    xmlNodePtr node = spmXMLFindPath(xmlDocGetRootElement(doc), "devices/emulator");
    g_autofree char *path = node ? spmXMLNodeContent(node) : NULL;
    g_autofree char *target = NULL;
    size_t mark = spmErrorMark();
    int rc;

    if (!path)
        return false;
    rc = spmEmulatorLinkGetTarget(path, &target);
    spmErrorTruncate(mark);
    return rc > 0;
}


static int
spmCmdDomcheck(spmCliContext *ctx, const spmCliCommand *cmd G_GNUC_UNUSED, const spmCliArgs *args)
{
    const char *name = spmCliArgsPositional(args, 0);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *raw = NULL;
    g_autofree char *user = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *launchStr = NULL;
    g_autoptr(spmLaunchData) stored = NULL;
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmQEMULayoutInput) input = NULL;
    g_autoptr(spmQEMULayout) layout = NULL;
    g_autofree char *devices = NULL;
    g_autofree char *memdev = NULL;
    g_autofree char *summary = NULL;
    spmQEMUDomcheckReplies replies;
    g_autoptr(spmQEMUDomcheck) check = NULL;
    g_autofree char *out = NULL;
    size_t typed;

    if (!(conn = spmCliConnect(ctx)) || !(dom = spmCliLookupDomain(conn, name)))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    if (virDomainIsActive(dom) != 1) {
        spmReportError(
            SPM_ERR_OPERATION_INVALID,
            _("domain '%1$s' is not running: domcheck reads what QEMU built, so start the domain first"),
            name);
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    }
    if (!(raw = virDomainGetXMLDesc(dom, 0))) {
        spmCliReportLibvirtError(_("failed to get the domain's XML"));
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    }
    if (!(doc = spmXMLParse(raw, strlen(raw), _("libvirt's domain XML"))) ||
        !(user = spmQEMUDefineRestoreUserXML(raw, strlen(raw))) ||
        !(def = spmDomainDefParseString(user, strlen(user), _("the domain's XML"))))
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    if ((launchStr = spmQEMUDefineGetLaunchData(doc)) && spmLaunchDataParse(launchStr, &stored) < 0)
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);

    typed = spmDomainDefCountTypedCells(def);
    if (typed == 0 && !spmCliDomcheckRunsShim(doc)) {
        spmReportError(
            SPM_ERR_OPERATION_INVALID,
            _("domain '%1$s' has no SPM-typed cells virt-spm knows of: libvirt's XML carries neither virt-spm's metadata nor its launch data, and it does not run through virt-spm's emulator shim"),
            name);
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    }

    if (!(caps = spmCliLoadDomainQEMUCaps(def, NULL, NULL, spmCliArgsFlag(args, "no-cache"), NULL)))
        return spmCliFinish(ctx, SPM_EXIT_EMULATOR);
    if (!(input = spmQEMULayoutInputFromDomain(def, caps, NULL)) ||
        !(layout = spmQEMULayoutCompute(input)))
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);

    if (!(devices = spmCliDomcheckQMP(dom, "query-memory-devices")) ||
        !(memdev = spmCliDomcheckQMP(dom, "query-memdev")) ||
        !(summary = spmCliDomcheckQMP(dom, "query-memory-size-summary")))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    replies.memoryDevices = devices;
    replies.memdev = memdev;
    replies.sizeSummary = summary;
    if (!(check = spmQEMUDomcheckCompare(name, stored, layout, &replies)))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);

    if (typed > 0 && !stored)
        spmQEMUDomcheckAddRow(
            check, -1, "launch-data", SPM_LAUNCH_OPTION, NULL, SPM_QEMU_DOMCHECK_DRIFT,
            _("virt-spm's metadata lists typed cells but libvirt's XML lost the launch data: the shim did not type the cells, so they boot as ordinary RAM"));
    else if (typed == 0)
        spmQEMUDomcheckAddRow(
            check, -1, "launch-data", SPM_LAUNCH_OPTION, NULL, SPM_QEMU_DOMCHECK_DRIFT,
            _("the domain runs through virt-spm's emulator shim, but libvirt's XML has neither virt-spm's metadata nor its launch data: it was redefined or started behind virt-spm's back, and any typed cells it had boot as ordinary RAM; define it again with 'virt-spm define'"));

    out = spmCliArgsFlag(args, "json") ? spmQEMUDomcheckFormatJSON(check)
                                       : spmQEMUDomcheckFormatTable(check);
    fputs(out, stdout);
    return spmCliFinish(ctx, check->ndrift > 0 ? SPM_EXIT_DRIFT : SPM_EXIT_OK);
}

static const GOptionEntry spmCliDomcheckOptions[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, NULL, N_("print JSON instead of a table"), NULL},
    SPM_CLI_OPTION_NO_CACHE,
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdDomcheck = {
    .name = "domcheck",
    .handler = spmCmdDomcheck,
    .options = spmCliDomcheckOptions,
    .synopsis = "[--json] [--no-cache] DOMAIN",
    .summary = N_("check that a running SPM guest is what virt-spm defined and predicted"),
    .description = N_(
        "Read what QEMU really built for a running domain (QMP query-memory-devices, query-memdev and query-memory-size-summary, through libvirt) and compare it, for every typed cell, with the domain's XML, the launch data 'define' stored and the layout virt-spm predicts: the sp-mem device's node, address and size, and its memory backend; for the memmap-type form, the backend, and a plain statement that QMP cannot show the typing itself. Exits 0 when everything matches, and with the 'drift' code when a field differs (each one is listed with what it means for the guest)."),
    .minargs = 1,
    .maxargs = 1,
};
