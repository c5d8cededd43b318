/*
 * testutils.c: a small TAP test harness
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "spmargv.h"
#include "spmerror.h"
#include "spmxml.h"

#include <libxml/c14n.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/wait.h>
#include <locale.h>

static size_t spmTestCount;
static size_t spmTestFailed;
static size_t spmTestSkipped;

static bool
spmTestEnvFlag(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

bool
spmTestRegenerate(void)
{
    return spmTestEnvFlag("SPM_TEST_REGENERATE_OUTPUT") ||
        spmTestEnvFlag("VIR_TEST_REGENERATE_OUTPUT");
}

bool
spmTestDebug(void)
{
    return spmTestEnvFlag("SPM_TEST_DEBUG") || spmTestEnvFlag("VIR_TEST_DEBUG");
}

const char *
spmTestSrcdir(void)
{
    const char *dir = getenv("abs_srcdir");
    return dir ? dir : SPM_SOURCE_ROOT "/tests";
}

const char *
spmTestBuilddir(void)
{
    const char *dir = getenv("abs_builddir");
    return dir ? dir : SPM_BUILD_ROOT "/tests";
}

int
spmTestRun(const char *title, int (*body)(const void *data), const void *data)
{
    int rc;

    spmErrorReset();
    spmTestCount++;
    rc = body(data);
    if (rc == SPM_TEST_EXIT_SKIP) {
        spmTestSkipped++;
        printf("ok %zu - %s # SKIP\n", spmTestCount, title);
    } else if (rc != 0) {
        spmTestFailed++;
        printf("not ok %zu - %s\n", spmTestCount, title);
        if (spmErrorTotal() > 0) {
            g_autofree char *errs = spmTestFormatErrors();
            g_auto(GStrv) lines = g_strsplit(errs, "\n", -1);
            size_t i;

            for (i = 0; lines[i]; i++) {
                if (*lines[i])
                    printf("# %s\n", lines[i]);
            }
        }
    } else {
        printf("ok %zu - %s\n", spmTestCount, title);
    }
    fflush(stdout);
    spmErrorReset();
    return rc == SPM_TEST_EXIT_SKIP ? 0 : rc;
}

int
spmTestMain(int argc, char **argv, int (*func)(void))
{
    int rc;

    (void)argc;
    (void)argv;
    setlocale(LC_ALL, "C");
    rc = func();
    printf("1..%zu\n", spmTestCount);
    if (spmTestFailed > 0 || rc != 0)
        return 1;
    /* Every case already said "# SKIP" in TAP, which is how meson learns
     * that the program was skipped: with the TAP protocol it takes any
     * non-zero exit, 77 included, as an error. */
    return 0;
}

char *
spmTestLoadFile(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err)) {
        fprintf(stderr, "cannot read %s: %s\n", path, err->message);
        abort();
    }
    return data;
}

static void
spmTestPrintDiff(const char *expectPath, const char *actual)
{
    g_autofree char *tmp = NULL;
    g_autofree char *cmd = NULL;
    int fd = g_file_open_tmp("spmtest-XXXXXX", &tmp, NULL);

    if (fd < 0)
        return;
    if (write(fd, actual, strlen(actual)) < 0) {
        close(fd);
        return;
    }
    close(fd);
    cmd = g_strdup_printf("diff -u '%s' '%s' | sed 's/^/# /'", expectPath, tmp);
    if (system(cmd) < 0)
        fprintf(stderr, "cannot run diff\n");
    unlink(tmp);
}

int
spmTestCompareToFile(const char *actual, const char *path)
{
    g_autofree char *expect = NULL;

    if (spmTestRegenerate()) {
        g_autoptr(GError) err = NULL;
        if (!g_file_set_contents(path, actual, -1, &err)) {
            fprintf(stderr, "cannot write %s: %s\n", path, err->message);
            return -1;
        }
        return 0;
    }
    if (!g_file_get_contents(path, &expect, NULL, NULL)) {
        printf(
            "# expected output file %s is missing (regenerate with SPM_TEST_REGENERATE_OUTPUT=1)\n",
            path);
        return -1;
    }
    if (strcmp(expect, actual) != 0) {
        printf("# output differs from %s\n", path);
        if (spmTestDebug())
            spmTestPrintDiff(path, actual);
        return -1;
    }
    return 0;
}

char *
spmTestFormatErrors(void)
{
    g_autoptr(GString) out = g_string_new(NULL);
    size_t i;

    for (i = 0; i < spmErrorTotal(); i++) {
        const spmError *err = spmErrorGet(i);
        g_autofree char *text = spmErrorFormat(err);

        g_string_append_printf(out, "%s: %s\n",
                               err->level == SPM_ERR_LEVEL_WARNING ? "warning" : "error", text);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

int
spmTestCompareStrings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
spmTestListDir(const char *dir, const char *suffix)
{
    g_autofree char *path = g_build_filename(spmTestSrcdir(), dir, NULL);
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    if (!d)
        return names;
    while ((ent = g_dir_read_name(d))) {
        if (g_str_has_suffix(ent, suffix))
            g_ptr_array_add(names, g_strdup(ent));
    }
    g_ptr_array_sort(names, spmTestCompareStrings);
    return names;
}

char *
spmTestCanonicalXML(const char *xml)
{
    g_autoptr(xmlDoc) doc = spmXMLParse(xml, strlen(xml), "canonical");
    xmlChar *out = NULL;
    char *ret;
    int len;

    if (!doc)
        return NULL;
    len = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 1, &out);
    if (len < 0)
        return NULL;
    ret = g_strndup((const char *)out, len);
    xmlFree(out);
    return ret;
}


/* ---- libvirt's .args layout ---- */


/* Splits shell words: blanks separate, '...' quotes, \x outside quotes is x. */
static int
spmTestArgsSplit(const char *text, GPtrArray *words)
{
    const char *p = text;

    while (*p) {
        g_autoptr(GString) word = NULL;

        while (*p == ' ' || *p == '\n' || *p == '\t')
            p++;
        if (!*p)
            break;
        word = g_string_new(NULL);
        while (*p && *p != ' ' && *p != '\n' && *p != '\t') {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');

                if (!end)
                    return -1;
                g_string_append_len(word, p + 1, end - p - 1);
                p = end + 1;
            } else if (*p == '\\') {
                if (!p[1])
                    return -1;
                g_string_append_c(word, p[1]);
                p += 2;
            } else {
                g_string_append_c(word, *p++);
            }
        }
        g_ptr_array_add(words, g_string_free(g_steal_pointer(&word), FALSE));
    }
    return 0;
}

/* Reads a .args file into the env assignments and argv (from the emulator). */
int
spmTestArgsParse(const char *text, GPtrArray *env, GPtrArray *argv)
{
    g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *joined = NULL;
    g_auto(GStrv) lines = g_strsplit(text, " \\\n", -1);
    size_t i = 0;

    joined = g_strjoinv(" ", lines);
    if (spmTestArgsSplit(joined, words) < 0)
        return -1;
    for (; i < words->len && spmArgvIsEnvAssignment(g_ptr_array_index(words, i)); i++)
        g_ptr_array_add(env, g_strdup(g_ptr_array_index(words, i)));
    for (; i < words->len; i++)
        g_ptr_array_add(argv, g_strdup(g_ptr_array_index(words, i)));
    g_ptr_array_add(argv, NULL);
    return argv->len > 1 ? 0 : -1;
}

/* libvirt's layout: env lines, the emulator, one option per line with its value. */
char *
spmTestArgsFormat(GPtrArray *env, char *const *argv)
{
    return spmArgvFormat((const char *const *)env->pdata, env->len, (const char *const *)argv,
                         true);
}

int
spmTestRemoveTree(const char *path)
{
    g_autoptr(GDir) dir = NULL;
    const char *name;

    if (g_file_test(path, G_FILE_TEST_IS_SYMLINK) || !g_file_test(path, G_FILE_TEST_IS_DIR))
        return unlink(path);
    if (!(dir = g_dir_open(path, 0, NULL)))
        return -1;
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (spmTestRemoveTree(child) < 0)
            return -1;
    }
    return rmdir(path);
}


int
spmTestCheckNoLeftovers(const char *dirPath)
{
    g_autoptr(GDir) dir = g_dir_open(dirPath, 0, NULL);
    const char *entry;
    int status;
    pid_t pid;

    if (!dir)
        return -1;
    if ((entry = g_dir_read_name(dir))) {
        printf("# left behind: %s/%s\n", dirPath, entry);
        return -1;
    }
    if ((pid = waitpid(-1, &status, WNOHANG)) != -1 || errno != ECHILD) {
        printf("# a child process was left behind (%lld)\n", (long long)pid);
        return -1;
    }
    return 0;
}


bool
spmTestUnderValgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");

    return preload && strstr(preload, "vgpreload");
}
