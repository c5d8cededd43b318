/*
 * fuzz_caps_file.c: the capabilities cache file (spmQEMUCapsParseString)
 * and recorded QMP conversations (spmQEMURepliesParse)
 *
 * Both parsers get the whole input.  Capabilities that parse format to a
 * file that parses again and formats the same.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "qemu_capabilities.h"
#include "qemu_replies.h"
#include "spmerror.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The capabilities a replies file gives, through a memfd: the only reader
 * that interprets the replies takes a path. */
static void
spmFuzzCapsFromReplies(const uint8_t *data, size_t size)
{
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autofree char *path = NULL;
    int fd = memfd_create("fuzz-replies", MFD_CLOEXEC);
    size_t done = 0;

    if (fd < 0)
        spmFuzzFail("memfd_create failed", g_strerror(errno));
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);

        if (n <= 0)
            spmFuzzFail("cannot write to a memfd", g_strerror(errno));
        done += n;
    }
    path = g_strdup_printf("/proc/self/fd/%d", fd);
    if ((caps = spmQEMUCapsNewFromReplies(path, "/usr/bin/qemu-system-x86_64"))) {
        g_autofree char *formatted = spmQEMUCapsFormat(caps);
        g_autoptr(spmQEMUCaps) caps2 = NULL;

        if (!formatted ||
            !(caps2 = spmQEMUCapsParseString(formatted, strlen(formatted), "formatted.xml")))
            spmFuzzFail("capabilities from replies do not format and parse", formatted);
    }
    close(fd);
}

int
spmFuzzCapsFile(const uint8_t *data, size_t size)
{
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmQEMUReplies) replies = NULL;

    if ((caps = spmQEMUCapsParseString((const char *)data, size, "fuzz.xml"))) {
        g_autofree char *formatted = spmQEMUCapsFormat(caps);
        g_autoptr(spmQEMUCaps) caps2 = NULL;
        g_autofree char *formatted2 = NULL;

        spmQEMUCapsGetSpmForm(caps);
        spmQEMUCapsHasMachine(caps, "q35");
        spmQEMUCapsResolveMachine(caps, "pc");
        if (!formatted)
            spmFuzzFail("parsed capabilities do not format", NULL);
        if (!(caps2 = spmQEMUCapsParseString(formatted, strlen(formatted), "formatted.xml")))
            spmFuzzFail("formatted capabilities do not parse", formatted);
        if (!(formatted2 = spmQEMUCapsFormat(caps2)) || strcmp(formatted, formatted2) != 0)
            spmFuzzFail("capabilities do not format the same after a round trip", formatted);
    }
    spmErrorReset();

    if ((replies = spmQEMURepliesParse((const char *)data, size, "fuzz.replies"))) {
        spmQEMURepliesLookup(replies, "query-version", NULL);
        spmQEMURepliesLookup(replies, "qmp_capabilities", NULL);
        spmQEMURepliesLookup(replies, "query-machines", NULL);
        spmErrorReset();
        spmFuzzCapsFromReplies(data, size);
    }
    spmErrorReset();
    return 0;
}
