/*
 * bench-exec-floor.c: the least any exec wrapper in front of QEMU costs
 *
 *   bench-exec-floor PROGRAM [ARG...]
 *
 * A C program linked exactly as the emulator shim is (statically, as a
 * static PIE where the toolchain can) that does nothing but exec PROGRAM.
 * bench-shim runs QEMU through it as its "exec-floor" mode: what that adds
 * to a direct exec is the price of one more execve() of the smallest such
 * program on this machine, which the shim cannot go below.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <unistd.h>

int
main(int argc, char **argv)
{
    if (argc < 2)
        return 127;
    execv(argv[1], argv + 1);
    return 127;
}
