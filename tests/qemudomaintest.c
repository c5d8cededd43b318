/*
 * qemudomaintest.c: what QEMU's architecture names mean (qemu_domain.c):
 * which binary runs which guest, and which binary is the default
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemu_domain.h"

#include <stdio.h>
#include <sys/utsname.h>

typedef struct {
    const char *guestArch;
    const char *emulatorArch;
    bool emulated;
} testArchCase;

static int
testArchIsEmulatedBy(const void *opaque G_GNUC_UNUSED)
{
    static const testArchCase cases[] = {
        {"x86_64", "x86_64", true}, {"i686", "x86_64", true},     {"i686", "i686", true},
        {"x86_64", "i686", false},  {"aarch64", "x86_64", false}, {"i386", "x86_64", false},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (spmQEMUArchIsEmulatedBy(cases[i].guestArch, cases[i].emulatorArch) !=
            cases[i].emulated) {
            printf("# %s on %s: expected %s\n", cases[i].guestArch, cases[i].emulatorArch,
                   cases[i].emulated ? "yes" : "no");
            return -1;
        }
    }
    return 0;
}

static int
testExpectString(const char *what, const char *expected, const char *actual)
{
    if (g_strcmp0(expected, actual) == 0)
        return 0;
    printf("# %s: expected '%s', got '%s'\n", what, expected, actual ? actual : "(null)");
    return -1;
}

static int
testDefaultEmulator(const void *opaque G_GNUC_UNUSED)
{
    static const char *const cases[][2] = {
        {"x86_64", "/usr/bin/qemu-system-x86_64"},
        {"i686", "/usr/bin/qemu-system-i386"},
        {"i386", "/usr/bin/qemu-system-i386"},
        {"aarch64", "/usr/bin/qemu-system-aarch64"},
    };
    g_autofree char *host = NULL;
    g_autofree char *hostExpected = NULL;
    struct utsname uts;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *actual = spmQEMUDefaultEmulator(cases[i][0]);

        if (testExpectString(cases[i][0], cases[i][1], actual) < 0)
            return -1;
    }

    /* no architecture: the host's */
    if (uname(&uts) < 0)
        return -1;
    host = spmQEMUDefaultEmulator(NULL);
    hostExpected = spmQEMUDefaultEmulator(uts.machine);
    return testExpectString("the host", hostExpected, host);
}

static int
mymain(void)
{
    int ret = 0;

    if (spmTestRun("spmQEMUArchIsEmulatedBy", testArchIsEmulatedBy, NULL) < 0)
        ret = -1;
    if (spmTestRun("spmQEMUDefaultEmulator", testDefaultEmulator, NULL) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
