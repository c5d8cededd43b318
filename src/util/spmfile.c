/*
 * spmfile.c: reading and atomically writing files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmfile.h"
#include "spmerror.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_UTIL

int
spmFileReadAll(const char *path, size_t maxlen, char **buf, size_t *len)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    const char *name = SPM_STREQ(path, "-") ? _("standard input") : path;
    int fd;
    char chunk[65536];

    if (SPM_STREQ(path, "-")) {
        fd = STDIN_FILENO;
    } else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        spmReportSystemError(errno, _("cannot open '%1$s'"), path);
        return -1;
    }

    for (;;) {
        ssize_t got = read(fd, chunk, sizeof(chunk));

        if (got < 0) {
            if (errno == EINTR)
                continue;
            spmReportSystemError(errno, _("cannot read '%1$s'"), name);
            goto error;
        }
        if (got == 0)
            break;
        if (data->len + (size_t)got > maxlen) {
            spmReportError(SPM_ERR_INVALID_ARG, _("'%1$s' is larger than the limit of %2$zu bytes"),
                           name, maxlen);
            goto error;
        }
        g_byte_array_append(data, (const guint8 *)chunk, got);
    }

    if (fd != STDIN_FILENO)
        close(fd);
    *len = data->len;
    g_byte_array_append(data, (const guint8 *)"", 1);
    *buf = (char *)g_byte_array_free(g_steal_pointer(&data), FALSE);
    return 0;

error:
    if (fd != STDIN_FILENO)
        close(fd);
    return -1;
}

int
spmFileWriteAtomic(const char *path, const char *data, size_t len, int mode)
{
    g_autofree char *tmp = g_strdup_printf("%s.XXXXXX", path);
    g_autofree char *dir = NULL;
    size_t done = 0;
    int fd;

    if ((fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode)) < 0) {
        spmReportSystemError(errno, _("cannot create a temporary file for '%1$s'"), path);
        return -1;
    }

    while (done < len) {
        ssize_t put = write(fd, data + done, len - done);

        if (put < 0) {
            if (errno == EINTR)
                continue;
            spmReportSystemError(errno, _("cannot write '%1$s'"), tmp);
            goto error;
        }
        done += put;
    }
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
        spmReportSystemError(errno, _("cannot write '%1$s'"), tmp);
        goto error;
    }
    if (close(fd) < 0) {
        fd = -1;
        spmReportSystemError(errno, _("cannot write '%1$s'"), tmp);
        goto error;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        spmReportSystemError(errno, _("cannot rename '%1$s' to '%2$s'"), tmp, path);
        goto error;
    }
    dir = g_path_get_dirname(path);
    return spmFileSyncDir(dir);

error:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}

int
spmFileSyncDir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) < 0) {
        spmReportSystemError(errno, _("cannot sync directory '%1$s'"), dir);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int
spmFileRemoveDurably(const char *path)
{
    g_autofree char *dir = NULL;

    if (unlink(path) < 0) {
        if (errno == ENOENT)
            return 0;
        spmReportSystemError(errno, _("cannot remove '%1$s'"), path);
        return -1;
    }
    dir = g_path_get_dirname(path);
    return spmFileSyncDir(dir);
}

int
spmFileMakePath(const char *path, int mode)
{
    if (g_mkdir_with_parents(path, mode) < 0) {
        spmReportSystemError(errno, _("cannot create directory '%1$s'"), path);
        return -1;
    }
    return 0;
}

char *
spmFileReadLine(int fd, GByteArray *buf, size_t max)
{
    for (;;) {
        guint8 *nl = buf->len ? memchr(buf->data, '\n', buf->len) : NULL;
        char chunk[65536];
        ssize_t got;

        if (nl) {
            size_t n = nl - buf->data;
            char *line = g_strndup((const char *)buf->data, n);

            g_byte_array_remove_range(buf, 0, n + 1);
            return line;
        }
        if (max > 0 && buf->len > max)
            return NULL;
        got = read(fd, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return NULL;
        g_byte_array_append(buf, (const guint8 *)chunk, got);
    }
}
