/*
 * qemucapslivetest.c: a live probe of the SPM-capable QEMU named by
 * $VIRT_SPM_TEST_QEMU (skipped, exit 77, when it is not set)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemu_capscache.h"
#include "domain_conf.h"
#include "spmerror.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int
testLiveProbe(const void *opaque G_GNUC_UNUSED)
{
    const char *qemu = getenv("VIRT_SPM_TEST_QEMU");
    g_autofree char *tmp = NULL;
    g_autofree char *expect = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmQEMUCaps) cached = NULL;
    spmQEMUProbeOptions opts = {.startTimeoutMs = 60000};
    g_autoptr(GDir) dir = NULL;
    int status;
    int ret = -1;

    if (!qemu || !*qemu)
        return SPM_TEST_EXIT_SKIP;
    if (!(tmp = g_dir_make_tmp("spmcapslivetest-XXXXXX", NULL)))
        return -1;
    opts.tmpdir = tmp;
    g_setenv("VIRT_SPM_CACHE_DIR", tmp, TRUE);

    if (!(caps = spmQEMUCapsLookupFull(qemu, 0, &opts)))
        goto cleanup;
    printf("# %s: QEMU %s, SPM form %s\n", qemu, spmQEMUCapsGetVersionString(caps),
           spmFormTypeToString(spmQEMUCapsGetSpmForm(caps)));
    if (spmQEMUCapsGetVersion(caps) >= 11001000 && spmQEMUCapsGetSpmForm(caps) != SPM_FORM_SP_MEM) {
        printf("# QEMU 11.1 or newer without the sp-mem device\n");
        goto cleanup;
    }
    if (spmQEMUCapsGetSpmForm(caps) == SPM_FORM_NONE ||
        !spmQEMUCapsSupportsMemmap(caps, SPM_MEMMAP_SPM) || !spmQEMUCapsResolveMachine(caps, "q35"))
        goto cleanup;

    /* the second lookup comes from the cache */
    if (!(cached = spmQEMUCapsLookupFull(qemu, 0, &opts)) || !spmQEMUCapsGetStamp(cached))
        goto cleanup;

    /* the recording in qemucapabilitiesdata was made from 11.1.3 */
    if (spmQEMUCapsGetVersion(caps) == 11001003) {
        expect = g_build_filename(spmTestSrcdir(), "qemucapabilitiesdata", "caps_11.1.3_x86_64.xml",
                                  NULL);
        spmQEMUCapsSetBinary(caps, "/usr/bin/qemu-system-x86_64");
        spmQEMUCapsSetStamp(caps, NULL);
        actual = spmQEMUCapsFormat(caps);
        if (!spmTestRegenerate() && spmTestCompareToFile(actual, expect) < 0)
            goto cleanup;
    }

    /* nothing left behind but the cache */
    if (waitpid(-1, &status, WNOHANG) != -1 || errno != ECHILD)
        goto cleanup;
    ret = 0;

cleanup:
    if ((dir = g_dir_open(tmp, 0, NULL))) {
        const char *entry;

        while ((entry = g_dir_read_name(dir))) {
            if (!SPM_STREQ(entry, "qemu")) {
                printf("# left behind: %s\n", entry);
                ret = -1;
            }
        }
    }
    {
        g_autofree char *file = spmQEMUCapsCachePath(qemu);
        g_autofree char *capsdir = g_path_get_dirname(file);
        g_autofree char *qemudir = g_path_get_dirname(capsdir);

        unlink(file);
        rmdir(capsdir);
        rmdir(qemudir);
        if (rmdir(tmp) < 0)
            ret = -1;
    }
    return ret;
}


static int
mymain(void)
{
    return spmTestRun("live probe of $VIRT_SPM_TEST_QEMU", testLiveProbe, NULL);
}

SPM_TEST_MAIN(mymain)
