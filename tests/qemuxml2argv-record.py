#!/usr/bin/python3
# qemuxml2argv-record.py: record libvirt's own QEMU argv (the "baseline") for
# every case in tests/qemuxml2argvdata and every capability set, from a real
# libvirtd, so that the golden suite runs without a daemon
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   /usr/bin/python3 tests/qemuxml2argv-record.py [--caps SET]... [CASE...]
#
# Without a regenerate switch it compares what libvirt emits now with the
# recorded files, prints a diff for each drift and exits 1 if anything
# differs (2 if libvirtd could not be used).  With SPM_TEST_REGENERATE_OUTPUT=1
# or VIR_TEST_REGENERATE_OUTPUT=1 (or --regenerate) it rewrites the files and
# deletes those of cases or outcomes that no longer exist.
#
# For each case NAME.xml and capability set CAPS it writes
#   NAME.x86_64-CAPS.libvirt.args   libvirt's argv in libvirt's .args format
#   NAME.x86_64-CAPS.libvirt.err    or libvirt's error message, one line
# (libvirt rejects some of the rejection cases itself, e.g. duplicate cell
# ids; the .err records what it says).
#
# How: libvirtd (tests/libvirtd_harness.py starts one, or reuses a running one)
# gets the case's XML with every memmap attribute removed (stock libvirt
# ignores it anyway; removing it states that the baseline treats every cell as
# normal memory) and <emulator> set to the capability set's real QEMU binary,
# through virConnectDomainXMLToNative("qemu-argv", xml, 0): the exact argv
# libvirt would start QEMU with, apart from descriptors that only exist at
# start time (the monitor is a socket path instead of fd=N).  A case without
# <uuid> gets a fixed one, so that -uuid is stable.
#
# Capability sets (QEMU binaries):
#   11.1.3              $VIRT_SPM_TEST_QEMU, else /var/tmp/spm-ref/qemu11
#                       (Debian's QEMU 11.1.3, the sp-mem device)
#   10.2.2-memmap-type  $VIRT_SPM_TEST_QEMU_MEMMAP, else
#                       /var/tmp/virt-spm-memmap/qemu-memmap (QEMU 10.2.2 with
#                       the memmap-type v5 series, from
#                       ../shared/tools/setup-memmap-qemu.sh)
#   7.2.22              /usr/bin/qemu-system-x86_64 (Debian 12's QEMU 7.2)
# The binary's "--version" must report the set's version, else the set fails.
#
# Cases never sent to libvirt (NOT_SENT below, no baseline file): libvirt 9.0
# corrupts its own heap when it rejects NUMA distances (the error path of
# virDomainNumaDefNodeDistanceParseXML writes ndistances = 0 one element past
# the cell array).  The daemon then garbles later error messages ("XML error:
# 'value 10' is invalid" instead of the whole sentence, in about 1 of 20
# calls) and crashes within a few hundred calls, taking down every test that
# shares it.  virt-spm rejects these cases itself before libvirt sees them.
#
# Normalisations (applied to the argv and to error messages, so that files
# recorded on one host compare equal on another and between runs):
#   1. PATH=<daemon's PATH> becomes PATH=/bin (libvirt's own test suite value);
#      libvirt copies the daemon's PATH into QEMU's environment.
#   2. Environment entries libvirt copies from the daemon's environment only
#      when the daemon has them (USER, LOGNAME, TMPDIR, LD_PRELOAD,
#      LD_LIBRARY_PATH) are dropped: a harness-started daemon has none of
#      them, a reused one may.
#   3. The emulator path (the set's real binary, which differs between hosts,
#      e.g. $VIRT_SPM_TEST_QEMU) becomes /usr/bin/qemu-system-x86_64, the path
#      in the case XML and in libvirt's test data.
#   4. Domain ids in per-domain paths: "domain-<id>-" becomes "domain--1-"
#      and "/-<id>-" (hugepage and memory-backing paths) becomes "/-1-".
#      XMLToNative always uses id -1; this only guards against a change.
#   5. The host's hugetlbfs mount point for a page size (from /proc/mounts,
#      here /dev/hugepages for 2 MiB) becomes /dev/hugepages2M (1 GiB:
#      /dev/hugepages1G), the mounts of libvirt's test suite fake host.
# Nothing else is changed: firmware paths (/usr/share/OVMF/...), the memory
# backing dir (/var/lib/libvirt/qemu/ram) and machine type names are what this
# host's libvirt 9.0 and QEMU say.
#
# .args format (libvirt's test data): the environment entries, the binary,
# then the arguments, one per line, an option and its value on one line
# ("-name guest=..."); a new line starts before every word that begins with
# '-'.  Every line but the last ends in " \"; the file ends with a newline.
# Each word keeps libvirt's own shell quoting ('...' around JSON).
# .err format: libvirt's message ("XML error: ...") and a newline.

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirtd_harness  # noqa: E402

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "qemuxml2argvdata")
ARCH = "x86_64"
NORMAL_EMULATOR = "/usr/bin/qemu-system-x86_64"
FIXED_UUID = "4d9c2f1e-8b3a-4c6d-9e7f-1a2b3c4d5e6f"
DROPPED_ENV = ("USER", "LOGNAME", "TMPDIR", "LD_PRELOAD", "LD_LIBRARY_PATH")
NOT_SENT = {
    "fail-distances-bad": "libvirt 9.0 corrupts its heap when it rejects NUMA distances",
}


class CapsSet:
    def __init__(self, name, version, binary, why_missing):
        self.name = name
        self.version = version
        self.binary = binary
        self.why_missing = why_missing

    def suffix(self, kind):
        return ".%s-%s.libvirt.%s" % (ARCH, self.name, kind)


def caps_sets():
    """Every capability set, with its binary or the reason it has none."""
    spm = os.environ.get("VIRT_SPM_TEST_QEMU") or "/var/tmp/spm-ref/qemu11"
    memmap = os.environ.get("VIRT_SPM_TEST_QEMU_MEMMAP") or "/var/tmp/virt-spm-memmap/qemu-memmap"
    sets = [
        CapsSet("11.1.3", "11.1.3", spm if os.access(spm, os.X_OK) else None,
                "no QEMU 11.1.3 (set VIRT_SPM_TEST_QEMU)"),
        CapsSet("10.2.2-memmap-type", "10.2.2",
                memmap if os.access(memmap, os.X_OK) else None,
                "no QEMU 10.2.2 with -numa memmap-type (set VIRT_SPM_TEST_QEMU_MEMMAP)"),
        CapsSet("7.2.22", "7.2.22",
                NORMAL_EMULATOR if os.access(NORMAL_EMULATOR, os.X_OK) else None,
                "%s is not installed" % NORMAL_EMULATOR),
    ]
    return sets


def case_names():
    return sorted(f[:-4] for f in os.listdir(DATA_DIR)
                  if f.endswith(".xml") and "." not in f[:-4])


def regenerate_requested():
    return any(os.environ.get(v) == "1"
               for v in ("SPM_TEST_REGENERATE_OUTPUT", "VIR_TEST_REGENERATE_OUTPUT"))


def check_version(caps):
    """The binary must be the QEMU the set is named after."""
    try:
        p = subprocess.run([caps.binary, "--version"], capture_output=True, text=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RuntimeError("cannot run '%s --version': %s" % (caps.binary, e))
    m = re.search(r"QEMU emulator version (\d+\.\d+\.\d+)", p.stdout)
    if not m or m.group(1) != caps.version:
        raise RuntimeError("'%s' is QEMU %s, but capability set %s needs %s" %
                           (caps.binary, m.group(1) if m else "(unknown)", caps.name,
                            caps.version))


# ---------------------------------------------------------------- input XML

def baseline_xml(path, emulator):
    """The case's XML as libvirt gets it: memmap removed, emulator set."""
    tree = ET.parse(path)     # comments are dropped: libvirt needs none
    root = tree.getroot()
    for cell in root.findall("./cpu/numa/cell"):
        cell.attrib.pop("memmap", None)
    if root.find("uuid") is None:
        u = ET.Element("uuid")
        u.text = FIXED_UUID
        root.insert(1, u)
    devices = root.find("devices")
    if devices is None:
        devices = ET.SubElement(root, "devices")
    emu = devices.find("emulator")
    if emu is None:
        emu = ET.Element("emulator")
        devices.insert(0, emu)
    emu.text = emulator
    return ET.tostring(root, encoding="unicode")


# ------------------------------------------------------------ argv handling

def split_words(line):
    """Split libvirt's one-line command into words, keeping each word's own
    quoting (libvirt quotes with '...' and writes a quote as '\\'')."""
    words, cur, i, quoted = [], [], 0, False
    while i < len(line):
        c = line[i]
        if quoted:
            cur.append(c)
            if c == "'":
                quoted = False
        elif c == "'":
            cur.append(c)
            quoted = True
        elif c == "\\" and i + 1 < len(line):
            cur.append(line[i:i + 2])
            i += 1
        elif c == " ":
            if cur:
                words.append("".join(cur))
                cur = []
        else:
            cur.append(c)
        i += 1
    if quoted:
        raise ValueError("unbalanced quote in libvirt's output")
    if cur:
        words.append("".join(cur))
    # the raw words must mean what a shell makes of the whole line
    if [shlex.split(w)[0] if w else w for w in words] != shlex.split(line):
        raise ValueError("cannot split libvirt's output into words: %r" % line[:200])
    return words


def hugetlbfs_mounts():
    """{host mount point: test-suite mount point} for the host's hugetlbfs."""
    out = {}
    try:
        with open("/proc/mounts") as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for ln in lines:
        fields = ln.split()
        if len(fields) < 4 or fields[2] != "hugetlbfs":
            continue
        size = "2M"
        for opt in fields[3].split(","):
            if opt.startswith("pagesize="):
                size = opt.split("=", 1)[1]
        out[fields[1].replace("\\040", " ")] = "/dev/hugepages" + size
    return out


def normalise_text(text, caps):
    """Normalisations 3 to 5 on any text (argv word or error message)."""
    if caps.binary:
        text = text.replace(caps.binary, NORMAL_EMULATOR)
    text = re.sub(r"domain-\d+-", "domain--1-", text)
    text = re.sub(r"/-\d+-", "/-1-", text)
    # longest mount point first, and only as a whole path component
    for host, fake in sorted(hugetlbfs_mounts().items(), key=lambda kv: -len(kv[0])):
        if host != fake:
            text = re.sub(re.escape(host) + r"(?=/|'|\"|$)", fake, text)
    return text


def to_args_file(native, caps):
    """libvirt's one-line XMLToNative output -> normalised .args text."""
    words = split_words(native.strip())
    env, i = [], 0
    while i < len(words) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[i]):
        env.append(words[i])
        i += 1
    argv = words[i:]
    if not argv:
        raise ValueError("no emulator in libvirt's output")
    out_env = []
    for e in env:
        key = e.split("=", 1)[0]
        if key in DROPPED_ENV:
            continue                        # normalisation 2
        if key == "PATH":
            e = "PATH=/bin"                 # normalisation 1
        out_env.append(normalise_text(e, caps))
    lines = list(out_env)
    lines.append(normalise_text(argv[0], caps))
    plain = [shlex.split(w)[0] if w else w for w in argv]
    for i in range(1, len(argv)):
        w = normalise_text(argv[i], caps)
        # as libvirt's virCommandToString with line breaks: a new line for an
        # option, and for a word after a word that is not an option
        if plain[i].startswith("-") or not plain[i - 1].startswith("-"):
            lines.append(w)
        else:
            lines[-1] += " " + w
    return " \\\n".join(lines) + "\n"


def _native(conn, xml):
    import libvirt
    try:
        return "args", conn.domainXMLToNative("qemu-argv", xml, 0)
    except libvirt.libvirtError as e:
        if e.get_error_domain() in (libvirt.VIR_FROM_RPC, libvirt.VIR_FROM_REMOTE):
            raise               # the daemon went away: not a recording
        return "err", (e.get_error_message() or "").strip()


def record_case(conn, name, caps):
    """(kind, text): ("args", ...) or ("err", ...) for one case and set."""
    xml = baseline_xml(os.path.join(DATA_DIR, name + ".xml"), caps.binary)
    kind, out = _native(conn, xml)
    if kind == "args":
        return "args", to_args_file(out, caps)
    return "err", normalise_text(out, caps) + "\n"


# -------------------------------------------------------------- compare/write

def expected_path(name, caps, kind):
    return os.path.join(DATA_DIR, name + caps.suffix(kind))


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None


def check_case(conn, name, caps, regenerate):
    """Record one case and compare (or rewrite).  Returns a drift message or
    None."""
    kind, text = record_case(conn, name, caps)
    other = "err" if kind == "args" else "args"
    path, other_path = expected_path(name, caps, kind), expected_path(name, caps, other)
    old, old_other = read(path), read(other_path)
    if regenerate:
        if old != text:
            with open(path, "w") as f:
                f.write(text)
        if old_other is not None:
            os.unlink(other_path)
        return None
    if old == text and old_other is None:
        return None
    msg = ["%s (%s): libvirt's output drifted from the recorded file" % (name, caps.name)]
    if old_other is not None:
        msg.append("recorded %s, libvirt now gives %s" % (os.path.basename(other_path),
                                                           os.path.basename(path)))
        old = old_other
    msg.extend(difflib.unified_diff((old or "").splitlines(), text.splitlines(),
                                    "recorded", "libvirt now", lineterm=""))
    return "\n".join(msg)


def stale_files(cases, sets):
    """Recorded files of cases or sets that do not exist."""
    names = set(cases)
    setnames = {c.name for c in sets}
    stale = []
    pat = re.compile(r"^(.*)\.%s-(.*)\.libvirt\.(args|err)$" % ARCH)
    for f in sorted(os.listdir(DATA_DIR)):
        if ".libvirt." not in f:
            continue
        m = pat.match(f)
        if not m or m.group(1) not in names or m.group(1) in NOT_SENT or \
                m.group(2) not in setnames:
            stale.append(f)
    return stale


def main(argv):
    ap = argparse.ArgumentParser(description="Record libvirt's baseline argv for the golden "
                                 "suite (compare by default).")
    ap.add_argument("--caps", action="append", help="only this capability set (repeatable)")
    ap.add_argument("--regenerate", action="store_true",
                    help="rewrite the files (same as SPM_TEST_REGENERATE_OUTPUT=1)")
    ap.add_argument("cases", nargs="*", help="only these cases (default: all)")
    args = ap.parse_args(argv)
    regenerate = args.regenerate or regenerate_requested()

    all_cases = case_names()
    cases = args.cases or all_cases
    unknown = [c for c in cases if c not in all_cases]
    if unknown:
        print("unknown case(s): %s" % ", ".join(unknown), file=sys.stderr)
        return 3
    sets = caps_sets()
    if args.caps:
        bad = [c for c in args.caps if c not in {s.name for s in sets}]
        if bad:
            print("unknown capability set(s): %s" % ", ".join(bad), file=sys.stderr)
            return 3
        sets = [s for s in sets if s.name in args.caps]

    usable = []
    for caps in sets:
        if caps.binary is None:
            print("%s: skipped: %s" % (caps.name, caps.why_missing))
            continue
        try:
            check_version(caps)
        except RuntimeError as e:
            print("error: %s" % e, file=sys.stderr)
            return 2
        usable.append(caps)

    try:
        h = libvirtd_harness.LibvirtdHarness()
        h.start()
    except (libvirtd_harness.HarnessError, libvirtd_harness.HarnessSkip) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    import libvirt
    drift = []
    sent = [c for c in cases if c not in NOT_SENT]
    for name in cases:
        if name in NOT_SENT:
            print("%s: not sent to libvirt: %s" % (name, NOT_SENT[name]))
    try:
        for caps in usable:
            for name in sent:
                try:
                    d = check_case(h.conn, name, caps, regenerate)
                except libvirt.libvirtError as e:
                    print("error: libvirtd failed during %s (%s): %s\n%s" %
                          (name, caps.name, e, h.daemon_log_tail()), file=sys.stderr)
                    return 2
                if d:
                    drift.append(d)
            print("%s: %d case(s) %s with %s" % (caps.name, len(sent),
                                                 "recorded" if regenerate else "compared",
                                                 caps.binary))
    finally:
        try:
            h.stop()
        except libvirtd_harness.HarnessError as e:
            print("error: %s" % e, file=sys.stderr)

    if not args.cases and not args.caps:
        stale = stale_files(all_cases, caps_sets())
        for f in stale:
            if regenerate:
                os.unlink(os.path.join(DATA_DIR, f))
                print("removed stale %s" % f)
            else:
                drift.append("stale recorded file (no such case or set): %s" % f)
    for d in drift:
        print(d)
    if drift:
        print("%d difference(s); rerun with SPM_TEST_REGENERATE_OUTPUT=1 to rewrite, "
              "then read every change" % len(drift))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
