/*
 * shim_runtime_launch_data.c: launch data handed to the shim at run time
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_runtime_launch_data.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmuuid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

/* Launch data is a short line; anything longer is not ours. */
#define SPM_RUNTIME_LAUNCH_MAX 65536

const char *
spmRuntimeLaunchDir(void)
{
    const char *env = getenv("VIRT_SPM_RUNTIME_DIR");

    return env && *env ? env : SPM_RUNTIME_LAUNCH_DIR;
}

char *
spmRuntimeLaunchPath(const char *dir, const char *uuid)
{
    char canon[SPM_UUID_STRING_BUFLEN];

    if (!spmUUIDCanonicalize(uuid, canon)) {
        spmReportError(SPM_ERR_INVALID_ARG, _("invalid domain UUID '%1$s'"), uuid);
        return NULL;
    }
    return g_build_filename(dir, canon, NULL);
}

int
spmRuntimeLaunchDataWrite(const char *dir, const char *uuid, const spmLaunchData *data)
{
    g_autofree char *path = spmRuntimeLaunchPath(dir, uuid);
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;

    if (!path || !(text = spmLaunchDataFormat(data)))
        return -1;
    if (spmFileMakePath(dir, 0755) < 0)
        return -1;
    line = g_strconcat(text, "\n", NULL);
    return spmFileWriteAtomic(path, line, strlen(line), 0644);
}

int
spmRuntimeLaunchDataRead(const char *dir, const char *uuid, spmLaunchData **data)
{
    g_autofree char *path = spmRuntimeLaunchPath(dir, uuid);
    g_autofree char *buf = NULL;
    struct stat sb;
    size_t len = 0;
    int fd;

    *data = NULL;
    if (!path)
        return -1;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        if (errno == ENOENT)
            return 0;
        spmReportSystemError(errno, _("cannot open the launch data '%1$s'"), path);
        return -1;
    }
    if (fstat(fd, &sb) < 0) {
        spmReportSystemError(errno, _("cannot open the launch data '%1$s'"), path);
        close(fd);
        return -1;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH))) {
        spmReportError(
            SPM_ERR_OPERATION_INVALID,
            _("the launch data '%1$s' is not a regular file that only root can write (owner %2$u, mode %3$o); remove it and start the domain again"),
            path, (unsigned int)sb.st_uid, (unsigned int)(sb.st_mode & 07777));
        close(fd);
        return -1;
    }
    buf = g_malloc(SPM_RUNTIME_LAUNCH_MAX + 1);
    while (len < SPM_RUNTIME_LAUNCH_MAX) {
        ssize_t got = read(fd, buf + len, SPM_RUNTIME_LAUNCH_MAX - len);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            spmReportSystemError(errno, _("cannot read the launch data '%1$s'"), path);
            close(fd);
            return -1;
        }
        if (got == 0)
            break;
        len += got;
    }
    close(fd);
    buf[len] = '\0';
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    if (len == 0 || len >= SPM_RUNTIME_LAUNCH_MAX || strchr(buf, '\n')) {
        spmReportError(SPM_ERR_INVALID_ARG,
                       _("the launch data '%1$s' is not one line of launch data"), path);
        return -1;
    }
    if (spmLaunchDataParse(buf, data) < 0)
        return -1;
    return 1;
}

int
spmRuntimeLaunchDataRemove(const char *dir, const char *uuid)
{
    g_autofree char *path = spmRuntimeLaunchPath(dir, uuid);

    if (!path)
        return -1;
    if (unlink(path) < 0 && errno != ENOENT) {
        spmReportSystemError(errno, _("cannot remove the launch data '%1$s'"), path);
        return -1;
    }
    return 0;
}
