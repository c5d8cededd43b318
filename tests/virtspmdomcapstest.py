#!/usr/bin/python3
# virtspmdomcapstest.py: "virt-spm domcapabilities": output for each recorded
# QEMU (golden files in virtspmdomcapsdata/, SPM_TEST_REGENERATE_OUTPUT=1
# rewrites them), errors and exit codes, and a live probe through the cache
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

VIRT_SPM = tap.build_path("tools", "virt-spm")
CAPS = ["caps_11.1.3_x86_64", "caps_10.2.2-memmap-type_x86_64", "caps_7.2.22_x86_64"]
DEBIAN_QEMU = "/usr/bin/qemu-system-x86_64"
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_EMULATOR = 0, 1, 3, 6

CACHE_DIR = tempfile.mkdtemp(prefix="spmdomcapstest-")
ENV = dict(os.environ, VIRT_SPM_CACHE_DIR=CACHE_DIR, LC_ALL="C")


def run(args):
    return tap.run([VIRT_SPM] + args, env=ENV)


def expect(args, code, err_contains=(), out_contains=()):
    return tap.expect([VIRT_SPM] + args, code, err_contains, out_contains, env=ENV)


def caps_file(name, suffix):
    return tap.src_path("tests", "qemucapabilitiesdata", name + suffix)


# the test's firmware descriptors (VIRT_SPM_FIRMWARE_DIRS) are made in the
# build tree, and the images they name live in the source tree
FIRMWARE_DATA = tap.src_path("tests", "qemufirmwaredata")
FIRMWARE_DESCRIPTORS = tap.build_path("tests", "qemufirmwaredata")


def compare(actual, name):
    path = tap.src_path("tests", "virtspmdomcapsdata", name)
    actual = actual.replace(FIRMWARE_DESCRIPTORS, "@FIRMWARE_DESCRIPTORS@")
    actual = actual.replace(FIRMWARE_DATA, "@FIRMWARE_DATA@")
    tap.compare_golden(actual, path)


def t_golden(name, fmt):
    args = ["domcapabilities", "--caps", caps_file(name, ".xml")]
    if fmt == "json":
        args += ["--json", "--machine", "q35"]
    p = expect(args, EXIT_OK)
    assert p.stderr == "", p.stderr
    compare(p.stdout, "%s.%s" % (name, fmt))


def t_replies_same_as_caps(name):
    # a .replies file gives the same answer as the caps file made from it
    a = expect(["domcapabilities", "--caps", caps_file(name, ".replies")], EXIT_OK).stdout
    b = expect(["domcapabilities", "--caps", caps_file(name, ".xml")], EXIT_OK).stdout
    assert a.replace(caps_file(name, ".replies"), DEBIAN_QEMU) == b, a


def t_usage():
    expect(["domcapabilities", "--caps", "x", "--emulator", "y"], EXIT_USAGE,
           ["--emulator and --caps exclude each other"])
    expect(["domcapabilities", "extra"], EXIT_USAGE, ["expected"])
    expect(["domcapabilities", "--bogus"], EXIT_USAGE)
    expect(["domcapabilities", "--help"], EXIT_OK, out_contains=["--no-cache", "--machine"])


def t_bad_machine():
    expect(["domcapabilities", "--caps", caps_file(CAPS[2], ".xml"), "--machine", "virt"],
           EXIT_INVALID, ["error: unsupported configuration: machine type 'virt' is not offered "
                          "by QEMU '/usr/bin/qemu-system-x86_64' (7.2.22)"])


def t_bad_arch():
    expect(["domcapabilities", "--caps", caps_file(CAPS[0], ".xml"), "--arch", "aarch64"],
           EXIT_INVALID, ["architecture 'aarch64' is not offered by QEMU "
                          "'/usr/bin/qemu-system-x86_64' (11.1.3), which emulates 'x86_64'"])
    expect(["domcapabilities", "--caps", caps_file(CAPS[0], ".xml"), "--arch", "i686"], EXIT_OK)


def t_bad_emulator():
    expect(["domcapabilities", "--emulator", "/nonexistent/qemu"], EXIT_EMULATOR,
           ["cannot access QEMU binary '/nonexistent/qemu'"])
    expect(["domcapabilities", "--emulator", "/bin/true", "--no-cache"], EXIT_EMULATOR,
           ["QEMU '/bin/true' exited with status 0 during startup"])


def t_bad_caps():
    with tempfile.TemporaryDirectory() as d:
        for name, text, msg in [
                ("garbage.xml", "garbage", "XML error"),
                ("empty.xml", "", "the file is empty"),
                ("domain.xml", "<domain/>", "expecting root element of 'spmQEMUCaps'"),
                ("cut.replies", '{"execute": "query-version"}\n\n{"return": {',
                 "unexpected end of file")]:
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write(text)
            expect(["domcapabilities", "--caps", path], EXIT_EMULATOR, [msg])
        expect(["domcapabilities", "--caps", os.path.join(d, "missing")], EXIT_EMULATOR,
               ["cannot open"])


def t_live_debian():
    if not os.access(DEBIAN_QEMU, os.X_OK):
        raise tap.Skip("no " + DEBIAN_QEMU)
    first = expect(["domcapabilities", "--emulator", DEBIAN_QEMU, "--machine", "q35"], EXIT_OK,
                   out_contains=["<memmap supported='no'/>", "<machine>pc-q35-7.2</machine>"])
    cached = os.listdir(os.path.join(CACHE_DIR, "qemu", "capabilities"))
    assert cached == ["926803a9278e445ec919c2b6cbd8c1c449c75b26dcb1686b774314180376c725.xml"], \
        cached
    again = expect(["domcapabilities", "--machine", "q35"], EXIT_OK)
    assert again.stdout == first.stdout
    expect(["domcapabilities", "--no-cache", "--json"], EXIT_OK,
           out_contains=['"supported": false', '"form": "none"'])


def t_live_spm_qemu():
    qemu = os.environ.get("VIRT_SPM_TEST_QEMU")
    if not qemu:
        raise tap.Skip("VIRT_SPM_TEST_QEMU is not set")
    expect(["domcapabilities", "--emulator", qemu, "--machine", "q35"], EXIT_OK,
           out_contains=["<memmap supported='yes'>", "<value>spm</value>"])


def main():
    t = tap.TAP()
    try:
        for name in CAPS:
            t.run("%s XML" % name, t_golden, name, "xml")
            t.run("%s JSON" % name, t_golden, name, "json")
            t.run("%s .replies as --caps" % name, t_replies_same_as_caps, name)
        t.run("usage errors", t_usage)
        t.run("unknown machine type", t_bad_machine)
        t.run("other architecture", t_bad_arch)
        t.run("unusable emulator", t_bad_emulator)
        t.run("bad caps files", t_bad_caps)
        t.run("live probe of Debian's QEMU, then the cache", t_live_debian)
        t.run("live probe of $VIRT_SPM_TEST_QEMU", t_live_spm_qemu)
    finally:
        shutil.rmtree(CACHE_DIR, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
