/*
 * virt_spm_domcapabilities.c: "virt-spm domcapabilities": what a QEMU binary
 * offers for SPM-typed NUMA cells (src/qemu/qemu_domain_capabilities.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "qemu_capabilities.h"
#include "qemu_domain_capabilities.h"
#include "qemu_validate.h"
#include "spmerror.h"

#include <stdio.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

static int
spmCmdDomcapabilities(spmCliContext *ctx, const spmCliCommand *cmd, const spmCliArgs *args)
{
    const char *emulator = spmCliArgsString(args, "emulator");
    const char *capsFile = spmCliArgsString(args, "caps");
    const char *arch = spmCliArgsString(args, "arch");
    const char *machineName = spmCliArgsString(args, "machine");
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autofree char *out = NULL;
    const char *machine;

    if (emulator && capsFile)
        return spmCliUsageError(ctx, cmd, "%s", _("--emulator and --caps exclude each other"));

    if (!(caps = spmCliLoadQEMUCaps(emulator, capsFile, arch, spmCliArgsFlag(args, "no-cache"))))
        return spmCliFinish(ctx, SPM_EXIT_EMULATOR);
    if (arch && !spmQEMUValidateArch(arch, caps))
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);

    machine = spmQEMUCapsResolveMachine(caps, machineName);
    if (machineName && !machine) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("machine type '%1$s' is not offered by QEMU '%2$s' (%3$s)"), machineName,
                       spmQEMUCapsGetBinary(caps), spmQEMUCapsGetVersionString(caps));
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    }

    if (spmCliArgsFlag(args, "json"))
        out = spmQEMUDomainCapsFormatJSON(caps, machine);
    else
        out = spmQEMUDomainCapsFormatXML(caps, machine);
    if (!out)
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    fputs(out, stdout);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliDomcapabilitiesOptions[] = {
    SPM_CLI_OPTION_EMULATOR(N_("the QEMU binary (default: /usr/bin/qemu-system-ARCH)")),
    SPM_CLI_OPTION_CAPS,
    {"arch", 0, 0, G_OPTION_ARG_STRING, NULL, N_("the guest architecture (default: the host's)"),
     N_("ARCH")},
    {"machine", 0, 0, G_OPTION_ARG_STRING, NULL,
     N_("the machine type or alias (default: QEMU's default)"), N_("TYPE")},
    {"json", 0, 0, G_OPTION_ARG_NONE, NULL, N_("print JSON instead of XML"), NULL},
    SPM_CLI_OPTION_NO_CACHE,
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdDomcapabilities = {
    .name = "domcapabilities",
    .handler = spmCmdDomcapabilities,
    .options = spmCliDomcapabilitiesOptions,
    .synopsis =
        "[--emulator PATH | --caps FILE] [--arch ARCH] [--machine TYPE] [--json] [--no-cache]",
    .summary =
        N_("show what a QEMU binary offers for SPM-typed cells (memmap values, QEMU interface)"),
    .description = N_(
        "Show what a QEMU binary offers for SPM-typed NUMA cells (whether memmap is supported, its values, and the QEMU interface that will be used), with the QEMU version and machine type, and the UEFI images the firmware descriptors offer for it with virt-spm's verdict on each (verified-good, verified-bad, unknown; with --machine, the one libvirt selects for <os firmware='efi'>). The binary is probed once and the result cached."),
    .minargs = 0,
    .maxargs = 0,
};
