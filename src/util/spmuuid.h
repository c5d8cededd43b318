/*
 * spmuuid.h: domain UUIDs in libvirt's textual form
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its terminating NUL */
#define SPM_UUID_STRING_BUFLEN 37

/*
 * Reads a UUID written as libvirt accepts it in <uuid> and in -uuid: 32
 * hexadecimal digits, in either case, optionally separated by '-' between
 * digit pairs, with blanks around.  Writes the canonical lower-case form
 * (as libvirt formats it) into @out and returns true; false, writing
 * nothing, when @str is not such a UUID.
 */
bool spmUUIDCanonicalize(const char *str, char out[SPM_UUID_STRING_BUFLEN]);
