/*
 * virt_spm_nodeinfo.c: "virt-spm nodeinfo": the host's NUMA nodes, memory
 * kinds, soft-reserved ranges and dax devices (src/host), the bindings that
 * would put a domain's typed cells on them (--suggest), and the host check
 * validate and define run on every typed cell (spmCliHostBind)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "domain_backing.h"
#include "host_binding.h"
#include "spmerror.h"

#include <stdio.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

int
spmCliHostBind(const struct _spmDomainDef *def, const char *root, spmLaunchData *launch)
{
    g_autoptr(spmDomainBacking) backing = NULL;
    g_autoptr(spmHost) host = NULL;
    size_t mark = spmErrorMark();

    if (spmDomainDefCountTypedCells(def) == 0)
        return SPM_EXIT_OK;
    if (spmDomainBackingParse(def, &backing) < 0)
        return SPM_EXIT_INVALID_CONFIG;
    if (!(host = spmHostDiscover(root))) {
        size_t i;

        /* Without a binding only warnings could come: the host's trouble
         * need not stop the domain. */
        for (i = 0; i < def->numatune.nmemnodes && !backing; i++) {
            const spmNumaCell *cell = spmDomainDefGetCell(def, def->numatune.memnodes[i].cellid);

            if (cell && cell->memmap != SPM_MEMMAP_NORMAL)
                return SPM_EXIT_IO;
        }
        if (backing)
            return SPM_EXIT_IO;
        spmErrorTruncate(mark);
        return SPM_EXIT_OK;
    }
    if (spmHostBindingCheck(def, backing, host) < 0)
        return SPM_EXIT_INVALID_CONFIG;
    if (launch && spmHostBindingFillLaunch(def, backing, host, launch) < 0)
        return SPM_EXIT_INTERNAL;
    return SPM_EXIT_OK;
}

static int
spmCmdNodeinfo(spmCliContext *ctx, const spmCliCommand *cmd, const spmCliArgs *args)
{
    const char *root = spmCliArgsString(args, "root");
    const char *suggest = spmCliArgsString(args, "suggest");
    bool json = spmCliArgsFlag(args, "json");
    g_autoptr(spmHost) host = NULL;
    g_autoptr(spmDomainDef) def = NULL;
    g_autofree char *out = NULL;
    int rc;

    if (json && spmCliArgsFlag(args, "xml"))
        return spmCliUsageError(ctx, cmd, "%s", _("--xml and --json exclude each other"));
    if (suggest && json)
        return spmCliUsageError(ctx, cmd, "%s",
                                _("--suggest prints XML lines: it excludes --json"));

    if (suggest && (rc = spmCliLoadDomain(suggest, false, &def)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    if (!(host = spmHostDiscover(root)))
        return spmCliFinish(ctx, SPM_EXIT_IO);

    if (suggest) {
        if (!(out = spmHostBindingSuggest(def, host)))
            return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    } else if (json) {
        out = spmHostFormatJSON(host);
    } else {
        out = spmHostFormatXML(host);
    }
    fputs(out, stdout);
    if (!suggest && !ctx->quiet && !spmHostHasSpm(host))
        fprintf(
            stderr, "%s\n",
            _("This host has no HBM or SPM memory: no NUMA node of kind hbm or spm, and no dax device in devdax mode."));
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliNodeinfoOptions[] = {
    {"xml", 0, 0, G_OPTION_ARG_NONE, NULL, N_("print XML (the default)"), NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, NULL, N_("print JSON instead of XML"), NULL},
    {"suggest", 0, 0, G_OPTION_ARG_FILENAME, NULL,
     N_("print the <numatune> lines or dax backing that bind every typed cell of this domain to the host's HBM/SPM memory"),
     N_("FILE")},
    {"root", 0, 0, G_OPTION_ARG_FILENAME, NULL,
     N_("read a captured /sys and /proc tree instead of this host (scripts/capture-guest-topology.sh)"),
     N_("DIR")},
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdNodeinfo = {
    .name = "nodeinfo",
    .handler = spmCmdNodeinfo,
    .options = spmCliNodeinfoOptions,
    .synopsis = "[--xml | --json | --suggest FILE] [--root DIR]",
    .summary = N_("show the host's NUMA nodes, HBM/SPM memory and dax devices"),
    .description = N_(
        "Show every host NUMA node (CPUs, online memory, huge pages, CPU-less or not, memory kind, memory tier, HMAT bandwidth and latency, local PCI accelerators), every soft-reserved range and dax device, and the host's HBM/SPM inventory, in the shape of libvirt's capabilities <topology>. With --suggest, print the <numatune> lines (kmem mode) or <spmhost:backing> element (device-dax mode) that bind every typed cell of the domain to suitable host memory."),
    .minargs = 0,
    .maxargs = 0,
};
