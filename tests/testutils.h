/*
 * testutils.h: a small TAP test harness in the style of libvirt's testutils
 *
 * Each test program registers cases with spmTestRun(); the output is TAP
 * ("ok N - name"), which meson reads.  SPM_TEST_REGENERATE_OUTPUT=1 (or
 * libvirt's VIR_TEST_REGENERATE_OUTPUT=1) rewrites expected files instead of
 * comparing against them.  SPM_TEST_DEBUG=1 prints diffs and queued errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#define SPM_TEST_EXIT_SKIP 77

/* Runs one case; a non-zero return from @body marks it failed.  A body that
 * returns SPM_TEST_EXIT_SKIP is reported as skipped. */
int spmTestRun(const char *title, int (*body)(const void *data), const void *data);

/* Runs @func (which calls spmTestRun) and prints the TAP plan; returns the
 * process exit status: 1 when any case failed, else 0 (skips are in the TAP
 * output, which is where meson's TAP protocol reads them). */
int spmTestMain(int argc, char **argv, int (*func)(void));

#define SPM_TEST_MAIN(func)                   \
    int main(int argc, char **argv)           \
    {                                         \
        return spmTestMain(argc, argv, func); \
    }

/* Source and build directories of tests/ (from the environment meson sets). */
const char *spmTestSrcdir(void);
const char *spmTestBuilddir(void);

bool spmTestRegenerate(void);
bool spmTestDebug(void);

/* Compares @actual with the contents of @path (or rewrites @path when
 * regenerating).  Prints a unified diff on mismatch in debug mode. */
int spmTestCompareToFile(const char *actual, const char *path);

/* Reads a whole file; aborts the test program when it cannot. */
char *spmTestLoadFile(const char *path);

/* rm -rf @path without following symlinks; 0, or -1 with errno set. */
int spmTestRemoveTree(const char *path);

/* 0 when the directory @dir is empty and this process has no child left
 * (a probe must leave no directory, socket, file or process behind); -1
 * with a TAP comment otherwise. */
int spmTestCheckNoLeftovers(const char *dir);

/* Whether this test runs under valgrind (its preload library is there). */
bool spmTestUnderValgrind(void);

/* All queued errors and warnings formatted one per line ("error: ..."). */
char *spmTestFormatErrors(void);

/* A GCompareFunc for g_ptr_array_sort() over an array of strings. */
int spmTestCompareStrings(gconstpointer a, gconstpointer b);

/* The sorted names of the files in @dir (relative to tests/) ending in @suffix. */
GPtrArray *spmTestListDir(const char *dir, const char *suffix);

/* Canonical XML (C14N 1.0 with comments) of a document, or NULL when it
 * does not parse: equal canonical forms mean the same elements, attributes,
 * text and comments, whatever the quoting or attribute order. */
char *spmTestCanonicalXML(const char *xml);

/*
 * libvirt's .args test files: environment lines, the emulator, then one
 * option per line with its value, each line but the last ending in " \".
 * spmTestArgsParse() splits one into @env (the assignments) and @argv (from
 * the emulator on, NULL-terminated); spmTestArgsFormat() writes it back.
 */
int spmTestArgsParse(const char *text, GPtrArray *env, GPtrArray *argv);
char *spmTestArgsFormat(GPtrArray *env, char *const *argv);
