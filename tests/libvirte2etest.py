#!/usr/bin/python3
# libvirte2etest.py: a real libvirtd starts, runs and removes a TCG guest with
# two normal NUMA cells, with Debian's QEMU 7.2 and (with VIRT_SPM_TEST_QEMU)
# with the SPM-capable QEMU 11.1.3, and leaves nothing behind
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The guest is tests/qemuxml2argvdata/normal-q35.xml (no memmap, SeaBIOS, no
# disk: it sits in the firmware).  libvirtd comes from
# tests/libvirtd_harness.py: if it cannot start, this test fails, unless
# VIRT_SPM_SKIP_LIBVIRTD=1.

import glob
import json
import os
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
import libvirtd_harness  # noqa: E402

try:
    import libvirt
    import libvirt_qemu
except ImportError:         # the harness reports it (a failure, or a skip)
    libvirt = libvirt_qemu = None

CASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "qemuxml2argvdata",
                    "normal-q35.xml")
DEBIAN_QEMU = "/usr/bin/qemu-system-x86_64"
MIB = 1024 * 1024
CELLS = {"ram-node0": 256 * MIB, "ram-node1": 128 * MIB}   # normal-q35.xml


def domain_xml(name, emulator):
    root = ET.parse(CASE).getroot()
    root.find("name").text = name
    root.remove(root.find("uuid"))      # libvirt picks one: no clash between runs
    root.find("devices/emulator").text = emulator
    return ET.tostring(root, encoding="unicode")


def qmp(dom, command):
    reply = json.loads(libvirt_qemu.qemuMonitorCommand(
        dom, json.dumps({"execute": command}),
        libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT))
    assert "return" in reply, "%s: %s" % (command, reply)
    return reply["return"]


def check_gone(h, name):
    """Nothing of domain NAME is left: libvirt, QEMU process, files."""
    names = [d.name() for d in h.conn.listAllDomains(0)]
    assert name not in names, "domain %s still listed: %s" % (name, names)
    assert not libvirtd_harness.processes_of_domain(name), \
        "QEMU of %s still runs" % name
    leftovers = (glob.glob("/run/libvirt/qemu/%s.*" % name) +
                 glob.glob("/etc/libvirt/qemu/%s.xml" % name) +
                 glob.glob("/var/log/libvirt/qemu/%s.log*" % name) +
                 # libvirt cuts the name to 20 characters in these paths
                 glob.glob("/var/lib/libvirt/qemu/domain-*-%s" % name[:20]) +
                 glob.glob("/var/lib/libvirt/qemu/channel/target/domain-*-%s" % name[:20]))
    assert not leftovers, "left behind: %s" % leftovers


def run_guest(h, label, emulator, expect_version=None):
    name = h.domain_name(label)
    dom = h.define(domain_xml(name, emulator))
    try:
        dom.create()
        state = dom.state()[0]
        assert state == libvirt.VIR_DOMAIN_RUNNING, "state %d, not running" % state
        pids = libvirtd_harness.processes_of_domain(name)
        assert len(pids) == 1, "QEMU processes of %s: %s" % (name, pids)

        summary = qmp(dom, "query-memory-size-summary")
        assert summary["base-memory"] == sum(CELLS.values()), summary
        assert summary.get("plugged-memory", 0) == 0, summary
        assert qmp(dom, "query-memory-devices") == [], "memory devices on a guest without any"
        memdevs = {m["id"]: m["size"] for m in qmp(dom, "query-memdev")}
        assert memdevs == CELLS, "backends %s, expected %s" % (memdevs, CELLS)
        if expect_version:
            v = qmp(dom, "query-version")["qemu"]
            got = "%d.%d.%d" % (v["major"], v["minor"], v["micro"])
            assert got == expect_version, "QEMU %s runs, expected %s" % (got, expect_version)
        print("# %s runs under libvirt (pid %d): base memory %d MiB, cells %s" %
              (name, pids[0], summary["base-memory"] // MIB,
               ", ".join("%s=%d MiB" % (k, v // MIB) for k, v in sorted(memdevs.items()))))
    finally:
        h.remove_domain(name)
    check_gone(h, name)


def t_debian_qemu(h):
    run_guest(h, "normal72", DEBIAN_QEMU)


def t_spm_qemu(h):
    qemu = os.environ.get("VIRT_SPM_TEST_QEMU")
    if not qemu:
        raise tap.Skip("VIRT_SPM_TEST_QEMU is not set")
    cache = libvirtd_harness.capability_cache_file(qemu)
    cached = os.path.exists(cache)
    start = time.monotonic()
    h.conn.getDomainCapabilities(qemu, "x86_64", "q35", "qemu", 0)
    took = time.monotonic() - start
    print("# first capability lookup of %s by this test: %.2f s (%s)" %
          (qemu, took, "cache file present: libvirt had probed it already" if cached
           else "no cache file: a cold probe, unless this daemon probed it in this session"))
    run_guest(h, "normal111", qemu, expect_version="11.1.3")


def main():
    t = tap.TAP()

    def body(h):
        print("# libvirtd %s" % ("started by the harness" if h.started_libvirtd
                                 else "already running: reused, not started"))
        t.run("Debian QEMU 7.2: 2-cell TCG guest starts, QMP sizes, removed", t_debian_qemu, h)
        t.run("QEMU 11.1.3 as emulator: 2-cell TCG guest starts under libvirt 9.0", t_spm_qemu, h)

    return libvirtd_harness.run_tap(t, body)


if __name__ == "__main__":
    sys.exit(main())
