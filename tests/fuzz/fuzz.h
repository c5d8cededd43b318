/*
 * fuzz.h: the entry points of the fuzz targets
 *
 * Each tests/fuzz/fuzz_NAME.c defines spmFuzzNAME(), which takes one input
 * of any content, runs it through one input surface of virt-spm and aborts
 * when an invariant does not hold.  The libFuzzer targets (fuzz_main.c,
 * -Dfuzz=enabled) and tests/fuzzregressiontest.c, which replays
 * tests/fuzz/regressions/ in the unit suite, call the same functions.
 * Global state (the error queue) is reset before returning.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

typedef int (*spmFuzzFunc)(const uint8_t *data, size_t size);

int spmFuzzDomainXML(const uint8_t *data, size_t size);
int spmFuzzQMPStream(const uint8_t *data, size_t size);
int spmFuzzCapsFile(const uint8_t *data, size_t size);
int spmFuzzShimArgv(const uint8_t *data, size_t size);
int spmFuzzKeyval(const uint8_t *data, size_t size);
int spmFuzzLaunchData(const uint8_t *data, size_t size);
int spmFuzzNumber(const uint8_t *data, size_t size);
int spmFuzzHook(const uint8_t *data, size_t size);
int spmFuzzIomem(const uint8_t *data, size_t size);
int spmFuzzNova(const uint8_t *data, size_t size);

/* Points $VIRT_SPM_CACHE_DIR at a private directory, removed at exit,
 * unless it is set already: what a target caches (the firmware digests)
 * never reaches the host's /var/cache/virt-spm. */
void spmFuzzPrivateCache(void);

/* An invariant the code promises does not hold: print and abort. */
void spmFuzzFail(const char *what, const char *detail) G_GNUC_NORETURN;
