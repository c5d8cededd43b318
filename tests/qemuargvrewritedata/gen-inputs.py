#!/usr/bin/env python3
#
# gen-inputs.py: regenerates tests/qemuargvrewritedata/NAME.in.args from
# xml/NAME.xml with REAL libvirt (virsh domxml-to-native through the
# embedded QEMU driver, no daemon; run as root).
#
#   VIRT_SPM_TEST_QEMU=/var/tmp/spm-ref/qemu11 ./gen-inputs.py [NAME...]
#
# The emulator of the XML files is replaced by $VIRT_SPM_TEST_QEMU so that
# libvirt probes the SPM-capable QEMU (the machine alias expands to that
# QEMU's version).  The output is then normalised the way libvirt's own test
# suite fixes its environment, so that the files do not depend on the host:
#   - PATH=/bin;
#   - the embed root's lib/run/cache/log dirs (and its hugepage dir) become
#     the system daemon's;
#   - the emulator becomes the virt-spm emulator link that `virt-spm define`
#     puts into <emulator> for /usr/bin/qemu-system-x86_64.
# Hugepage cases need a hugetlbfs mount (mount -t hugetlbfs hugetlbfs
# /dev/hugepages) when virsh runs.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REAL_QEMU = "/usr/bin/qemu-system-x86_64"
LINK = ("/var/lib/virt-spm/emulators/%s/qemu-system-x86_64" %
        hashlib.sha256(REAL_QEMU.encode()).hexdigest())
SHELL_META = "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~"


def quote(arg):
    """Quotes like libvirt's virBufferEscapeShell."""
    if arg == "":
        return "''"
    if not any(c in SHELL_META for c in arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


def format_args(words):
    """libvirt's .args layout: env lines, the emulator, then one option per
    line with its value (a line break before every argument starting
    with '-')."""
    out = ""
    in_env = True
    for i, w in enumerate(words):
        if i > 0:
            brk = in_env or w.startswith("-")
            out += " \\\n" if brk else " "
        if in_env and ("=" not in w or w.startswith("/")):
            in_env = False
        out += quote(w)
    return out + "\n"


def normalise(words, root):
    dirs = [(root + "/lib", "/var/lib/libvirt"),
            (root + "/run", "/run/libvirt"),
            (root + "/cache", "/var/cache/libvirt"),
            (root + "/log", "/var/log/libvirt")]
    out = []
    in_env = True
    for w in words:
        for old, new in dirs:
            w = w.replace(old, new)
        # the embedded driver's hugepage dir has a per-root name
        w = re.sub(r"/libvirt/qemu-embed-[0-9a-f]+/", "/libvirt/qemu/", w)
        if in_env and "=" in w and not w.startswith("/"):
            if w.startswith("PATH="):
                w = "PATH=/bin"
        elif in_env:
            in_env = False
            w = LINK
        out.append(w)
    return out


def main():
    qemu = os.environ.get("VIRT_SPM_TEST_QEMU", "/var/tmp/spm-ref/qemu11")
    root = os.environ.get("VIRT_SPM_ARGVGEN_ROOT") or tempfile.mkdtemp(prefix="virt-spm-argvgen-")
    names = sys.argv[1:] or sorted(f[:-4] for f in os.listdir(os.path.join(HERE, "xml"))
                                   if f.endswith(".xml"))
    try:
        for name in names:
            with open(os.path.join(HERE, "xml", name + ".xml")) as f:
                xml = f.read().replace("/var/tmp/spm-ref/qemu11", qemu)
            with tempfile.NamedTemporaryFile("w", suffix=".xml") as tmp:
                tmp.write(xml)
                tmp.flush()
                res = subprocess.run(["virsh", "-q", "-c", "qemu:///embed?root=" + root,
                                      "domxml-to-native", "qemu-argv", tmp.name],
                                     capture_output=True, text=True)
            if res.returncode != 0:
                sys.exit("%s: %s" % (name, res.stderr.strip()))
            words = normalise(shlex.split(res.stdout), root)
            with open(os.path.join(HERE, name + ".in.args"), "w") as f:
                f.write(format_args(words))
            print("wrote %s.in.args" % name)
    finally:
        if not os.environ.get("VIRT_SPM_ARGVGEN_ROOT"):
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
