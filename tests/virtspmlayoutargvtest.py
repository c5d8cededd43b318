#!/usr/bin/python3
# virtspmlayoutargvtest.py: `virt-spm layout` shows the -m and sp-mem
# -device arguments QEMU really receives
#
# For every case of qemuxml2argvdata/ and every capability set with a final
# argv (NAME.x86_64-CAPS.args: libvirt's argv rewritten by the shim, what
# `virt-spm domxml-to-native` prints), the layout of NAME.xml for that set
# (--json --caps caps_CAPS_x86_64.replies) must carry the same -m value and
# the same sp-mem -device values, in the same order, spelled the same.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import json
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

VIRT_SPM = tap.build_path("tools", "virt-spm")
ARGV_DIR = tap.src_path("tests", "qemuxml2argvdata")
CAPS_DIR = tap.src_path("tests", "qemucapabilitiesdata")
ARGS_INFIX = ".x86_64-"


def final_argv_cases():
    """(case name, capability set, .args path), libvirt's own argv left out."""
    cases = []
    for path in sorted(glob.glob(os.path.join(ARGV_DIR, "*" + ARGS_INFIX + "*.args"))):
        base = os.path.basename(path)[:-len(".args")]
        if base.endswith(".libvirt"):
            continue
        name, caps = base.split(ARGS_INFIX, 1)
        cases.append((name, caps, path))
    return cases


def is_spmem_device(value):
    if value.startswith("{"):
        return json.loads(value).get("driver") == "sp-mem"
    return value.split(",", 1)[0] in ("sp-mem", "driver=sp-mem")


def argv_memory_args(path):
    """The -m value and the sp-mem -device values of a .args file."""
    with open(path) as f:
        words = shlex.split(f.read().replace("\\\n", " "))
    memory = []
    devices = []
    for opt, value in zip(words, words[1:]):
        if opt == "-m":
            memory.append(value)
        elif opt == "-device" and is_spmem_device(value):
            devices.append(value)
    assert len(memory) == 1, "%s has %d -m options" % (path, len(memory))
    return memory[0], devices


def layout_memory_args(xml, caps):
    p = tap.run([VIRT_SPM, "layout", "--json", "--caps", caps, xml], timeout=60)
    assert p.returncode == 0, "virt-spm layout failed (exit %d):\n%s" % (p.returncode, p.stderr)
    layout = json.loads(p.stdout)
    devices = [node["spMem"]["device"] for node in layout["nodes"] if node["spMem"]]
    return layout["memory"]["arg"], devices


def check_case(name, caps, args):
    xml = os.path.join(ARGV_DIR, name + ".xml")
    capsfile = os.path.join(CAPS_DIR, "caps_%s_x86_64.replies" % caps)
    assert os.path.exists(capsfile), "no capabilities %s for %s" % (capsfile, args)
    want_memory, want_devices = argv_memory_args(args)
    memory, devices = layout_memory_args(xml, capsfile)
    assert memory == want_memory, "layout -m %r, final argv -m %r" % (memory, want_memory)
    assert devices == want_devices, "layout sp-mem -device %r, final argv %r" % (
        devices, want_devices)


def main():
    t = tap.TAP()
    cases = final_argv_cases()
    assert cases, "no final argv in %s" % ARGV_DIR
    for name, caps, args in cases:
        t.run("%s with %s" % (name, caps), check_case, name, caps, args)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
