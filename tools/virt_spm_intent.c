/*
 * virt_spm_intent.c: the journal that keeps a verb's two stores in step
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm_intent.h"
#include "virt_spm_libvirt.h"
#include "domain_metadata.h"
#include "qemu_define.h"
#include "shim_emulator_link.h"
#include "shim_typed_domains.h"
#include "spmerror.h"
#include "spmxml.h"

#include <libvirt/virterror.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

/* libvirt's definition of a domain, as far as the journal compares it. */
typedef struct {
    bool defined;
    char *digest; /* SHA-256 of the inactive XML */
    char *launch; /* its launch data, NULL when none */
    bool typed;   /* launch data, or typed cells in virt-spm's metadata */
} spmCliDefinition;

static void
spmCliDefinitionClear(spmCliDefinition *def)
{
    g_clear_pointer(&def->digest, g_free);
    g_clear_pointer(&def->launch, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(spmCliDefinition, spmCliDefinitionClear);

static int
spmCliDefinitionGet(virConnectPtr conn, const char *uuid, spmCliDefinition *def)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmDomainMetadata) md = NULL;
    g_autofree char *xml = NULL;

    memset(def, 0, sizeof(*def));
    if (!(dom = virDomainLookupByUUIDString(conn, uuid))) {
        if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN) {
            virResetLastError();
            return SPM_EXIT_OK;
        }
        spmCliReportLibvirtError(_("cannot look the domain up"));
        return SPM_EXIT_LIBVIRT;
    }
    if (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE))) {
        spmCliReportLibvirtError(_("failed to get the domain's XML"));
        return SPM_EXIT_LIBVIRT;
    }
    if (!(doc = spmXMLParse(xml, strlen(xml), _("the domain XML from libvirt"))))
        return SPM_EXIT_LIBVIRT;
    def->defined = true;
    def->digest = g_compute_checksum_for_string(G_CHECKSUM_SHA256, xml, -1);
    def->launch = spmQEMUDefineGetLaunchData(doc);
    /* malformed metadata counts as typed: fail closed */
    def->typed = def->launch || spmDomainMetadataParseDoc(doc, &md) != 0;
    return SPM_EXIT_OK;
}

static bool
spmCliIntentIsOld(const spmTypedDomainsIntent *intent, const spmCliDefinition *cur)
{
    if (!cur->defined)
        return !intent->oldDefined;
    return intent->oldDefined && SPM_STREQ(cur->digest, intent->oldDigest);
}

static bool
spmCliIntentIsNew(const spmTypedDomainsIntent *intent, const spmCliDefinition *cur)
{
    if (!cur->defined)
        return !intent->newDefined;
    if (!intent->newDefined)
        return false;
    if (intent->newLaunch)
        return cur->launch && SPM_STREQ(cur->launch, intent->newLaunch);
    return !cur->typed;
}

int
spmCliIntentSettle(virConnectPtr conn, const char *uuid)
{
    const char *base = spmEmulatorLinkBaseDir();
    g_auto(spmTypedDomainsIntent) intent = {0};
    g_auto(spmCliDefinition) cur = {0};
    bool listed;
    int now;
    int rc;

    if ((rc = spmTypedDomainsIntentRead(base, uuid, &intent)) == 0)
        return SPM_EXIT_OK;
    if (rc < 0)
        return SPM_EXIT_IO;
    if ((rc = spmCliDefinitionGet(conn, uuid, &cur)) != SPM_EXIT_OK)
        return rc;
    if ((now = spmTypedDomainsLookup(base, uuid)) < 0)
        return SPM_EXIT_IO;

    if (spmCliIntentIsOld(&intent, &cur)) {
        listed = intent.oldListed;
        spmLogDebugMessage(__func__, "domain %s: an interrupted verb is rolled back", uuid);
    } else if (spmCliIntentIsNew(&intent, &cur)) {
        listed = intent.newListed;
        spmLogDebugMessage(__func__, "domain %s: an interrupted verb is rolled forward", uuid);
    } else {
        /* changed by someone else meanwhile: never take a listing away */
        listed = now || cur.typed || intent.oldListed || intent.newListed;
        spmReportWarning(
            SPM_ERR_OPERATION_INVALID,
            _("domain %1$s was changed outside virt-spm while a virt-spm command on it was interrupted; it stays %2$s in the register of typed domains"),
            uuid, listed ? _("listed") : _("unlisted"));
    }
    if (listed && !now && spmTypedDomainsAdd(base, uuid, intent.name) < 0)
        return SPM_EXIT_IO;
    if (!listed && now && spmTypedDomainsRemove(base, uuid) < 0)
        return SPM_EXIT_IO;
    return spmCliIntentEnd(uuid);
}

int
spmCliIntentBegin(virConnectPtr conn, const char *uuid, const char *name, bool newDefined,
                  const char *newLaunch)
{
    const char *base = spmEmulatorLinkBaseDir();
    g_auto(spmCliDefinition) cur = {0};
    spmTypedDomainsIntent intent = {0};
    int listed;
    int rc;

    if ((rc = spmCliIntentSettle(conn, uuid)) != SPM_EXIT_OK ||
        (rc = spmCliDefinitionGet(conn, uuid, &cur)) != SPM_EXIT_OK)
        return rc;
    if ((listed = spmTypedDomainsLookup(base, uuid)) < 0)
        return SPM_EXIT_IO;
    intent.name = (char *)name;
    intent.oldDefined = cur.defined;
    intent.oldDigest = cur.digest;
    intent.oldListed = listed;
    intent.newDefined = newDefined;
    intent.newLaunch = (char *)newLaunch;
    intent.newListed = newDefined && newLaunch;
    if (spmTypedDomainsIntentWrite(base, uuid, &intent) < 0)
        return SPM_EXIT_IO;
    return SPM_EXIT_OK;
}

int
spmCliIntentEnd(const char *uuid)
{
    return spmTypedDomainsIntentRemove(spmEmulatorLinkBaseDir(), uuid) < 0 ? SPM_EXIT_IO
                                                                           : SPM_EXIT_OK;
}
