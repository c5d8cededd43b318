/*
 * virt_spm_validate.c: "virt-spm validate": schema, then every SPM rule
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "domain_conf.h"
#include "domain_schema.h"
#include "domain_validate.h"
#include "qemu_capabilities.h"
#include "qemu_define.h"
#include "qemu_validate.h"
#include "spmerror.h"
#include "spmfile.h"

#include <stdio.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

int
spmCliLoadDomainDoc(xmlDocPtr doc, bool noSchema, spmDomainDef **defret)
{
    g_autoptr(spmDomainDef) def = NULL;
    int schemaRc = 0;

    *defret = NULL;
    if (spmXMLCheckRoot(doc, "domain") < 0) {
        xmlFreeDoc(doc);
        return SPM_EXIT_MALFORMED;
    }

    if (!noSchema) {
        schemaRc = spmSchemaValidateDoc(doc, NULL);
        if (schemaRc == -2) {
            xmlFreeDoc(doc);
            return SPM_EXIT_INTERNAL;
        }
    }

    /* Even when the schema failed, the model's own checks say precisely
     * which element and value are wrong, so run them too. */
    if (!(def = spmDomainDefParseDoc(doc)) || spmQEMUValidateRules(def) > 0)
        return schemaRc < 0 ? SPM_EXIT_SCHEMA : SPM_EXIT_INVALID_CONFIG;
    if (schemaRc < 0)
        return SPM_EXIT_SCHEMA;

    *defret = g_steal_pointer(&def);
    return SPM_EXIT_OK;
}

int
spmCliLoadDomainBuffer(const char *buf, size_t len, const char *label, bool noSchema,
                       spmDomainDef **defret)
{
    xmlDocPtr doc;

    *defret = NULL;
    if (!(doc = spmXMLParse(buf, len, label)))
        return SPM_EXIT_MALFORMED;
    return spmCliLoadDomainDoc(doc, noSchema, defret);
}

int
spmCliLoadDomain(const char *path, bool noSchema, spmDomainDef **defret)
{
    g_autofree char *buf = NULL;
    size_t len = 0;

    *defret = NULL;
    if (spmFileReadAll(path, SPM_FILE_READ_MAX, &buf, &len) < 0)
        return SPM_EXIT_IO;
    return spmCliLoadDomainBuffer(buf, len, SPM_STREQ(path, "-") ? _("standard input") : path,
                                  noSchema, defret);
}

int
spmCmdValidate(spmCliContext *ctx, int argc, char **argv)
{
    const spmCliCommand cmd = {
        "validate",
        "[--no-schema] [--emulator PATH | --caps FILE | --offline] [--no-cache] FILE|-",
        N_("Check a domain XML against virt-spm's schema (libvirt's domain schema plus memmap), then against every SPM rule, then, for a domain with typed cells, against what its QEMU binary offers (its <emulator>, or --emulator/--caps). Prints every problem found."),
        NULL,
    };
    gboolean noSchema = FALSE;
    gboolean noCache = FALSE;
    gboolean offline = FALSE;
    g_autofree char *emulator = NULL;
    g_autofree char *capsFile = NULL;
    GOptionEntry entries[] = {
        {"no-schema", 0, 0, G_OPTION_ARG_NONE, &noSchema,
         N_("skip the RELAX NG schema and check only the SPM rules"), NULL},
        {"emulator", 0, 0, G_OPTION_ARG_FILENAME, &emulator,
         N_("check against this QEMU binary instead of the domain's <emulator>"), "PATH"},
        {"caps", 0, 0, G_OPTION_ARG_FILENAME, &capsFile,
         N_("check against recorded capabilities (a caps file or a .replies file)"), "FILE"},
        {"offline", 0, 0, G_OPTION_ARG_NONE, &offline,
         N_("do not look at any QEMU binary: configuration rules only"), NULL},
        SPM_CLI_OPTION_NO_CACHE(noCache),
        SPM_CLI_OPTIONS_END,
    };
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    int rc;

    if ((rc = spmCliParseOptions(ctx, &cmd, entries, &argc, &argv, 1, 1)) != SPM_EXIT_OK)
        return rc < 0 ? SPM_EXIT_OK : rc;
    if (offline && (emulator || capsFile)) {
        fprintf(stderr, _("%1$s validate: --offline excludes --emulator and --caps\n"),
                ctx->progname);
        return SPM_EXIT_USAGE;
    }

    if ((rc = spmCliLoadDomain(argv[1], noSchema, &def)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);

    /* The capability rules concern typed cells only. */
    if (!offline && spmDomainDefCountTypedCells(def) > 0) {
        if (!emulator && !capsFile)
            emulator = spmQEMUDefineRealEmulator(def);
        if (!(caps = spmCliLoadQEMUCaps(ctx, emulator, capsFile, def->os.arch, noCache)))
            return spmCliFinish(ctx, SPM_EXIT_EMULATOR);
        if (spmQEMUValidateDomainDef(def, caps) > 0)
            return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    }

    if (!ctx->quiet)
        printf(_("%1$s validates\n"), SPM_STREQ(argv[1], "-") ? _("standard input") : argv[1]);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}
