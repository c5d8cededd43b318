#!/usr/bin/env python3
# shimlinktest.py: the emulator shim and the hook libvirt runs load no shared
# library: glib is linked in statically, as is the C library where the
# toolchain can build a static PIE, and nothing else (libxml2, json-c,
# libvirt) is linked at all.  libvirt execs the shim for every guest and the
# hook for every operation of every domain, and each shared library they
# load is paid each time (src/shim/README.md).
#
#   shimlinktest.py SHIM HOOK [--sanitizers]
#
# The C library may be shared (a toolchain without a static one), and with
# --sanitizers (-Dsanitizers=true) so may the sanitizer runtimes.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import re
import subprocess
import sys

import tap

SHIM = sys.argv[1]
HOOK = sys.argv[2]
SANITIZERS = "--sanitizers" in sys.argv[3:]


def needed(path):
    try:
        p = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise tap.Skip("readelf (binutils) is not installed")
    if p.returncode != 0:
        raise tap.Skip("readelf cannot read %s: %s" % (path, p.stderr.strip()))
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", p.stdout))


def allowed(lib):
    if lib in ("libc.so.6", "libm.so.6"):
        return True
    return SANITIZERS and re.match(r"lib(a|ub|std)[a-z+]*\.so", lib) is not None


def t_shim_needs_no_shared_library_but_libc():
    extra = sorted(lib for lib in needed(SHIM) if not allowed(lib))
    assert not extra, "the shim needs %s" % extra


def t_hook_needs_no_shared_library_but_libc():
    extra = sorted(lib for lib in needed(HOOK) if not allowed(lib))
    assert not extra, "the hook needs %s" % extra


if __name__ == "__main__":
    sys.exit(tap.run_all(globals()))
