#!/usr/bin/python3
# virtspmhooktest.py: the libvirt qemu hook refuses to restore or receive SPM
# guests, and to start them without the shim's launch data (by virt-spm's
# metadata or its register of typed domains); it lets everything else
# through, and fails closed on unreadable XML
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

HOOK = tap.build_path("tools", "virt-spm-hook")
NS = "http://virt-spm.org/schemas/domain/spm/1.0"

SPM_XML = """<domain type='qemu'>
  <name>g</name>
  <metadata>
    <spm:spm xmlns:spm="%s">
      <spm:emulator>/usr/bin/qemu-system-x86_64</spm:emulator>
      <spm:cell id="2" memmap="spm"/>
    </spm:spm>
  </metadata>
</domain>
""" % NS

PLAIN_XML = "<domain type='qemu'><name>g</name></domain>\n"

UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809"
QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
LAUNCH = """  <qemu:commandline xmlns:qemu="%s">
    <qemu:arg value="-msg"/>
    <qemu:arg value="timestamp=on"/>
    <qemu:arg value="-virt-spm-launch"/>
    <qemu:arg value="v=1,form=sp-mem,maxmem=3221225472,slots=0,node.1.memmap=spm"/>
  </qemu:commandline>
""" % QEMU_NS

# what a start of a domain looks like: uuid, emulator, maybe launch data
START_XML = """<domain type='qemu'>
  <name>g</name>
  <uuid>%(uuid)s</uuid>
%(metadata)s  <devices>
    <emulator>%(emulator)s</emulator>
  </devices>
%(launch)s</domain>
"""
METADATA = SPM_XML[SPM_XML.index("  <metadata>"):SPM_XML.index("</domain>")]


def hook(args, stdin):
    return tap.run([HOOK] + args, stdin=stdin, timeout=30)


def refused(op):
    p = hook(["g", op, "begin", "-"], SPM_XML)
    assert p.returncode == 1, p
    assert "refusing" in p.stderr and "cell 2" in p.stderr, p.stderr
    assert p.stdout == "", "the hook must not replace the XML: %r" % p.stdout


def allowed(op, sub, xml):
    p = hook(["g", op, sub, "-"], xml)
    assert p.returncode == 0, p
    assert p.stdout == "" and p.stderr == "", p


def t_refuse_restore():
    refused("restore")


def t_refuse_incoming_migration():
    refused("migrate")


def start_xml(metadata=True, launch=True, emulator="/usr/bin/qemu-system-x86_64", uuid=UUID):
    return START_XML % {"uuid": uuid, "metadata": METADATA if metadata else "",
                        "launch": LAUNCH if launch else "", "emulator": emulator}


def t_allow_start_of_spm_guest():
    for op in ("prepare", "start", "started", "stopped", "release", "reconnect"):
        allowed(op, "begin" if op in ("prepare", "start", "started", "reconnect") else "end",
                start_xml())


def start_refused(xml, message, env=None):
    p = tap.run([HOOK, "g", "prepare", "begin", "-"], stdin=xml, env=env, timeout=30)
    assert p.returncode == 1, p
    assert "refusing to start domain 'g'" in p.stderr and message in p.stderr, p.stderr
    assert p.stdout == "", p.stdout


def t_refuse_start_without_launch_data():
    # the metadata says typed; the launch data is gone, whatever <emulator> is
    start_refused(start_xml(launch=False), "lost '-virt-spm-launch'")
    # only the launch option matters, other qemu:arg stay
    start_refused(start_xml(launch=False).replace(
        "</domain>", LAUNCH.replace("-virt-spm-launch", "-msg") + "</domain>"),
        "lost '-virt-spm-launch'")
    # later hook calls of a start do not re-check
    allowed("start", "begin", start_xml(launch=False))


def t_register_of_typed_domains():
    base = tempfile.mkdtemp(prefix="virtspmhook-")
    try:
        env = dict(os.environ, VIRT_SPM_EMULATOR_DIR=base)
        plain = start_xml(metadata=False, launch=False)
        # not listed: starts
        p = tap.run([HOOK, "g", "prepare", "begin", "-"], stdin=plain, env=env, timeout=30)
        assert p.returncode == 0 and p.stderr == "", p
        # listed by virt-spm define, metadata and launch data stripped: refused
        os.makedirs(os.path.join(base, "typed-domains"))
        with open(os.path.join(base, "typed-domains", UUID), "w") as f:
            f.write("g\n")
        start_refused(plain, "lost virt-spm's metadata", env)
        start_refused(plain.replace(UUID, UUID.upper()), "lost virt-spm's metadata", env)
        # with its launch data back it starts
        p = tap.run([HOOK, "g", "prepare", "begin", "-"], stdin=start_xml(metadata=False),
                    env=env, timeout=30)
        assert p.returncode == 0, p
        # the register next to the emulator link the domain runs wins
        link_base = os.path.join(base, "links")
        hashdir = os.path.join(link_base, "0" * 64)
        os.makedirs(hashdir)
        os.symlink("/usr/bin/qemu-system-x86_64", os.path.join(hashdir, "target"))
        os.symlink("/bin/true", os.path.join(hashdir, "qemu-system-x86_64"))
        linked = start_xml(metadata=False, launch=False,
                           emulator=os.path.join(hashdir, "qemu-system-x86_64"))
        p = tap.run([HOOK, "g", "prepare", "begin", "-"], stdin=linked, env=env, timeout=30)
        assert p.returncode == 0, p
        shutil.move(os.path.join(base, "typed-domains"), link_base)
        start_refused(linked, "lost virt-spm's metadata", env)
        # a register that cannot be read: refused
        shutil.rmtree(os.path.join(link_base, "typed-domains"))
        with open(os.path.join(link_base, "typed-domains"), "w") as f:
            f.write("")
        start_refused(linked, "cannot tell whether", env)
    finally:
        shutil.rmtree(base)


def t_allow_plain_guest_migration():
    allowed("migrate", "begin", PLAIN_XML)
    allowed("restore", "begin", PLAIN_XML)


def t_fail_closed_on_garbage():
    p = hook(["g", "restore", "begin", "-"], "not xml at all")
    assert p.returncode == 1 and "cannot be read" in p.stderr, p
    p = hook(["g", "prepare", "begin", "-"], "<domain")
    assert p.returncode == 1 and "cannot be read" in p.stderr, p


def t_damaged_metadata():
    bad = SPM_XML.replace('id="2"', 'id="two"')
    p = hook(["g", "migrate", "begin", "-"], bad)
    assert p.returncode == 1 and "damaged" in p.stderr, p


def t_screen_without_full_hook():
    """The hook libvirt runs answers plain domains alone, and refuses what it
    must pass on when the full hook beside it is missing (fail closed)."""
    d = tempfile.mkdtemp(prefix="virtspmhooktest-")
    try:
        alone = os.path.join(d, "virt-spm-hook")
        shutil.copy(HOOK, alone)
        env = dict(os.environ, VIRT_SPM_EMULATOR_DIR=d)
        xml = START_XML % {"uuid": UUID, "metadata": "", "emulator": "/usr/bin/qemu-system-x86_64",
                           "launch": ""}
        p = tap.run([alone, "g", "prepare", "begin", "-"], stdin=xml, env=env, timeout=30)
        assert p.returncode == 0 and p.stderr == "", p
        p = tap.run([alone, "g", "restore", "begin", "-"], stdin=SPM_XML, env=env, timeout=30)
        assert p.returncode == 1, p
        assert "virt-spm-hook-full" in p.stderr and "refusing" in p.stderr, p.stderr
    finally:
        shutil.rmtree(d)


def t_usage():
    p = hook([], "")
    assert p.returncode == 3 and "usage" in p.stderr, p


if __name__ == "__main__":
    sys.exit(tap.run_all(globals()))
