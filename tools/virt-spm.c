/*
 * virt-spm.c: SPM-typed guest NUMA nodes for libvirt domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "spmerror.h"

#include <libxml/parser.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

static const spmCliCommand spmCliCommands[] = {
    {"validate", "[--no-schema] [--emulator PATH | --caps FILE | --offline] FILE|-",
     N_("check a domain XML against the schema and the SPM rules"), spmCmdValidate},
    {"layout", "[--emulator PATH | --caps FILE] [--json] [--svg OUT] FILE|-",
     N_("show the guest-physical memory map QEMU will build (E820, SRAT, sp-mem addresses)"),
     spmCmdLayout},
    {"domcapabilities", "[--emulator PATH | --caps FILE] [--arch A] [--machine M] [--json]",
     N_("show what a QEMU binary offers for SPM-typed cells (memmap values, QEMU interface)"),
     spmCmdDomcapabilities},
    {"define", "[--print-xml] [--no-cache] FILE|-",
     N_("validate a domain and define it in libvirt with its typed cells kept"), spmCmdDefine},
    {"dumpxml", "[--inactive] [--raw] DOMAIN",
     N_("print a domain's XML as the user wrote it (memmap restored)"), spmCmdDumpxml},
    {"domxml-to-native", "[--args] [--no-cache] FILE|-",
     N_("print the exact QEMU command line for a domain XML"), spmCmdDomxmlToNative},
    {"edit", "[--no-cache] DOMAIN",
     N_("edit a domain's XML as the user wrote it, then define it again"), spmCmdEdit},
    {"attach-device", "[--live] [--config] [--current] [--persistent] [--no-cache] DOMAIN FILE|-",
     N_("attach a device; memory devices of SPM domains are checked first"), spmCmdAttachDevice},
    {"undefine", "[--nvram] DOMAIN", N_("undefine a domain"), spmCmdUndefine},
};

static const spmCliCommand *
spmCliFindCommand(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(spmCliCommands); i++) {
        if (SPM_STREQ(spmCliCommands[i].name, name))
            return &spmCliCommands[i];
    }
    return NULL;
}

static void
spmCliPrintUsage(FILE *fp, const char *progname)
{
    size_t i;

    fprintf(fp, _("Usage: %1$s [-c URI] [-d] [-q] COMMAND [OPTIONS] [ARGS]\n"), progname);
    fprintf(fp, "%s",
            _("\nSPM-typed guest NUMA nodes (memmap='spm') for libvirt domains.\n\nCommands:\n"));
    for (i = 0; i < G_N_ELEMENTS(spmCliCommands); i++) {
        fprintf(fp, "  %-18s %s\n", spmCliCommands[i].name, _(spmCliCommands[i].summary));
    }
    fprintf(fp, "%s",
            _("\nGlobal options:\n"
              "  -c, --connect URI  libvirt connection URI (default: libvirt's default)\n"
              "  -d, --debug        print debug messages\n"
              "  -q, --quiet        print only errors and warnings\n"
              "  -h, --help         show this help, or a command's with COMMAND --help\n"
              "  -V, --version      print the version\n"
              "\nExit codes: 0 ok, 1 invalid configuration, 2 schema failure, 3 usage,\n"
              "4 I/O error, 5 malformed XML, 6 emulator or capability data,\n"
              "7 libvirt error, 8 internal error.\n"));
}

int
spmCliParseOptions(spmCliContext *ctx, const spmCliCommand *cmd, GOptionEntry *entries, int *argc,
                   char ***argv, int minargs, int maxargs)
{
    g_autofree char *params = g_strdup_printf("%s %s", cmd->name, cmd->parameters);
    g_autoptr(GOptionContext) octx = g_option_context_new(params);
    g_autoptr(GError) err = NULL;
    bool help = false;
    int i;
    int rest;

    /* GOption's own --help exits the process; handle it here instead so
     * that cleanup runs and the exit code is ours. */
    for (i = 1; i < *argc; i++) {
        if (SPM_STREQ((*argv)[i], "--"))
            break;
        if (SPM_STREQ((*argv)[i], "--help") || SPM_STREQ((*argv)[i], "-h"))
            help = true;
    }

    g_option_context_set_summary(octx, _(cmd->summary));
    g_option_context_set_help_enabled(octx, FALSE);
    if (entries)
        g_option_context_add_main_entries(octx, entries, NULL);

    if (help) {
        g_autofree char *text = g_option_context_get_help(octx, TRUE, NULL);
        g_autofree char *fixed = NULL;
        char *pos;

        /* GOption writes "Usage:\n  prog verb ..." with prog = g_get_prgname() */
        fixed = g_strdup(text);
        if ((pos = strstr(fixed, "Help Options:"))) {
            char *end = strstr(pos, "\n\n");
            if (end)
                memmove(pos, end + 2, strlen(end + 2) + 1);
        }
        fputs(fixed, stdout);
        return -1;
    }

    if (!g_option_context_parse(octx, argc, argv, &err)) {
        fprintf(stderr, _("%1$s %2$s: %3$s\nTry '%1$s %2$s --help'.\n"), ctx->progname, cmd->name,
                err->message);
        return SPM_EXIT_USAGE;
    }

    rest = *argc - 1;
    if (rest < minargs || rest > maxargs) {
        fprintf(stderr, _("%1$s %2$s: expected %3$s\nTry '%1$s %2$s --help'.\n"), ctx->progname,
                cmd->name, cmd->parameters);
        return SPM_EXIT_USAGE;
    }
    return SPM_EXIT_OK;
}

int
spmCliFinish(spmCliContext *ctx, int code)
{
    spmErrorPrintAll(stderr, NULL);
    spmErrorReset();
    return code;
}

int
main(int argc, char **argv)
{
    spmCliContext ctx = {.progname = "virt-spm"};
    const spmCliCommand *cmd;
    int i;
    int rc;

    setlocale(LC_ALL, "");
    bindtextdomain(PACKAGE, NULL);
    g_set_prgname(ctx.progname);
    xmlInitParser();

    /* Global options come before the verb. */
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *opt = argv[i];

        if (SPM_STREQ(opt, "-c") || SPM_STREQ(opt, "--connect")) {
            if (i + 1 >= argc) {
                fprintf(stderr, _("%1$s: option '%2$s' needs a URI\n"), ctx.progname, opt);
                return SPM_EXIT_USAGE;
            }
            g_free(ctx.uri);
            ctx.uri = g_strdup(argv[++i]);
        } else if (g_str_has_prefix(opt, "--connect=")) {
            g_free(ctx.uri);
            ctx.uri = g_strdup(opt + strlen("--connect="));
        } else if (SPM_STREQ(opt, "-d") || SPM_STREQ(opt, "--debug")) {
            ctx.debug = true;
            spmLogSetDebug(true);
        } else if (SPM_STREQ(opt, "-q") || SPM_STREQ(opt, "--quiet")) {
            ctx.quiet = true;
        } else if (SPM_STREQ(opt, "-h") || SPM_STREQ(opt, "--help")) {
            spmCliPrintUsage(stdout, ctx.progname);
            g_free(ctx.uri);
            return SPM_EXIT_OK;
        } else if (SPM_STREQ(opt, "-V") || SPM_STREQ(opt, "--version")) {
            printf("%s %s\n", ctx.progname, PACKAGE_VERSION);
            g_free(ctx.uri);
            return SPM_EXIT_OK;
        } else {
            fprintf(stderr, _("%1$s: unknown option '%2$s'\nTry '%1$s --help'.\n"), ctx.progname,
                    opt);
            g_free(ctx.uri);
            return SPM_EXIT_USAGE;
        }
    }

    if (i >= argc) {
        spmCliPrintUsage(stderr, ctx.progname);
        g_free(ctx.uri);
        return SPM_EXIT_USAGE;
    }

    if (SPM_STREQ(argv[i], "help")) {
        if (i + 1 < argc && (cmd = spmCliFindCommand(argv[i + 1]))) {
            char *helpargv[] = {argv[i + 1], (char *)"--help", NULL};
            rc = cmd->run(&ctx, 2, helpargv);
        } else if (i + 1 < argc) {
            fprintf(stderr, _("%1$s: unknown command '%2$s'\nTry '%1$s --help'.\n"), ctx.progname,
                    argv[i + 1]);
            rc = SPM_EXIT_USAGE;
        } else {
            spmCliPrintUsage(stdout, ctx.progname);
            rc = SPM_EXIT_OK;
        }
        g_free(ctx.uri);
        return rc;
    }

    if (!(cmd = spmCliFindCommand(argv[i]))) {
        fprintf(stderr, _("%1$s: unknown command '%2$s'\nTry '%1$s --help'.\n"), ctx.progname,
                argv[i]);
        g_free(ctx.uri);
        return SPM_EXIT_USAGE;
    }

    rc = cmd->run(&ctx, argc - i, argv + i);
    g_free(ctx.uri);
    xmlCleanupParser();
    return rc;
}
