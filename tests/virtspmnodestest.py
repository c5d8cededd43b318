#!/usr/bin/python3
# virtspmnodestest.py: the guest's NUMA node N is the user's cell N
#
# Boots real guests through libvirt (tests/libvirtd_harness.py), `virt-spm
# define` and the shim, on the reference QEMU, OVMF and kernel, for shapes
# that used to get other node numbers or that stress the numbering:
#   - 2 CPU cells + 4 memory-only SPM cells, with and without <interconnects>;
#   - SPM cells with vCPUs; the pc machine; RAM above 4 GiB; SPM sizes that
#     are not multiples of 1 GiB;
#   - the memmap-type form ($VIRT_SPM_TEST_QEMU_MEMMAP): adjacent SPM cells
#     with HMAT, and SPM cells kept apart by a normal cell without HMAT; and,
#     started directly, the shape virt-spm refuses (two adjacent SPM cells
#     without HMAT), whose guest must still get one merged dax device.
# For each shape `virt-spm layout --json` must predict guest node == cell id
# for every cell, and the guest's own dmesg must agree: every "SRAT: PXM P ->
# APIC A -> Node N" line (the vCPU's cell), every "ACPI: SRAT: Node N PXM P"
# line (the cell owning PXM P) and every dax device (one per SPM cell, at the
# cell's range, target_node == cell id).  Each result is printed as a TAP
# comment "# nodes SHAPE: cell C predicted P real R".
#
# Skips a shape whose QEMU (VIRT_SPM_TEST_QEMU, VIRT_SPM_TEST_QEMU_MEMMAP),
# OVMF (VIRT_SPM_TEST_OVMF_DIR) or kernel (VIRT_SPM_TEST_KERNEL_DIR) is
# missing.  A boot takes 15-40 s under TCG.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
import libvirtd_harness  # noqa: E402

import libvirt  # noqa: E402

VIRT_SPM = tap.virt_spm()
ENV = dict(os.environ)
# TCG boots of up to 5 GiB guests on 2 CPUs; one took over 300 s once in CI
BOOT_TIMEOUT = 480

# (vCPUs or None, MiB, memmap or None)
APU = [("0", 1024, None), ("1", 1024, None)] + [(None, 256, "spm")] * 4

SHAPES = [
    # name, QEMU variable, machine, cells, interconnects
    ("q35-apu", "VIRT_SPM_TEST_QEMU", "q35", APU, False),
    ("q35-apu-hmat", "VIRT_SPM_TEST_QEMU", "q35", APU, True),
    ("q35-spm-with-vcpus", "VIRT_SPM_TEST_QEMU", "q35",
     [("0", 1024, None), ("1", 512, "spm"), (None, 384, "spm")], False),
    ("pc-spm", "VIRT_SPM_TEST_QEMU", "pc",
     [("0-1", 1024, None), (None, 256, "spm"), (None, 384, "spm"), (None, 128, "spm")], False),
    ("q35-above-4g", "VIRT_SPM_TEST_QEMU", "q35",
     [("0", 3072, None), ("1", 1024, None), (None, 640, "spm"), (None, 128, "spm"),
      (None, 256, "spm")], False),
    ("mm-q35-apu-hmat", "VIRT_SPM_TEST_QEMU_MEMMAP", "q35",
     [("0", 2048, None), ("1", 1024, None)] + [(None, 256, "spm")] * 4, True),
    ("mm-q35-spm-normal-spm", "VIRT_SPM_TEST_QEMU_MEMMAP", "q35",
     [("0-1", 2048, None), (None, 384, "spm"), (None, 128, None), (None, 640, "spm")], False),
]


def reference(var):
    """QEMU, OVMF and kernel files for a shape, or a skip."""
    qemu = os.environ.get(var)
    ref = os.environ.get("VIRT_SPM_TEST_QEMU")
    top = os.path.dirname(ref) if ref else "/var/tmp/virt-spm-reference"
    ovmf = os.environ.get("VIRT_SPM_TEST_OVMF_DIR", os.path.join(top, "fw/ovmf-x/usr/share/OVMF"))
    kernel = os.environ.get("VIRT_SPM_TEST_KERNEL_DIR", os.path.join(top, "kernel"))
    files = {"qemu": qemu,
             "code": os.path.join(ovmf, "OVMF_CODE_4M.fd"),
             "vars": os.path.join(ovmf, "OVMF_VARS_4M.fd"),
             "kernel": os.path.join(kernel, "vmlinuz"),
             "initrd": os.path.join(kernel, "initrd")}
    if not qemu:
        raise tap.Skip("%s is not set" % var)
    missing = [f for f in files.values() if not os.path.exists(f)]
    if missing:
        raise tap.Skip("missing %s" % ", ".join(missing))
    return files


def cpu_list(spec):
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def domain_xml(name, ref, machine, cells, hmat, console):
    ncpu = sum(len(cpu_list(c[0])) for c in cells if c[0])
    lines = []
    for i, (cpus, mib, memmap) in enumerate(cells):
        attrs = "id='%d'" % i
        if cpus:
            attrs += " cpus='%s'" % cpus
        attrs += " memory='%d' unit='MiB'" % mib
        if memmap:
            attrs += " memmap='%s'" % memmap
        lines.append("      <cell %s/>" % attrs)
    if hmat:
        initiators = [i for i, c in enumerate(cells) if c[0]]
        lines.append("      <interconnects>")
        for i in range(len(cells)):
            src = i if i in initiators else initiators[(i - len(initiators)) % len(initiators)]
            lines.append("        <latency initiator='%d' target='%d' type='access' value='%d'/>"
                         % (src, i, 10 if src == i else 50))
        lines.append("      </interconnects>")
    return """<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='MiB'>%(total)d</memory>
  <vcpu placement='static'>%(ncpu)d</vcpu>
  <os>
    <type arch='x86_64' machine='%(machine)s'>hvm</type>
    <loader readonly='yes' type='pflash'>%(code)s</loader>
    <nvram template='%(vars)s'/>
    <kernel>%(kernel)s</kernel>
    <initrd>%(initrd)s</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <cpu>
    <numa>
%(cells)s
    </numa>
  </cpu>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>%(qemu)s</emulator>
    <serial type='file'><source path='%(console)s'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
""" % dict(ref, name=name, total=sum(c[1] for c in cells), ncpu=ncpu, machine=machine,
           cells="\n".join(lines), console=console)


def spm(args):
    return tap.run([VIRT_SPM, "-c", libvirtd_harness.URI] + args, env=ENV, timeout=300)


SRAT_CPU = re.compile(r"SRAT: PXM (\d+) -> APIC 0x([0-9a-f]+) -> Node (\d+)")
SRAT_MEM = re.compile(r"ACPI: SRAT: Node (\d+) PXM (\d+) \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]")
DAX = re.compile(r"^(dax\d+\.\d+): size=(\d+) target_node=(\d+) .*resource=0x([0-9a-f]+)", re.M)


def check_guest(shape, cells, layout, out):
    """The guest's node numbers against the cells; returns {cell: real node}."""
    errors = []
    cell_of_pxm = {n["pxm"]: n["id"] for n in layout["nodes"]}
    cell_of_cpu = {}
    for i, c in enumerate(cells):
        for cpu in cpu_list(c[0]) if c[0] else []:
            cell_of_cpu[cpu] = i
    real = {}

    def seen(cell, node, what):
        if real.setdefault(cell, node) != node:
            errors.append("cell %d is guest node %d and %d (%s)" % (cell, real[cell], node, what))

    # the reference guest's dmesg reaches the console twice (as the kernel
    # logs it, then from its init's own grep of dmesg): count each line once
    cpu_lines = sorted(set(SRAT_CPU.findall(out)))
    if len(cpu_lines) != len(cell_of_cpu):
        errors.append("%d SRAT vCPU lines, expected %d" % (len(cpu_lines), len(cell_of_cpu)))
    for pxm, apic, node in cpu_lines:
        cell = cell_of_cpu.get(int(apic, 16))
        if cell is None or cell_of_pxm.get(int(pxm)) != cell:
            errors.append("vCPU APIC 0x%s has PXM %s, cell %s" % (apic, pxm, cell))
            continue
        seen(cell, int(node), "APIC 0x%s" % apic)
    mem_lines = sorted(set(SRAT_MEM.findall(out)))
    if not mem_lines:
        errors.append("no SRAT memory lines")
    for node, pxm, start, end in mem_lines:
        cell = cell_of_pxm.get(int(pxm))
        if cell is None:
            errors.append("SRAT PXM %s belongs to no cell" % pxm)
            continue
        seen(cell, int(node), "memory 0x%s-0x%s" % (start, end))

    typed = {}
    for n in layout["nodes"]:
        for r in n["ranges"]:
            if r["e820"] == "soft-reserved":
                typed[n["id"]] = r
    dax = sorted(set(DAX.findall(out)))
    if len(dax) != len(typed):
        errors.append("%d dax devices, expected one per SPM cell (%d)" % (len(dax), len(typed)))
    for dev, size, node, res in dax:
        owner = [c for c, r in typed.items() if r["start"] == int(res, 16)]
        if not owner:
            errors.append("%s at 0x%s is no SPM cell's range" % (dev, res))
            continue
        cell = owner[0]
        if int(size) != typed[cell]["size"]:
            errors.append("%s: size %s, cell %d has %d" % (dev, size, cell, typed[cell]["size"]))
        seen(cell, int(node), dev)
        if int(node) != cell:
            errors.append("%s of cell %d has target_node %s" % (dev, cell, node))

    for n in layout["nodes"]:
        cell = n["id"]
        print("# nodes %s: cell %d predicted %s real %s"
              % (shape, cell, n["guestNode"], real.get(cell, "-")))
        if real.get(cell) != cell:
            errors.append("cell %d is guest node %s" % (cell, real.get(cell)))
    assert not errors, "\n".join(errors) + "\n" + "\n".join(
        line for line in out.splitlines() if "SRAT" in line or "dax" in line or "e820" in line)


def t_shape(h, shape, var, machine, cells, hmat):
    ref = reference(var)
    name = h.domain_name(shape)
    workdir = tempfile.mkdtemp(prefix="virtspmnodes-")
    os.chmod(workdir, 0o777)
    console = os.path.join(workdir, "console.log")
    path = os.path.join(workdir, "domain.xml")
    with open(path, "w") as f:
        f.write(domain_xml(name, ref, machine, cells, hmat, console))
    try:
        lay = spm(["layout", "--json", path])
        assert lay.returncode == 0, lay
        layout = json.loads(lay.stdout)
        predicted = [n["guestNode"] for n in layout["nodes"]]
        assert predicted == list(range(len(cells))), "predicted guest nodes %s" % predicted
        p = spm(["define", path])
        assert p.returncode == 0, p
        h.track(name)
        dom = h.conn.lookupByName(name)
        dom.create()
        deadline = time.time() + BOOT_TIMEOUT
        while time.time() < deadline and dom.isActive():
            time.sleep(1)
        with open(console, errors="replace") as f:
            out = f.read()
        assert not dom.isActive(), "the guest did not power off in %d s; its console ends:\n%s" % (
            BOOT_TIMEOUT, "\n".join(out.splitlines()[-40:]))
        check_guest(shape, cells, layout, out)
    finally:
        h.remove_domain(name)
        subprocess.run(["rm", "-rf", workdir])


def t_memmap_adjacent_merges(h):
    """Why adjacent spm cells need HMAT with the memmap-type form: virt-spm
    refuses the shape, and QEMU started directly with the argv the shim
    would write gives the guest one dax device for both cells, on the first
    cell's node (a tripwire: when this stops, the refusal can go)."""
    ref = reference("VIRT_SPM_TEST_QEMU_MEMMAP")
    cells = [("0-1", 2048, None), (None, 1024, "spm"), (None, 1024, "spm")]
    workdir = tempfile.mkdtemp(prefix="virtspmnodes-")
    try:
        path = os.path.join(workdir, "domain.xml")
        console = os.path.join(workdir, "console.log")
        with open(path, "w") as f:
            f.write(domain_xml("adjacent", ref, "q35", cells, False, console))
        lay = spm(["layout", path])
        assert lay.returncode == 1 and "adjacent in guest-physical memory" in lay.stderr, lay
        subprocess.run(["cp", ref["vars"], os.path.join(workdir, "vars.fd")], check=True)
        argv = [ref["qemu"], "-machine", "q35", "-accel", "tcg", "-cpu", "qemu64", "-smp", "2",
                "-m", "4096", "-nodefaults", "-nographic", "-no-user-config", "-no-reboot",
                "-drive", "if=pflash,format=raw,readonly=on,file=%s" % ref["code"],
                "-drive", "if=pflash,format=raw,file=%s" % os.path.join(workdir, "vars.fd"),
                "-kernel", ref["kernel"], "-initrd", ref["initrd"],
                "-append", "console=ttyS0 panic=-1", "-serial", "file:%s" % console]
        for i, (cpus, mib, memmap) in enumerate(cells):
            argv += ["-object", "memory-backend-ram,id=ram-node%d,size=%dM" % (i, mib),
                     "-numa", "node,nodeid=%d%s,memdev=ram-node%d%s"
                     % (i, ",cpus=" + cpus if cpus else "", i,
                        ",memmap-type=" + memmap if memmap else "")]
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=BOOT_TIMEOUT)
        assert p.returncode == 0, p
        with open(console, errors="replace") as f:
            out = f.read()
        dax = sorted(set(DAX.findall(out)))
        assert [(size, node, res) for _, size, node, res in dax] == \
            [(str(2 << 30), "1", "100000000")], "dax devices %s" % dax
    finally:
        subprocess.run(["rm", "-rf", workdir])


def main():
    t = tap.TAP()
    emu = tempfile.mkdtemp(prefix="virtspmnodes-emulators-")
    os.chmod(emu, 0o755)
    ENV["VIRT_SPM_EMULATOR_DIR"] = emu
    ENV["VIRT_SPM_CACHE_DIR"] = tempfile.mkdtemp(prefix="virtspmnodes-cache-")

    def body(h):
        for shape, var, machine, cells, hmat in SHAPES:
            t.run("%s: guest node == predicted node == cell" % shape, t_shape, h, shape, var,
                  machine, cells, hmat)
        t.run("memmap-type: adjacent spm cells without HMAT are refused, and do merge",
              t_memmap_adjacent_merges, h)

    try:
        if not any(os.environ.get(v) for v in ("VIRT_SPM_TEST_QEMU", "VIRT_SPM_TEST_QEMU_MEMMAP")):
            print("1..0 # SKIP neither VIRT_SPM_TEST_QEMU nor VIRT_SPM_TEST_QEMU_MEMMAP is set")
            return 0
        return libvirtd_harness.run_tap(t, body)
    finally:
        subprocess.run(["rm", "-rf", emu, ENV["VIRT_SPM_CACHE_DIR"]])


if __name__ == "__main__":
    sys.exit(main())
