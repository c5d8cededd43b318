/*
 * qemu_define.c: a domain with SPM-typed cells in the form stock libvirt
 * keeps, and back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_define.h"
#include "domain_metadata.h"
#include "shim_emulator_link.h"
#include "qemu_domain.h"
#include "qemu_validate.h"
#include "spmerror.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU

char *
spmQEMUDefineRealEmulator(const spmDomainDef *def)
{
    g_autofree char *target = NULL;
    size_t mark;

    if (!def->emulator || !*def->emulator)
        return spmQEMUDefaultEmulator(def->os.arch);
    mark = spmErrorMark();
    /* an XML that already went through virt-spm names the shim link; a
     * path that cannot be looked at is simply not one */
    if (spmEmulatorLinkGetTarget(def->emulator, &target) == 1)
        return g_steal_pointer(&target);
    spmErrorTruncate(mark);
    return g_strdup(def->emulator);
}

int
spmQEMUDefinePrepare(const spmDomainDef *def, const spmQEMUCaps *caps,
                     const spmQEMULayoutHost *host, spmLaunchData **launch)
{
    g_autoptr(spmQEMULayoutInput) input = NULL;
    g_autoptr(spmQEMULayout) layout = NULL;

    *launch = NULL;
    if (spmQEMUValidateDomainDef(def, caps) > 0)
        return -1;
    if (spmDomainDefCountTypedCells(def) == 0)
        return 0;

    if (!(input = spmQEMULayoutInputFromDomain(def, caps, host)) ||
        !(layout = spmQEMULayoutCompute(input)))
        return -1;
    if (spmQEMULayoutGetLaunchData(layout, input, launch) < 0)
        return -1;
    if (!*launch) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, "%s",
                       _("typed cells passed the capability check on a QEMU without any SPM form"));
        return -1;
    }
    return 0;
}

static xmlNsPtr
spmQEMUDefineQemuNs(xmlDocPtr doc, xmlNodePtr root)
{
    xmlNsPtr ns = xmlSearchNsByHref(doc, root, BAD_CAST SPM_QEMU_NS);

    if (ns)
        return ns;
    /* the prefix libvirt uses; a different existing 'qemu' prefix is
     * unusual enough to be an error elsewhere, so take it only when free */
    return xmlNewNs(root, BAD_CAST SPM_QEMU_NS,
                    xmlSearchNs(doc, root, BAD_CAST "qemu") ? BAD_CAST "spmqemu" : BAD_CAST "qemu");
}

static bool
spmQEMUDefineIsQemuElement(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
        xmlStrEqual(node->ns->href, BAD_CAST SPM_QEMU_NS) && xmlStrEqual(node->name, BAD_CAST name);
}

static xmlNodePtr
spmQEMUDefineFindCommandline(xmlNodePtr root)
{
    xmlNodePtr cur;

    for (cur = root->children; cur; cur = cur->next) {
        if (spmQEMUDefineIsQemuElement(cur, "commandline"))
            return cur;
    }
    return NULL;
}

char *
spmQEMUDefineGetLaunchData(xmlDocPtr doc)
{
    xmlNodePtr cmdline = spmQEMUDefineFindCommandline(xmlDocGetRootElement(doc));
    xmlNodePtr cur;
    bool found = false;

    if (!cmdline)
        return NULL;
    for (cur = cmdline->children; cur; cur = cur->next) {
        g_autofree char *value = NULL;

        if (!spmQEMUDefineIsQemuElement(cur, "arg") || !(value = spmXMLPropString(cur, "value")))
            continue;
        if (found)
            return g_steal_pointer(&value);
        found = SPM_STREQ(value, SPM_LAUNCH_OPTION);
    }
    return found ? g_strdup("") : NULL;
}

bool
spmQEMUDefineHasLaunchData(xmlDocPtr doc)
{
    g_autofree char *data = spmQEMUDefineGetLaunchData(doc);

    return data != NULL;
}

static void
spmQEMUDefineSetEmulator(xmlDocPtr doc, const char *path)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr devices = spmXMLChildElement(root, "devices");
    xmlNodePtr emulator;

    if (!devices)
        devices = xmlNewChild(root, NULL, BAD_CAST "devices", NULL);
    if ((emulator = spmXMLChildElement(devices, "emulator"))) {
        xmlNodeSetContent(emulator, NULL);
        xmlNodeAddContent(emulator, BAD_CAST path);
    } else {
        emulator = xmlNewTextChild(devices, NULL, BAD_CAST "emulator", BAD_CAST path);
    }
}

/* Removes "-virt-spm-launch DATA" from <qemu:commandline>, and the element
 * when nothing else is left in it. */
static void
spmQEMUDefineRemoveLaunchArgs(xmlNodePtr root)
{
    xmlNodePtr cmdline = spmQEMUDefineFindCommandline(root);
    xmlNodePtr cur;
    bool empty = true;

    if (!cmdline)
        return;
    for (cur = cmdline->children; cur;) {
        xmlNodePtr next = cur->next;
        g_autofree char *value = NULL;

        if (spmQEMUDefineIsQemuElement(cur, "arg") && (value = spmXMLPropString(cur, "value")) &&
            SPM_STREQ(value, SPM_LAUNCH_OPTION)) {
            xmlNodePtr data = next;

            while (data && data->type != XML_ELEMENT_NODE)
                data = data->next;
            if (data && spmQEMUDefineIsQemuElement(data, "arg")) {
                next = data->next;
                xmlUnlinkNode(data);
                xmlFreeNode(data);
            }
            xmlUnlinkNode(cur);
            xmlFreeNode(cur);
        }
        cur = next;
    }
    for (cur = cmdline->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            empty = false;
    }
    if (empty) {
        xmlUnlinkNode(cmdline);
        xmlFreeNode(cmdline);
    }
}

char *
spmQEMUDefineFormatForLibvirt(spmDomainDef *def, const char *emulatorPath, const char *realEmulator,
                              const spmLaunchData *launch)
{
    g_autoptr(spmDomainMetadata) md = NULL;
    g_autofree char *data = NULL;
    xmlNodePtr root = def->root;
    xmlNodePtr cmdline;
    xmlNodePtr arg;
    xmlNsPtr ns;

    /* what virt-spm adds is made from the model alone: an input that
     * already carries some (libvirt's XML of a domain virt-spm defined)
     * would otherwise keep a stale typing, or get the launch data twice */
    spmDomainMetadataRemove(def->doc);
    spmQEMUDefineRemoveLaunchArgs(root);

    if (!launch)
        return spmDomainDefFormat(def, 0);

    md = spmDomainMetadataFromDef(def, realEmulator);
    if (spmDomainMetadataInsert(def->doc, md) < 0)
        return NULL;
    spmQEMUDefineSetEmulator(def->doc, emulatorPath);

    if (!(data = spmLaunchDataFormat(launch)))
        return NULL;
    ns = spmQEMUDefineQemuNs(def->doc, root);
    if (!(cmdline = spmQEMUDefineFindCommandline(root)))
        cmdline = xmlNewChild(root, ns, BAD_CAST "commandline", NULL);
    arg = xmlNewChild(cmdline, ns, BAD_CAST "arg", NULL);
    xmlNewProp(arg, BAD_CAST "value", BAD_CAST SPM_LAUNCH_OPTION);
    arg = xmlNewChild(cmdline, ns, BAD_CAST "arg", NULL);
    xmlNewProp(arg, BAD_CAST "value", BAD_CAST data);

    return spmDomainDefFormat(def, SPM_DOMAIN_FORMAT_NO_MEMMAP);
}

static bool
spmQEMUDefineNsUsed(xmlNodePtr node, xmlNsPtr ns)
{
    xmlNodePtr cur;
    xmlAttrPtr attr;

    for (cur = node; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (cur->ns == ns)
            return true;
        for (attr = cur->properties; attr; attr = attr->next) {
            if (attr->ns == ns)
                return true;
        }
        if (spmQEMUDefineNsUsed(cur->children, ns))
            return true;
    }
    return false;
}

/* Drops the qemu namespace declaration from the root when nothing uses it
 * any more (virt-spm added it for the launch arguments). */
static void
spmQEMUDefineDropUnusedQemuNs(xmlNodePtr root)
{
    xmlNsPtr *link = &root->nsDef;

    while (*link) {
        xmlNsPtr ns = *link;

        if (ns->href && xmlStrEqual(ns->href, BAD_CAST SPM_QEMU_NS) &&
            !spmQEMUDefineNsUsed(root, ns)) {
            *link = ns->next;
            ns->next = NULL;
            xmlFreeNs(ns);
            continue;
        }
        link = &ns->next;
    }
}

char *
spmQEMUDefineRestoreUserXML(const char *libvirtXML, size_t len)
{
    g_autoptr(spmDomainDef) def = spmDomainDefParseString(libvirtXML, len, _("libvirt's XML"));
    g_autoptr(spmDomainMetadata) md = NULL;
    size_t i;
    int rc;

    if (!def)
        return NULL;
    if ((rc = spmDomainMetadataParseDoc(def->doc, &md)) < 0)
        return NULL;
    if (rc == 0)
        return spmDomainDefFormat(def, 0);

    for (i = 0; i < md->ncells; i++) {
        if (!spmDomainDefGetCell(def, md->cells[i].id)) {
            spmReportError(
                SPM_ERR_XML_ERROR,
                _("virt-spm metadata types NUMA cell '%1$u', which the domain no longer has: the domain was edited outside virt-spm; edit it with 'virt-spm edit' or define it again"),
                md->cells[i].id);
            return NULL;
        }
        spmDomainDefSetCellMemmap(def, md->cells[i].id, md->cells[i].memmap);
    }
    if (md->emulator)
        spmQEMUDefineSetEmulator(def->doc, md->emulator);
    spmQEMUDefineRemoveLaunchArgs(def->root);
    spmQEMUDefineDropUnusedQemuNs(def->root);
    spmDomainMetadataRemove(def->doc);
    return spmDomainDefFormat(def, 0);
}
