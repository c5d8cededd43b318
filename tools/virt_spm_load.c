/*
 * virt_spm_load.c: how every verb loads a domain and the capabilities of
 * its QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "domain_conf.h"
#include "domain_schema.h"
#include "qemu_capabilities.h"
#include "qemu_capscache.h"
#include "qemu_define.h"
#include "qemu_domain.h"
#include "qemu_validate.h"
#include "spmerror.h"
#include "spmfile.h"

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

spmQEMUCaps *
spmCliLoadQEMUCaps(const char *emulator, const char *capsFile, const char *arch, bool noCache)
{
    g_autofree char *defaultEmulator = NULL;

    if (capsFile)
        return spmQEMUCapsLoadFile(capsFile);
    if (!emulator) {
        if (!(defaultEmulator = spmQEMUDefaultEmulator(arch)))
            return NULL;
        emulator = defaultEmulator;
    }
    SPM_DEBUG("capabilities of '%s'%s", emulator, noCache ? " (no cache)" : "");
    return spmQEMUCapsLookup(emulator, noCache ? SPM_QEMU_CAPS_NO_CACHE : 0);
}

spmQEMUCaps *
spmCliLoadDomainQEMUCaps(const spmDomainDef *def, const char *emulator, const char *capsFile,
                         bool noCache, char **realEmulator)
{
    g_autofree char *domainEmulator = NULL;
    spmQEMUCaps *caps;

    if (!capsFile && !emulator) {
        if (!(domainEmulator = spmQEMUDefineRealEmulator(def)))
            return NULL;
        emulator = domainEmulator;
    }
    if (!(caps = spmCliLoadQEMUCaps(emulator, capsFile, def->os.arch, noCache)))
        return NULL;
    if (realEmulator)
        *realEmulator = capsFile ? NULL : g_strdup(emulator);
    return caps;
}
