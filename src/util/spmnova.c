/*
 * spmnova.c: what glib-only code knows of an OpenStack Nova flavor's SPM
 * typing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmnova.h"

#include <stdlib.h>

const char *
spmNovaFlavorsFile(void)
{
    const char *env = getenv("VIRT_SPM_NOVA_FLAVORS");

    return env && *env ? env : SPM_NOVA_FLAVORS_FILE;
}

bool
spmNovaMaybeInstance(const char *buf, size_t len)
{
    return buf && g_strstr_len(buf, len, SPM_NOVA_NS) != NULL;
}
