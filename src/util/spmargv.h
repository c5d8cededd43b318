/*
 * spmargv.h: command lines written the way libvirt writes them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* true for an environment assignment such as "LC_ALL=C". */
bool spmArgvIsEnvAssignment(const char *word);

/*
 * The @nenv environment assignments and the NULL-terminated @argv as one
 * shell line (what virsh domxml-to-native prints), or, with @perOption, in
 * libvirt's .args layout: each assignment on its own line, then the
 * emulator, then each option on a line with its value, every line but the
 * last ending in " \".  The result ends with a newline.
 */
char *spmArgvFormat(const char *const *env, size_t nenv, const char *const *argv, bool perOption);
