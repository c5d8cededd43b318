/*
 * virt_spm.h: the virt-spm command line tool: verbs and exit codes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* The exit codes; spmCliExitCodes[] in virt-spm.c says what each means
 * (virt-spm --help prints it, tests/virtspmdocstest.py checks README.md and
 * docs/virt-spm.rst against that output). */
typedef enum {
    SPM_EXIT_OK = 0,
    SPM_EXIT_INVALID_CONFIG = 1,
    SPM_EXIT_SCHEMA = 2,
    SPM_EXIT_USAGE = 3,
    SPM_EXIT_IO = 4,
    SPM_EXIT_MALFORMED = 5,
    SPM_EXIT_EMULATOR = 6,
    SPM_EXIT_LIBVIRT = 7,
    SPM_EXIT_INTERNAL = 8,
    SPM_EXIT_DRIFT = 9,
    SPM_EXIT_BUSY = 10,

    SPM_EXIT_LAST
} spmExitCode;

typedef struct _spmCliContext spmCliContext;
struct _spmCliContext {
    const char *progname; /* "virt-spm" */
    char *uri;            /* -c/--connect URI, or NULL for libvirt's default */
    bool quiet;           /* -q/--quiet */
};

/* A verb's options and positional arguments, as parsed from its command
 * line (spmCliCommand.options says which options there are). */
typedef struct _spmCliArgs spmCliArgs;

typedef struct _spmCliCommand spmCliCommand;
struct _spmCliCommand {
    const char *name; /* "validate" */
    /* Runs the verb with its parsed command line.  Returns an spmExitCode. */
    int (*handler)(spmCliContext *ctx, const spmCliCommand *cmd, const spmCliArgs *args);
    /* Its options, ending with SPM_CLI_OPTIONS_END; arg_data is unused (the
     * handler asks spmCliArgsFlag and spmCliArgsString by long name). */
    const GOptionEntry *options;
    const char *synopsis;    /* options and arguments: "[--no-schema] FILE|-" */
    const char *summary;     /* one line, for virt-spm --help */
    const char *description; /* a paragraph, for virt-spm VERB --help */
    unsigned int minargs;    /* how many positional arguments it takes */
    unsigned int maxargs;
};

/* The verbs, each defined with its handler in tools/virt_spm_<verb>.c */
extern const spmCliCommand spmCliCmdValidate;
extern const spmCliCommand spmCliCmdLayout;
extern const spmCliCommand spmCliCmdDomcapabilities;
extern const spmCliCommand spmCliCmdDefine;
extern const spmCliCommand spmCliCmdDumpxml;
extern const spmCliCommand spmCliCmdDomxmlToNative;
extern const spmCliCommand spmCliCmdEdit;
extern const spmCliCommand spmCliCmdAttachDevice;
extern const spmCliCommand spmCliCmdUndefine;
extern const spmCliCommand spmCliCmdDomcheck;
extern const spmCliCommand spmCliCmdNodeinfo;
extern const spmCliCommand spmCliCmdHostSetup;
extern const spmCliCommand spmCliCmdProviderConfig;

/* The value of the flag option --@name (G_OPTION_ARG_NONE). */
bool spmCliArgsFlag(const spmCliArgs *args, const char *name);
/* The value of the string option --@name, NULL when it was not given. */
const char *spmCliArgsString(const spmCliArgs *args, const char *name);
/* Positional argument @i (0: the first after the verb). */
const char *spmCliArgsPositional(const spmCliArgs *args, unsigned int i);

/*
 * Prints a usage error in the one format of every usage error,
 *   virt-spm VERB: MESSAGE
 *   Try 'virt-spm VERB --help'.
 * (without VERB when @cmd is NULL), and returns SPM_EXIT_USAGE.
 */
int spmCliUsageError(spmCliContext *ctx, const spmCliCommand *cmd, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* The options that two or more verbs share. */
#define SPM_CLI_OPTION_EMULATOR(description)                                     \
    {                                                                            \
        "emulator", 'e', 0, G_OPTION_ARG_FILENAME, NULL, description, N_("PATH") \
    }
#define SPM_CLI_OPTION_CAPS                                                               \
    {                                                                                     \
        "caps", 0, 0, G_OPTION_ARG_FILENAME, NULL,                                        \
            N_("read QEMU's capabilities from a caps file or a .replies file instead of " \
               "probing"),                                                                \
            N_("FILE")                                                                    \
    }
#define SPM_CLI_OPTION_NO_CACHE                                                  \
    {                                                                            \
        "no-cache", 0, 0, G_OPTION_ARG_NONE, NULL,                               \
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
 * @noSchema) and every rule that holds whatever the binary
 * (spmQEMUValidateRules), and returns SPM_EXIT_OK with *@def set, or the
 * exit code of the first stage that failed, with every problem queued.
 */
struct _spmDomainDef;
struct _xmlDoc;
int spmCliLoadDomain(const char *path, bool noSchema, struct _spmDomainDef **def);
/* The same for a document in memory; @label names it in messages. */
int spmCliLoadDomainBuffer(const char *buf, size_t len, const char *label, bool noSchema,
                           struct _spmDomainDef **def);
/* The same for a parsed document, which it takes (freed on failure). */
int spmCliLoadDomainDoc(struct _xmlDoc *doc, bool noSchema, struct _spmDomainDef **def);

/*
 * QEMU capabilities for a verb: from @capsFile (a caps or .replies file),
 * else from @emulator, else from spmQEMUDefaultEmulator(@arch), probed
 * through the cache (@noCache: probed anyway).  NULL with an error queued
 * (exit with SPM_EXIT_EMULATOR).
 */
typedef struct _spmQEMUCaps spmQEMUCaps;
spmQEMUCaps *spmCliLoadQEMUCaps(const char *emulator, const char *capsFile, const char *arch,
                                bool noCache);

/*
 * QEMU capabilities for a loaded domain: from @capsFile, else @emulator,
 * else the domain's own (spmQEMUDefineRealEmulator).  The real emulator's
 * path goes into *@realEmulator when it is not NULL (NULL with @capsFile).
 * NULL with an error queued (exit with SPM_EXIT_EMULATOR).
 */
spmQEMUCaps *spmCliLoadDomainQEMUCaps(const struct _spmDomainDef *def, const char *emulator,
                                      const char *capsFile, bool noCache, char **realEmulator);

/*
 * Checks the host memory of every typed cell of @def on this host (@root
 * NULL) or a captured tree (src/host/host_binding.h), and, when @launch is
 * not NULL, puts the dax backing into it.  An spmExitCode.
 */
typedef struct _spmLaunchData spmLaunchData;
int spmCliHostBind(const struct _spmDomainDef *def, const char *root, spmLaunchData *launch);
