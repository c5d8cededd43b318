#!/usr/bin/python3
# virtspmnodeinfotest.py: "virt-spm nodeinfo" on this host and on the trees
# captured from the reference guest (tests/hostdata/refguest, made by
# scripts/capture-guest-topology.sh: the same guest with two SPM cells in
# device-dax mode and after kmem onlined them); golden outputs in
# tests/hostdata (SPM_TEST_REGENERATE_OUTPUT=1 rewrites them); the binding
# checks of validate --host-root and nodeinfo --suggest on those trees.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

VIRT_SPM = tap.build_path("tools", "virt-spm")
CAPS = tap.src_path("tests", "qemucapabilitiesdata", "caps_11.1.3_x86_64.xml")
TREES = {m: tap.src_path("tests", "hostdata", "refguest", m, "fsroot")
         for m in ("devdax", "system-ram")}
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_IO = 0, 1, 3, 4
ENV = dict(os.environ, LC_ALL="C", VIRT_SPM_CACHE_DIR=tempfile.mkdtemp(prefix="spmnodeinfo-"))
NOHBM = "This host has no HBM or SPM memory"

DOMAIN = """<domain type='qemu'>
  <name>hostbind</name>
  <uuid>5e0c2b4a-1f3d-4c5e-8a7b-9c0d1e2f3a4b</uuid>
  %(metadata)s
  <memory unit='MiB'>%(total)d</memory>
  <vcpu placement='static'>2</vcpu>
  %(numatune)s
  <os firmware='efi'>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <features>
    <acpi/>
  </features>
  <cpu>
    <numa>
      <cell id='0' cpus='0-1' memory='768' unit='MiB'/>
      <cell id='1' memory='%(cell1)d' unit='MiB'%(memmap1)s/>
      <cell id='2' memory='256' unit='MiB' memmap='spm'/>
    </numa>
  </cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
    %(hostdev)s
  </devices>
</domain>
"""
BACKING = ("<metadata><spmhost:backing "
           "xmlns:spmhost='http://virt-spm.org/schemas/domain/spm-backing/1.0'>%s"
           "</spmhost:backing></metadata>")


def compare(actual, name):
    tap.compare_golden(actual, tap.src_path("tests", "hostdata", name))


def expect(args, code, err_contains=(), out_contains=()):
    return tap.expect([VIRT_SPM] + args, code, err_contains, out_contains, env=ENV)


def domain(dax=None, memnodes=None, cell1=256, memmap1=True, hostdev=None):
    cells = "".join("<spmhost:cell id='%d' dax='%s'/>" % c for c in (dax or []))
    nodes = "".join("<memnode cellid='%d' mode='strict' nodeset='%s'/>" % n
                    for n in (memnodes or []))
    hd = ""
    if hostdev:
        d, b, s, f = hostdev
        hd = ("<hostdev mode='subsystem' type='pci' managed='yes'><source>"
              "<address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>"
              "</source></hostdev>" % (d, b, s, f))
    return DOMAIN % {
        "metadata": BACKING % cells if dax is not None else "",
        "numatune": "<numatune>%s</numatune>" % nodes if memnodes else "",
        "total": 768 + cell1 + 256, "cell1": cell1,
        "memmap1": " memmap='spm'" if memmap1 else "", "hostdev": hd}


def validate(tree, xml, code, err_contains=(), err_absent=()):
    with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
        f.write(xml)
        f.flush()
        p = expect(["validate", "--caps", CAPS, "--host-root", TREES[tree], f.name], code,
                   err_contains)
    for text in err_absent:
        assert text not in p.stderr, p.stderr
    return p


def suggest(tree, xml, code, out_contains=(), err_contains=()):
    with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
        f.write(xml)
        f.flush()
        return expect(["nodeinfo", "--root", TREES[tree], "--suggest", f.name], code,
                      err_contains, out_contains)


def t_golden(tree, fmt):
    p = expect(["nodeinfo", "--root", TREES[tree]] + (["--json"] if fmt == "json" else []),
               EXIT_OK)
    assert p.stderr == "", p.stderr
    compare(p.stdout, "nodeinfo-%s.%s" % (tree, fmt))


def t_facts():
    # what the captures must show, whatever the golden files say
    dd = expect(["nodeinfo", "--root", TREES["devdax"]], EXIT_OK).stdout
    assert "<cells num='1'>" in dd, dd
    assert "mode='devdax' targetNode='1' size='268435456' align='2097152'" in dd, dd
    assert "<spm:range start='0x100000000' end='0x11fffffff'>" in dd, dd
    assert "<spm:inventory unit='MiB' total='512'>" in dd, dd
    sr = expect(["nodeinfo", "--root", TREES["system-ram"]], EXIT_OK).stdout
    assert "<cells num='3'>" in sr, sr
    assert "<cell id='1' spm:kind='hbm' spm:cpuless='yes'" in sr, sr
    assert "mode='system-ram' targetNode='2'" in sr, sr
    assert "<spm:holds>System RAM (kmem)</spm:holds>" in sr, sr
    assert "bandwidth='81920' latency='250'" in sr, sr


def t_this_host():
    p = expect(["nodeinfo"], EXIT_OK, out_contains=["<topology>", "<cell id='0'"])
    j = expect(["nodeinfo", "--json"], EXIT_OK, out_contains=['"nodes"'])
    has_spm = "<spm:inventory unit='MiB' total='0'/>" not in p.stdout
    if has_spm:
        assert NOHBM not in p.stderr, p.stderr
    else:
        # this build machine: no HBM, and nodeinfo says so
        assert NOHBM in p.stderr and NOHBM in j.stderr, p.stderr


def t_usage():
    expect(["nodeinfo", "--xml", "--json"], EXIT_USAGE, ["--xml and --json exclude each other"])
    expect(["nodeinfo", "--suggest", "x.xml", "--json"], EXIT_USAGE, ["excludes --json"])
    expect(["nodeinfo", "extra"], EXIT_USAGE)
    expect(["nodeinfo", "--root", "/nonexistent"], EXIT_IO,
           ["host tree '/nonexistent' is not a directory"])
    expect(["nodeinfo", "--help"], EXIT_OK, out_contains=["--suggest", "--root"])


def t_dax_ok():
    validate("devdax", domain(dax=[(1, "/dev/dax0.0"), (2, "/dev/dax1.0")]), EXIT_OK,
             err_absent=["error:", "not bound"])


def t_dax_errors():
    validate("devdax", domain(dax=[(1, "/dev/dax7.0")]), EXIT_INVALID,
             ["dax device '/dev/dax7.0' backing cell '1' does not exist on this host"])
    validate("system-ram", domain(dax=[(1, "/dev/dax0.0")]), EXIT_INVALID,
             ["dax device '/dev/dax0.0' backing cell '1' is in mode 'system-ram', not 'devdax'"])
    validate("devdax", domain(dax=[(1, "/dev/dax0.0")], cell1=512), EXIT_INVALID,
             ["dax device '/dev/dax0.0' has 256 MiB, too small for cell '1' of 512 MiB"])
    validate("devdax", domain(dax=[(1, "/dev/dax0.0")], cell1=255), EXIT_INVALID,
             ["cell '1' of 261120 KiB is not a multiple of the 2048 KiB alignment of dax "
              "device '/dev/dax0.0'"])
    validate("devdax", domain(dax=[(1, "/dev/dax0.0")], memnodes=[(1, "1")]), EXIT_INVALID,
             ["typed cell '1' has both dax backing '/dev/dax0.0' and <numatune><memnode"])
    validate("devdax", domain(dax=[(1, "/dev/dax0.0")], memmap1=False), EXIT_INVALID,
             ["cell '1' has dax backing '/dev/dax0.0' but is not typed"])
    validate("devdax", domain(dax=[(1, "dax0.0")]), EXIT_INVALID,
             ["needs 'dax' naming a device-dax device such as '/dev/dax0.0', not 'dax0.0'"])
    validate("devdax", domain(dax=[(5, "/dev/dax0.0")]), EXIT_INVALID,
             ["<spmhost:cell id='5'> in <spmhost:backing> names no <cell> of <numa>"])
    validate("devdax", domain(dax=[(1, "/dev/dax0.0"), (1, "/dev/dax1.0")]), EXIT_INVALID,
             ["cell '1' appears twice in <spmhost:backing>"])


def t_kmem_ok():
    validate("system-ram", domain(memnodes=[(1, "1"), (2, "2")]), EXIT_OK,
             err_absent=["error:", "not bound", "not to HBM"])


def t_kmem_errors():
    validate("devdax", domain(memnodes=[(1, "1")]), EXIT_INVALID,
             ["binds the cell to host node '1', which does not exist on this host"])
    validate("system-ram", domain(memnodes=[(1, "7")]), EXIT_INVALID,
             ["host node '7', which does not exist"])
    validate("system-ram", domain(memnodes=[(1, "1")], cell1=512), EXIT_INVALID,
             ["typed cell '1' needs 512 MiB, but its host nodes '1' hold 256 MiB online"])


def t_warnings():
    # a typed cell on DRAM, and one bound to nothing, on a host with SPM
    validate("system-ram", domain(memnodes=[(1, "0"), (2, "2")]), EXIT_OK,
             ["typed cell '1' is bound to host node '0' of kind 'dram', not to HBM or SPM"])
    validate("devdax", domain(dax=[(1, "/dev/dax0.0")]), EXIT_OK,
             ["typed cell '2' is not bound to the host's HBM/SPM memory"])


def t_suggest():
    suggest("devdax", domain(), EXIT_OK,
            ["<spmhost:cell id='1' dax='/dev/dax0.0'/>", "<spmhost:cell id='2' dax='/dev/dax1.0'/>"])
    suggest("system-ram", domain(), EXIT_OK,
            ["<memnode cellid='1' mode='strict' nodeset='1'/>",
             "<memnode cellid='2' mode='strict' nodeset='2'/>"])
    suggest("devdax", domain(cell1=512), EXIT_INVALID,
            err_contains=["this host has no HBM or SPM memory left for typed cell '1' of 512 MiB"])
    # what it suggests validates on the same tree
    for tree in TREES:
        out = suggest(tree, domain(), EXIT_OK).stdout
        dax = [(1, "/dev/dax0.0"), (2, "/dev/dax1.0")] if "dax=" in out else None
        nodes = [(1, "1"), (2, "2")] if "memnode" in out else None
        validate(tree, domain(dax=dax, memnodes=nodes), EXIT_OK, err_absent=["error:", "warning: typed"])


def t_locality():
    # the captured accelerators: 0000:00:01.0 on the root bus (no node),
    # one behind an expander bridge of node 0, one behind node 1's
    out = expect(["nodeinfo", "--root", TREES["system-ram"], "--json"], EXIT_OK).stdout
    import json
    accels = {a["address"]: a["node"] for a in json.loads(out)["accelerators"]}
    local0 = [a for a, n in accels.items() if n == 0]
    if not local0:
        raise tap.Skip("the captured tree has no accelerator with a NUMA node: %s" % accels)
    d, rest = local0[0].split(":", 1)
    b, sf = rest.split(":")
    s, f = sf.split(".")
    hostdev = (int(d, 16), int(b, 16), int(s, 16), int(f, 16))
    validate("system-ram", domain(memnodes=[(1, "1"), (2, "2")], hostdev=hostdev), EXIT_OK,
             ["typed cell '1' is bound to host nodes '1', none of which is the node of the "
              "accelerators the domain is given: %s (node 0)" % local0[0]])


def main():
    t = tap.TAP()
    for tree in TREES:
        for fmt in ("xml", "json"):
            t.run("nodeinfo %s tree, %s" % (tree, fmt), t_golden, tree, fmt)
    t.run("facts of the captured trees", t_facts)
    t.run("nodeinfo on this host", t_this_host)
    t.run("usage errors", t_usage)
    t.run("device-dax binding validates", t_dax_ok)
    t.run("device-dax binding errors", t_dax_errors)
    t.run("kmem binding validates", t_kmem_ok)
    t.run("kmem binding errors", t_kmem_errors)
    t.run("binding warnings", t_warnings)
    t.run("nodeinfo --suggest", t_suggest)
    t.run("accelerator locality", t_locality)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
