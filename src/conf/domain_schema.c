/*
 * domain_schema.c: RELAX NG validation of domain XML
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_schema.h"
#include "spmbuildtree.h"
#include "spmerror.h"

#include <libxml/relaxng.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SCHEMA

typedef struct {
    char *path;
    xmlRelaxNGPtr rng;
} spmSchemaCacheEntry;

static GMutex spmSchemaLock;
static GHashTable *spmSchemaCache; /* path -> spmSchemaCacheEntry */

/*
 * The directory holding virt-spm's schemas: $VIRT_SPM_SCHEMA_DIR, else the
 * build tree when the running program is one of the build tree's, else the
 * installed location.
 */
static const char *
spmSchemaDir(void)
{
    const char *env = getenv("VIRT_SPM_SCHEMA_DIR");

    if (env && *env)
        return env;
    if (spmRunningFromBuildTree())
        return SPM_BUILD_SCHEMA_DIR;
    return SPM_SCHEMA_DIR;
}

/* The full path of the virt-spm domain schema. */
static char *
spmDomainSchemaPath(void)
{
    return g_build_filename(spmSchemaDir(), SPM_DOMAIN_SCHEMA_FILE, NULL);
}

static void
spmSchemaCollect(void *opaque, const xmlError *err)
{
    GString *msgs = opaque;
    g_autofree char *text = NULL;

    if (!err || !err->message)
        return;
    text = g_strchomp(g_strdup(err->message));
    if (msgs->len)
        g_string_append(msgs, "; ");
    if (err->line > 0)
        g_string_append_printf(msgs, _("line %1$d: %2$s"), err->line, text);
    else
        g_string_append(msgs, text);
}

static void
spmSchemaEntryFree(spmSchemaCacheEntry *entry)
{
    xmlRelaxNGFree(entry->rng);
    g_free(entry->path);
    g_free(entry);
}

static xmlRelaxNGPtr
spmSchemaLoad(const char *path)
{
    spmSchemaCacheEntry *entry;
    xmlRelaxNGParserCtxtPtr pctxt = NULL;
    g_autoptr(GString) msgs = g_string_new(NULL);
    xmlRelaxNGPtr rng = NULL;

    g_mutex_lock(&spmSchemaLock);
    if (!spmSchemaCache)
        spmSchemaCache = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify)spmSchemaEntryFree);
    if ((entry = g_hash_table_lookup(spmSchemaCache, path))) {
        g_mutex_unlock(&spmSchemaLock);
        return entry->rng;
    }

    if (access(path, R_OK) < 0) {
        spmReportError(SPM_ERR_INTERNAL_ERROR,
                       _("schema '%1$s' is missing: reinstall virt-spm or set VIRT_SPM_SCHEMA_DIR"),
                       path);
        goto out;
    }
    if (!(pctxt = xmlRelaxNGNewParserCtxt(path)))
        goto out;
    xmlRelaxNGSetParserStructuredErrors(pctxt, (xmlStructuredErrorFunc)spmSchemaCollect, msgs);
    if (!(rng = xmlRelaxNGParse(pctxt))) {
        spmReportError(
            SPM_ERR_INTERNAL_ERROR,
            _("cannot compile schema '%1$s': %2$s (is libvirt's domain.rng installed where virt-spm was built against?)"),
            path, msgs->str);
        goto out;
    }
    entry = g_new0(spmSchemaCacheEntry, 1);
    entry->path = g_strdup(path);
    entry->rng = rng;
    g_hash_table_insert(spmSchemaCache, entry->path, entry);

out:
    xmlRelaxNGFreeParserCtxt(pctxt);
    g_mutex_unlock(&spmSchemaLock);
    return rng;
}

int
spmSchemaValidateDoc(xmlDocPtr doc, const char *rngPath)
{
    g_autofree char *defpath = NULL;
    g_autoptr(GString) msgs = g_string_new(NULL);
    xmlRelaxNGValidCtxtPtr vctxt;
    xmlRelaxNGPtr rng;
    int rc;

    if (!rngPath)
        rngPath = defpath = spmDomainSchemaPath();
    if (!(rng = spmSchemaLoad(rngPath)))
        return -2;
    if (!(vctxt = xmlRelaxNGNewValidCtxt(rng))) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, "%s", _("cannot allocate a schema validator"));
        return -2;
    }
    xmlRelaxNGSetValidStructuredErrors(vctxt, (xmlStructuredErrorFunc)spmSchemaCollect, msgs);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);

    if (rc != 0) {
        spmReportError(SPM_ERR_XML_INVALID_SCHEMA, _("Unable to validate doc against %1$s: %2$s"),
                       rngPath, msgs->len ? msgs->str : _("unknown error"));
        return -1;
    }
    return 0;
}
