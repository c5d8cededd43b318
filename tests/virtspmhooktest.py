#!/usr/bin/python3
# virtspmhooktest.py: the libvirt qemu hook refuses to restore or receive SPM
# guests, lets everything else through, and fails closed on unreadable XML
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

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


def t_allow_start_of_spm_guest():
    for op in ("prepare", "start", "started", "stopped", "release", "reconnect"):
        allowed(op, "begin" if op in ("prepare", "start", "started", "reconnect") else "end",
                SPM_XML)


def t_allow_plain_guest_migration():
    allowed("migrate", "begin", PLAIN_XML)
    allowed("restore", "begin", PLAIN_XML)


def t_fail_closed_on_garbage():
    p = hook(["g", "restore", "begin", "-"], "not xml at all")
    assert p.returncode == 1 and "cannot be read" in p.stderr, p


def t_damaged_metadata():
    bad = SPM_XML.replace('id="2"', 'id="two"')
    p = hook(["g", "migrate", "begin", "-"], bad)
    assert p.returncode == 1 and "damaged" in p.stderr, p


def t_usage():
    p = hook([], "")
    assert p.returncode == 3 and "usage" in p.stderr, p


if __name__ == "__main__":
    sys.exit(tap.run_all(globals()))
