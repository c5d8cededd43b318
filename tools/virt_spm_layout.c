/*
 * virt_spm_layout.c: "virt-spm layout": the guest-physical memory map QEMU
 * will build for a domain, before anything runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "domain_conf.h"
#include "qemu_validate.h"
#include "qemu_capabilities.h"
#include "qemu_capscache.h"
#include "qemu_layout.h"
#include "spmerror.h"
#include "spmfile.h"

#include <stdio.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

static int
spmCmdLayout(spmCliContext *ctx, const spmCliCommand *cmd, const spmCliArgs *args)
{
    const char *emulator = spmCliArgsString(args, "emulator");
    const char *capsFile = spmCliArgsString(args, "caps");
    const char *svgPath = spmCliArgsString(args, "svg");
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmQEMULayoutInput) input = NULL;
    g_autoptr(spmQEMULayout) layout = NULL;
    g_autofree char *out = NULL;
    int rc;

    if (emulator && capsFile)
        return spmCliUsageError(ctx, cmd, "%s", _("--emulator and --caps exclude each other"));

    /* As domxml-to-native: every rule, but not the schema (define runs it). */
    if ((rc = spmCliLoadDomain(spmCliArgsPositional(args, 0), true, &def)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    if (!(caps = spmCliLoadDomainQEMUCaps(def, emulator, capsFile, spmCliArgsFlag(args, "no-cache"),
                                          NULL)))
        return spmCliFinish(ctx, SPM_EXIT_EMULATOR);
    if (spmQEMUValidateDomainDef(def, caps) > 0)
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);

    if (!(input = spmQEMULayoutInputFromDomain(def, caps, NULL)))
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    if (!(layout = spmQEMULayoutCompute(input)))
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);

    if (svgPath) {
        g_autofree char *svg = spmQEMULayoutFormatSVG(layout, input);

        if (!svg)
            return spmCliFinish(ctx, SPM_EXIT_INTERNAL);
        if (spmFileWriteAtomic(svgPath, svg, strlen(svg), 0644) < 0)
            return spmCliFinish(ctx, SPM_EXIT_IO);
    }

    if (spmCliArgsFlag(args, "json"))
        out = spmQEMULayoutFormatJSON(layout, input);
    else
        out = spmQEMULayoutFormatTable(layout, input);
    if (!out)
        return spmCliFinish(ctx, SPM_EXIT_INTERNAL);
    fputs(out, stdout);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliLayoutOptions[] = {
    SPM_CLI_OPTION_EMULATOR(N_("lay out for this QEMU binary instead of the domain's <emulator>")),
    SPM_CLI_OPTION_CAPS,
    SPM_CLI_OPTION_NO_CACHE,
    {"json", 0, 0, G_OPTION_ARG_NONE, NULL, N_("print the layout as JSON instead of a table"),
     NULL},
    {"svg", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("also draw the address map as SVG into OUT"),
     N_("OUT")},
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdLayout = {
    .name = "layout",
    .handler = spmCmdLayout,
    .options = spmCliLayoutOptions,
    .synopsis = "[--emulator PATH | --caps FILE] [--no-cache] [--json] [--svg OUT] FILE|-",
    .summary =
        N_("show the guest-physical memory map QEMU will build (E820, SRAT, sp-mem addresses)"),
    .description = N_(
        "Show where QEMU will put every NUMA cell's memory: the RAM split, the device-memory window, the pinned sp-mem addresses, the E820 table and the SRAT entries the guest firmware gets, the E820 map the guest gets from OVMF (touching soft-reserved ranges coalesced), for the domain's <emulator> (or --emulator/--caps). Rejects configurations QEMU would refuse or that would leave the guest without its SPM memory, with the checks 'validate' and 'define' run."),
    .minargs = 1,
    .maxargs = 1,
};
