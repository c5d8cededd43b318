/*
 * spmxml.h: libxml2 helpers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree);

typedef enum {
    SPM_XML_PROP_REQUIRED = 1 << 0, /* a missing attribute is an error */
    SPM_XML_PROP_NONZERO = 1 << 1,  /* 0 (or the enum's first value) is rejected */
} spmXMLPropFlags;

/*
 * Parses a document held in memory.  @name labels the source in messages
 * (a file name or "standard input").  On a syntax error reports
 * "XML error: NAME:LINE: message" and returns NULL.
 */
xmlDocPtr spmXMLParse(const char *buf, size_t len, const char *name);

/* Reports "expecting root element of 'ROOT', not 'X'" when it differs. */
int spmXMLCheckRoot(xmlDocPtr doc, const char *root);

/* Attribute value (without namespace) as a g_malloc'd string, or NULL. */
char *spmXMLPropString(xmlNodePtr node, const char *name);

/* Element content as a g_malloc'd string, or NULL. */
char *spmXMLNodeContent(xmlNodePtr node);

/* The first child element called @name (any namespace-less name), or NULL. */
xmlNodePtr spmXMLChildElement(xmlNodePtr parent, const char *name);
/* The next sibling element of @node called @name, or NULL. */
xmlNodePtr spmXMLNextElement(xmlNodePtr node, const char *name);
/* Number of child elements called @name. */
size_t spmXMLChildElementCount(xmlNodePtr parent, const char *name);
/* Walks @path ("cpu/numa") from @parent through first matching children. */
xmlNodePtr spmXMLFindPath(xmlNodePtr parent, const char *path);

/*
 * Typed attribute parsers.  Each returns 1 when the attribute was present
 * and valid, 0 when absent (and not required), and -1 after reporting an
 * XML error naming the attribute, the element and the value.
 */
int spmXMLPropUInt(xmlNodePtr node, const char *name, unsigned int flags, unsigned int *value);
int spmXMLPropULL(xmlNodePtr node, const char *name, unsigned int flags, unsigned long long *value);
int spmXMLPropEnum(xmlNodePtr node, const char *name, int (*fromString)(const char *),
                   const char *(*toString)(int), int last, unsigned int flags, int *value);
int spmXMLPropYesNo(xmlNodePtr node, const char *name, unsigned int flags, bool *value);

/*
 * A memory size in KiB from a value string and a unit (NULL unit means
 * KiB), as libvirt reads <memory unit='…'>N</memory> and <cell memory= unit=>.
 * @node and @attr (NULL for the element's content) name the place in
 * messages, e.g. "/domain/cpu/numa/cell[2]/@memory"; the path is built only
 * when there is an error to report.  Sizes that are not whole KiB round up,
 * as in libvirt.  Returns 0 or -1.  spmXMLParseScaled() gives bytes, with
 * @defaultScale for a missing unit.
 */
int spmXMLParseScaled(xmlNodePtr node, const char *attr, const char *valuestr, const char *unit,
                      unsigned long long defaultScale, unsigned long long *bytes);
int spmXMLParseMemoryKiB(xmlNodePtr node, const char *attr, const char *valuestr, const char *unit,
                         unsigned long long *kib);

/* @node of @doc as indented XML text ending in a newline, with attribute
 * values in single quotes as libvirt writes them. */
char *spmXMLFormatElement(xmlDocPtr doc, xmlNodePtr node);
