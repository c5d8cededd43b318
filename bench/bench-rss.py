#!/usr/bin/python3
# bench-rss.py: peak RSS of virt-spm's three programs on a big domain, as
# ratios against a real tool doing the same kind of work in the same run
#
#   bench/bench-rss.py BUILDDIR [QEMU]        (needs GNU time: package time)
#
# Domains: examples/mi300a.xml and a generated 256-cell domain (cell 0 with
# the vCPUs and 2 GiB, cells 1..255 memory-only, 1 GiB each, typed 'spm').
# For each it measures (the peak resident set of the process, from wait4):
#
#   validate   virt-spm validate FILE          vs  virt-xml-validate FILE
#   layout     virt-spm layout --caps CAPS FILE vs virt-xml-validate FILE
#   hook       virt-spm-hook g prepare begin - < the XML libvirt holds
#                                              vs  xmllint --noout FILE
#   shim       the shim rewriting the domain's libvirt argv (synthesised
#              from the launch data virt-spm computes), exec'ing /bin/true
#                                              vs  QEMU -version (what the
#                                                  shim would exec)
#
# QEMU (default $VIRT_SPM_TEST_QEMU) must offer sp-mem (QEMU 11.1): it is
# probed once for the launch data (virt-spm define --print-xml).  Prints one
# line per measurement: KiB, the reference's KiB and the ratio.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import shutil
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1])
qemu = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("VIRT_SPM_TEST_QEMU")
if not qemu:
    sys.exit("usage: bench-rss.py BUILDDIR QEMU (a QEMU 11.1 with sp-mem)")
ovmf = os.environ.get("VIRT_SPM_TEST_OVMF_DIR",
                      "/var/tmp/virt-spm-reference/fw/ovmf-x/usr/share/OVMF")
virt_spm = os.path.join(build, "tools", "virt-spm")
hook = os.path.join(build, "tools", "virt-spm-hook")
shim = os.path.join(build, "tools", "virt-spm-shim")
caps = os.path.join(top, "tests", "qemucapabilitiesdata", "caps_11.1.3_x86_64.xml")
GIB = 1 << 30


def peak_rss(argv, stdin=None, env=None):
    """Peak RSS in KiB of @argv (run to its end), its exit status and its
    standard error.  GNU time runs it: a child forked from this Python
    would count Python's own pages until the exec."""
    with tempfile.NamedTemporaryFile(mode="r") as out:
        p = subprocess.run(["/usr/bin/time", "-f", "%M %x", "-o", out.name] + argv,
                           input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, env=env)
        kib, rc = out.read().split()[-2:]
    return int(kib), int(rc), p.stderr


def best(argv, stdin=None, env=None, runs=5, check=True):
    """The lowest peak RSS of @runs runs; with @check, each must succeed
    (the references validate against the stock schema, which has no
    memmap: they fail, after the same work)."""
    results = [peak_rss(argv, stdin, env) for _ in range(runs)]
    for kib, rc, err in results:
        if check and rc != 0:
            sys.exit("%s failed (%d): %s" % (" ".join(argv), rc, err))
    return min(r[0] for r in results)


def cells256():
    cells = ["      <cell id='0' cpus='0-1' memory='2' unit='GiB'/>"]
    cells += ["      <cell id='%d' memory='1' unit='GiB' memmap='spm'/>" % i
              for i in range(1, 256)]
    return """<domain type='qemu'>
  <name>spm-256</name>
  <uuid>2c1b6f0e-6a1f-4c55-9d3e-256256256256</uuid>
  <memory unit='GiB'>257</memory>
  <vcpu placement='static'>2</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <features><acpi/></features>
  <cpu>
    <numa>
%s
    </numa>
  </cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
  </devices>
</domain>
""" % "\n".join(cells)


def libvirt_argv(xml, launch):
    """libvirt's QEMU argv for the domain's cells, in the shape
    tests/qemuargvrewritedata holds it, with @launch as the launch data."""
    cells = re.findall(r"<cell id='(\d+)'(?: cpus='([^']*)')? memory='(\d+)' unit='GiB'", xml)
    total = sum(int(c[2]) for c in cells) * 1024
    argv = ["-name", "guest=bench", "-S", "-machine", "pc-q35-11.1", "-accel", "tcg",
            "-m", str(total), "-smp", "2"]
    for cid, cpus, gib in cells:
        argv += ["-object", '{"qom-type":"memory-backend-ram","id":"ram-node%s","size":%d}' % (
            cid, int(gib) * GIB)]
        argv += ["-numa", "node,nodeid=%s%s,memdev=ram-node%s" % (
            cid, ",cpus=" + cpus if cpus else "", cid)]
    argv += ["-uuid", "2c1b6f0e-6a1f-4c55-9d3e-256256256256", "-display", "none",
             "-virt-spm-launch", launch, "-msg", "timestamp=on"]
    return argv


def main():
    tmp = tempfile.mkdtemp(prefix="bench-rss-")
    env = dict(os.environ, VIRT_SPM_CACHE_DIR=os.path.join(tmp, "cache"),
               VIRT_SPM_EMULATOR_DIR=os.path.join(tmp, "emulators"))
    try:
        with open(os.path.join(top, "examples", "mi300a.xml")) as f:
            domains = [("mi300a", f.read()), ("256-cell", cells256())]
        # the shim's link, exec'ing /bin/true in place of QEMU
        linkdir = os.path.join(tmp, "link")
        os.mkdir(linkdir)
        os.symlink(shim, os.path.join(linkdir, "qemu-system-x86_64"))
        os.symlink("/bin/true", os.path.join(linkdir, "target"))
        qemu_rss = best([qemu, "-version"])
        print("%-9s %-9s %10s %10s %7s  %s" % ("domain", "program", "KiB", "ref KiB", "ratio",
                                              "reference"))
        for label, xml in domains:
            # the reference OVMF as a pflash loader, the SPM QEMU
            xml = xml.replace("<os firmware='efi'>", "<os>").replace(
                "    <type arch='x86_64' machine='q35'>hvm</type>\n",
                "    <type arch='x86_64' machine='q35'>hvm</type>\n"
                "    <loader readonly='yes' type='pflash'>%s</loader>\n" %
                os.path.join(ovmf, "OVMF_CODE_4M.fd"))
            xml = xml.replace("/usr/bin/qemu-system-x86_64", qemu)
            # mi300a.xml binds its cells to the host nodes of an MI300A host
            # (0 and 1), which validate checks against this host since the
            # host-HBM checks: unbound, it validates on any host
            xml = re.sub(r"\s*<numatune>.*?</numatune>", "", xml, flags=re.S)
            path = os.path.join(tmp, label + ".xml")
            with open(path, "w") as f:
                f.write(xml)
            kib_rng = best(["virt-xml-validate", path, "domain"], check=False)
            kib_lint = best(["xmllint", "--noout", path])
            rows = [("validate", best([virt_spm, "validate", path], env=env), kib_rng,
                     "virt-xml-validate"),
                    ("layout", best([virt_spm, "layout", "--caps", caps, path], env=env),
                     kib_rng, "virt-xml-validate")]
            p = subprocess.run([virt_spm, "define", "--print-xml", path], env=env,
                               capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit("define --print-xml %s: %s" % (label, p.stderr))
            libvirt_xml = p.stdout
            rows.append(("hook", best([hook, "g", "prepare", "begin", "-"], stdin=libvirt_xml),
                         kib_lint, "xmllint --noout"))
            launch = re.search(r"-virt-spm-launch['\"]/>\s*<qemu:arg value=['\"]([^'\"]*)",
                               libvirt_xml).group(1)
            argv = [os.path.join(linkdir, "qemu-system-x86_64")] + libvirt_argv(xml, launch)
            rows.append(("shim", best(argv), qemu_rss, "QEMU -version"))
            for prog, kib, ref, refname in rows:
                print("%-9s %-9s %10d %10d %7.2f  %s" % (label, prog, kib, ref, kib / ref,
                                                         refname))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
