/*
 * spmargv.c: command lines written the way libvirt writes them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmargv.h"

#include <string.h>

#define SPM_ARGV_SHELL_META "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~"

/* Appends @word, single-quoted only when it holds a character the shell
 * would interpret (an empty word is quoted too). */
static void
spmArgvAppendQuoted(GString *buf, const char *word)
{
    const char *p;

    if (*word && !strpbrk(word, SPM_ARGV_SHELL_META)) {
        g_string_append(buf, word);
        return;
    }
    g_string_append_c(buf, '\'');
    for (p = word; *p; p++) {
        if (*p == '\'')
            g_string_append(buf, "'\\''");
        else
            g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, '\'');
}

bool
spmArgvIsEnvAssignment(const char *word)
{
    const char *p = word;

    if (!g_ascii_isalpha(*p) && *p != '_')
        return false;
    while (g_ascii_isalnum(*p) || *p == '_')
        p++;
    return *p == '=';
}

char *
spmArgvFormat(const char *const *env, size_t nenv, const char *const *argv, bool perOption)
{
    GString *buf = g_string_new(NULL);
    const char *sep = perOption ? " \\\n" : " ";
    size_t i;

    for (i = 0; i < nenv; i++) {
        spmArgvAppendQuoted(buf, env[i]);
        g_string_append(buf, sep);
    }
    for (i = 0; argv[i]; i++) {
        if (i > 0)
            g_string_append(buf, argv[i][0] == '-' ? sep : " ");
        spmArgvAppendQuoted(buf, argv[i]);
    }
    g_string_append_c(buf, '\n');
    return g_string_free(buf, FALSE);
}
