/*
 * qemu_capabilities_file.c: the caps file, the cache's and the tests' form
 * of probed capabilities (qemu_capabilities.h describes it)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_capabilities_priv.h"
#include "domain_conf.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"
#include "spmxml.h"

#include <errno.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CAPS

static void
spmQEMUCapsFormatMachine(GString *buf, const spmQEMUCapsMachine *m)
{
    g_string_append_printf(buf, "  <machine name='%s'", m->name);
    if (m->alias)
        g_string_append_printf(buf, " alias='%s'", m->alias);
    if (m->isDefault)
        g_string_append(buf, " default='yes'");
    if (m->acpi != SPM_TRISTATE_ABSENT)
        g_string_append_printf(buf, " acpi='%s'", m->acpi == SPM_TRISTATE_YES ? "yes" : "no");
    g_string_append_printf(buf, " numaMemSupported='%s' deprecated='%s' maxCpus='%u'",
                           m->numaMemSupported ? "yes" : "no", m->deprecated ? "yes" : "no",
                           m->maxCpus);
    if (m->defaultRAMid)
        g_string_append_printf(buf, " defaultRAMid='%s'", m->defaultRAMid);
    g_string_append(buf, "/>\n");
}


char *
spmQEMUCapsFormat(const spmQEMUCaps *caps)
{
    g_autoptr(GString) buf = g_string_new("<spmQEMUCaps>\n");
    g_autofree char *emulator = g_markup_escape_text(caps->binary, -1);
    size_t i;

    g_string_append_printf(buf, "  <emulator>%s</emulator>\n", emulator);
    if (caps->hasStamp) {
        const spmQEMUCapsStamp *s = &caps->stamp;
        g_autofree char *self = g_markup_escape_text(s->selfVersion ? s->selfVersion : "", -1);

        g_string_append(buf, "  <stamp>\n");
        g_string_append_printf(buf,
                               "    <binary ctime='%lld' mtime='%lld' size='%llu'"
                               " inode='%llu' dev='%llu'/>\n",
                               s->binaryCtimeNs, s->binaryMtimeNs, s->binarySize, s->binaryInode,
                               s->binaryDev);
        if (s->moduleDir) {
            g_autofree char *dir = g_markup_escape_text(s->moduleDir, -1);
            g_string_append_printf(buf, "    <moduleDir path='%s' mtime='%lld'/>\n", dir,
                                   s->moduleDirMtimeNs);
        } else {
            g_string_append(buf, "    <moduleDir/>\n");
        }
        g_string_append_printf(buf, "    <selfVersion>%s</selfVersion>\n", self);
        g_string_append(buf, "  </stamp>\n");
    }
    g_string_append_printf(buf, "  <version>%u</version>\n", caps->version);
    if (caps->package) {
        g_autofree char *package = g_markup_escape_text(caps->package, -1);
        g_string_append_printf(buf, "  <package>%s</package>\n", package);
    }
    g_string_append_printf(buf, "  <arch>%s</arch>\n", caps->arch ? caps->arch : "");
    g_string_append_printf(buf, "  <spmForm>%s</spmForm>\n",
                           spmFormTypeToString(spmQEMUCapsGetSpmForm(caps)));

    for (i = 0; i < SPM_QEMU_CAPS_LAST; i++) {
        if (caps->flags[i])
            g_string_append_printf(buf, "  <flag name='%s'/>\n", spmQEMUCapsTypeToString(i));
    }
    for (i = 0; i < caps->memoryDevices->len; i++)
        g_string_append_printf(buf, "  <memoryDevice type='%s'/>\n",
                               (const char *)g_ptr_array_index(caps->memoryDevices, i));
    if (caps->spMemProps->len > 0) {
        g_string_append(buf, "  <deviceProperties type='sp-mem'>\n");
        for (i = 0; i < caps->spMemProps->len; i++) {
            const spmQEMUCapsProperty *p = &g_array_index(caps->spMemProps, spmQEMUCapsProperty, i);
            g_autofree char *type = g_markup_escape_text(p->type, -1);

            g_string_append_printf(buf, "    <property name='%s' type='%s'/>\n", p->name, type);
        }
        g_string_append(buf, "  </deviceProperties>\n");
    }
    for (i = 0; i < caps->machines->len; i++)
        spmQEMUCapsFormatMachine(buf, &g_array_index(caps->machines, spmQEMUCapsMachine, i));
    g_string_append(buf, "</spmQEMUCaps>\n");
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


static int
spmQEMUCapsBadFile(const char *name, const char *what)
{
    spmReportError(SPM_ERR_XML_ERROR, _("invalid QEMU capabilities file '%1$s': %2$s"), name, what);
    return -1;
}


/* Element text that must be a valid token (or text when !token). */
static char *
spmQEMUCapsParseText(xmlNodePtr node, const char *name, bool token)
{
    g_autofree char *text = spmXMLNodeContent(node);

    if (!text || !(token ? spmQEMUCapsValidToken(text) : spmQEMUCapsValidText(text))) {
        g_autofree char *what = g_strdup_printf(_("invalid <%1$s>"), (const char *)node->name);
        spmQEMUCapsBadFile(name, what);
        return NULL;
    }
    return g_steal_pointer(&text);
}


static char *
spmQEMUCapsParseTokenProp(xmlNodePtr node, const char *attr, bool required, const char *name,
                          int *rc)
{
    g_autofree char *val = spmXMLPropString(node, attr);

    *rc = 0;
    if (!val) {
        if (required) {
            g_autofree char *what =
                g_strdup_printf(_("<%1$s> without '%2$s'"), (const char *)node->name, attr);
            *rc = spmQEMUCapsBadFile(name, what);
        }
        return NULL;
    }
    if (!spmQEMUCapsValidToken(val)) {
        g_autofree char *what =
            g_strdup_printf(_("invalid '%1$s' in <%2$s>"), attr, (const char *)node->name);
        *rc = spmQEMUCapsBadFile(name, what);
        return NULL;
    }
    return g_steal_pointer(&val);
}


static bool
spmQEMUCapsParseLL(const char *str, long long *value)
{
    char *end = NULL;
    gint64 v;

    if (!str || !*str)
        return false;
    errno = 0;
    v = g_ascii_strtoll(str, &end, 10);
    if (errno != 0 || !end || *end)
        return false;
    *value = v;
    return true;
}


static int
spmQEMUCapsParseLLProp(xmlNodePtr node, const char *attr, const char *name, long long *value)
{
    g_autofree char *val = spmXMLPropString(node, attr);

    if (!spmQEMUCapsParseLL(val, value)) {
        g_autofree char *what =
            g_strdup_printf(_("invalid '%1$s' in <%2$s>"), attr, (const char *)node->name);
        return spmQEMUCapsBadFile(name, what);
    }
    return 0;
}


static int
spmQEMUCapsParseStamp(spmQEMUCaps *caps, xmlNodePtr stamp, const char *name)
{
    xmlNodePtr binary = spmXMLChildElement(stamp, "binary");
    xmlNodePtr moddir = spmXMLChildElement(stamp, "moduleDir");
    xmlNodePtr self = spmXMLChildElement(stamp, "selfVersion");
    spmQEMUCapsStamp *s = &caps->stamp;
    g_autofree char *dir = NULL;

    if (!binary || !moddir || !self)
        return spmQEMUCapsBadFile(name, _("incomplete <stamp>"));

    if (spmQEMUCapsParseLLProp(binary, "ctime", name, &s->binaryCtimeNs) < 0 ||
        spmQEMUCapsParseLLProp(binary, "mtime", name, &s->binaryMtimeNs) < 0 ||
        spmXMLPropULL(binary, "size", SPM_XML_PROP_REQUIRED, &s->binarySize) < 0 ||
        spmXMLPropULL(binary, "inode", SPM_XML_PROP_REQUIRED, &s->binaryInode) < 0 ||
        spmXMLPropULL(binary, "dev", SPM_XML_PROP_REQUIRED, &s->binaryDev) < 0)
        return -1;

    if ((dir = spmXMLPropString(moddir, "path"))) {
        if (!*dir || !spmQEMUCapsValidText(dir))
            return spmQEMUCapsBadFile(name, _("invalid <moduleDir>"));
        if (spmQEMUCapsParseLLProp(moddir, "mtime", name, &s->moduleDirMtimeNs) < 0)
            return -1;
        s->moduleDir = g_steal_pointer(&dir);
    }
    if (!(s->selfVersion = spmQEMUCapsParseText(self, name, true)))
        return -1;
    caps->hasStamp = true;
    return 0;
}


static int
spmQEMUCapsParseMachine(spmQEMUCaps *caps, xmlNodePtr node, const char *name)
{
    spmQEMUCapsMachine m = {.acpi = SPM_TRISTATE_ABSENT};
    bool flag = false;
    int rc;

    if (!(m.name = spmQEMUCapsParseTokenProp(node, "name", true, name, &rc)))
        return -1;
    m.alias = spmQEMUCapsParseTokenProp(node, "alias", false, name, &rc);
    if (rc == 0)
        m.defaultRAMid = spmQEMUCapsParseTokenProp(node, "defaultRAMid", false, name, &rc);
    if (rc < 0 || spmXMLPropYesNo(node, "default", 0, &m.isDefault) < 0 ||
        spmXMLPropYesNo(node, "numaMemSupported", 0, &m.numaMemSupported) < 0 ||
        spmXMLPropYesNo(node, "deprecated", 0, &m.deprecated) < 0 ||
        spmXMLPropUInt(node, "maxCpus", 0, &m.maxCpus) < 0 ||
        (rc = spmXMLPropYesNo(node, "acpi", 0, &flag)) < 0) {
        spmQEMUCapsMachineClear(&m);
        return -1;
    }
    if (rc == 1)
        m.acpi = flag ? SPM_TRISTATE_YES : SPM_TRISTATE_NO;
    if (m.isDefault && spmQEMUCapsResolveMachine(caps, NULL)) {
        spmQEMUCapsMachineClear(&m);
        return spmQEMUCapsBadFile(name, _("more than one default machine type"));
    }
    g_array_append_val(caps->machines, m);
    return 0;
}


static int
spmQEMUCapsParseDeviceProps(spmQEMUCaps *caps, xmlNodePtr node, const char *name)
{
    g_autofree char *type = spmXMLPropString(node, "type");
    xmlNodePtr cur;

    if (!type || !SPM_STREQ(type, "sp-mem") || caps->spMemProps->len > 0)
        return spmQEMUCapsBadFile(name, _("unexpected <deviceProperties>"));

    for (cur = spmXMLChildElement(node, NULL); cur; cur = spmXMLNextElement(cur, NULL)) {
        spmQEMUCapsProperty prop = {0};
        int rc;

        if (!xmlStrEqual(cur->name, BAD_CAST "property"))
            return spmQEMUCapsBadFile(name, _("unexpected element in <deviceProperties>"));
        if (!(prop.name = spmQEMUCapsParseTokenProp(cur, "name", true, name, &rc)))
            return -1;
        prop.type = spmXMLPropString(cur, "type");
        if (!prop.type || !spmQEMUCapsValidText(prop.type)) {
            spmQEMUCapsPropertyClear(&prop);
            return spmQEMUCapsBadFile(name, _("<property> without a valid 'type'"));
        }
        g_array_append_val(caps->spMemProps, prop);
    }
    return 0;
}


spmQEMUCaps *
spmQEMUCapsParseString(const char *xml, size_t len, const char *name)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmQEMUCaps) caps = spmQEMUCapsNew(NULL);
    bool haveVersion = false;
    xmlNodePtr root;
    xmlNodePtr cur;

    if (len == 0) {
        spmQEMUCapsBadFile(name, _("the file is empty"));
        return NULL;
    }
    if (!(doc = spmXMLParse(xml, len, name)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (spmXMLCheckRoot(doc, "spmQEMUCaps") < 0)
        return NULL;

    for (cur = root->children; cur; cur = cur->next) {
        const char *elem = (const char *)cur->name;

        if (cur->type == XML_TEXT_NODE) {
            g_autofree char *text = spmXMLNodeContent(cur);

            if (text && *g_strstrip(text)) {
                spmQEMUCapsBadFile(name, _("unexpected text"));
                return NULL;
            }
            continue;
        }
        if (cur->type == XML_COMMENT_NODE)
            continue;
        if (cur->type != XML_ELEMENT_NODE || cur->ns) {
            spmQEMUCapsBadFile(name, _("unexpected content"));
            return NULL;
        }

        if (SPM_STREQ(elem, "emulator")) {
            g_autofree char *text = spmXMLNodeContent(cur);

            if (caps->binary || !text || !*text || !spmQEMUCapsValidText(text)) {
                spmQEMUCapsBadFile(name, _("invalid <emulator>"));
                return NULL;
            }
            caps->binary = g_steal_pointer(&text);
        } else if (SPM_STREQ(elem, "stamp")) {
            if (caps->hasStamp) {
                spmQEMUCapsBadFile(name, _("more than one <stamp>"));
                return NULL;
            }
            if (spmQEMUCapsParseStamp(caps, cur, name) < 0)
                return NULL;
        } else if (SPM_STREQ(elem, "version")) {
            g_autofree char *text = spmXMLNodeContent(cur);
            unsigned long long v;

            if (haveVersion || !text || !spmParseNumber(text, SPM_NUMBER_BLANKS, 0, &v) ||
                v >= 1000000000ULL) {
                spmQEMUCapsBadFile(name, _("invalid <version>"));
                return NULL;
            }
            spmQEMUCapsSetVersion(caps, (unsigned int)v);
            haveVersion = true;
        } else if (SPM_STREQ(elem, "package")) {
            if (caps->package || !(caps->package = spmQEMUCapsParseText(cur, name, false)))
                return NULL;
        } else if (SPM_STREQ(elem, "arch")) {
            if (caps->arch || !(caps->arch = spmQEMUCapsParseText(cur, name, true)))
                return NULL;
        } else if (SPM_STREQ(elem, "spmForm")) {
            /* derived from the flags */
        } else if (SPM_STREQ(elem, "flag")) {
            g_autofree char *flagName = spmXMLPropString(cur, "name");
            int flag = flagName ? spmQEMUCapsTypeFromString(flagName) : -1;

            if (flag < 0) {
                g_autofree char *what =
                    g_strdup_printf(_("unknown flag '%1$s'"), flagName ? flagName : "");
                spmQEMUCapsBadFile(name, what);
                return NULL;
            }
            caps->flags[flag] = true;
        } else if (SPM_STREQ(elem, "memoryDevice")) {
            int rc;
            char *type = spmQEMUCapsParseTokenProp(cur, "type", true, name, &rc);

            if (!type)
                return NULL;
            if (caps->memoryDevices->len >= SPM_QEMU_CAPS_MAX_DEVICES) {
                g_free(type);
                spmQEMUCapsBadFile(name, _("too many memory devices"));
                return NULL;
            }
            g_ptr_array_add(caps->memoryDevices, type);
        } else if (SPM_STREQ(elem, "deviceProperties")) {
            if (spmQEMUCapsParseDeviceProps(caps, cur, name) < 0)
                return NULL;
        } else if (SPM_STREQ(elem, "machine")) {
            if (caps->machines->len >= SPM_QEMU_CAPS_MAX_MACHINES) {
                spmQEMUCapsBadFile(name, _("too many machine types"));
                return NULL;
            }
            if (spmQEMUCapsParseMachine(caps, cur, name) < 0)
                return NULL;
        } else {
            g_autofree char *what = g_strdup_printf(_("unknown element <%1$s>"), elem);
            spmQEMUCapsBadFile(name, what);
            return NULL;
        }
    }

    if (!caps->binary || !haveVersion || !caps->arch) {
        spmQEMUCapsBadFile(name, _("<emulator>, <version> or <arch> is missing"));
        return NULL;
    }
    return g_steal_pointer(&caps);
}


spmQEMUCaps *
spmQEMUCapsLoadFile(const char *path)
{
    g_autofree char *data = NULL;
    size_t len = 0;
    size_t i;

    if (spmFileReadAll(path, SPM_QEMU_CAPS_FILE_MAX * 4, &data, &len) < 0)
        return NULL;

    /* a .replies file is JSON; a caps file is XML */
    for (i = 0; i < len && g_ascii_isspace(data[i]); i++)
        ;
    if (i < len && data[i] == '{') {
        g_clear_pointer(&data, g_free);
        return spmQEMUCapsNewFromReplies(path, NULL);
    }
    if (len > SPM_QEMU_CAPS_FILE_MAX) {
        spmQEMUCapsBadFile(path, _("the file is too large"));
        return NULL;
    }
    return spmQEMUCapsParseString(data, len, path);
}
