/*
 * fuzz_main.c: the libFuzzer entry of one target
 *
 * Built once per target with -DSPM_FUZZ_ENTRY=spmFuzzNAME.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    spmFuzzPrivateCache();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SPM_FUZZ_ENTRY(data, size);
    return 0;
}
