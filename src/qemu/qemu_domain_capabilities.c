/*
 * qemu_domain_capabilities.c: what one QEMU binary offers for SPM-typed NUMA
 * cells, in the style of libvirt's domain capabilities
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_domain_capabilities.h"
#include "qemu_firmware.h"
#include "qemu_json.h"
#include "spmxml.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU

/* An element with @value as its text, appended to @parent. */
static xmlNodePtr
spmQEMUDomainCapsAddText(xmlNodePtr parent, const char *name, const char *value)
{
    xmlNodePtr node = xmlNewChild(parent, NULL, BAD_CAST name, NULL);

    xmlNodeAddContent(node, BAD_CAST value);
    return node;
}


/* <enum name='@name'> with one <value> per string of @values. */
static void
spmQEMUDomainCapsAddEnum(xmlNodePtr parent, const char *name, const char *const *values)
{
    xmlNodePtr node = xmlNewChild(parent, NULL, BAD_CAST "enum", NULL);

    xmlNewProp(node, BAD_CAST "name", BAD_CAST name);
    for (; *values; values++)
        spmQEMUDomainCapsAddText(node, "value", *values);
}


/* <firmware> with an <image> per UEFI image the descriptors offer for the
 * binary's architecture (and @machine), with its verdict. */
static int
spmQEMUDomainCapsAddFirmwareXML(xmlNodePtr root, const char *arch, const char *machine)
{
    g_autoptr(GPtrArray) fws = spmQEMUFirmwareListOffered(arch, machine);
    xmlNodePtr firmware;
    size_t i;

    if (!fws)
        return -1;
    firmware = xmlNewChild(root, NULL, BAD_CAST "firmware", NULL);
    for (i = 0; i < fws->len; i++) {
        const spmQEMUFirmwareInfo *info = g_ptr_array_index(fws, i);
        xmlNodePtr image = xmlNewChild(firmware, NULL, BAD_CAST "image", NULL);

        xmlNewProp(image, BAD_CAST "path", BAD_CAST info->path);
        xmlNewProp(image, BAD_CAST "verdict",
                   BAD_CAST spmQEMUFirmwareVerdictTypeToString(info->verdict));
        if (info->selected)
            xmlNewProp(image, BAD_CAST "selected", BAD_CAST "yes");
        xmlNewProp(image, BAD_CAST "descriptor", BAD_CAST info->descriptor);
        if (info->sha256)
            xmlNewProp(image, BAD_CAST "sha256", BAD_CAST info->sha256);
        if (info->package) {
            xmlNewProp(image, BAD_CAST "package", BAD_CAST info->package);
            xmlNewProp(image, BAD_CAST "version", BAD_CAST info->version);
        }
    }
    return 0;
}


char *
spmQEMUDomainCapsFormatXML(const spmQEMUCaps *caps, const char *machine)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
    spmForm form = spmQEMUCapsGetSpmForm(caps);
    xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "domainCapabilities", NULL);
    xmlNodePtr emulator;
    xmlNodePtr numa;
    xmlNodePtr memmap;

    xmlDocSetRootElement(doc, root);
    spmQEMUDomainCapsAddText(root, "path", spmQEMUCapsGetBinary(caps));
    emulator = xmlNewChild(root, NULL, BAD_CAST "emulator", NULL);
    xmlNewProp(emulator, BAD_CAST "version", BAD_CAST spmQEMUCapsGetVersionString(caps));
    if (spmQEMUCapsGetPackage(caps))
        xmlNewProp(emulator, BAD_CAST "package", BAD_CAST spmQEMUCapsGetPackage(caps));
    if (machine)
        spmQEMUDomainCapsAddText(root, "machine", machine);
    spmQEMUDomainCapsAddText(root, "arch", spmQEMUCapsGetArch(caps));

    numa = xmlNewChild(root, NULL, BAD_CAST "numa", NULL);
    memmap = xmlNewChild(numa, NULL, BAD_CAST "memmap", NULL);
    if (form == SPM_FORM_NONE) {
        xmlNewProp(memmap, BAD_CAST "supported", BAD_CAST "no");
    } else {
        const char *types[SPM_MEMMAP_LAST + 1] = {NULL};
        const char *forms[] = {spmFormTypeToString(form), NULL};
        size_t ntypes = 0;
        int m;

        xmlNewProp(memmap, BAD_CAST "supported", BAD_CAST "yes");
        for (m = 0; m < SPM_MEMMAP_LAST; m++) {
            if (spmQEMUCapsSupportsMemmap(caps, m))
                types[ntypes++] = spmMemmapTypeToString(m);
        }
        spmQEMUDomainCapsAddEnum(memmap, "type", types);
        spmQEMUDomainCapsAddEnum(memmap, "form", forms);
    }
    xmlNewProp(xmlNewChild(numa, NULL, BAD_CAST "hmat", NULL), BAD_CAST "supported",
               BAD_CAST(spmQEMUCapsHasHMAT(caps) ? "yes" : "no"));
    if (spmQEMUDomainCapsAddFirmwareXML(root, spmQEMUCapsGetArch(caps), machine) < 0)
        return NULL;

    return spmXMLFormatElement(doc, root);
}


char *
spmQEMUDomainCapsFormatJSON(const spmQEMUCaps *caps, const char *machine)
{
    g_autoptr(json_object) root = json_object_new_object();
    json_object *emulator = json_object_new_object();
    json_object *memmap = json_object_new_object();
    json_object *types = json_object_new_array();
    json_object *firmware = json_object_new_array();
    g_autoptr(GPtrArray) fws = NULL;
    spmForm form = spmQEMUCapsGetSpmForm(caps);
    size_t i;
    int m;

    json_object_object_add(root, "path", json_object_new_string(spmQEMUCapsGetBinary(caps)));
    json_object_object_add(emulator, "version",
                           json_object_new_string(spmQEMUCapsGetVersionString(caps)));
    if (spmQEMUCapsGetPackage(caps))
        json_object_object_add(emulator, "package",
                               json_object_new_string(spmQEMUCapsGetPackage(caps)));
    json_object_object_add(root, "emulator", emulator);
    json_object_object_add(root, "machine", machine ? json_object_new_string(machine) : NULL);
    json_object_object_add(root, "arch", json_object_new_string(spmQEMUCapsGetArch(caps)));

    json_object_object_add(memmap, "supported", json_object_new_boolean(form != SPM_FORM_NONE));
    for (m = 0; m < SPM_MEMMAP_LAST; m++) {
        if (form != SPM_FORM_NONE && spmQEMUCapsSupportsMemmap(caps, m))
            json_object_array_add(types, json_object_new_string(spmMemmapTypeToString(m)));
    }
    json_object_object_add(memmap, "types", types);
    json_object_object_add(memmap, "form", json_object_new_string(spmFormTypeToString(form)));
    json_object_object_add(root, "memmap", memmap);
    json_object_object_add(root, "hmat", json_object_new_boolean(spmQEMUCapsHasHMAT(caps)));
    json_object_object_add(root, "firmware", firmware);
    if (!(fws = spmQEMUFirmwareListOffered(spmQEMUCapsGetArch(caps), machine)))
        return NULL;
    for (i = 0; i < fws->len; i++) {
        const spmQEMUFirmwareInfo *info = g_ptr_array_index(fws, i);
        json_object *image = json_object_new_object();

        json_object_object_add(image, "path", json_object_new_string(info->path));
        json_object_object_add(
            image, "verdict",
            json_object_new_string(spmQEMUFirmwareVerdictTypeToString(info->verdict)));
        json_object_object_add(image, "selected", json_object_new_boolean(info->selected));
        json_object_object_add(image, "descriptor", json_object_new_string(info->descriptor));
        json_object_object_add(image, "sha256",
                               info->sha256 ? json_object_new_string(info->sha256) : NULL);
        json_object_object_add(image, "package",
                               info->package ? json_object_new_string(info->package) : NULL);
        json_object_object_add(image, "version",
                               info->version ? json_object_new_string(info->version) : NULL);
        json_object_array_add(firmware, image);
    }

    return g_strdup_printf("%s\n",
                           json_object_to_json_string_ext(root,
                                                          JSON_C_TO_STRING_PRETTY |
                                                              JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
}
