/*
 * domain_nova.c: the SPM typing an OpenStack Nova flavor asks for
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "domain_nova.h"
#include "spmerror.h"
#include "spmunits.h"
#include "spmxml.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_DOMAIN

void
spmNovaTypingFree(spmNovaTyping *typing)
{
    if (!typing)
        return;
    g_free(typing->flavor);
    g_free(typing->source);
    g_free(typing->cells);
    g_free(typing);
}

/* N of "virt_spm:numa_memmap.N": decimal, no sign, no leading zero. */
static bool
spmNovaParseNode(const char *str, unsigned int *node)
{
    unsigned long long v = 0;
    const char *p;

    if (!g_ascii_isdigit(*str) || (*str == '0' && str[1]))
        return false;
    for (p = str; *p; p++) {
        if (!g_ascii_isdigit(*p))
            return false;
        v = v * 10 + (unsigned int)(*p - '0');
        if (v > INT_MAX)
            return false;
    }
    *node = v;
    return true;
}

int
spmNovaTypingAddExtraSpec(spmNovaTyping *typing, const char *key, const char *value)
{
    unsigned int node;
    int memmap;
    size_t pos;

    if (!g_str_has_prefix(key, SPM_NOVA_EXTRA_SPEC_PREFIX))
        return 0;
    if (!g_str_has_prefix(key, SPM_NOVA_EXTRA_SPEC_MEMMAP) ||
        !spmNovaParseNode(key + strlen(SPM_NOVA_EXTRA_SPEC_MEMMAP), &node)) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("unknown extra spec '%1$s' in %2$s: virt-spm knows only '%3$s{N}' with N the guest NUMA node (0, 1, ...); correct the flavor"),
            key, typing->source, SPM_NOVA_EXTRA_SPEC_MEMMAP);
        return -1;
    }
    if (!value || (memmap = spmMemmapTypeFromString(value)) < 0) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("invalid value '%1$s' of extra spec '%2$s' in %3$s: use 'normal', 'spm' or 'reserved'"),
            value ? value : "", key, typing->source);
        return -1;
    }
    for (pos = 0; pos < typing->ncells && typing->cells[pos].node < node; pos++)
        ;
    if (pos < typing->ncells && typing->cells[pos].node == node) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("extra spec '%1$s' appears more than once in %2$s"), key, typing->source);
        return -1;
    }
    typing->cells = g_renew(spmNovaCellTyping, typing->cells, typing->ncells + 1);
    memmove(typing->cells + pos + 1, typing->cells + pos,
            (typing->ncells - pos) * sizeof(*typing->cells));
    typing->cells[pos].node = node;
    typing->cells[pos].memmap = memmap;
    typing->ncells++;
    return 0;
}

size_t
spmNovaTypingCountTyped(const spmNovaTyping *typing)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < typing->ncells; i++) {
        if (typing->cells[i].memmap != SPM_MEMMAP_NORMAL)
            n++;
    }
    return n;
}

static bool
spmNovaIsElement(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
        xmlStrEqual(node->ns->href, BAD_CAST SPM_NOVA_NS) && xmlStrEqual(node->name, BAD_CAST name);
}

static xmlNodePtr
spmNovaChild(xmlNodePtr parent, const char *name)
{
    xmlNodePtr cur;

    for (cur = parent ? parent->children : NULL; cur; cur = cur->next) {
        if (spmNovaIsElement(cur, name))
            return cur;
    }
    return NULL;
}

/* The typing from Nova 32's <nova:extraSpecs>. */
static int
spmNovaTypingFromExtraSpecs(spmNovaTyping *typing, xmlNodePtr specs)
{
    xmlNodePtr cur;

    typing->source = g_strdup_printf(_("the <nova:extraSpecs> of flavor '%1$s'"),
                                     typing->flavor ? typing->flavor : "");
    for (cur = specs->children; cur; cur = cur->next) {
        g_autofree char *key = NULL;
        g_autofree char *value = NULL;

        if (!spmNovaIsElement(cur, "extraSpec") || !(key = spmXMLPropString(cur, "name")))
            continue;
        value = spmXMLNodeContent(cur);
        if (spmNovaTypingAddExtraSpec(typing, key, value) < 0)
            return -1;
    }
    return 0;
}

/* The typing of flavor @typing->flavor from the host's flavor file. */
static int
spmNovaTypingFromFile(spmNovaTyping *typing, const char *path)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) keys = NULL;
    size_t i;

    if (!typing->flavor)
        return 0;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return 0;
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("cannot read the Nova flavor file '%1$s': %2$s; correct or remove it"),
                       path, err->message);
        return -1;
    }
    if (!g_key_file_has_group(kf, typing->flavor))
        return 0;
    typing->source = g_strdup_printf(_("flavor '%1$s' of '%2$s'"), typing->flavor, path);
    if (!(keys = g_key_file_get_keys(kf, typing->flavor, NULL, NULL)))
        return 0;
    for (i = 0; keys[i]; i++) {
        g_autofree char *value = g_key_file_get_value(kf, typing->flavor, keys[i], NULL);

        if (!g_str_has_prefix(keys[i], SPM_NOVA_EXTRA_SPEC_PREFIX)) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("unknown key '%1$s' in %2$s: the file maps flavors to '%3$s{N}' extra specs only"),
                keys[i], typing->source, SPM_NOVA_EXTRA_SPEC_MEMMAP);
            return -1;
        }
        if (spmNovaTypingAddExtraSpec(typing, keys[i], value) < 0)
            return -1;
    }
    return 0;
}

int
spmNovaTypingFromDoc(xmlDocPtr doc, const char *flavorsFile, spmNovaTyping **typingret)
{
    g_autoptr(spmNovaTyping) typing = NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr metadata = root ? spmXMLChildElement(root, "metadata") : NULL;
    xmlNodePtr instance = spmNovaChild(metadata, "instance");
    xmlNodePtr flavor;
    xmlNodePtr specs;

    *typingret = NULL;
    if (!instance)
        return 0;
    typing = g_new0(spmNovaTyping, 1);
    if ((flavor = spmNovaChild(instance, "flavor")))
        typing->flavor = spmXMLPropString(flavor, "name");

    if ((specs = spmNovaChild(flavor, "extraSpecs"))) {
        if (spmNovaTypingFromExtraSpecs(typing, specs) < 0)
            return -1;
    } else {
        if (!flavorsFile)
            flavorsFile = spmNovaFlavorsFile();
        if (spmNovaTypingFromFile(typing, flavorsFile) < 0)
            return -1;
    }
    *typingret = g_steal_pointer(&typing);
    return 1;
}
