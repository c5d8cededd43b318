#!/usr/bin/python3
# novae2etest.py: an OpenStack Nova guest end to end, with real parts: a
# domain built with Nova's config classes (Debian's python3-nova) and Nova
# 32's <nova:extraSpecs>, no <emulator>, defined with libvirt-python's
# defineXML as Nova does, started by a real libvirtd whose default QEMU is
# virt-spm's shim (`virt-spm host-setup --install --qemu` the reference
# QEMU 11.1.3); the guest reports the SPM node (a cell with vCPUs) as soft
# reserved with a dax device.  Refusals carry the hook's message.  The test
# removes the divert again, even on failure, and checks that the divert
# list, the files and libvirt's capabilities are as before.
#
# Changes the whole machine (dpkg-divert of /usr/bin/qemu-system-x86_64):
# run it only under the host lock, like the rest of the libvirt suite.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
import libvirtd_harness  # noqa: E402

HOST_QEMU = "/usr/bin/qemu-system-x86_64"


def reference_files():
    qemu = os.environ.get("VIRT_SPM_TEST_QEMU")
    if not qemu:
        return None
    top = os.path.dirname(qemu)
    ovmf = os.environ.get("VIRT_SPM_TEST_OVMF_DIR", os.path.join(top, "fw/ovmf-x/usr/share/OVMF"))
    kernel = os.environ.get("VIRT_SPM_TEST_KERNEL_DIR", os.path.join(top, "kernel"))
    files = {"qemu": qemu, "code": os.path.join(ovmf, "OVMF_CODE_4M.fd"),
             "vars": os.path.join(ovmf, "OVMF_VARS_4M.fd"),
             "kernel": os.path.join(kernel, "vmlinuz"), "initrd": os.path.join(kernel, "initrd")}
    return files if all(os.path.exists(f) for f in files.values()) else None


def spm(*args):
    # the system's directories, as libvirtd's hook and shim see them
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRT_SPM_EMULATOR_DIR", "VIRT_SPM_RUNTIME_DIR")}
    return tap.run([tap.virt_spm()] + list(args), env=env)


def host_state(h):
    """The divert list, the host QEMU files' hashes, libvirt's capabilities."""
    diverts = subprocess.run(["dpkg-divert", "--list"], capture_output=True,
                             text=True).stdout
    files = {}
    for f in sorted(glob.glob(HOST_QEMU + "*")):
        files[f] = "link" if os.path.islink(f) else hashlib.sha256(open(f, "rb").read()).hexdigest()
    caps = h.conn.getDomainCapabilities(None, "x86_64", "q35", "qemu")
    machine = re.search(r"<machine>([^<]+)</machine>", caps).group(1)
    return {"diverts": sorted(l for l in diverts.splitlines() if "qemu" in l), "files": files,
            "machine": machine}


def nova_domain(h, label, specs, ref, console, firmware_code=None):
    import novaxml
    name = h.domain_name(label)
    xml = novaxml.guest_xml(
        name, ("spm.small", 2), [([0], 1024), ([1], 1024)], specs, uuid=str(uuidlib.uuid4()),
        os_extra={"loader": firmware_code or ref["code"], "nvram_template": ref["vars"],
                  "kernel": ref["kernel"], "initrd": ref["initrd"],
                  "cmdline": "console=ttyS0 panic=-1"},
        console=console)
    assert "<emulator>" not in xml
    dom = h.conn.defineXML(xml)
    h.track(name)
    return name, dom


def t_boot(h, ref, workdir):
    console = os.path.join(workdir, "boot.log")
    name, dom = nova_domain(h, "novaboot", {"hw:numa_nodes": "2",
                                            "virt_spm:numa_memmap.1": "spm"}, ref, console)
    try:
        assert "<emulator>%s</emulator>" % HOST_QEMU in dom.XMLDesc(0)
        dom.create()
        deadline = time.time() + 300
        while time.time() < deadline and dom.isActive():
            time.sleep(1)
        assert not dom.isActive(), "the guest did not power off in time"
        out = open(console, errors="replace").read()
        assert re.search(r"BIOS-e820: \[mem 0x0000000100000000-0x000000013fffffff\] soft reserved",
                         out), out[-3000:]
        assert re.search(r"dax\d+\.\d+: size=1073741824 target_node=1", out), out[-3000:]
        # the hook removed the launch data when the domain stopped
        assert not os.path.exists("/run/virt-spm/launch/" + dom.UUIDString())
    finally:
        h.remove_domain(name)


def refused(h, ref, workdir, label, specs, needle, firmware_code=None):
    import libvirt
    name, dom = nova_domain(h, label, specs, ref, os.path.join(workdir, label + ".log"),
                            firmware_code)
    try:
        try:
            dom.create()
        except libvirt.libvirtError as e:
            msg = str(e)
        else:
            raise AssertionError("the start was not refused")
        assert "refusing to start Nova instance" in msg and needle in msg, msg
    finally:
        h.remove_domain(name)


def t_plain(h, ref, workdir):
    # a Nova guest without typing starts unchanged through the shim
    name, dom = nova_domain(h, "novaplain", {"hw:numa_nodes": "2"}, ref,
                            os.path.join(workdir, "plain.log"))
    try:
        dom.create()
        assert dom.isActive()
        pid = open("/run/libvirt/qemu/%s.pid" % name).read().strip()
        argv = open("/proc/%s/cmdline" % pid).read().split("\0")
        # libvirt's own -numa, no sp-mem, no launch data: passed through
        assert any(re.fullmatch(r"node,nodeid=1,cpus=1,memdev=ram-node1", a) for a in argv), argv
        assert not any("sp-mem" in a or a == "-virt-spm-launch" for a in argv), argv
        dom.destroy()
    finally:
        h.remove_domain(name)


def main():
    t = tap.TAP()
    ref = reference_files()
    if os.geteuid() != 0 or not ref:
        print("1..0 # SKIP needs root and the reference QEMU/OVMF/kernel (VIRT_SPM_TEST_QEMU)")
        return 77
    try:
        import novaxml  # noqa: F401
    except ImportError:
        print("1..0 # SKIP Debian's python3-nova is not installed")
        return 77
    # a timeout (meson sends SIGTERM) still runs the finally blocks that
    # remove the divert
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    workdir = tempfile.mkdtemp(prefix="novae2e-")
    os.chmod(workdir, 0o777)

    def body(h):
        before = host_state(h)
        try:
            t.run("host-setup --install --qemu the reference QEMU",
                  lambda: check_install(h, ref, before))
            t.run("a Nova guest boots with a soft-reserved SPM node (cell with vCPUs)",
                  t_boot, h, ref, workdir)
            t.run("a plain Nova guest starts through the shim", t_plain, h, ref, workdir)
            t.run("refused: SPM on node 0", refused, h, ref, workdir, "novan0",
                  {"virt_spm:numa_memmap.0": "spm"}, "NUMA cell '0' cannot be typed")
            t.run("refused: reserved on QEMU 11.1", refused, h, ref, workdir, "novares",
                  {"virt_spm:numa_memmap.1": "reserved"}, "reserved")
        finally:
            t.run("host-setup --remove restores divert list, files and capabilities",
                  lambda: check_remove(h, before))
        # without the reference QEMU in front: Debian's 7.2 behind the shim
        try:
            t.run("refused: the host's QEMU 7.2 behind the shim", refused_qemu72, h, ref, workdir)
        finally:
            p = spm("host-setup", "--remove")
            assert p.returncode == 0, p

    try:
        return libvirtd_harness.run_tap(t, body)
    finally:
        subprocess.run(["rm", "-rf", workdir])


def check_install(h, ref, before):
    p = spm("host-setup", "--install", "--qemu", ref["qemu"])
    assert p.returncode == 0, p
    p = spm("host-setup", "--install", "--qemu", ref["qemu"])
    assert p.returncode == 0, p
    p = spm("host-setup", "--status")
    assert "state: installed" in p.stdout and "real-qemu: %s" % ref["qemu"] in p.stdout, p
    after = host_state(h)
    assert after["machine"] != before["machine"] and "11.1" in after["machine"], after


def check_remove(h, before):
    p = spm("host-setup", "--remove")
    assert p.returncode == 0, p
    assert host_state(h) == before


def refused_qemu72(h, ref, workdir):
    p = spm("host-setup", "--install")
    assert p.returncode == 0, p
    refused(h, ref, workdir, "nova72", {"virt_spm:numa_memmap.1": "spm"}, "7.2")


if __name__ == "__main__":
    sys.exit(main())
