/*
 * spmfile.h: reading and atomically writing files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

/* The largest file virt-spm reads as a document: 64 MiB. */
#define SPM_FILE_READ_MAX (64 * 1024 * 1024)

/*
 * Reads all of @path ("-" is standard input) into a NUL-terminated buffer.
 * Fails with a system error, or when the file is larger than @maxlen.
 */
int spmFileReadAll(const char *path, size_t maxlen, char **buf, size_t *len);

/*
 * Writes @data to @path through a temporary file in the same directory,
 * fsync and rename (and an fsync of the directory), so that readers see the
 * old or the new content, never a mix, also after a power loss.  The
 * directory must exist.  A writer killed half-way leaves only its
 * temporary file, @path.XXXXXX.
 */
int spmFileWriteAtomic(const char *path, const char *data, size_t len, int mode);

/*
 * Reads from @fd, keeping what comes after the line in @buf for the next
 * call, until @buf holds a whole line; returns that line without its "\n"
 * (g_free), or NULL at end of file, on a read error, or when a line grows
 * past @max bytes (0: no limit).
 */
char *spmFileReadLine(int fd, GByteArray *buf, size_t max);

/*
 * fsync(2) of the directory @dir, so that a rename or an unlink in it
 * survives a power loss; 0, or -1 with an error.
 */
int spmFileSyncDir(const char *dir);

/*
 * Removes the file @path so that the removal survives a power loss (unlink
 * and an fsync of its directory); 0 also when there was no such file, -1
 * with an error.
 */
int spmFileRemoveDurably(const char *path);

/* mkdir -p with @mode for created directories. */
int spmFileMakePath(const char *path, int mode);
