/*
 * virt-spm-hook.c: the libvirt qemu hook that libvirt runs
 *
 * libvirt runs every program in /etc/libvirt/hooks/qemu.d for every
 * operation of every domain on the host, and waits for it, as
 *
 *     virt-spm-hook GUEST OPERATION SUB-OPERATION EXTRA
 *
 * with the domain XML on standard input.  For nearly all of them virt-spm
 * has nothing to do: no typed cells, no launch data, not a Nova guest that
 * asks for SPM.  This program answers those alone, as fast as the shim
 * starts: it links glib and src/shim only, statically (src/shim/README.md
 * says why), reads the XML, and asks the screen (shim_hook_screen.h).  When
 * the screen cannot vouch for the call, it execs the full hook,
 * virt-spm-hook-full from its own directory, with the same argv and the XML
 * it read on standard input (a memfd): the full hook decides and prints,
 * and its exit status is the hook's.  When even that exec fails, it refuses
 * (exit 1), so that a typed guest never starts without its check.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_hook_screen.h"
#include "spmerror.h"
#include "spmfile.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

#define SPM_HOOK_PROG "virt-spm-hook"
#define SPM_HOOK_FULL_PROG "virt-spm-hook-full"

/* @xml as standard input, from its start; -1 with errno. */
static int
spmHookXMLOnStdin(const char *xml, size_t len)
{
    int fd = memfd_create("virt-spm-hook-xml", MFD_CLOEXEC);
    size_t done = 0;

    if (fd < 0)
        return -1;
    while (done < len) {
        ssize_t n = write(fd, xml + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += n;
    }
    if (lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, STDIN_FILENO) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Execs the full hook beside this program; returns only on failure, with
 * the reason on standard error. */
static void
spmHookExecFull(char **argv, const char *xml, size_t len)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
    g_autofree char *full = dir ? g_build_filename(dir, SPM_HOOK_FULL_PROG, NULL) : NULL;
    int err;

    if (!full) {
        err = errno;
    } else if (xml && spmHookXMLOnStdin(xml, len) < 0) {
        err = errno;
    } else {
        argv[0] = full;
        execv(full, argv);
        err = errno;
    }
    setlocale(LC_ALL, "");
    fprintf(stderr, _("%1$s: error: cannot run '%2$s': %3$s; refusing the operation\n"),
            SPM_HOOK_PROG, full ? full : SPM_HOOK_FULL_PROG, g_strerror(err));
}

int
main(int argc, char **argv)
{
    const char *const *args = (const char *const *)argv;
    g_autofree char *xml = NULL;
    size_t len = 0;

    if (spmHookGetOp(argc, args) != SPM_HOOK_OP_OTHER &&
        spmFileReadAll("-", SPM_FILE_READ_MAX, &xml, &len) < 0) {
        /* the full hook reads (and reports) standard input itself */
        spmErrorReset();
        g_clear_pointer(&xml, g_free);
    }
    /* without the XML the screen still answers what needs none (an
     * operation the hook ignores, a stop, which the full hook also lets
     * be without it) and sends the rest to the full decision */
    if (spmHookScreen(argc, args, xml, len, NULL) == SPM_HOOK_SCREEN_ALLOW)
        return 0;
    spmHookExecFull(argv, xml, len);
    return 1;
}
