/*
 * virt-spm-shim.c: the emulator libvirt executes for SPM domains
 *
 * libvirt runs BASE/<hash>/qemu-system-x86_64 (a link to this program, see
 * src/qemu/shim_emulator_link.h).  The shim execs the real QEMU, the
 * `target` link next to argv[0], in place (same pid, same file
 * descriptors): with argv untouched when there is no launch data (libvirt's
 * capability probe, guests without typed cells), or with the argv
 * rewritten by spmQEMUArgvRewrite().  A guest listed in the register of
 * typed domains (shim_typed_domains.h) that comes without launch data is
 * refused.
 * Any problem is printed as "virt-spm-shim: error: ..." on stderr, which
 * libvirt's domain log keeps and quotes, and the shim exits 1 without
 * starting QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_argv_rewrite.h"
#include "shim_emulator_link.h"
#include "shim_launch_data.h"
#include "shim_runtime_launch_data.h"
#include "shim_typed_domains.h"
#include "spmargv.h"
#include "spmerror.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

#define SPM_SHIM_NAME "virt-spm-shim"

static int
spmShimFail(void)
{
    spmErrorPrintAll(stderr, SPM_SHIM_NAME);
    return 1;
}

/* One line with the command QEMU really gets, quoted like libvirt's logs. */
static void
spmShimLogExec(char *const *argv)
{
    g_autofree char *line = spmArgvFormat(NULL, 0, (const char *const *)argv, false);
    g_autofree char *text = g_strdup_printf("%s: exec: %s", SPM_SHIM_NAME, line);
    size_t len = strlen(text);

    if (fwrite(text, 1, len, stderr) != len || fflush(stderr) != 0) {
        /* the log is advisory: QEMU still starts */
    }
}

/* The UUID of the guest libvirt starts (-uuid), or NULL for a launch that
 * is not a guest's, such as libvirt's capability probe (-machine none). */
static const char *
spmShimGuestUUID(char **argv)
{
    size_t i;

    for (i = 1; argv[i] && argv[i + 1]; i++) {
        if (SPM_STREQ(argv[i], "-uuid") || SPM_STREQ(argv[i], "--uuid"))
            return argv[i + 1];
    }
    return NULL;
}

/* The launch data the libvirt hook left for a domain that virt-spm did not
 * define (a Nova guest, shim_runtime_launch_data.h): 0 when there is none,
 * 1 with the rewritten argv, -1 with an error. */
static int
spmShimRuntimeLaunchData(char **argv, const char *uuid, char ***newargv)
{
    g_autoptr(spmLaunchData) data = NULL;
    int rc;

    if ((rc = spmRuntimeLaunchDataRead(spmRuntimeLaunchDir(), uuid, &data)) <= 0)
        return rc;
    if (spmQEMUArgvApplyLaunchData((const char *const *)argv, data, newargv) < 0)
        return -1;
    return 1;
}

int
main(int argc, char **argv)
{
    g_autofree char *emulator = NULL;
    g_autofree char *linkPath = NULL;
    const char *uuid = NULL;
    g_auto(GStrv) newargv = NULL;
    char **execargv = argv;
    struct stat selfsb;
    struct stat targetsb;
    int rc;

    setlocale(LC_ALL, "");

    if (argc < 1 || !argv[0] || !strchr(argv[0], '/')) {
        spmReportError(SPM_ERR_OPERATION_INVALID,
                       _("must be executed through a virt-spm emulator link, not as '%1$s'"),
                       argc >= 1 && argv[0] ? argv[0] : "");
        return spmShimFail();
    }
    if ((rc = spmEmulatorLinkResolve(argv[0], &linkPath, &emulator)) <= 0) {
        if (rc == 0)
            spmReportError(SPM_ERR_OPERATION_INVALID,
                           _("'%1$s' is not a virt-spm emulator link: no '%2$s' next to it"),
                           argv[0], SPM_EMULATOR_LINK_TARGET);
        return spmShimFail();
    }
    if (stat(emulator, &targetsb) == 0 && stat("/proc/self/exe", &selfsb) == 0 &&
        targetsb.st_dev == selfsb.st_dev && targetsb.st_ino == selfsb.st_ino) {
        spmReportError(SPM_ERR_OPERATION_INVALID,
                       _("the target '%1$s' of '%2$s' is the shim itself"), emulator, argv[0]);
        return spmShimFail();
    }

    if ((rc = spmQEMUArgvRewrite((const char *const *)argv, &newargv)) < 0) {
        spmShimFail();
        /* libvirt's argv is not what `virt-spm define` planned for */
        if (spmErrorHasCode(SPM_ERR_CONFIG_UNSUPPORTED))
            fprintf(stderr, "%s: %s\n", SPM_SHIM_NAME,
                    _("note: after changing the domain, run 'virt-spm define' again"));
        return 1;
    }
    /* a guest without launch data passes through unless virt-spm listed it
     * as typed: then someone took the launch data out of its
     * <qemu:commandline> */
    if (rc == 0 && (uuid = spmShimGuestUUID(argv)) &&
        (rc = spmShimRuntimeLaunchData(argv, uuid, &newargv)) < 0)
        return spmShimFail();
    if (rc == 0 && uuid) {
        g_autofree char *base = spmTypedDomainsBaseFromLink(linkPath);

        if (spmTypedDomainsCheckStartWithoutLaunchData(base, uuid) != 0) {
            spmShimFail();
            fprintf(
                stderr, "%s: %s\n", SPM_SHIM_NAME,
                _("note: define the domain again with 'virt-spm define' from the XML that 'virt-spm dumpxml' prints"));
            return 1;
        }
    }
    if (rc > 0) {
        g_free(newargv[0]);
        newargv[0] = g_strdup(emulator);
        execargv = newargv;
        spmShimLogExec(execargv);
    } else {
        /* QEMU sees what libvirt would pass when executing it directly */
        execargv[0] = emulator;
    }

    execv(emulator, execargv);
    spmReportSystemError(errno, _("cannot execute '%1$s'"), emulator);
    return spmShimFail();
}
