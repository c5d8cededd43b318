#!/usr/bin/python3
# virtspmdomchecktest.py: "virt-spm domcheck" against a real running guest,
# with a real libvirtd (tests/libvirtd_harness.py), the reference QEMU 11.1.3,
# OVMF 2026.08 and kernel ($VIRT_SPM_TEST_QEMU; skipped without them):
# - a guest virt-spm defined matches (table and JSON, exit 0);
# - it still matches after a libvirtd restart (libvirt reconnects to QEMU);
# - the same guest redefined with plain libvirt (typing, metadata and launch
#   data stripped, its register entry removed by hand) and started behind
#   virt-spm's back is reported as drift (exit 9);
# - on the memmap-type QEMU ($VIRT_SPM_TEST_QEMU_MEMMAP) the backends and boot
#   RAM match and the typing is reported as unseen (skipped without it).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
import libvirtd_harness  # noqa: E402
import virtspme2etest as e2e  # noqa: E402

import libvirt  # noqa: E402

EXIT_OK, EXIT_DRIFT = 0, 9


def domcheck(name, *args):
    return e2e.spm(["domcheck"] + list(args) + [name])


def fields(p):
    out = json.loads(p.stdout)
    return out, {(f["cell"], f["field"]): f for f in out["fields"]}


def assert_matches(name):
    p = domcheck(name)
    assert p.returncode == EXIT_OK, p
    assert "QEMU built what virt-spm defined and predicted" in p.stdout, p.stdout
    p = domcheck(name, "--json")
    assert p.returncode == EXIT_OK, p
    out, f = fields(p)
    assert out["match"] is True and out["form"] == "sp-mem", out
    # every typed-cell field of the sp-mem form, with the minimal example's values
    assert f[(1, "device")]["qemu"] == "spm-node1", f
    assert f[(1, "node")]["qemu"] == "1", f
    assert f[(1, "addr")]["qemu"] == "0x100000000", f
    assert f[(1, "size")]["qemu"] == str(1 << 30), f
    assert f[(1, "backend")]["qemu"] == "/objects/ram-node1", f
    assert f[(1, "backend-size")]["qemu"] == str(1 << 30), f
    assert f[(None, "base-memory")]["qemu"] == str(2 << 30), f
    assert f[(None, "plugged-memory")]["qemu"] == str(1 << 30), f
    assert all(x["status"] == "match" for x in out["fields"]), out


def strip_virt_spm(xml):
    """libvirt's XML of a virt-spm domain with everything virt-spm added
    taken away: its metadata and its <qemu:commandline> arguments."""
    xml = re.sub(r"<metadata>.*?</metadata>\s*", "", xml, flags=re.S)
    return re.sub(r"<qemu:commandline>.*?</qemu:commandline>\s*", "", xml, flags=re.S)


def t_domcheck(h):
    with e2e.reference_domain(h, "domcheck") as (name, _, _):
        dom = h.conn.lookupByName(name)
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        assert_matches(name)

        # libvirtd restarts, the guest runs on, libvirt reconnects
        try:
            h.restart_libvirtd()
        except libvirtd_harness.HarnessBusy as e:
            raise tap.Skip(str(e))
        dom = h.conn.lookupByName(name)
        assert dom.isActive(), "the guest stopped with libvirtd"
        assert_matches(name)

        # behind virt-spm's back: plain libvirt, no register entry
        uuid = dom.UUIDString()
        xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        dom.destroy()
        h.conn.defineXML(strip_virt_spm(xml))
        os.unlink(os.path.join(e2e.ENV["VIRT_SPM_EMULATOR_DIR"], "typed-domains", uuid))
        dom = h.conn.lookupByName(name)
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        p = domcheck(name)
        assert p.returncode == EXIT_DRIFT, p
        assert "drift - launch-data: the domain runs through virt-spm's emulator shim" in \
            p.stdout, p.stdout
        p = domcheck(name, "--json")
        assert p.returncode == EXIT_DRIFT, p
        out, f = fields(p)
        assert out["match"] is False and f[(None, "launch-data")]["status"] == "drift", out


def t_memmap_type(h):
    # the memmap-type QEMU ($VIRT_SPM_TEST_QEMU_MEMMAP): the backend and boot
    # RAM are checked, the typing itself is reported as unseen
    qemu = os.environ.get("VIRT_SPM_TEST_QEMU_MEMMAP")
    if not qemu:
        raise tap.Skip("no memmap-type QEMU (VIRT_SPM_TEST_QEMU_MEMMAP)")

    def on_memmap_qemu(text):
        return text.replace("<emulator>%s</emulator>" % e2e.reference_files()["qemu"],
                            "<emulator>%s</emulator>" % qemu)

    with e2e.reference_domain(h, "domcheckmm", on_memmap_qemu) as (name, _, _):
        dom = h.conn.lookupByName(name)
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        p = domcheck(name, "--json")
        assert p.returncode == EXIT_OK, p
        out, f = fields(p)
        assert out["form"] == "memmap-type", out
        assert f[(1, "memmap-type")]["status"] == "unseen", f
        assert f[(1, "backend-size")]["status"] == "match", f
        assert f[(None, "base-memory")]["qemu"] == str(3 << 30), f
        p = domcheck(name)
        assert "as far as QMP shows" in p.stdout, p.stdout


def t_not_running(h):
    with e2e.reference_domain(h, "domcheckoff") as (name, _, _):
        p = domcheck(name)
        assert p.returncode == 7 and "is not running" in p.stderr, p


def main():
    t = tap.TAP()
    if not e2e.reference_files():
        # a TAP plan of 0 is meson's skip (a non-zero exit would be an error)
        print("1..0 # SKIP no reference QEMU/OVMF/kernel (VIRT_SPM_TEST_QEMU)")
        return 0
    emu = tempfile.mkdtemp(prefix="virtspmdomcheck-emulators-")
    os.chmod(emu, 0o755)
    e2e.ENV["VIRT_SPM_EMULATOR_DIR"] = emu
    e2e.ENV["VIRT_SPM_CACHE_DIR"] = tempfile.mkdtemp(prefix="virtspmdomcheck-cache-")

    def body(h):
        t.run("a running SPM guest matches, also after a libvirtd restart, and drifts when "
              "started behind virt-spm's back", t_domcheck, h)
        t.run("the memmap-type form: backend checked, typing unseen", t_memmap_type, h)
        t.run("a domain that is not running", t_not_running, h)

    try:
        return libvirtd_harness.run_tap(t, body)
    finally:
        subprocess.run(["rm", "-rf", emu, e2e.ENV["VIRT_SPM_CACHE_DIR"]])


if __name__ == "__main__":
    sys.exit(main())
