/*
 * virt_spm_provider_config.c: "virt-spm provider-config": a Nova provider
 * configuration (placement traits) for this compute host
 *
 * nova-compute reads every *.yaml in [compute] provider_config_location at
 * start-up and adds the custom traits and inventories listed there to its
 * compute node's resource provider ($COMPUTE_NODE).  The traits say what the
 * QEMU behind the host's default emulator can do, found by probing it:
 *
 *   CUSTOM_VIRT_SPM                 it runs SPM-typed guest nodes
 *   CUSTOM_VIRT_SPM_SP_MEM          ... with -device sp-mem (QEMU 11.1)
 *   CUSTOM_VIRT_SPM_MEMMAP_TYPE     ... with -numa memmap-type= (spm and reserved)
 *
 * A flavor then asks for them with trait:CUSTOM_VIRT_SPM_SP_MEM=required.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "host_nodeinfo.h"
#include "qemu_capabilities.h"
#include "shim_emulator_link.h"
#include "spmerror.h"

#include <stdio.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

#define SPM_PROVIDER_DEFAULT_EMULATOR "/usr/bin/qemu-system-x86_64"

/* The traits of the SPM form @form; NULL-terminated. */
static const char *const *
spmProviderConfigFormTraits(spmForm form)
{
    static const char *const spMem[] = {"CUSTOM_VIRT_SPM", "CUSTOM_VIRT_SPM_SP_MEM", NULL};
    static const char *const memmapType[] = {"CUSTOM_VIRT_SPM", "CUSTOM_VIRT_SPM_MEMMAP_TYPE",
                                             NULL};

    switch (form) {
    case SPM_FORM_SP_MEM:
        return spMem;
    case SPM_FORM_MEMMAP_TYPE:
        return memmapType;
    case SPM_FORM_NONE:
    case SPM_FORM_LAST:
        break;
    }
    return NULL;
}

/*
 * The "inventories:" part of the provider: the host's HBM/SPM memory
 * (host_nodeinfo.h: online HBM/SPM nodes in kmem mode and devdax devices in
 * device-dax mode, what `virt-spm nodeinfo` lists) as the custom resource
 * class CUSTOM_SPM_MB, which a flavor consumes with
 * resources:CUSTOM_SPM_MB=N.  Nothing on a host without such memory.
 */
static void
spmProviderConfigFormatInventories(GString *buf, const spmHostSpmInventory *inv)
{
    if (inv->totalMiB == 0)
        return;
    g_string_append_printf(buf,
                           "    inventories:\n"
                           "      additional:\n"
                           "        - CUSTOM_SPM_MB:\n"
                           "            total: %llu\n"
                           "            reserved: 0\n"
                           "            min_unit: 1\n"
                           "            max_unit: %llu\n"
                           "            step_size: 1\n"
                           "            allocation_ratio: 1.0\n",
                           inv->totalMiB, inv->totalMiB);
}

static int
spmCmdProviderConfig(spmCliContext *ctx, const spmCliCommand *cmd, const spmCliArgs *args)
{
    const char *emulator = spmCliArgsString(args, "emulator");
    const char *capsFile = spmCliArgsString(args, "caps");
    g_autofree char *linkPath = NULL;
    g_autofree char *real = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autoptr(spmHost) host = NULL;
    spmHostSpmInventory inventory = {0};
    const char *const *traits;
    spmForm form;
    size_t i;

    if (emulator && capsFile)
        return spmCliUsageError(ctx, cmd, "%s", _("--emulator and --caps exclude each other"));
    if (!capsFile) {
        if (!emulator)
            emulator = SPM_PROVIDER_DEFAULT_EMULATOR;
        /* behind the shim (host-setup), what counts is the real QEMU */
        if (spmEmulatorLinkResolve(emulator, &linkPath, &real) < 0)
            return spmCliFinish(ctx, SPM_EXIT_EMULATOR);
    }
    if (!(caps = spmCliLoadQEMUCaps(real ? real : emulator, capsFile, NULL,
                                    spmCliArgsFlag(args, "no-cache"))))
        return spmCliFinish(ctx, SPM_EXIT_EMULATOR);

    form = spmQEMUCapsGetSpmForm(caps);
    if (!(traits = spmProviderConfigFormTraits(form))) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("QEMU '%1$s' (%2$s) offers no SPM interface, so this host cannot run SPM guests: give it no provider configuration, or put an SPM-capable QEMU behind the shim with 'virt-spm host-setup --install --qemu PATH'"),
            spmQEMUCapsGetBinary(caps), spmQEMUCapsGetVersionString(caps));
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    }

    if (!(host = spmHostDiscover(spmCliArgsString(args, "root"))))
        return spmCliFinish(ctx, SPM_EXIT_IO);
    spmHostGetSpmInventory(host, &inventory);

    g_string_append_printf(buf,
                           "# virt-spm provider configuration for Nova's "
                           "[compute] provider_config_location\n"
                           "# QEMU %s (%s), SPM form %s\n",
                           spmQEMUCapsGetBinary(caps), spmQEMUCapsGetVersionString(caps),
                           spmFormTypeToString(form));
    g_string_append_printf(buf, "# HBM/SPM memory of this host: %llu MiB\n", inventory.totalMiB);
    g_string_append(buf,
                    "meta:\n"
                    "  schema_version: '1.0'\n"
                    "providers:\n"
                    "  - identification:\n"
                    "      uuid: $COMPUTE_NODE\n");
    spmProviderConfigFormatInventories(buf, &inventory);
    spmHostSpmInventoryClear(&inventory);
    g_string_append(buf,
                    "    traits:\n"
                    "      additional:\n");
    for (i = 0; traits[i]; i++)
        g_string_append_printf(buf, "        - %s\n", traits[i]);
    fputs(buf->str, stdout);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliProviderConfigOptions[] = {
    SPM_CLI_OPTION_EMULATOR(N_(
        "the QEMU libvirt runs for Nova (default: /usr/bin/qemu-system-x86_64; behind the shim, the real QEMU counts)")),
    SPM_CLI_OPTION_CAPS,
    SPM_CLI_OPTION_NO_CACHE,
    {"root", 0, 0, G_OPTION_ARG_FILENAME, NULL,
     N_("size the HBM/SPM inventory from a captured /sys and /proc tree instead of this host"),
     N_("DIR")},
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdProviderConfig = {
    .name = "provider-config",
    .handler = spmCmdProviderConfig,
    .options = spmCliProviderConfigOptions,
    .synopsis = "[--emulator PATH | --caps FILE] [--no-cache] [--root DIR]",
    .summary = N_("print a Nova provider configuration with this host's SPM traits"),
    .description = N_(
        "Print a Nova provider configuration (YAML, schema version 1.0, provider $COMPUTE_NODE) whose traits say what the host's QEMU can do for SPM guests: CUSTOM_VIRT_SPM and CUSTOM_VIRT_SPM_SP_MEM or CUSTOM_VIRT_SPM_MEMMAP_TYPE. Put it into Nova's [compute] provider_config_location."),
    .minargs = 0,
    .maxargs = 0,
};
