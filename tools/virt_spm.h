/*
 * virt_spm.h: the virt-spm command line tool: verbs and exit codes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* Documented exit codes (docs/virt-spm.rst). */
typedef enum {
    SPM_EXIT_OK = 0, /* success (warnings may have been printed) */
    SPM_EXIT_INVALID_CONFIG =
        1,                  /* the configuration breaks a rule (semantic, capability, layout) */
    SPM_EXIT_SCHEMA = 2,    /* the document does not validate against the RELAX NG schema */
    SPM_EXIT_USAGE = 3,     /* bad command line */
    SPM_EXIT_IO = 4,        /* a file could not be read or written */
    SPM_EXIT_MALFORMED = 5, /* not well-formed XML, or not a <domain> document */
    SPM_EXIT_EMULATOR = 6,  /* the QEMU binary could not be probed, or its data is corrupt */
    SPM_EXIT_LIBVIRT = 7,   /* libvirt refused the operation */
    SPM_EXIT_INTERNAL = 8,  /* a bug in virt-spm */
} spmExitCode;

typedef struct _spmCliContext spmCliContext;
struct _spmCliContext {
    const char *progname; /* "virt-spm" */
    char *uri;            /* -c/--connect URI, or NULL for libvirt's default */
    bool debug;           /* -d/--debug */
    bool quiet;           /* -q/--quiet */
};

typedef struct _spmCliCommand spmCliCommand;
struct _spmCliCommand {
    const char *name;       /* "validate" */
    const char *parameters; /* "FILE|-" (for the usage line) */
    const char *summary;    /* one line, for virt-spm --help */
    /* Runs the verb.  argv[0] is the verb name.  Returns an spmExitCode. */
    int (*run)(spmCliContext *ctx, int argc, char **argv);
};

/*
 * Parses the verb's options with GOption: handles --help (prints and exits
 * 0) and turns a parse error into a usage message.  Returns SPM_EXIT_OK,
 * SPM_EXIT_USAGE, or -1 after --help was printed (the caller returns
 * SPM_EXIT_OK).  @nargs is the number of positional arguments expected
 * (min..max) left in argv after parsing.
 */
int spmCliParseOptions(spmCliContext *ctx, const spmCliCommand *cmd, GOptionEntry *entries,
                       int *argc, char ***argv, int minargs, int maxargs);

/* The --no-cache option of the verbs that probe an emulator, and the end
 * of a GOptionEntry table. */
#define SPM_CLI_OPTION_NO_CACHE(var)                                             \
    {                                                                            \
        "no-cache", 0, 0, G_OPTION_ARG_NONE, &(var),                             \
            N_("probe the emulator even when its capabilities are cached"), NULL \
    }
#define SPM_CLI_OPTIONS_END             \
    {                                   \
        NULL, 0, 0, 0, NULL, NULL, NULL \
    }

/* Prints queued errors/warnings and returns @code. */
int spmCliFinish(spmCliContext *ctx, int code);

/*
 * Reads FILE ("-": standard input), checks it against the schema (unless
 * @noSchema) and every SPM rule, and returns SPM_EXIT_OK with *@def set, or
 * the exit code of the first stage that failed, with every problem queued.
 */
struct _spmDomainDef;
struct _xmlDoc;
int spmCliLoadDomain(const char *path, bool noSchema, struct _spmDomainDef **def);
/* The same for a document in memory; @label names it in messages. */
int spmCliLoadDomainBuffer(const char *buf, size_t len, const char *label, bool noSchema,
                           struct _spmDomainDef **def);
/* The same for a parsed document, which it takes (freed on failure). */
int spmCliLoadDomainDoc(struct _xmlDoc *doc, bool noSchema, struct _spmDomainDef **def);

/* The verbs, each in its own file tools/virt_spm_<verb>.c */
int spmCmdValidate(spmCliContext *ctx, int argc, char **argv);
int spmCmdDefine(spmCliContext *ctx, int argc, char **argv);
int spmCmdDumpxml(spmCliContext *ctx, int argc, char **argv);
int spmCmdDomxmlToNative(spmCliContext *ctx, int argc, char **argv);
int spmCmdUndefine(spmCliContext *ctx, int argc, char **argv);
int spmCmdEdit(spmCliContext *ctx, int argc, char **argv);
int spmCmdAttachDevice(spmCliContext *ctx, int argc, char **argv);
int spmCmdLayout(spmCliContext *ctx, int argc, char **argv);
int spmCmdDomcapabilities(spmCliContext *ctx, int argc, char **argv);

/* QEMU capabilities for a verb: from --caps FILE, else from --emulator PATH
 * (default /usr/bin/qemu-system-ARCH, ARCH defaulting to the host's) through
 * the cache.  NULL with an error queued (exit with SPM_EXIT_EMULATOR). */
typedef struct _spmQEMUCaps spmQEMUCaps;
spmQEMUCaps *spmCliLoadQEMUCaps(spmCliContext *ctx, const char *emulator, const char *capsFile,
                                const char *arch, bool noCache);
