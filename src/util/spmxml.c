/*
 * spmxml.c: libxml2 helpers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmxml.h"
#include "spmerror.h"
#include "spmunits.h"

#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_XML

static void
spmXMLSilence(void *ctx G_GNUC_UNUSED, const char *msg G_GNUC_UNUSED, ...)
{
}

xmlDocPtr
spmXMLParse(const char *buf, size_t len, const char *name)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    const xmlError *err;

    if (len > G_MAXINT) {
        spmReportError(SPM_ERR_XML_ERROR, _("'%1$s' is too large to parse"), name);
        return NULL;
    }
    if (len == 0) {
        spmReportError(SPM_ERR_XML_ERROR, _("'%1$s' is empty: expected a <domain> document"), name);
        return NULL;
    }

    xmlSetGenericErrorFunc(NULL, spmXMLSilence);
    if (!(ctxt = xmlNewParserCtxt())) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, "%s", _("cannot allocate an XML parser"));
        return NULL;
    }

    doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    err = xmlCtxtGetLastError(ctxt);
    if (!doc || (err && err->level >= XML_ERR_ERROR) || !ctxt->wellFormed) {
        if (err && err->message) {
            g_autofree char *msg = g_strchomp(g_strdup(err->message));
            spmReportError(SPM_ERR_XML_ERROR, _("'%1$s' line %2$d: %3$s"), name, err->line, msg);
        } else {
            spmReportError(SPM_ERR_XML_ERROR, _("'%1$s' is not a well-formed XML document"), name);
        }
        xmlFreeDoc(doc);
        doc = NULL;
    } else if (!xmlDocGetRootElement(doc)) {
        spmReportError(SPM_ERR_XML_ERROR, _("'%1$s' has no root element"), name);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

int
spmXMLCheckRoot(xmlDocPtr doc, const char *root)
{
    xmlNodePtr node = xmlDocGetRootElement(doc);

    if (!node || !xmlStrEqual(node->name, BAD_CAST root) || node->ns) {
        spmReportError(SPM_ERR_XML_ERROR, _("expecting root element of '%1$s', not '%2$s'"), root,
                       node ? (const char *)node->name : "");
        return -1;
    }
    return 0;
}

/* @val (freed) as a g_free string; NULL stays NULL. */
static char *
spmXMLToGString(xmlChar *val)
{
    char *ret = g_strdup((const char *)val);

    xmlFree(val);
    return ret;
}

char *
spmXMLPropString(xmlNodePtr node, const char *name)
{
    return spmXMLToGString(xmlGetNoNsProp(node, BAD_CAST name));
}

/* A readable location for messages: "/domain/cpu/numa/cell[2]". */
static char *
spmXMLNodePath(xmlNodePtr node)
{
    xmlChar *path = xmlGetNodePath(node);
    char *ret = g_strdup(path ? (const char *)path : "?");

    xmlFree(path);
    return ret;
}

char *
spmXMLNodeContent(xmlNodePtr node)
{
    return spmXMLToGString(xmlNodeGetContent(node));
}

static bool
spmXMLIsElement(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && !node->ns &&
        (!name || xmlStrEqual(node->name, BAD_CAST name));
}

xmlNodePtr
spmXMLChildElement(xmlNodePtr parent, const char *name)
{
    if (!parent || !parent->children)
        return NULL;
    if (spmXMLIsElement(parent->children, name))
        return parent->children;
    return spmXMLNextElement(parent->children, name);
}

xmlNodePtr
spmXMLNextElement(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    for (cur = node->next; cur; cur = cur->next) {
        if (spmXMLIsElement(cur, name))
            return cur;
    }
    return NULL;
}

size_t
spmXMLChildElementCount(xmlNodePtr parent, const char *name)
{
    xmlNodePtr cur;
    size_t n = 0;

    for (cur = spmXMLChildElement(parent, name); cur; cur = spmXMLNextElement(cur, name))
        n++;
    return n;
}

xmlNodePtr
spmXMLFindPath(xmlNodePtr parent, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    xmlNodePtr cur = parent;
    size_t i;

    for (i = 0; parts[i] && cur; i++)
        cur = spmXMLChildElement(cur, parts[i]);
    return cur;
}

static void
spmXMLReportBadProp(xmlNodePtr node, const char *name, const char *value, const char *expected)
{
    spmReportError(SPM_ERR_XML_ERROR,
                   _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'. %4$s"), name,
                   (const char *)node->name, value, expected);
}

static int
spmXMLPropMissing(xmlNodePtr node, const char *name, unsigned int flags)
{
    if (flags & SPM_XML_PROP_REQUIRED) {
        spmReportError(SPM_ERR_XML_ERROR, _("Missing required attribute '%1$s' in element '%2$s'"),
                       name, (const char *)node->name);
        return -1;
    }
    return 0;
}

int
spmXMLPropULL(xmlNodePtr node, const char *name, unsigned int flags, unsigned long long *value)
{
    g_autofree char *str = spmXMLPropString(node, name);
    unsigned long long v;

    if (!str)
        return spmXMLPropMissing(node, name, flags);
    if (!spmParseNumber(str, SPM_NUMBER_BLANKS, 0, &v)) {
        spmXMLReportBadProp(node, name, str, _("Expected a non-negative integer value"));
        return -1;
    }
    if ((flags & SPM_XML_PROP_NONZERO) && v == 0) {
        spmXMLReportBadProp(node, name, str, _("Expected a positive integer value"));
        return -1;
    }
    *value = v;
    return 1;
}

int
spmXMLPropUInt(xmlNodePtr node, const char *name, unsigned int flags, unsigned int *value)
{
    unsigned long long v = 0;
    int rc = spmXMLPropULL(node, name, flags, &v);

    if (rc <= 0)
        return rc;
    if (v > G_MAXUINT) {
        g_autofree char *str = spmXMLPropString(node, name);
        spmXMLReportBadProp(node, name, str, _("The value is too large"));
        return -1;
    }
    *value = v;
    return 1;
}

int
spmXMLPropEnum(xmlNodePtr node, const char *name, int (*fromString)(const char *),
               const char *(*toString)(int), int last, unsigned int flags, int *value)
{
    g_autofree char *str = spmXMLPropString(node, name);
    int v;

    if (!str)
        return spmXMLPropMissing(node, name, flags);
    v = fromString(str);
    if (v < 0 || ((flags & SPM_XML_PROP_NONZERO) && v == 0)) {
        g_autoptr(GString) expected = g_string_new(NULL);
        int i;

        for (i = (flags & SPM_XML_PROP_NONZERO) ? 1 : 0; i < last; i++) {
            if (expected->len)
                g_string_append(expected, i + 1 == last ? _(" or ") : ", ");
            g_string_append_printf(expected, "'%s'", toString(i));
        }
        {
            g_autofree char *hint = g_strdup_printf(_("Expected %1$s"), expected->str);
            spmXMLReportBadProp(node, name, str, hint);
        }
        return -1;
    }
    *value = v;
    return 1;
}

int
spmXMLPropYesNo(xmlNodePtr node, const char *name, unsigned int flags, bool *value)
{
    g_autofree char *str = spmXMLPropString(node, name);

    if (!str)
        return spmXMLPropMissing(node, name, flags);
    if (SPM_STREQ(str, "yes")) {
        *value = true;
    } else if (SPM_STREQ(str, "no")) {
        *value = false;
    } else {
        spmXMLReportBadProp(node, name, str, _("Expected 'yes' or 'no'"));
        return -1;
    }
    return 1;
}

static char *
spmXMLPlace(xmlNodePtr node, const char *attr)
{
    g_autofree char *path = spmXMLNodePath(node);

    if (!attr)
        return g_steal_pointer(&path);
    return g_strdup_printf("%s/@%s", path, attr);
}

int
spmXMLParseScaled(xmlNodePtr node, const char *attr, const char *valuestr, const char *unit,
                  unsigned long long defaultScale, unsigned long long *result)
{
    unsigned long long bytes;
    g_autofree char *errmsg = NULL;
    g_autofree char *what = NULL;

    if (!valuestr) {
        what = spmXMLPlace(node, attr);
        spmReportError(SPM_ERR_XML_ERROR, _("missing memory size in '%1$s'"), what);
        return -1;
    }
    if (!spmParseNumber(valuestr, SPM_NUMBER_BLANKS, 0, &bytes)) {
        g_autofree char *trimmed = g_strstrip(g_strdup(valuestr));
        size_t digits = strspn(trimmed, "0123456789");

        what = spmXMLPlace(node, attr);
        if (*trimmed && !trimmed[digits]) {
            spmReportError(
                SPM_ERR_XML_ERROR,
                _("memory size '%1$s' in '%2$s' is too large (the maximum is %3$llu bytes)"),
                valuestr, what, (unsigned long long)SPM_MEMORY_MAX_BYTES);
            return -1;
        }
        spmReportError(SPM_ERR_XML_ERROR,
                       _("invalid memory size '%1$s' in '%2$s': expected a non-negative integer"),
                       valuestr, what);
        return -1;
    }
    if (!spmScaleInteger(&bytes, unit, defaultScale, SPM_MEMORY_MAX_BYTES, &errmsg)) {
        what = spmXMLPlace(node, attr);
        spmReportError(SPM_ERR_XML_ERROR, _("invalid memory size in '%1$s': %2$s"), what, errmsg);
        return -1;
    }
    *result = bytes;
    return 0;
}

int
spmXMLParseMemoryKiB(xmlNodePtr node, const char *attr, const char *valuestr, const char *unit,
                     unsigned long long *kib)
{
    unsigned long long bytes;

    if (spmXMLParseScaled(node, attr, valuestr, unit, 1024, &bytes) < 0)
        return -1;
    *kib = (bytes + 1023) / 1024;
    return 0;
}


/*
 * libxml2 delimits attribute values with double quotes; libvirt writes
 * single ones.  In libxml2's output a double quote inside a start tag is
 * always a delimiter (values carry &quot;), so each becomes a single quote,
 * and a single quote inside a value becomes &apos;.
 */
static char *
spmXMLSingleQuoteAttributes(const char *xml)
{
    g_autoptr(GString) out = g_string_sized_new(strlen(xml));
    bool inTag = false;
    bool inValue = false;
    const char *p;

    for (p = xml; *p; p++) {
        if (inValue && *p == '\'') {
            g_string_append(out, "&apos;");
            continue;
        }
        if (inTag && *p == '"') {
            inValue = !inValue;
            g_string_append_c(out, '\'');
            continue;
        }
        if (!inValue && *p == '<')
            inTag = true;
        else if (!inValue && *p == '>')
            inTag = false;
        g_string_append_c(out, *p);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}


char *
spmXMLFormatElement(xmlDocPtr doc, xmlNodePtr node)
{
    g_autoptr(xmlBuffer) buf = xmlBufferCreate();
    g_autofree char *xml = NULL;

    xmlNodeDump(buf, doc, node, 0, 1);
    xmlBufferAdd(buf, BAD_CAST "\n", 1);
    xml = g_strndup((const char *)xmlBufferContent(buf), xmlBufferLength(buf));
    return spmXMLSingleQuoteAttributes(xml);
}
