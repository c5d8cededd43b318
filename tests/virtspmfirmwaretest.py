#!/usr/bin/python3
# virtspmfirmwaretest.py: the firmware verdict (src/qemu/qemu_firmware.c) as
# validate, layout and the qemu hook give it (define and domxml-to-native
# load the domain through the same spmCliLoadDomain; they need libvirt): silent for a
# verified-good image, a refusal for a verified-bad one, exactly one warning
# (saying how to record the image) for an unknown one; libvirt's selection
# for <os firmware='efi'> (descriptor precedence, machine type, requested
# features); the configuration file of verified images.
#
# The stand-in images and descriptors of qemufirmwaredata/ decide the
# verdicts here, never the host's.  The host's Debian 12 OVMF and the
# reference OVMF 2026.08 ($VIRT_SPM_TEST_OVMF_DIR) are checked against the
# built-in table when present, and skipped otherwise.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

VIRT_SPM = tap.build_path("tools", "virt-spm")
HOOK = tap.build_path("tools", "virt-spm-hook")
EXAMPLE = tap.src_path("examples", "minimal-spm.xml")
CAPS_11 = tap.src_path("tests", "qemucapabilitiesdata", "caps_11.1.3_x86_64.xml")
DATA = tap.src_path("tests", "qemufirmwaredata")
DESCRIPTORS = tap.build_path("tests", "qemufirmwaredata")
CONF = os.path.join(DATA, "firmware.conf")
EXIT_OK, EXIT_INVALID = 0, 1

DEBIAN12_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
DEBIAN12_CODE_2M = "/usr/share/OVMF/OVMF_CODE.fd"
DEBIAN12_SHA256 = "b157d97b1f69729514feb7f201d2cbe4957f23ab77920e361fe9f822ba49ca4c"
OVMF_2608_SHA256 = "7e34e3b83224968bb0714c0ebc88f75c5c37b4cc892c902e511ccc7a7c107f94"


def env(dirs=("good",), conf=CONF):
    e = dict(os.environ, LC_ALL="C")
    e["VIRT_SPM_FIRMWARE_DIRS"] = ":".join(
        d if os.path.isabs(d) else os.path.join(DESCRIPTORS, d) for d in dirs)
    e["VIRT_SPM_FIRMWARE_CONF"] = conf
    return e


def image(name):
    return os.path.join(DATA, "images", name)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def example_text(machine="q35", os_inner=None, os_attr=" firmware='efi'"):
    with open(EXAMPLE) as f:
        text = f.read()
    start = text.index("<os")
    end = text.index("</os>") + len("</os>")
    inner = "\n    <type arch='x86_64' machine='%s'>hvm</type>\n" % machine
    if os_inner:
        inner += "    %s\n" % os_inner
    return text[:start] + "<os%s>%s  </os>" % (os_attr, inner) + text[end:]


def loader_text(path):
    return example_text(os_attr="",
                        os_inner="<loader readonly='yes' type='pflash'>%s</loader>" % path)


def write(text):
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(text)
        return f.name


def verb(args, text, code, e, err_contains=()):
    path = write(text)
    try:
        return tap.expect([VIRT_SPM] + args + ["--caps", CAPS_11, path], code, err_contains,
                          env=e)
    finally:
        os.unlink(path)


def validate(text, code, e, err_contains=()):
    return verb(["validate"], text, code, e, err_contains)


def warnings(p):
    return [line for line in p.stderr.splitlines() if line.startswith("warning:")]


def t_good_is_silent():
    for args in (["validate"], ["layout"]):
        p = verb(args, example_text(), EXIT_OK, env())
        assert p.stderr == "", (args, p.stderr)


def t_bad_refused_by_every_verb():
    for args in (["validate"], ["layout"]):
        p = verb(args, example_text(), EXIT_INVALID, env(["bad"]),
                 ["error: unsupported configuration: firmware '%s'" % image("bad.fd"),
                  "which libvirt selects for <os firmware='efi'> by '%s'" %
                  os.path.join(DESCRIPTORS, "bad", "60-edk2-x86_64.json"),
                  "drops soft-reserved memory", "<loader type='pflash'>"])
        assert p.stdout == "", p.stdout


def t_unknown_warns_once():
    p = validate(example_text(), EXIT_OK, env(["unknown"]))
    w = warnings(p)
    assert len(w) == 1, p.stderr
    assert "has not verified that firmware '%s'" % image("unknown.fd") in w[0], w[0]
    assert "'%s' as a group [sha256:%s] with verdict=good" % (CONF, sha256(image("unknown.fd"))) \
        in w[0], w[0]


def t_config_records_unknown_image():
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write("[sha256:%s]\nverdict=good\n" % sha256(image("unknown.fd")))
        conf = f.name
    try:
        p = validate(example_text(), EXIT_OK, env(["unknown"], conf))
        assert p.stderr == "", p.stderr
        # the administrator's word wins over virt-spm's, both ways
        with open(conf, "w") as f:
            f.write("[sha256:%s]\nverdict=bad\n" % sha256(image("good.fd")))
        validate(example_text(), EXIT_INVALID, env(["good"], conf),
                 ["drops soft-reserved memory, as '%s' records" % conf])
    finally:
        os.unlink(conf)


def t_broken_config():
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write("[sha256:%s]\nverdict=maybe\n" % sha256(image("good.fd")))
        conf = f.name
    try:
        validate(example_text(), EXIT_INVALID, env(["good"], conf),
                 ["group [sha256:%s] needs 'verdict=good' or 'verdict=bad', not 'maybe'" %
                  sha256(image("good.fd"))])
    finally:
        os.unlink(conf)


def t_missing_config_is_no_config():
    validate(example_text(), EXIT_OK, env(["good"], "/nonexistent/firmware.conf"),
             ["has not verified"])


def t_loader_path():
    assert validate(loader_text(image("good.fd")), EXIT_OK, env(["bad"])).stderr == ""
    validate(loader_text(image("bad.fd")), EXIT_INVALID, env(["good"]),
             ["firmware '%s' drops soft-reserved memory" % image("bad.fd")])
    p = validate(loader_text("/nonexistent/OVMF_CODE.fd"), EXIT_OK, env())
    assert len(warnings(p)) == 1 and "cannot read firmware" in p.stderr, p.stderr


def t_selection_like_libvirt():
    # bad/60-... hides good/60-... (an earlier directory wins a name); the
    # Secure Boot descriptors 40 and 50 (good) are for q35 only
    assert validate(example_text("q35"), EXIT_OK, env(["bad", "good"])).stderr == ""
    validate(example_text("pc"), EXIT_INVALID, env(["bad", "good"]),
             ["60-edk2-x86_64.json"])
    # refusing Secure Boot leaves only 60
    no_sb = example_text(os_inner="<firmware><feature enabled='no' name='secure-boot'/>"
                                  "</firmware>")
    validate(no_sb, EXIT_INVALID, env(["bad", "good"]), ["'%s'" % image("bad.fd")])
    # an empty file hides a descriptor of the same name
    with tempfile.TemporaryDirectory() as d:
        for name in ("40-edk2-x86_64-secure-enrolled.json", "50-edk2-x86_64-secure.json"):
            open(os.path.join(d, name), "w").close()
        validate(example_text("q35"), EXIT_INVALID, env([d, "bad", "good"]), ["bad.fd"])
        # no descriptor at all: one warning, libvirt would find nothing
        p = validate(example_text("q35"), EXIT_OK, env([d]))
        assert len(warnings(p)) == 1 and "no firmware descriptor" in p.stderr, p.stderr


def t_seabios_still_refused():
    validate(example_text(os_attr=" firmware='bios'"), EXIT_INVALID, env(),
             ["firmware 'bios' cannot boot typed NUMA cells"])


HOOK_XML = """<domain type='qemu'>
  <name>g</name>
  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
  </devices>
  <qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">
    <qemu:arg value="-virt-spm-launch"/>
    <qemu:arg value="v=1,form=sp-mem,maxmem=3221225472,slots=0,node.1.memmap=spm"/>
  </qemu:commandline>
</domain>
"""


def t_hook_decides_the_same():
    p = tap.run([HOOK, "g", "prepare", "begin", "-"], stdin=HOOK_XML, env=env(["bad"]))
    assert p.returncode == 1, p
    assert "drops soft-reserved memory" in p.stderr and "refusing to start domain 'g'" \
        in p.stderr, p.stderr
    p = tap.run([HOOK, "g", "prepare", "begin", "-"], stdin=HOOK_XML, env=env(["good"]))
    assert p.returncode == 0 and p.stderr == "", p
    # unknown: started (libvirt shows nothing of a hook that succeeds)
    p = tap.run([HOOK, "g", "prepare", "begin", "-"], stdin=HOOK_XML, env=env(["unknown"]))
    assert p.returncode == 0, p


def t_debian12_ovmf_by_hash_and_package():
    if not os.path.exists(DEBIAN12_CODE) or sha256(DEBIAN12_CODE) != DEBIAN12_SHA256:
        raise tap.Skip("Debian 12's OVMF 2022.11-6+deb12u2 is not installed")
    validate(loader_text(DEBIAN12_CODE), EXIT_INVALID, env(),
             ["(Debian package ovmf 2022.11-6+deb12u2, edk2-stable202211) drops",
              "virt-spm booted it"])
    # the 2 MiB image is not in the table: dpkg names its package build
    validate(loader_text(DEBIAN12_CODE_2M), EXIT_INVALID, env(),
             ["'%s' (Debian package ovmf 2022.11-6+deb12u2, edk2-stable202211)" %
              DEBIAN12_CODE_2M, "images of this package build"])
    # libvirt's own choice on this host for q35 (Secure Boot, MS keys)
    validate(example_text("q35"), EXIT_INVALID, env(["/usr/share/qemu/firmware"]),
             ["/usr/share/OVMF/OVMF_CODE_4M.ms.fd"])


def t_reference_ovmf_2608_is_good():
    ovmf = os.environ.get("VIRT_SPM_TEST_OVMF_DIR")
    if not ovmf:
        raise tap.Skip("no reference OVMF (VIRT_SPM_TEST_OVMF_DIR)")
    code = os.path.join(ovmf, "OVMF_CODE_4M.fd")
    assert sha256(code) == OVMF_2608_SHA256, code
    assert validate(loader_text(code), EXIT_OK, env()).stderr == ""


if __name__ == "__main__":
    sys.exit(tap.run_all(globals()))
