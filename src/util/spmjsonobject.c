/*
 * spmjsonobject.c: the top-level members of one JSON object, without json-c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmjsonobject.h"

/* Nesting limit (libvirt's backends nest two levels). */
#define SPM_JSON_OBJECT_MAX_DEPTH 64

typedef struct _spmJSONObjectReader spmJSONObjectReader;
struct _spmJSONObjectReader {
    const char *p;
};

static void
spmJSONMemberClear(void *data)
{
    spmJSONMember *m = data;

    g_free(m->key);
    g_free(m->string);
    g_free(m->number);
    g_free(m->raw);
}

static void
spmJSONObjectSkipSpace(spmJSONObjectReader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

static int
spmJSONObjectReadHex4(const char *p, gunichar *value)
{
    size_t i;

    *value = 0;
    for (i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(p[i]);
        if (d < 0)
            return -1;
        *value = *value * 16 + (gunichar)d;
    }
    return 0;
}

/* Reads a string at r->p (which is at '"'); *out may be NULL to skip. */
static int
spmJSONObjectReadString(spmJSONObjectReader *r, char **out)
{
    g_autoptr(GString) buf = g_string_new(NULL);

    r->p++;
    while (*r->p != '"') {
        unsigned char c = *r->p;
        gunichar u;

        if (c == '\0' || c < 0x20)
            return -1;
        if (c != '\\') {
            g_string_append_c(buf, c);
            r->p++;
            continue;
        }
        r->p++;
        switch (*r->p) {
        case '"':
            g_string_append_c(buf, '"');
            break;
        case '\\':
            g_string_append_c(buf, '\\');
            break;
        case '/':
            g_string_append_c(buf, '/');
            break;
        case 'b':
            g_string_append_c(buf, '\b');
            break;
        case 'f':
            g_string_append_c(buf, '\f');
            break;
        case 'n':
            g_string_append_c(buf, '\n');
            break;
        case 'r':
            g_string_append_c(buf, '\r');
            break;
        case 't':
            g_string_append_c(buf, '\t');
            break;
        case 'u':
            if (spmJSONObjectReadHex4(r->p + 1, &u) < 0)
                return -1;
            r->p += 4;
            if (u >= 0xD800 && u <= 0xDBFF) {
                gunichar lo;

                if (r->p[1] != '\\' || r->p[2] != 'u' || spmJSONObjectReadHex4(r->p + 3, &lo) < 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                r->p += 6;
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                return -1;
            }
            if (u == 0)
                return -1;
            g_string_append_unichar(buf, u);
            break;
        default:
            return -1;
        }
        r->p++;
    }
    r->p++;
    if (out)
        *out = g_string_free(g_steal_pointer(&buf), FALSE);
    return 0;
}

static int
spmJSONObjectReadNumber(spmJSONObjectReader *r, char **out)
{
    const char *start = r->p;

    if (*r->p == '-')
        r->p++;
    if (*r->p == '0') {
        r->p++;
    } else if (g_ascii_isdigit(*r->p)) {
        while (g_ascii_isdigit(*r->p))
            r->p++;
    } else {
        return -1;
    }
    if (*r->p == '.') {
        r->p++;
        if (!g_ascii_isdigit(*r->p))
            return -1;
        while (g_ascii_isdigit(*r->p))
            r->p++;
    }
    if (*r->p == 'e' || *r->p == 'E') {
        r->p++;
        if (*r->p == '+' || *r->p == '-')
            r->p++;
        if (!g_ascii_isdigit(*r->p))
            return -1;
        while (g_ascii_isdigit(*r->p))
            r->p++;
    }
    if (out)
        *out = g_strndup(start, r->p - start);
    return 0;
}

static int spmJSONObjectSkipValue(spmJSONObjectReader *r, unsigned int depth);

/* Object or array at r->p; each member/element is passed to the skipper. */
static int
spmJSONObjectSkipContainer(spmJSONObjectReader *r, unsigned int depth)
{
    char close = *r->p == '{' ? '}' : ']';
    bool object = close == '}';

    if (depth >= SPM_JSON_OBJECT_MAX_DEPTH)
        return -1;
    r->p++;
    spmJSONObjectSkipSpace(r);
    if (*r->p == close) {
        r->p++;
        return 0;
    }
    while (true) {
        if (object) {
            if (*r->p != '"' || spmJSONObjectReadString(r, NULL) < 0)
                return -1;
            spmJSONObjectSkipSpace(r);
            if (*r->p != ':')
                return -1;
            r->p++;
            spmJSONObjectSkipSpace(r);
        }
        if (spmJSONObjectSkipValue(r, depth + 1) < 0)
            return -1;
        spmJSONObjectSkipSpace(r);
        if (*r->p == close) {
            r->p++;
            return 0;
        }
        if (*r->p != ',')
            return -1;
        r->p++;
        spmJSONObjectSkipSpace(r);
    }
}

static int
spmJSONObjectSkipValue(spmJSONObjectReader *r, unsigned int depth)
{
    switch (*r->p) {
    case '"':
        return spmJSONObjectReadString(r, NULL);
    case '{':
    case '[':
        return spmJSONObjectSkipContainer(r, depth);
    case 't':
        if (!g_str_has_prefix(r->p, "true"))
            return -1;
        r->p += 4;
        return 0;
    case 'f':
        if (!g_str_has_prefix(r->p, "false"))
            return -1;
        r->p += 5;
        return 0;
    case 'n':
        if (!g_str_has_prefix(r->p, "null"))
            return -1;
        r->p += 4;
        return 0;
    default:
        return spmJSONObjectReadNumber(r, NULL);
    }
}

GArray *
spmJSONObjectMembers(const char *str)
{
    g_autoptr(GArray) members = g_array_new(FALSE, TRUE, sizeof(spmJSONMember));
    spmJSONObjectReader r = {str};

    g_array_set_clear_func(members, spmJSONMemberClear);
    spmJSONObjectSkipSpace(&r);
    if (*r.p != '{')
        return NULL;
    r.p++;
    spmJSONObjectSkipSpace(&r);
    if (*r.p == '}') {
        r.p++;
    } else {
        while (true) {
            spmJSONMember m = {0};
            const char *start;

            if (*r.p != '"' || spmJSONObjectReadString(&r, &m.key) < 0)
                return NULL;
            g_array_append_val(members, m);
            spmJSONObjectSkipSpace(&r);
            if (*r.p != ':')
                return NULL;
            r.p++;
            spmJSONObjectSkipSpace(&r);
            start = r.p;
            if (*r.p == '"') {
                if (spmJSONObjectReadString(
                        &r, &g_array_index(members, spmJSONMember, members->len - 1).string) < 0)
                    return NULL;
            } else if (*r.p == '-' || g_ascii_isdigit(*r.p)) {
                if (spmJSONObjectReadNumber(
                        &r, &g_array_index(members, spmJSONMember, members->len - 1).number) < 0)
                    return NULL;
            } else if (spmJSONObjectSkipValue(&r, 1) < 0) {
                return NULL;
            }
            g_array_index(members, spmJSONMember, members->len - 1).raw =
                g_strndup(start, r.p - start);
            spmJSONObjectSkipSpace(&r);
            if (*r.p == '}') {
                r.p++;
                break;
            }
            if (*r.p != ',')
                return NULL;
            r.p++;
            spmJSONObjectSkipSpace(&r);
        }
    }
    spmJSONObjectSkipSpace(&r);
    if (*r.p)
        return NULL;
    return g_steal_pointer(&members);
}
