/*
 * virt-spm.c: SPM-typed guest NUMA nodes for libvirt domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "spmerror.h"

#include <libxml/parser.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

typedef struct {
    spmExitCode code;
    const char *name;    /* "invalid-config" */
    const char *meaning; /* one line, for --help and the documentation */
} spmCliExitCodeInfo;

/* Every exit code, indexed by its value. */
static const spmCliExitCodeInfo spmCliExitCodes[SPM_EXIT_LAST] = {
    {SPM_EXIT_OK, "ok", N_("success (warnings may have been printed)")},
    {SPM_EXIT_INVALID_CONFIG, "invalid-config",
     N_("the configuration breaks a rule (semantic, capability or layout)")},
    {SPM_EXIT_SCHEMA, "schema", N_("the document does not validate against the schema")},
    {SPM_EXIT_USAGE, "usage", N_("usage error: bad command line")},
    {SPM_EXIT_IO, "io", N_("a file could not be read or written")},
    {SPM_EXIT_MALFORMED, "malformed", N_("not well-formed XML, or not a <domain> document")},
    {SPM_EXIT_EMULATOR, "emulator",
     N_("the QEMU binary could not be probed, or its capability data is corrupt")},
    {SPM_EXIT_LIBVIRT, "libvirt", N_("libvirt refused the operation")},
    {SPM_EXIT_INTERNAL, "internal", N_("internal error (a bug in virt-spm)")},
    {SPM_EXIT_DRIFT, "drift",
     N_("domcheck: the running guest differs from what virt-spm defined and predicted")},
    {SPM_EXIT_BUSY, "busy",
     N_("another command changed or is changing the same domain; try again")},
};

/* The verbs, in the order --help lists them. */
static const spmCliCommand *const spmCliCommands[] = {
    &spmCliCmdValidate,       &spmCliCmdLayout,       &spmCliCmdDomcapabilities,
    &spmCliCmdDefine,         &spmCliCmdDumpxml,      &spmCliCmdDomxmlToNative,
    &spmCliCmdEdit,           &spmCliCmdAttachDevice, &spmCliCmdUndefine,
    &spmCliCmdDomcheck,       &spmCliCmdNodeinfo,     &spmCliCmdHostSetup,
    &spmCliCmdProviderConfig,
};

/* One option's value: where GOption stores it. */
typedef union {
    gboolean flag;
    char *string;
} spmCliOptionValue;

struct _spmCliArgs {
    const spmCliCommand *cmd;
    spmCliOptionValue *values; /* one per entry of cmd->options */
    char **positional;         /* NULL-terminated, not owned */
    unsigned int npositional;
};

static void
spmCliArgsFree(spmCliArgs *args)
{
    size_t i;

    if (!args)
        return;
    for (i = 0; args->cmd->options[i].long_name; i++) {
        if (args->cmd->options[i].arg != G_OPTION_ARG_NONE)
            g_free(args->values[i].string);
    }
    g_free(args->values);
    g_free(args);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmCliArgs, spmCliArgsFree);

/* The index of option --@name of the verb, a flag (G_OPTION_ARG_NONE) when
 * @flag, else one with a value.  A name the verb does not declare so is a
 * bug in virt-spm. */
static size_t
spmCliArgsFind(const spmCliArgs *args, const char *name, bool flag)
{
    const GOptionEntry *options = args->cmd->options;
    size_t i;

    for (i = 0; options[i].long_name; i++) {
        if (SPM_STREQ(options[i].long_name, name) && (options[i].arg == G_OPTION_ARG_NONE) == flag)
            return i;
    }
    g_error("virt-spm %s declares no %s --%s", args->cmd->name, flag ? "flag" : "option", name);
}

bool
spmCliArgsFlag(const spmCliArgs *args, const char *name)
{
    return args->values[spmCliArgsFind(args, name, true)].flag;
}

const char *
spmCliArgsString(const spmCliArgs *args, const char *name)
{
    return args->values[spmCliArgsFind(args, name, false)].string;
}

const char *
spmCliArgsPositional(const spmCliArgs *args, unsigned int i)
{
    g_assert(i < args->npositional);
    return args->positional[i];
}

int
spmCliUsageError(spmCliContext *ctx, const spmCliCommand *cmd, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, _("%1$s %2$s: %3$s\nTry '%1$s %2$s --help'.\n"), ctx->progname, cmd->name,
                msg);
    else
        fprintf(stderr, _("%1$s: %2$s\nTry '%1$s --help'.\n"), ctx->progname, msg);
    return SPM_EXIT_USAGE;
}

static const spmCliCommand *
spmCliFindCommand(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(spmCliCommands); i++) {
        if (SPM_STREQ(spmCliCommands[i]->name, name))
            return spmCliCommands[i];
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
    for (i = 0; i < G_N_ELEMENTS(spmCliCommands); i++)
        fprintf(fp, "  %-18s %s\n", spmCliCommands[i]->name, _(spmCliCommands[i]->summary));
    fprintf(fp, "%s",
            _("\nGlobal options:\n"
              "  -c, --connect URI  libvirt connection URI (default: libvirt's default)\n"
              "  -d, --debug        print debug messages\n"
              "  -q, --quiet        print only errors and warnings\n"
              "  -h, --help         show this help, or a command's with COMMAND --help\n"
              "  -V, --version      print the version\n"));
    fprintf(fp, "%s", _("\nExit codes:\n"));
    for (i = 0; i < G_N_ELEMENTS(spmCliExitCodes); i++)
        fprintf(fp, "  %u  %-15s %s\n", spmCliExitCodes[i].code, spmCliExitCodes[i].name,
                _(spmCliExitCodes[i].meaning));
}

/* virt-spm VERB --help: the synopsis, the description, the options. */
static void
spmCliPrintCommandHelp(spmCliContext *ctx, const spmCliCommand *cmd)
{
    const GOptionEntry *opt;

    printf(_("Usage: %1$s %2$s %3$s\n\n%4$s\n"), ctx->progname, cmd->name, cmd->synopsis,
           _(cmd->description));
    if (!cmd->options[0].long_name)
        return;
    printf("%s", _("\nOptions:\n"));
    for (opt = cmd->options; opt->long_name; opt++) {
        g_autofree char *spelling = NULL;
        g_autofree char *shortName = NULL;

        if (opt->short_name)
            shortName = g_strdup_printf("-%c, ", opt->short_name);
        if (opt->arg == G_OPTION_ARG_NONE)
            spelling = g_strdup_printf("%s--%s", shortName ? shortName : "", opt->long_name);
        else
            spelling = g_strdup_printf("%s--%s=%s", shortName ? shortName : "", opt->long_name,
                                       _(opt->arg_description));
        printf("  %-20s %s\n", spelling, _(opt->description));
    }
}

/*
 * Parses the verb's command line (@argv[0] is the verb) against its
 * options and argument count.  Returns SPM_EXIT_OK with *@argsret set,
 * SPM_EXIT_USAGE after the usage error, or -1 when --help was asked for.
 */
static int
spmCliParseCommand(spmCliContext *ctx, const spmCliCommand *cmd, int argc, char **argv,
                   spmCliArgs **argsret)
{
    g_autoptr(spmCliArgs) args = g_new0(spmCliArgs, 1);
    g_autoptr(GOptionContext) octx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;
    g_autofree GOptionEntry *entries = NULL;
    size_t nopts = 0;
    size_t i;
    int j;

    while (cmd->options[nopts].long_name)
        nopts++;
    args->cmd = cmd;
    args->values = g_new0(spmCliOptionValue, nopts + 1);

    /* GOption's own --help exits the process; handle it here instead so
     * that cleanup runs and the exit code is ours. */
    for (j = 1; j < argc; j++) {
        if (SPM_STREQ(argv[j], "--"))
            break;
        if (SPM_STREQ(argv[j], "--help") || SPM_STREQ(argv[j], "-h"))
            return -1;
    }
    entries = g_new0(GOptionEntry, nopts + 1);
    for (i = 0; i < nopts; i++) {
        entries[i] = cmd->options[i];
        if (entries[i].arg == G_OPTION_ARG_NONE)
            entries[i].arg_data = &args->values[i].flag;
        else
            entries[i].arg_data = &args->values[i].string;
    }
    g_option_context_set_help_enabled(octx, FALSE);
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &err))
        return spmCliUsageError(ctx, cmd, "%s", err->message);

    args->positional = argv + 1;
    args->npositional = argc - 1;
    if (args->npositional < cmd->minargs || args->npositional > cmd->maxargs)
        return spmCliUsageError(ctx, cmd, _("expected %1$s"), cmd->synopsis);
    *argsret = g_steal_pointer(&args);
    return SPM_EXIT_OK;
}

/* Runs the verb @argv[0] with its arguments. */
static int
spmCliRunCommand(spmCliContext *ctx, const spmCliCommand *cmd, int argc, char **argv)
{
    g_autoptr(spmCliArgs) args = NULL;
    int rc;

    rc = spmCliParseCommand(ctx, cmd, argc, argv, &args);
    if (rc < 0) {
        spmCliPrintCommandHelp(ctx, cmd);
        return SPM_EXIT_OK;
    }
    if (rc != SPM_EXIT_OK)
        return rc;
    return cmd->handler(ctx, cmd, args);
}

int
spmCliFinish(spmCliContext *ctx G_GNUC_UNUSED, int code)
{
    spmErrorPrintAll(stderr, NULL);
    spmErrorReset();
    return code;
}

/*
 * The global options before the verb.  Returns the index of the verb in
 * @argv, or -1 with *@rc set when virt-spm is done (--help, --version, a
 * usage error).
 */
static int
spmCliParseGlobalOptions(spmCliContext *ctx, int argc, char **argv, int *rc)
{
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *opt = argv[i];

        if (SPM_STREQ(opt, "-c") || SPM_STREQ(opt, "--connect")) {
            if (i + 1 >= argc) {
                *rc = spmCliUsageError(ctx, NULL, _("option '%1$s' needs a URI"), opt);
                return -1;
            }
            g_free(ctx->uri);
            ctx->uri = g_strdup(argv[++i]);
        } else if (g_str_has_prefix(opt, "--connect=")) {
            g_free(ctx->uri);
            ctx->uri = g_strdup(opt + strlen("--connect="));
        } else if (SPM_STREQ(opt, "-d") || SPM_STREQ(opt, "--debug")) {
            spmLogSetDebug(true);
        } else if (SPM_STREQ(opt, "-q") || SPM_STREQ(opt, "--quiet")) {
            ctx->quiet = true;
        } else if (SPM_STREQ(opt, "-h") || SPM_STREQ(opt, "--help")) {
            spmCliPrintUsage(stdout, ctx->progname);
            *rc = SPM_EXIT_OK;
            return -1;
        } else if (SPM_STREQ(opt, "-V") || SPM_STREQ(opt, "--version")) {
            printf("%s %s\n", ctx->progname, PACKAGE_VERSION);
            *rc = SPM_EXIT_OK;
            return -1;
        } else {
            *rc = spmCliUsageError(ctx, NULL, _("unknown option '%1$s'"), opt);
            return -1;
        }
    }
    if (i >= argc) {
        spmCliPrintUsage(stderr, ctx->progname);
        *rc = SPM_EXIT_USAGE;
        return -1;
    }
    return i;
}

int
main(int argc, char **argv)
{
    spmCliContext ctx = {.progname = "virt-spm"};
    const spmCliCommand *cmd;
    const char *name;
    int rc = SPM_EXIT_OK;
    int i;

    setlocale(LC_ALL, "");
    bindtextdomain(PACKAGE, NULL);
    g_set_prgname(ctx.progname);
    xmlInitParser();

    if ((i = spmCliParseGlobalOptions(&ctx, argc, argv, &rc)) < 0)
        goto cleanup;

    name = argv[i];
    if (SPM_STREQ(name, "help")) {
        if (i + 1 >= argc) {
            spmCliPrintUsage(stdout, ctx.progname);
            goto cleanup;
        }
        name = argv[i + 1];
    }
    if (!(cmd = spmCliFindCommand(name))) {
        rc = spmCliUsageError(&ctx, NULL, _("unknown command '%1$s'"), name);
        goto cleanup;
    }

    if (SPM_STREQ(argv[i], "help"))
        spmCliPrintCommandHelp(&ctx, cmd);
    else
        rc = spmCliRunCommand(&ctx, cmd, argc - i, argv + i);

cleanup:
    g_free(ctx.uri);
    xmlCleanupParser();
    return rc;
}
