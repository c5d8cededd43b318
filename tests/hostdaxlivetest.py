#!/usr/bin/env python3
#
# hostdaxlivetest.py: `virt-spm nodeinfo` on a live machine with dax devices
#
#   VIRT_SPM_TEST_QEMU=... VIRT_SPM_TEST_OVMF_DIR=... VIRT_SPM_TEST_KERNEL_DIR=... \
#       hostdaxlivetest.py
#
# This build machine has no dax device, so the live path of host discovery
# (libdaxctl, loaded by virt-spm only on a host that has one) never runs
# here.  The reference guest has them: scripts/capture-guest-topology.sh
# boots it twice (two SPM cells as devdax, then onlined as system-ram), with
# this build's virt-spm in its initrd, and the guest runs `virt-spm -q
# nodeinfo --json` on itself beside capturing its /sys and /proc.  For each
# mode: what virt-spm read live in the guest must be what it reads from the
# tree captured in the same boot, and what tests/hostdata holds for the
# committed capture.  Skips without the reference QEMU, OVMF and kernel.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

VIRT_SPM = tap.virt_spm()
CAPTURE = {}


def capture():
    """Boots the reference guest once for all the cases."""
    if CAPTURE:
        return CAPTURE["dir"]
    out = tempfile.mkdtemp(prefix="hostdaxlive-")
    CAPTURE["dir"] = out
    env = dict(os.environ, VIRT_SPM_CAPTURE_NODEINFO=os.path.abspath(VIRT_SPM))
    p = subprocess.run(["sh", tap.src_path("scripts", "capture-guest-topology.sh"), out],
                       env=env, capture_output=True, text=True, timeout=1500)
    assert p.returncode == 0, "capture failed:\n%s\n%s" % (p.stdout, p.stderr)
    return out


def check_mode(mode):
    out = os.path.join(capture(), mode)
    with open(os.path.join(out, "nodeinfo-live.err")) as f:
        err = f.read()
    with open(os.path.join(out, "nodeinfo-live.json")) as f:
        live_text = f.read()
    assert err == "", "virt-spm nodeinfo in the guest said:\n%s" % err
    live = json.loads(live_text)
    daxes = [(d["name"], d["mode"], d["target_node"]) for d in live["dax"]]
    # each boot's two SPM cells (guest nodes 1 and 2), in the boot's mode
    assert daxes == [("dax0.0", mode, 1), ("dax1.0", mode, 2)], \
        "the guest's dax devices, read live: %s" % daxes
    tree = tap.expect([VIRT_SPM, "-q", "nodeinfo", "--json", "--root",
                       os.path.join(out, "fsroot")], 0).stdout
    assert live_text == tree, "live:\n%s\ncaptured tree:\n%s" % (live_text, tree)
    with open(tap.src_path("tests", "hostdata", "nodeinfo-%s.json" % mode)) as f:
        committed = f.read()
    assert live_text == committed, \
        "the guest differs from the committed capture (rerun scripts/capture-guest-topology.sh " \
        "tests/hostdata/refguest and regenerate tests/hostdata):\n%s" % live_text


def t_devdax_live_is_the_captured_tree():
    check_mode("devdax")


def t_system_ram_live_is_the_captured_tree():
    check_mode("system-ram")


def main():
    if not all(os.environ.get(v) for v in
               ("VIRT_SPM_TEST_QEMU", "VIRT_SPM_TEST_OVMF_DIR", "VIRT_SPM_TEST_KERNEL_DIR")):
        print("1..0 # SKIP VIRT_SPM_TEST_QEMU, VIRT_SPM_TEST_OVMF_DIR or "
              "VIRT_SPM_TEST_KERNEL_DIR is not set")
        return 0
    try:
        return tap.run_all(globals())
    finally:
        if CAPTURE:
            shutil.rmtree(CAPTURE["dir"], ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
