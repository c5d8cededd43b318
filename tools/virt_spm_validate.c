/*
 * virt_spm_validate.c: "virt-spm validate": schema, then every SPM rule
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "domain_conf.h"
#include "domain_schema.h"
#include "domain_validate.h"
#include "spmerror.h"
#include "spmfile.h"

#include <stdio.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

int
spmCmdValidate(spmCliContext *ctx, int argc, char **argv)
{
    const spmCliCommand cmd = {
        "validate",
        "[--no-schema] FILE|-",
        N_("Check a domain XML against virt-spm's schema (libvirt's domain schema plus memmap), then against every SPM rule. Prints every problem found."),
        NULL,
    };
    gboolean noSchema = FALSE;
    GOptionEntry entries[] = {
        {"no-schema", 0, 0, G_OPTION_ARG_NONE, &noSchema,
         N_("skip the RELAX NG schema and check only the SPM rules"), NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autofree char *buf = NULL;
    g_autoptr(spmDomainDef) def = NULL;
    const char *path;
    const char *label;
    xmlDocPtr doc;
    size_t len = 0;
    int rc;
    int schemaRc = 0;

    if ((rc = spmCliParseOptions(ctx, &cmd, entries, &argc, &argv, 1, 1)) != SPM_EXIT_OK)
        return rc < 0 ? SPM_EXIT_OK : rc;

    path = argv[1];
    label = SPM_STREQ(path, "-") ? _("standard input") : path;

    if (spmFileReadAll(path, SPM_FILE_READ_MAX, &buf, &len) < 0)
        return spmCliFinish(ctx, SPM_EXIT_IO);
    if (!(doc = spmXMLParse(buf, len, label)))
        return spmCliFinish(ctx, SPM_EXIT_MALFORMED);
    if (spmXMLCheckRoot(doc, "domain") < 0) {
        xmlFreeDoc(doc);
        return spmCliFinish(ctx, SPM_EXIT_MALFORMED);
    }

    if (!noSchema) {
        schemaRc = spmSchemaValidateDoc(doc, NULL);
        if (schemaRc == -2) {
            xmlFreeDoc(doc);
            return spmCliFinish(ctx, SPM_EXIT_INTERNAL);
        }
    }

    /* Even when the schema failed, the model's own checks say precisely
     * which element and value are wrong, so run them too. */
    if (!(def = spmDomainDefParseDoc(doc)))
        return spmCliFinish(ctx, schemaRc < 0 ? SPM_EXIT_SCHEMA : SPM_EXIT_INVALID_CONFIG);

    if (spmDomainDefValidate(def) > 0)
        return spmCliFinish(ctx, schemaRc < 0 ? SPM_EXIT_SCHEMA : SPM_EXIT_INVALID_CONFIG);
    if (schemaRc < 0)
        return spmCliFinish(ctx, SPM_EXIT_SCHEMA);

    if (!ctx->quiet)
        printf(_("%1$s validates\n"), label);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}
