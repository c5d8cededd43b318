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

int
spmCmdLayout(spmCliContext *ctx, int argc, char **argv)
{
    const spmCliCommand cmd = {
        "layout",
        "[--emulator PATH | --caps FILE] [--json] [--svg OUT] FILE|-",
        N_("Show where QEMU will put every NUMA cell's memory: the RAM split, the device-memory window, the pinned sp-mem addresses, the E820 table and the SRAT entries the guest firmware gets. Rejects configurations QEMU would refuse or that would leave the guest without its SPM memory."),
        NULL,
    };
    g_autofree char *emulator = NULL;
    g_autofree char *capsPath = NULL;
    g_autofree char *svgPath = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        {"emulator", 'e', 0, G_OPTION_ARG_FILENAME, &emulator,
         N_("probe this QEMU binary (through the capabilities cache)"), N_("PATH")},
        {"caps", 0, 0, G_OPTION_ARG_FILENAME, &capsPath,
         N_("read QEMU's capabilities from a caps or .replies file"), N_("FILE")},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("print the layout as JSON instead of a table"),
         NULL},
        {"svg", 0, 0, G_OPTION_ARG_FILENAME, &svgPath,
         N_("also draw the address map as SVG into OUT"), N_("OUT")},
        SPM_CLI_OPTIONS_END,
    };
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmQEMULayoutInput) input = NULL;
    g_autoptr(spmQEMULayout) layout = NULL;
    g_autofree char *out = NULL;
    int rc;

    if ((rc = spmCliParseOptions(ctx, &cmd, entries, &argc, &argv, 1, 1)) != SPM_EXIT_OK)
        return rc < 0 ? SPM_EXIT_OK : rc;

    if (emulator && capsPath) {
        fprintf(stderr, _("%1$s %2$s: --emulator and --caps exclude each other\n"), ctx->progname,
                cmd.name);
        return SPM_EXIT_USAGE;
    }

    if (!(def = spmDomainDefParseFile(argv[1]))) {
        return spmCliFinish(
            ctx, spmErrorHasCode(SPM_ERR_SYSTEM_ERROR) ? SPM_EXIT_IO : SPM_EXIT_MALFORMED);
    }
    if (spmQEMUValidateRules(def) > 0)
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);

    if (emulator) {
        if (!(caps = spmQEMUCapsLookup(emulator, 0)))
            return spmCliFinish(ctx, SPM_EXIT_EMULATOR);
    } else if (capsPath) {
        if (!(caps = spmQEMUCapsLoadFile(capsPath)))
            return spmCliFinish(ctx, SPM_EXIT_EMULATOR);
    } else if (!ctx->quiet) {
        fprintf(
            stderr, "%s",
            _("note: no --emulator or --caps given: assuming QEMU 11.1's sp-mem device and the newest version of the machine type\n"));
    }

    if (!(input = spmQEMULayoutInputFromDomain(def, caps, NULL)))
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    if (!(layout = spmQEMULayoutCompute(input)))
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);

    if (svgPath) {
        g_autofree char *svg = spmQEMULayoutFormatSVG(layout, input);

        if (spmFileWriteAtomic(svgPath, svg, strlen(svg), 0644) < 0)
            return spmCliFinish(ctx, SPM_EXIT_IO);
    }

    if (json)
        out = spmQEMULayoutFormatJSON(layout, input);
    else
        out = spmQEMULayoutFormatTable(layout, input);
    fputs(out, stdout);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}
