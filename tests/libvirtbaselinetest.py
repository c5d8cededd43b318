#!/usr/bin/python3
# libvirtbaselinetest.py: re-record libvirt's baseline argv of every golden
# case through a real libvirtd and fail where libvirt's output drifted from
# the recorded tests/qemuxml2argvdata/NAME.x86_64-CAPS.libvirt.{args,err}
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Capability sets: 7.2.22 (/usr/bin/qemu-system-x86_64) always; 11.1.3 only
# with VIRT_SPM_TEST_QEMU (else its cases skip); 10.2.2-memmap-type only with
# VIRT_SPM_TEST_QEMU_MEMMAP (QEMU 10.2.2 with the memmap-type series).  libvirtd comes
# from tests/libvirtd_harness.py: if it cannot start, this test fails, unless
# VIRT_SPM_SKIP_LIBVIRTD=1.  SPM_TEST_REGENERATE_OUTPUT=1 rewrites the files
# instead (see tests/qemuxml2argv-record.py, which does the recording).

import importlib.util
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
import libvirtd_harness  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "qemuxml2argv_record",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "qemuxml2argv-record.py"))
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)


def caps_for_test():
    """The sets this run checks: (set, reason to skip or None)."""
    out = []
    for caps in record.caps_sets():
        if caps.name == "11.1.3" and not os.environ.get("VIRT_SPM_TEST_QEMU"):
            out.append((caps, "VIRT_SPM_TEST_QEMU is not set"))
        elif caps.name == "10.2.2-memmap-type" and not os.environ.get("VIRT_SPM_TEST_QEMU_MEMMAP"):
            out.append((caps, "VIRT_SPM_TEST_QEMU_MEMMAP is not set"))
        elif caps.binary is None and caps.name == "7.2.22":
            out.append((caps, None))    # required: the case fails below
        elif caps.binary is None:
            out.append((caps, caps.why_missing))
        else:
            out.append((caps, None))
    return out


def main():
    t = tap.TAP()
    regenerate = record.regenerate_requested()
    cases = record.case_names()
    if not cases:
        print("Bail out! no cases in %s" % record.DATA_DIR)
        return 1

    def body(h):
        for caps, skip in caps_for_test():
            if skip:
                def skipped(skip=skip):
                    raise tap.Skip(skip)
                t.run("%s: all %d cases" % (caps.name, len(cases)), skipped)
                continue

            def version(caps=caps):
                if caps.binary is None:
                    raise AssertionError("capability set %s: %s" % (caps.name, caps.why_missing))
                record.check_version(caps)
            t.run("%s: binary is QEMU %s" % (caps.name, caps.version), version)
            usable = caps.binary is not None
            for name in cases:
                def one(name=name, caps=caps, usable=usable):
                    if name in record.NOT_SENT:
                        raise tap.Skip("not sent to libvirt: %s" % record.NOT_SENT[name])
                    if not usable:
                        raise AssertionError("no usable binary")
                    drift = record.check_case(h.conn, name, caps, regenerate)
                    if drift:
                        raise AssertionError(drift)
                t.run("%s %s" % (caps.name, name), one)

        def stale():
            files = record.stale_files(cases, record.caps_sets())
            if files and regenerate:
                for f in files:
                    os.unlink(os.path.join(record.DATA_DIR, f))
            elif files:
                raise AssertionError("recorded files of no case or set (remove them): " +
                                     ", ".join(files))
        t.run("no stale recorded files", stale)

    return libvirtd_harness.run_tap(t, body)

if __name__ == "__main__":
    sys.exit(main())
