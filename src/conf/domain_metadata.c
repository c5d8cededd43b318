/*
 * domain_metadata.c: virt-spm's own element under a domain's <metadata>
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_metadata.h"
#include "spmerror.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_DOMAIN

void
spmDomainMetadataFree(spmDomainMetadata *md)
{
    if (!md)
        return;
    g_free(md->emulator);
    g_free(md->cells);
    g_free(md);
}

spmDomainMetadata *
spmDomainMetadataFromDef(const spmDomainDef *def, const char *emulator)
{
    spmDomainMetadata *md = g_new0(spmDomainMetadata, 1);
    size_t i;

    md->emulator = g_strdup(emulator);
    md->cells = g_new0(spmDomainMetadataCell, MAX(def->numa.ncells, 1));
    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *cell = &def->numa.cells[i];

        if (cell->memmap == SPM_MEMMAP_NORMAL)
            continue;
        md->cells[md->ncells].id = cell->id;
        md->cells[md->ncells].memmap = cell->memmap;
        md->ncells++;
    }
    return md;
}

static xmlNodePtr
spmDomainMetadataBuild(const spmDomainMetadata *md, xmlDocPtr doc)
{
    xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "spm", NULL);
    xmlNsPtr ns = xmlNewNs(root, BAD_CAST SPM_METADATA_NS, BAD_CAST SPM_METADATA_PREFIX);
    size_t i;

    xmlSetNs(root, ns);
    if (md->emulator)
        xmlNewTextChild(root, ns, BAD_CAST "emulator", BAD_CAST md->emulator);
    for (i = 0; i < md->ncells; i++) {
        xmlNodePtr cell = xmlNewChild(root, ns, BAD_CAST "cell", NULL);
        g_autofree char *id = g_strdup_printf("%u", md->cells[i].id);

        xmlNewProp(cell, BAD_CAST "id", BAD_CAST id);
        xmlNewProp(cell, BAD_CAST "memmap", BAD_CAST spmMemmapTypeToString(md->cells[i].memmap));
    }
    return root;
}


static bool
spmIsMetadataNode(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
        xmlStrEqual(node->ns->href, BAD_CAST SPM_METADATA_NS) &&
        xmlStrEqual(node->name, BAD_CAST name);
}

static xmlNodePtr
spmDomainMetadataFind(xmlDocPtr doc, xmlNodePtr *container)
{
    xmlNodePtr metadata = spmXMLChildElement(xmlDocGetRootElement(doc), "metadata");
    xmlNodePtr cur;

    if (container)
        *container = metadata;
    if (!metadata)
        return NULL;
    for (cur = metadata->children; cur; cur = cur->next) {
        if (spmIsMetadataNode(cur, "spm"))
            return cur;
    }
    return NULL;
}

int
spmDomainMetadataParseDoc(xmlDocPtr doc, spmDomainMetadata **mdret)
{
    g_autoptr(spmDomainMetadata) md = NULL;
    xmlNodePtr node = spmDomainMetadataFind(doc, NULL);
    xmlNodePtr cur;
    size_t n = 0;

    *mdret = NULL;
    if (!node)
        return 0;
    md = g_new0(spmDomainMetadata, 1);
    for (cur = node->children; cur; cur = cur->next) {
        if (spmIsMetadataNode(cur, "cell"))
            n++;
    }
    md->cells = g_new0(spmDomainMetadataCell, MAX(n, 1));

    for (cur = node->children; cur; cur = cur->next) {
        if (spmIsMetadataNode(cur, "emulator")) {
            g_autofree char *path = spmXMLNodeContent(cur);

            g_free(md->emulator);
            md->emulator = g_strdup(g_strstrip(path));
        } else if (spmIsMetadataNode(cur, "cell")) {
            spmDomainMetadataCell *cell = &md->cells[md->ncells];
            g_autofree char *id = spmXMLPropString(cur, "id");
            g_autofree char *memmap = spmXMLPropString(cur, "memmap");
            int type = spmMemmapTypeFromString(memmap);

            if (!spmParseUInt(id, SPM_NUMBER_BLANKS, &cell->id) || type <= SPM_MEMMAP_NORMAL) {
                spmReportError(
                    SPM_ERR_XML_ERROR,
                    _("virt-spm metadata of this domain is damaged: <spm:cell id='%1$s' memmap='%2$s'> is not a typed cell; restore it from the original XML with 'virt-spm define'"),
                    id ? id : "", memmap ? memmap : "");
                return -1;
            }
            cell->memmap = type;
            md->ncells++;
        }
    }
    *mdret = g_steal_pointer(&md);
    return 1;
}

bool
spmDomainMetadataRemove(xmlDocPtr doc)
{
    xmlNodePtr container = NULL;
    xmlNodePtr node = spmDomainMetadataFind(doc, &container);
    xmlNodePtr cur;
    bool empty = true;

    if (!node)
        return false;
    xmlUnlinkNode(node);
    xmlFreeNode(node);
    for (cur = container->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            empty = false;
    }
    if (empty) {
        /* drop the indentation text node before it too */
        if (container->prev && container->prev->type == XML_TEXT_NODE) {
            xmlNodePtr ws = container->prev;
            xmlUnlinkNode(ws);
            xmlFreeNode(ws);
        }
        xmlUnlinkNode(container);
        xmlFreeNode(container);
    }
    return true;
}

int
spmDomainMetadataInsert(xmlDocPtr doc, const spmDomainMetadata *md)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr container;
    xmlNodePtr node;

    spmDomainMetadataRemove(doc);
    if (!(container = spmXMLChildElement(root, "metadata"))) {
        /* after <uuid>/<name>/<title>/<description>, as libvirt orders it */
        xmlNodePtr after = NULL;
        const char *names[] = {"description", "title", "uuid", "name"};
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(names) && !after; i++)
            after = spmXMLChildElement(root, names[i]);
        container = xmlNewDocNode(doc, NULL, BAD_CAST "metadata", NULL);
        if (after) {
            xmlAddNextSibling(after, container);
            xmlAddPrevSibling(container, xmlNewDocText(doc, BAD_CAST "\n  "));
        } else {
            xmlAddChild(root, container);
        }
    }
    node = spmDomainMetadataBuild(md, doc);
    xmlAddChild(container, node);
    return 0;
}
