/*
 * argvdump.c: a stand-in QEMU for the shim tests
 *
 * Prints its pid, its open file descriptors above 2 and its arguments, one
 * per line ("pid N", "fd N", "arg A"), and exits 0.  tests/shimtest.c
 * compares that with what it started, to see that the shim exec'd in place
 * with the right argv.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    int fd;
    int i;

    printf("pid %lld\n", (long long)getpid());
    for (fd = 3; fd < 256; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            printf("fd %d\n", fd);
    }
    for (i = 0; i < argc; i++)
        printf("arg %s\n", argv[i]);
    return 0;
}
