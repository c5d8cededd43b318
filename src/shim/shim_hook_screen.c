/*
 * shim_hook_screen.c: the libvirt hook's fast answer for the domains it has
 * nothing to do with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_hook_screen.h"
#include "shim_launch_data.h"
#include "shim_runtime_launch_data.h"
#include "shim_typed_domains.h"
#include "spmerror.h"
#include "spmnamespaces.h"
#include "spmnova.h"
#include "spmuuid.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

spmHookOp
spmHookGetOp(int argc, const char *const *argv)
{
    if (argc < 4)
        return SPM_HOOK_OP_OTHER;
    if (SPM_STREQ(argv[3], "end"))
        return SPM_STREQ(argv[2], "stopped") || SPM_STREQ(argv[2], "release") ? SPM_HOOK_OP_STOPPED
                                                                              : SPM_HOOK_OP_OTHER;
    if (!SPM_STREQ(argv[3], "begin"))
        return SPM_HOOK_OP_OTHER;
    if (SPM_STREQ(argv[2], "migrate"))
        return SPM_HOOK_OP_MIGRATE;
    if (SPM_STREQ(argv[2], "restore"))
        return SPM_HOOK_OP_RESTORE;
    if (SPM_STREQ(argv[2], "prepare"))
        return SPM_HOOK_OP_PREPARE;
    return SPM_HOOK_OP_OTHER;
}

char *
spmHookStoppedUUID(const char *xml, size_t len)
{
    const char *start = xml ? g_strstr_len(xml, len, "<uuid>") : NULL;
    const char *end;
    g_autofree char *text = NULL;
    char canon[SPM_UUID_STRING_BUFLEN];

    if (!start || !(end = g_strstr_len(start, len - (start - xml), "</uuid>")))
        return NULL;
    start += strlen("<uuid>");
    text = g_strstrip(g_strndup(start, end - start));
    if (!spmUUIDCanonicalize(text, canon))
        return NULL;
    return g_strdup(canon);
}

/* What the screen reads out of the domain XML. */
typedef struct {
    GPtrArray *stack;    /* open element names */
    GPtrArray *prefixes; /* namespace prefixes in scope, "DEPTH:PREFIX" */
    GString *uuid;       /* text of /domain/uuid */
    GString *emulator;   /* text of /domain/devices/emulator */
    GPtrArray *flavors;  /* name='' of every *:flavor or flavor element */
    unsigned int nuuid;  /* how many /domain/uuid, ... */
    unsigned int ndevices;
    unsigned int nemulator;
    bool seenRoot;
    bool odd; /* something the screen does not vouch for */
} spmHookScreenDoc;

static bool
spmHookScreenAt(spmHookScreenDoc *doc, const char *const *path, guint depth)
{
    guint i;

    if (doc->stack->len != depth)
        return false;
    for (i = 0; i < depth; i++) {
        if (!SPM_STREQ(g_ptr_array_index(doc->stack, i), path[i]))
            return false;
    }
    return true;
}

/* below libxml2's own limits (256 levels without XML_PARSE_HUGE, names
 * of 50000 bytes, documents of 10 MB of text) with room to spare: libvirt's
 * domain XML is nowhere near them */
#define SPM_HOOK_SCREEN_MAX_DEPTH 128
#define SPM_HOOK_SCREEN_MAX_NAME 1024
#define SPM_HOOK_SCREEN_MAX_SIZE (4 * 1024 * 1024)

static const char *const spmHookScreenUUIDPath[] = {"domain", "uuid"};
static const char *const spmHookScreenEmulatorPath[] = {"domain", "devices", "emulator"};

/* The prefix of the name @name ("" when none); NULL when @name is not a
 * name libxml2's namespace parser takes: one or two parts (prefix and local
 * name), each an ASCII NCName (a letter or '_', then letters, digits, '.',
 * '-', '_'). */
static bool
spmHookScreenIsNCName(const char *name, size_t len)
{
    size_t i;

    if (len == 0 || !(g_ascii_isalpha(name[0]) || name[0] == '_'))
        return false;
    for (i = 1; i < len; i++) {
        if (!g_ascii_isalnum(name[i]) && !strchr("._-", name[i]))
            return false;
    }
    return true;
}

static char *
spmHookScreenPrefix(const char *name)
{
    const char *colon = strchr(name, ':');

    if (!colon)
        return spmHookScreenIsNCName(name, strlen(name)) ? g_strdup("") : NULL;
    if (!spmHookScreenIsNCName(name, colon - name) ||
        !spmHookScreenIsNCName(colon + 1, strlen(colon + 1)))
        return NULL;
    return g_strndup(name, colon - name);
}

/* The part of the name @name after its prefix (all of it without one). */
static const char *
spmHookScreenLocalName(const char *name)
{
    const char *colon = strchr(name, ':');

    return colon ? colon + 1 : name;
}

static bool
spmHookScreenPrefixDeclared(spmHookScreenDoc *doc, const char *prefix)
{
    guint i;

    if (!*prefix || SPM_STREQ(prefix, "xml"))
        return true;
    for (i = 0; i < doc->prefixes->len; i++) {
        const char *entry = strchr(g_ptr_array_index(doc->prefixes, i), ':') + 1;

        if (SPM_STREQ(entry, prefix))
            return true;
    }
    return false;
}

/* The namespaces the screen vouches for: those of the domain XML libvirt
 * writes for the guests the hook lets through (libvirt's QEMU command line,
 * Nova's and libosinfo's metadata).  libxml2 refuses a document whose
 * namespace name is no valid URI, by a full RFC 3986 parse; rather than
 * repeat that parse, any other namespace goes to the full decision. */
static const char *const spmHookScreenNamespaces[] = {
    "http://libvirt.org/schemas/domain/qemu/1.0",
    SPM_NOVA_NS,
    "http://libosinfo.org/xmlns/libvirt/domain/1.0",
};

static bool
spmHookScreenKnownNamespace(const char *uri)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(spmHookScreenNamespaces); i++) {
        if (SPM_STREQ(uri, spmHookScreenNamespaces[i]))
            return true;
    }
    return false;
}

static void
spmHookScreenStart(GMarkupParseContext *ctx G_GNUC_UNUSED, const char *name, const char **attrNames,
                   const char **attrValues, gpointer opaque, GError **err G_GNUC_UNUSED)
{
    spmHookScreenDoc *doc = opaque;
    g_autofree char *prefix = spmHookScreenPrefix(name);
    const char *local = spmHookScreenLocalName(name);
    guint depth = doc->stack->len;
    size_t i;

    if (depth == 0) {
        if (doc->seenRoot || !SPM_STREQ(name, "domain"))
            doc->odd = true;
        doc->seenRoot = true;
    }
    /* inside <uuid> or <emulator>: libxml2 would take nested text too */
    if (spmHookScreenAt(doc, spmHookScreenUUIDPath, 2) ||
        spmHookScreenAt(doc, spmHookScreenEmulatorPath, 3))
        doc->odd = true;
    /* the first of each is what the full decision reads: have only one */
    if (depth == 1 && SPM_STREQ(name, "uuid") && ++doc->nuuid > 1)
        doc->odd = true;
    if (depth == 1 && SPM_STREQ(name, "devices") && ++doc->ndevices > 1)
        doc->odd = true;
    if (depth == 2 && SPM_STREQ(name, "emulator") && ++doc->nemulator > 1)
        doc->odd = true;

    /* what GMarkup takes and libxml2 refuses: a '<' in an attribute value,
     * an attribute given twice (or twice with a prefix: two prefixes may
     * name one namespace), nesting beyond libxml2's limit, long names */
    if (depth >= SPM_HOOK_SCREEN_MAX_DEPTH || strlen(name) > SPM_HOOK_SCREEN_MAX_NAME)
        doc->odd = true;
    for (i = 0; attrNames[i]; i++) {
        const char *attrLocal = spmHookScreenLocalName(attrNames[i]);
        size_t j;

        if (strchr(attrValues[i], '<') || strlen(attrNames[i]) > SPM_HOOK_SCREEN_MAX_NAME)
            doc->odd = true;
        for (j = 0; j < i; j++) {
            const char *otherLocal = spmHookScreenLocalName(attrNames[j]);

            if (SPM_STREQ(attrNames[i], attrNames[j]) ||
                (attrLocal != attrNames[i] && otherLocal != attrNames[j] &&
                 SPM_STREQ(attrLocal, otherLocal)))
                doc->odd = true;
        }
    }
    for (i = 0; attrNames[i]; i++) {
        if (SPM_STREQ(attrNames[i], "xmlns") || SPM_STREQ(attrNames[i], "xmlns:xmlns") ||
            SPM_STREQ(attrNames[i], "xmlns:xml")) {
            doc->odd = true; /* a default namespace could hide a name */
        } else if (g_str_has_prefix(attrNames[i], "xmlns:")) {
            if (!attrNames[i][6] || strchr(attrNames[i] + 6, ':') ||
                !spmHookScreenKnownNamespace(attrValues[i]))
                doc->odd = true;
            g_ptr_array_add(doc->prefixes, g_strdup_printf("%u:%s", depth, attrNames[i] + 6));
        }
    }
    /* names in undeclared namespaces: libxml2 refuses the document */
    if (!prefix || SPM_STREQ(prefix, "xmlns") || !spmHookScreenPrefixDeclared(doc, prefix))
        doc->odd = true;
    for (i = 0; attrNames[i]; i++) {
        g_autofree char *attrPrefix = spmHookScreenPrefix(attrNames[i]);
        const char *attrLocal = spmHookScreenLocalName(attrNames[i]);

        if (!attrPrefix)
            doc->odd = true;
        else if (!SPM_STREQ(attrPrefix, "xmlns") && !SPM_STREQ(attrNames[i], "xmlns") &&
                 !spmHookScreenPrefixDeclared(doc, attrPrefix))
            doc->odd = true;
        if (SPM_STREQ(local, "flavor") && SPM_STREQ(attrLocal, "name"))
            g_ptr_array_add(doc->flavors, g_strdup(attrValues[i]));
    }
    g_ptr_array_add(doc->stack, g_strdup(name));
}

static void
spmHookScreenEnd(GMarkupParseContext *ctx G_GNUC_UNUSED, const char *name G_GNUC_UNUSED,
                 gpointer opaque, GError **err G_GNUC_UNUSED)
{
    spmHookScreenDoc *doc = opaque;
    g_autofree char *mine = NULL;

    g_ptr_array_remove_index(doc->stack, doc->stack->len - 1);
    /* the prefixes this element declared go out of scope */
    mine = g_strdup_printf("%u:", doc->stack->len);
    while (doc->prefixes->len > 0 &&
           g_str_has_prefix(g_ptr_array_index(doc->prefixes, doc->prefixes->len - 1), mine))
        g_ptr_array_remove_index(doc->prefixes, doc->prefixes->len - 1);
}

static void
spmHookScreenText(GMarkupParseContext *ctx G_GNUC_UNUSED, const char *text, gsize len,
                  gpointer opaque, GError **err G_GNUC_UNUSED)
{
    spmHookScreenDoc *doc = opaque;
    gsize i;

    if (doc->stack->len == 0) {
        /* outside the root element: white space only */
        for (i = 0; i < len; i++) {
            if (!g_ascii_isspace(text[i]))
                doc->odd = true;
        }
        return;
    }
    if (spmHookScreenAt(doc, spmHookScreenUUIDPath, 2))
        g_string_append_len(doc->uuid, text, len);
    else if (spmHookScreenAt(doc, spmHookScreenEmulatorPath, 3))
        g_string_append_len(doc->emulator, text, len);
}

/* processing instructions, an XML declaration among them (libvirt writes
 * none): one could name an encoding GMarkup does not read */
static void
spmHookScreenPassthrough(GMarkupParseContext *ctx G_GNUC_UNUSED, const char *text G_GNUC_UNUSED,
                         gsize len G_GNUC_UNUSED, gpointer opaque, GError **err G_GNUC_UNUSED)
{
    spmHookScreenDoc *doc = opaque;

    doc->odd = true;
}

static const GMarkupParser spmHookScreenParser = {
    .start_element = spmHookScreenStart,
    .end_element = spmHookScreenEnd,
    .text = spmHookScreenText,
    .passthrough = spmHookScreenPassthrough,
};

static void
spmHookScreenDocClear(spmHookScreenDoc *doc)
{
    g_clear_pointer(&doc->stack, g_ptr_array_unref);
    g_clear_pointer(&doc->prefixes, g_ptr_array_unref);
    if (doc->uuid)
        g_string_free(doc->uuid, TRUE);
    if (doc->emulator)
        g_string_free(doc->emulator, TRUE);
    g_clear_pointer(&doc->flavors, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(spmHookScreenDoc, spmHookScreenDocClear);

/* Only printable ASCII, tab, CR and LF: beyond that GMarkup and libxml2
 * may disagree on what is a name or a character. */
static bool
spmHookScreenPlainASCII(const char *xml, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = xml[i];

        if (c >= 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
            return false;
    }
    return true;
}

/* Every attribute value in a tag is followed by white space, '/' or '>':
 * GMarkup also takes a='1'b='2', libxml2 does not. */
static bool
spmHookScreenAttributesSpaced(const char *xml, size_t len)
{
    bool inTag = false;
    char quote = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = xml[i];

        if (quote) {
            if (c != quote)
                continue;
            quote = 0;
            if (i + 1 < len && !g_ascii_isspace(xml[i + 1]) && xml[i + 1] != '/' &&
                xml[i + 1] != '>' && xml[i + 1] != '?')
                return false;
        } else if (inTag) {
            if (c == '\'' || c == '"')
                quote = c;
            else if (c == '>')
                inTag = false;
        } else if (c == '<') {
            inTag = true;
        }
    }
    return true;
}

/* Reads @xml into @doc; false when the screen cannot vouch for it. */
static bool
spmHookScreenParse(const char *xml, size_t len, spmHookScreenDoc *doc)
{
    g_autoptr(GMarkupParseContext) ctx = NULL;

    doc->stack = g_ptr_array_new_with_free_func(g_free);
    doc->prefixes = g_ptr_array_new_with_free_func(g_free);
    doc->uuid = g_string_new(NULL);
    doc->emulator = g_string_new(NULL);
    doc->flavors = g_ptr_array_new_with_free_func(g_free);
    if (!xml || len == 0 || len > SPM_HOOK_SCREEN_MAX_SIZE || !spmHookScreenPlainASCII(xml, len) ||
        g_strstr_len(xml, len, "&#") || g_strstr_len(xml, len, "<!") ||
        g_strstr_len(xml, len, "]]>") || !spmHookScreenAttributesSpaced(xml, len))
        return false;
    ctx = g_markup_parse_context_new(&spmHookScreenParser, 0, doc, NULL);
    if (!g_markup_parse_context_parse(ctx, xml, (gssize)len, NULL) ||
        !g_markup_parse_context_end_parse(ctx, NULL))
        return false;
    return doc->seenRoot && !doc->odd;
}

/* true when runtime launch data (a Nova guest's) exists for @uuid, or
 * nobody can tell. */
static bool
spmHookScreenHasRuntimeLaunchData(const char *uuid)
{
    g_autofree char *path = spmRuntimeLaunchPath(spmRuntimeLaunchDir(), uuid);
    struct stat sb;

    return !path || lstat(path, &sb) == 0 || errno != ENOENT;
}

/* true when the Nova guest @doc may ask for typing. */
static bool
spmHookScreenNovaMayType(const char *xml, size_t len, const spmHookScreenDoc *doc,
                         const char *flavorsFile)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) gerr = NULL;
    guint i;

    if (g_strstr_len(xml, len, SPM_NOVA_EXTRA_SPEC_PREFIX))
        return true;
    if (doc->flavors->len == 0)
        return false;
    if (!g_key_file_load_from_file(kf, flavorsFile ? flavorsFile : spmNovaFlavorsFile(),
                                   G_KEY_FILE_NONE, &gerr))
        return !g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    for (i = 0; i < doc->flavors->len; i++) {
        if (g_key_file_has_group(kf, g_ptr_array_index(doc->flavors, i)))
            return true;
    }
    return false;
}

spmHookScreenVerdict
spmHookScreen(int argc, const char *const *argv, const char *xml, size_t len,
              const char *flavorsFile)
{
    g_auto(spmHookScreenDoc) doc = {0};
    spmHookOp op = spmHookGetOp(argc, argv);
    char uuid[SPM_UUID_STRING_BUFLEN];
    size_t mark = spmErrorMark();
    spmHookScreenVerdict verdict = SPM_HOOK_SCREEN_DECIDE;

    if (argc < 4)
        return SPM_HOOK_SCREEN_DECIDE;
    if (op == SPM_HOOK_OP_OTHER)
        return SPM_HOOK_SCREEN_ALLOW;
    if (op == SPM_HOOK_OP_STOPPED) {
        /* the full hook removes a Nova guest's runtime launch data */
        g_autofree char *stopped = spmHookStoppedUUID(xml, len);

        if (!stopped || !spmHookScreenHasRuntimeLaunchData(stopped))
            return SPM_HOOK_SCREEN_ALLOW;
        return SPM_HOOK_SCREEN_DECIDE;
    }
    if (!spmHookScreenParse(xml, len, &doc))
        return SPM_HOOK_SCREEN_DECIDE;
    if (g_strstr_len(xml, len, SPM_METADATA_NS) || g_strstr_len(xml, len, SPM_LAUNCH_OPTION))
        return SPM_HOOK_SCREEN_DECIDE;
    if (op != SPM_HOOK_OP_PREPARE)
        return SPM_HOOK_SCREEN_ALLOW;

    /* a start: not listed in the register (a typed domain that lost both
     * its launch data and its metadata) */
    if (doc.nuuid > 0) {
        g_autofree char *base =
            spmTypedDomainsBaseForEmulator(doc.emulator->len > 0 ? doc.emulator->str : NULL);

        if (spmTypedDomainsLookup(base, doc.uuid->str) != 0)
            goto cleanup;
    }
    if (spmNovaMaybeInstance(xml, len)) {
        if (spmHookScreenNovaMayType(xml, len, &doc, flavorsFile))
            goto cleanup;
        /* a Nova guest's stale launch data is removed by the full hook */
        if (!spmUUIDCanonicalize(doc.uuid->str, uuid) || spmHookScreenHasRuntimeLaunchData(uuid))
            goto cleanup;
    }
    verdict = SPM_HOOK_SCREEN_ALLOW;

cleanup:
    spmErrorTruncate(mark);
    return verdict;
}
