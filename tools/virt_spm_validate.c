/*
 * virt_spm_validate.c: "virt-spm validate": schema, then every SPM rule
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "domain_conf.h"
#include "qemu_capabilities.h"
#include "qemu_validate.h"
#include "spmerror.h"

#include <stdio.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

static int
spmCmdValidate(spmCliContext *ctx, const spmCliCommand *cmd, const spmCliArgs *args)
{
    const char *path = spmCliArgsPositional(args, 0);
    const char *emulator = spmCliArgsString(args, "emulator");
    const char *capsFile = spmCliArgsString(args, "caps");
    bool offline = spmCliArgsFlag(args, "offline");
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    int rc;

    if (offline && (emulator || capsFile))
        return spmCliUsageError(ctx, cmd, "%s", _("--offline excludes --emulator and --caps"));

    if ((rc = spmCliLoadDomain(path, spmCliArgsFlag(args, "no-schema"), &def)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);

    /* The capability rules concern typed cells only. */
    if (!offline && spmDomainDefCountTypedCells(def) > 0) {
        if (!(caps = spmCliLoadDomainQEMUCaps(def, emulator, capsFile,
                                              spmCliArgsFlag(args, "no-cache"), NULL)))
            return spmCliFinish(ctx, SPM_EXIT_EMULATOR);
        if (spmQEMUValidateDomainDef(def, caps) > 0)
            return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    }
    /* The host memory each typed cell is bound to. */
    if (!offline &&
        (rc = spmCliHostBind(def, spmCliArgsString(args, "host-root"), NULL)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);

    if (!ctx->quiet)
        printf(_("%1$s validates\n"), SPM_STREQ(path, "-") ? _("standard input") : path);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliValidateOptions[] = {
    {"no-schema", 0, 0, G_OPTION_ARG_NONE, NULL,
     N_("skip the RELAX NG schema and check only the SPM rules"), NULL},
    SPM_CLI_OPTION_EMULATOR(
        N_("check against this QEMU binary instead of the domain's <emulator>")),
    SPM_CLI_OPTION_CAPS,
    {"offline", 0, 0, G_OPTION_ARG_NONE, NULL,
     N_("do not look at any QEMU binary: configuration rules only"), NULL},
    SPM_CLI_OPTION_NO_CACHE,
    {"host-root", 0, 0, G_OPTION_ARG_FILENAME, NULL,
     N_("check the typed cells' host memory against a captured /sys and /proc tree instead of this host"),
     N_("DIR")},
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdValidate = {
    .name = "validate",
    .handler = spmCmdValidate,
    .options = spmCliValidateOptions,
    .synopsis =
        "[--no-schema] [--emulator PATH | --caps FILE | --offline] [--no-cache] [--host-root DIR] FILE|-",
    .summary = N_("check a domain XML against the schema and the SPM rules"),
    .description = N_(
        "Check a domain XML against virt-spm's schema (libvirt's domain schema plus memmap), then against every SPM rule, then, for a domain with typed cells, against what its QEMU binary offers (its <emulator>, or --emulator/--caps), and the host memory its typed cells are bound to (<numatune><memnode>, or dax backing in <spmhost:backing>). Prints every problem found."),
    .minargs = 1,
    .maxargs = 1,
};
