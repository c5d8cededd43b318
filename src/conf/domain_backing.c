/*
 * domain_backing.c: the <spmhost:backing> metadata element
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_backing.h"
#include "spmerror.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_DOMAIN

void
spmDomainBackingFree(spmDomainBacking *backing)
{
    size_t i;

    if (!backing)
        return;
    for (i = 0; i < backing->ncells; i++)
        g_free(backing->cells[i].dax);
    g_free(backing->cells);
    g_free(backing);
}

const char *
spmDomainBackingGetDax(const spmDomainBacking *backing, unsigned int id)
{
    size_t i;

    for (i = 0; backing && i < backing->ncells; i++) {
        if (backing->cells[i].id == id)
            return backing->cells[i].dax;
    }
    return NULL;
}

static bool
spmIsBackingNode(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
        xmlStrEqual(node->ns->href, BAD_CAST SPM_BACKING_NS) &&
        (!name || xmlStrEqual(node->name, BAD_CAST name));
}

/* /dev/daxX.Y: the only device names dax_hmem and device_dax create. */
static bool
spmBackingDaxPathValid(const char *path)
{
    const char *p;

    if (!g_str_has_prefix(path, "/dev/dax"))
        return false;
    p = path + strlen("/dev/dax");
    if (!g_ascii_isdigit(*p))
        return false;
    while (g_ascii_isdigit(*p))
        p++;
    if (*p++ != '.' || !g_ascii_isdigit(*p))
        return false;
    while (g_ascii_isdigit(*p))
        p++;
    return *p == '\0';
}

static int
spmBackingParseCell(const spmDomainDef *def, xmlNodePtr node, GArray *cells)
{
    spmDomainBackingCell cell = {0};
    g_autofree char *dax = NULL;
    xmlAttrPtr attr;
    size_t i;
    int rc;

    for (attr = node->properties; attr; attr = attr->next) {
        if (!xmlStrEqual(attr->name, BAD_CAST "id") && !xmlStrEqual(attr->name, BAD_CAST "dax")) {
            spmReportError(
                SPM_ERR_XML_DETAIL,
                _("unknown attribute '%1$s' on <spmhost:cell> in <spmhost:backing>: it takes 'id' and 'dax'"),
                (const char *)attr->name);
            return -1;
        }
    }
    if ((rc = spmXMLPropUInt(node, "id", 0, &cell.id)) < 0)
        return -1;
    if (rc == 0) {
        spmReportError(
            SPM_ERR_XML_DETAIL, "%s",
            _("<spmhost:cell> in <spmhost:backing> needs a cell 'id' (an unsigned integer)"));
        return -1;
    }
    if (!spmDomainDefGetCell(def, cell.id)) {
        spmReportError(SPM_ERR_XML_DETAIL,
                       _("<spmhost:cell id='%1$u'> in <spmhost:backing> names no <cell> of <numa>"),
                       cell.id);
        return -1;
    }
    if (!(dax = spmXMLPropString(node, "dax")) || !spmBackingDaxPathValid(dax)) {
        spmReportError(
            SPM_ERR_XML_DETAIL,
            _("<spmhost:cell id='%1$u'> in <spmhost:backing> needs 'dax' naming a device-dax device such as '/dev/dax0.0', not '%2$s'"),
            cell.id, dax ? dax : "");
        return -1;
    }
    for (i = 0; i < cells->len; i++) {
        if (g_array_index(cells, spmDomainBackingCell, i).id == cell.id) {
            spmReportError(SPM_ERR_XML_DETAIL, _("cell '%1$u' appears twice in <spmhost:backing>"),
                           cell.id);
            return -1;
        }
    }
    cell.dax = g_steal_pointer(&dax);
    g_array_append_val(cells, cell);
    return 0;
}

int
spmDomainBackingParse(const spmDomainDef *def, spmDomainBacking **backing)
{
    xmlNodePtr metadata = spmXMLChildElement(def->root, "metadata");
    g_autoptr(GArray) cells = g_array_new(FALSE, TRUE, sizeof(spmDomainBackingCell));
    g_autoptr(spmDomainBacking) ret = NULL;
    xmlNodePtr el = NULL;
    xmlNodePtr cur;
    int rc = 0;
    size_t i;

    *backing = NULL;
    for (cur = metadata ? metadata->children : NULL; cur; cur = cur->next) {
        if (spmIsBackingNode(cur, NULL)) {
            el = cur;
            break;
        }
    }
    if (!el)
        return 0;
    if (!xmlStrEqual(el->name, BAD_CAST "backing")) {
        spmReportError(SPM_ERR_XML_DETAIL,
                       _("unknown element <%1$s> in namespace '%2$s': the element is <backing>"),
                       (const char *)el->name, SPM_BACKING_NS);
        return -1;
    }
    for (cur = el->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!spmIsBackingNode(cur, "cell")) {
            spmReportError(
                SPM_ERR_XML_DETAIL,
                _("unknown element <%1$s> in <spmhost:backing>: it holds <spmhost:cell id='N' dax='/dev/daxX.Y'/> elements"),
                (const char *)cur->name);
            rc = -1;
            continue;
        }
        if (spmBackingParseCell(def, cur, cells) < 0)
            rc = -1;
    }
    if (rc < 0) {
        for (i = 0; i < cells->len; i++)
            g_free(g_array_index(cells, spmDomainBackingCell, i).dax);
        return -1;
    }
    ret = g_new0(spmDomainBacking, 1);
    ret->ncells = cells->len;
    ret->cells = (spmDomainBackingCell *)(void *)g_array_free(g_steal_pointer(&cells), FALSE);
    *backing = g_steal_pointer(&ret);
    return 0;
}
