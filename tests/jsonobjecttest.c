/*
 * jsonobjecttest.c: the glib-only reader of one JSON object's top-level
 * members (spmjsonobject.h), which the shim uses for libvirt's JSON
 * -object and -device values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "spmjsonobject.h"

#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_NONE

typedef struct {
    const char *name;
    const char *json;
    /* expected members, "key=s:string", "key=n:number" or "key=-" (skipped
     * value); NULL-terminated; ignored when @valid is false */
    const char *members[8];
    bool valid;
} jsonCase;

static char *
jsonMemberFormat(const spmJSONMember *m)
{
    if (m->string)
        return g_strdup_printf("%s=s:%s", m->key, m->string);
    if (m->number)
        return g_strdup_printf("%s=n:%s", m->key, m->number);
    return g_strdup_printf("%s=-", m->key);
}

static int
testJSONObject(const void *opaque)
{
    const jsonCase *tc = opaque;
    g_autoptr(GArray) members = spmJSONObjectMembers(tc->json);
    size_t i;

    if (!tc->valid) {
        if (members) {
            printf("# '%s' was read but is not one valid JSON object\n", tc->json);
            return -1;
        }
        return 0;
    }
    if (!members) {
        printf("# '%s' was refused\n", tc->json);
        return -1;
    }
    for (i = 0; i < G_N_ELEMENTS(tc->members) && (i < members->len || tc->members[i]); i++) {
        g_autofree char *got = NULL;

        if (i < members->len)
            got = jsonMemberFormat(&g_array_index(members, spmJSONMember, i));
        if (g_strcmp0(got, tc->members[i]) != 0) {
            printf("# member %zu: got '%s', expected '%s'\n", i, got ? got : "(none)",
                   tc->members[i] ? tc->members[i] : "(none)");
            return -1;
        }
    }
    /* the value offsets frame the value's own text */
    for (i = 0; i < members->len; i++) {
        const spmJSONMember *m = &g_array_index(members, spmJSONMember, i);
        g_autofree char *text = NULL;

        if (m->valueEnd <= m->valueStart || m->valueEnd > strlen(tc->json)) {
            printf("# member %zu: value offsets %zu-%zu\n", i, m->valueStart, m->valueEnd);
            return -1;
        }
        text = g_strndup(tc->json + m->valueStart, m->valueEnd - m->valueStart);
        if ((m->number && !SPM_STREQ(text, m->number)) ||
            (m->string && (text[0] != '"' || text[strlen(text) - 1] != '"')) ||
            g_ascii_isspace(text[0]) || g_ascii_isspace(text[strlen(text) - 1])) {
            printf("# member %zu: value text '%s'\n", i, text);
            return -1;
        }
    }
    if (members->len >= G_N_ELEMENTS(tc->members)) {
        printf("# %u members, more than the test expects\n", members->len);
        return -1;
    }
    return 0;
}

static int
mymain(void)
{
    static const jsonCase cases[] = {
        /* what libvirt writes */
        {"backend",
         "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram-node0\",\"size\":2147483648}",
         {"qom-type=s:memory-backend-ram", "id=s:ram-node0", "size=n:2147483648"},
         true},
        {"device with nested values",
         "{\"driver\":\"pc-dimm\",\"node\":1,\"x\":{\"a\":[1,2,{\"b\":null}]},\"on\":true,"
         "\"off\":false,\"none\":null}",
         {"driver=s:pc-dimm", "node=n:1", "x=-", "on=-", "off=-", "none=-"},
         true},
        {"empty object", " { } ", {NULL}, true},
        {"whitespace", "\t{ \"a\" :\n\"b\" ,\r\"c\": -0.5e+3 }\n", {"a=s:b", "c=n:-0.5e+3"}, true},
        /* numbers keep their text: no precision is lost */
        {"big number", "{\"size\":18446744073709551615}", {"size=n:18446744073709551615"}, true},
        /* repeats are kept for the caller to judge */
        {"repeated key", "{\"id\":\"a\",\"id\":\"b\"}", {"id=s:a", "id=s:b"}, true},
        /* string escapes */
        {"escapes",
         "{\"k\\u0041\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
         {"kA=s:\"\\/\b\f\n\r\t"},
         true},
        {"unicode", "{\"s\":\"\\u00e9\\ud83d\\ude00\"}", {"s=s:\xc3\xa9\xf0\x9f\x98\x80"}, true},
        /* refused */
        {"not an object", "[1,2]", {NULL}, false},
        {"empty", "", {NULL}, false},
        {"trailing text", "{\"a\":1} x", {NULL}, false},
        {"two objects", "{}{}", {NULL}, false},
        {"trailing comma", "{\"a\":1,}", {NULL}, false},
        {"unquoted key", "{a:1}", {NULL}, false},
        {"single quotes", "{'a':1}", {NULL}, false},
        {"missing colon", "{\"a\" 1}", {NULL}, false},
        {"unterminated", "{\"a\":\"b", {NULL}, false},
        {"control character", "{\"a\":\"b\nc\"}", {NULL}, false},
        {"bad escape", "{\"a\":\"\\x\"}", {NULL}, false},
        {"short unicode escape", "{\"a\":\"\\u12\"}", {NULL}, false},
        {"NUL escape", "{\"a\":\"\\u0000\"}", {NULL}, false},
        {"lone high surrogate", "{\"a\":\"\\ud83d\"}", {NULL}, false},
        {"lone low surrogate", "{\"a\":\"\\ude00\"}", {NULL}, false},
        {"leading zero", "{\"a\":01}", {NULL}, false},
        {"bare minus", "{\"a\":-}", {NULL}, false},
        {"fraction without digits", "{\"a\":1.}", {NULL}, false},
        {"exponent without digits", "{\"a\":1e}", {NULL}, false},
        {"plus sign", "{\"a\":+1}", {NULL}, false},
        {"bad literal", "{\"a\":tru}", {NULL}, false},
        {"bad nested value", "{\"a\":[1,]}", {NULL}, false},
        {"unclosed nested object", "{\"a\":{\"b\":1}", {NULL}, false},
    };
    g_autoptr(GString) deep = g_string_new("{\"a\":");
    g_autoptr(GString) shallow = g_string_new("{\"a\":");
    jsonCase deepCase = {"nesting deeper than 64 levels", NULL, {NULL}, false};
    jsonCase shallowCase = {"nesting of 64 levels", NULL, {"a=-"}, true};
    int ret = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *title = g_strdup_printf("JSON object: %s", cases[i].name);

        if (spmTestRun(title, testJSONObject, &cases[i]) < 0)
            ret = -1;
    }

    /* the object itself is level 0, so 63 arrays inside it reach level 63 */
    for (i = 0; i < 63; i++)
        g_string_append_c(shallow, '[');
    for (i = 0; i < 63; i++)
        g_string_append_c(shallow, ']');
    g_string_append_c(shallow, '}');
    shallowCase.json = shallow->str;
    for (i = 0; i < 64; i++)
        g_string_append_c(deep, '[');
    for (i = 0; i < 64; i++)
        g_string_append_c(deep, ']');
    g_string_append_c(deep, '}');
    deepCase.json = deep->str;
    if (spmTestRun("JSON object: nesting of 64 levels", testJSONObject, &shallowCase) < 0 ||
        spmTestRun("JSON object: nesting deeper than 64 levels", testJSONObject, &deepCase) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
