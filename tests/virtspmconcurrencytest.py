#!/usr/bin/python3
# virtspmconcurrencytest.py: virt-spm under load and under SIGKILL, against a
# real libvirtd (tests/libvirtd_harness.py):
#
# - the per-domain lock: a held lock makes define/undefine fail "busy" (exit
#   9) after VIRT_SPM_LOCK_TIMEOUT, and changes nothing; concurrent define,
#   edit and undefine of one domain end in one of their states, whole;
# - 16 concurrent defines of different domains (typed ones with
#   $VIRT_SPM_TEST_QEMU, plain ones with Debian's QEMU 7.2) plus 8
#   concurrent cold probes of one QEMU sharing one capability cache: every
#   domain defined with its launch data, the register lists exactly the
#   typed ones, the cache holds one valid entry, no temporary file is left;
# - crash safety: define, edit, undefine and attach-device killed with
#   SIGKILL at a random moment, $VIRT_SPM_CRASH_TRIALS times (default 16;
#   the full run, -Dexpensive_tests=true, is 240), each step of the verb
#   stretched by $VIRT_SPM_TEST_STEP_DELAY_MS (spmCliStep) so that the kills
#   spread over the windows between steps.  After each kill libvirt's definition and
#   the register are each the old or the new one, the register lists every
#   typed domain libvirt holds (a kill never leaves a typed definition
#   unlisted, so a definition that later loses its launch data still fails
#   closed), and where the register entry is not yet the one that goes
#   with libvirt's state, the journal names it (virt_spm_intent.h); a typed
#   definition has its launch data and an emulator link that leads to the
#   shim and the real QEMU; the same command run again leaves the new
#   state, whole, with no journal and no temporary file of the register;
# - a killed define's journal settled by another verb (undefine rolls it
#   back, attach-device rolls it forward), and a killed define's half-made
#   emulator link directory removed by the next define.
#
# Typed domains need $VIRT_SPM_TEST_QEMU (QEMU 11.1.3); without it the typed
# cases skip and the rest run with plain domains only.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import fcntl
import glob
import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
import libvirtd_harness  # noqa: E402

import libvirt  # noqa: E402

VIRT_SPM = tap.virt_spm()
EXAMPLE = tap.src_path("examples", "minimal-spm.xml")
QEMU72 = "/usr/bin/qemu-system-x86_64"
ENV = dict(os.environ)
EXIT_BUSY = 10
LAUNCH_OF = {}  # state kind -> its launch data
WATCHDOG = "<watchdog model='i6300esb' action='none'/>\n"


def spm_qemu():
    return os.environ.get("VIRT_SPM_TEST_QEMU")


def domain_xml(name, uuid, typed, memory_gib=1):
    """The minimal example as @name/@uuid: typed (the reference QEMU, cell 1
    SPM of @memory_gib GiB) or plain (QEMU 7.2, no memmap)."""
    with open(EXAMPLE) as f:
        text = f.read()
    text = re.sub(r"<!--.*?-->\n", "", text, flags=re.S)
    text = re.sub(r"<name>[^<]*</name>", "<name>%s</name>" % name, text)
    text = re.sub(r"<uuid>[^<]*</uuid>", "<uuid>%s</uuid>" % uuid, text)
    if typed:
        # typed cells need UEFI: the reference OVMF as a pflash loader
        ovmf = os.environ.get("VIRT_SPM_TEST_OVMF_DIR", os.path.join(
            os.path.dirname(spm_qemu()), "fw/ovmf-x/usr/share/OVMF"))
        text = text.replace(
            "    <type arch='x86_64' machine='q35'>hvm</type>\n",
            "    <type arch='x86_64' machine='q35'>hvm</type>\n"
            "    <loader readonly='yes' type='pflash'>%s</loader>\n"
            "    <nvram template='%s'/>\n" % (os.path.join(ovmf, "OVMF_CODE_4M.fd"),
                                            os.path.join(ovmf, "OVMF_VARS_4M.fd")))
    text = text.replace("<os firmware='efi'>", "<os>")
    text = text.replace("<memory unit='GiB'>3</memory>",
                        "<memory unit='GiB'>%d</memory>" % (2 + memory_gib))
    text = text.replace("<cell id='1' memory='1' unit='GiB' memmap='spm'/>",
                        "<cell id='1' memory='%d' unit='GiB'%s/>" %
                        (memory_gib, " memmap='spm'" if typed else ""))
    text = text.replace(QEMU72, spm_qemu() if typed else QEMU72)
    return text


def write(text, suffix=".xml"):
    fd, path = tempfile.mkstemp(suffix=suffix, prefix="virtspmconc-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def spm_argv(args):
    return [VIRT_SPM, "-q", "-c", libvirtd_harness.URI] + args


def spm(args, env=None, timeout=300):
    return tap.run(spm_argv(args), env=env or ENV, timeout=timeout)


def emu_dir():
    return ENV["VIRT_SPM_EMULATOR_DIR"]


def register_dir():
    return os.path.join(emu_dir(), "typed-domains")


def listed(uuid):
    return os.path.exists(os.path.join(register_dir(), uuid))


def register():
    d = register_dir()
    return set(os.listdir(d)) if os.path.isdir(d) else set()


def register_leftovers(uuid=None):
    return [f for f in register() if "." in f and (uuid is None or f.startswith(uuid + "."))]


def state(h, uuid):
    """(defined, launch data, typed cells in the metadata, watchdog) of the
    domain as libvirt holds it; None when libvirt does not have it."""
    try:
        dom = h.conn.lookupByUUIDString(uuid)
    except libvirt.libvirtError:
        return None
    xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    m = re.search(r"<qemu:arg value='-virt-spm-launch'/>\s*<qemu:arg value='([^']*)'/>", xml)
    cells = tuple(re.findall(r'<spm:cell id="(\d+)" memmap="(\w+)"/>', xml))
    emulator = re.search(r"<emulator>([^<]*)</emulator>", xml).group(1)
    return {"launch": m.group(1) if m else None, "cells": cells, "emulator": emulator,
            "watchdog": "i6300esb" in xml}


def sig(st):
    return None if st is None else (st["launch"], st["cells"], st["watchdog"])


def journal(uuid):
    """The journal an interrupted verb left for @uuid, as a dict; None when
    there is none."""
    path = os.path.join(register_dir(), uuid + ".journal")
    if not os.path.exists(path):
        return None
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


def check_consistent(h, uuid, old, new, old_listed, new_listed):
    """After a kill: libvirt's definition is the old or the new one, and the
    register entry that goes with it is the one the domain has, or the one
    the journal names for it (the next verb settles it so); a typed
    definition is listed and whole (fail closed until then)."""
    st = state(h, uuid)
    assert sig(st) in (sig(old), sig(new)), "libvirt holds neither state: %r\nold %r\nnew %r" % (
        st, old, new)
    now = listed(uuid)
    j = journal(uuid)
    is_new = sig(st) == sig(new)
    want = new_listed if is_new else old_listed
    if j is None:
        assert now == want, "register %r with %s state %r and no journal" % (
            now, "the new" if is_new else "the old", st)
    else:
        # the journal names both states' register entries
        assert j["old-listed"] == str(old_listed).lower(), (j, old_listed)
        assert j["new-listed"] == str(new_listed).lower(), (j, new_listed)
        # and it knows the new definition by its launch data
        assert j.get("new-launch") == (new or {}).get("launch"), (j, new)
        assert j["new-defined"] == str(new is not None).lower(), (j, new)
        assert j["old-defined"] == str(old is not None).lower(), (j, old)
    if st is None:
        return st
    typed = bool(st["cells"]) or st["launch"] is not None
    if typed:
        # fail closed: the register lists it, the launch data came with it
        assert now, "a typed definition is not in the register: %r" % st
        assert st["launch"] and st["cells"], "typed definition without its parts: %r" % st
        link = st["emulator"]
        assert link.startswith(emu_dir()), link
        target = os.path.join(os.path.dirname(link), "target")
        assert os.path.realpath(link) == os.path.realpath(
            tap.build_path("tools", "virt-spm-shim")), link
        assert os.path.realpath(target) == os.path.realpath(spm_qemu()), target
    return st


def kill_at_random(argv, env, max_delay):
    """Starts @argv and SIGKILLs it after a random delay below @max_delay
    seconds (it may finish first).  Returns the exit status (negative:
    killed)."""
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    delay = random.uniform(0, max_delay)
    try:
        p.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
    p.stderr.close()
    return p.returncode


def timed(argv, env):
    t0 = time.monotonic()
    p = tap.run(argv, env=env, timeout=300)
    assert p.returncode == 0, p
    return time.monotonic() - t0


# --------------------------------------------------------------------------


def t_busy(h):
    """A held lock: define and undefine wait, then fail busy; nothing changes."""
    name = h.domain_name("busy")
    uuid = str(uuidlib.uuid4())
    path = write(domain_xml(name, uuid, False))
    try:
        p = spm(["define", path])
        assert p.returncode == 0, p
        before = state(h, uuid)
        lockdir = os.path.join(emu_dir(), "locks")
        with open(os.path.join(lockdir, uuid + ".lock"), "r+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            lock.seek(0)
            lock.truncate()
            lock.write("%d\n" % os.getpid())
            lock.flush()
            env = dict(ENV, VIRT_SPM_LOCK_TIMEOUT="1")
            for args in (["define", path], ["undefine", name]):
                t0 = time.monotonic()
                p = spm(args, env=env)
                took = time.monotonic() - t0
                assert p.returncode == EXIT_BUSY, p
                assert "is busy" in p.stderr and "held by process %d" % os.getpid() in p.stderr, \
                    p.stderr
                assert 1 <= took < 10, took
            assert state(h, uuid) == before
        # released: it goes through
        p = spm(["undefine", name])
        assert p.returncode == 0, p
        assert state(h, uuid) is None
    finally:
        os.unlink(path)
        h.remove_domain(name)


def t_same_domain_serialised(h):
    """define (typed), define (plain), edit and undefine of one domain, four
    of each at once: every command succeeds or fails cleanly, the end state
    is one of theirs, whole."""
    qemu = spm_qemu()
    if not qemu:
        raise tap.Skip("VIRT_SPM_TEST_QEMU is not set")
    name = h.domain_name("same")
    uuid = str(uuidlib.uuid4())
    typed = write(domain_xml(name, uuid, True))
    plain = write(domain_xml(name, uuid, False))
    editor = write("#!/bin/sh\nsed -i 's/memmap=.spm.//' \"$1\"\n", suffix=".sh")
    os.chmod(editor, 0o755)
    try:
        assert spm(["define", typed]).returncode == 0
        env = dict(ENV, EDITOR=editor, VIRT_SPM_LOCK_TIMEOUT="120")
        env.pop("VISUAL", None)
        cmds = [["define", typed], ["define", plain], ["edit", name], ["undefine", name]] * 4
        random.shuffle(cmds)
        procs = [subprocess.Popen(spm_argv(c), env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in cmds]
        for c, p in zip(cmds, procs):
            out, err = p.communicate(timeout=600)
            # an edit or undefine may find the domain gone (libvirt: 7);
            # an edit refuses a domain changed while its editor ran (busy)
            ok = {"edit": (0, 7, EXIT_BUSY), "undefine": (0, 7)}.get(c[0], (0,))
            assert p.returncode in ok, (c, p.returncode, err)
            assert "internal error" not in err, err
        st = state(h, uuid)
        if st is None:
            assert not listed(uuid)
        elif st["launch"]:
            assert listed(uuid) and st["cells"] == (("1", "spm"),), st
        else:
            assert not listed(uuid) and not st["cells"], st
        assert not register_leftovers(uuid), register_leftovers(uuid)
    finally:
        for f in (typed, plain, editor):
            os.unlink(f)
        h.remove_domain(name)


def cache_files(cache):
    return sorted(glob.glob(os.path.join(cache, "**", "*"), recursive=True))


def t_load(h):
    """16 concurrent defines plus 8 concurrent cold probes of one QEMU."""
    qemu = spm_qemu()
    cache = tempfile.mkdtemp(prefix="virtspmconc-cache-")
    env = dict(ENV, VIRT_SPM_CACHE_DIR=cache, VIRT_SPM_LOCK_TIMEOUT="300")
    doms = []
    paths = []
    try:
        for i in range(16):
            name = h.domain_name("load%d" % i)
            uuid = str(uuidlib.uuid4())
            typed = bool(qemu) and i % 2 == 0
            doms.append((name, uuid, typed, 1 + i % 3))
            paths.append(write(domain_xml(name, uuid, typed, 1 + i % 3)))
        probe_qemu = qemu or QEMU72
        argvs = [spm_argv(["define", p]) for p in paths]
        argvs += [spm_argv(["domcapabilities", "--emulator", probe_qemu])] * 8
        random.shuffle(argvs)
        procs = [subprocess.Popen(a, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for a in argvs]
        for a, p in zip(argvs, procs):
            out, err = p.communicate(timeout=900)
            assert p.returncode == 0, (a, p.returncode, err)
            if "domcapabilities" in a:
                assert "<domainCapabilities" in out or "<spm" in out or out.strip(), out
        typed_uuids = set()
        for name, uuid, typed, gib in doms:
            st = state(h, uuid)
            assert st is not None, name
            if typed:
                typed_uuids.add(uuid)
                assert st["cells"] == (("1", "spm"),), st
                assert "node.1.memmap=spm" in st["launch"], st
                assert "node.1.size=%d" % (gib << 30) in st["launch"], st
                assert st["emulator"].startswith(emu_dir()), st
            else:
                assert st["launch"] is None and not st["cells"], st
                assert st["emulator"] == QEMU72, st
        mine = {u for _, u, _, _ in doms}
        assert register() & mine == typed_uuids, (register() & mine, typed_uuids)
        assert not register_leftovers(), register_leftovers()
        # the cache: one entry for the probed QEMU, valid, nothing else
        files = [f for f in cache_files(cache) if os.path.isfile(f)]
        # the firmware digests the typed defines cached (qemu_firmware.c):
        # one per image, whole, no temporary file
        digests = [f for f in files if os.path.dirname(f) == os.path.join(cache, "firmware")]
        for f in digests:
            assert f.endswith(".digest"), digests
            with open(f) as fh:
                assert re.fullmatch(r"\S+ [0-9a-f]{64}\n", fh.read()), f
        files = [f for f in files if f not in digests]
        digest = hashlib.sha256(probe_qemu.encode()).hexdigest()
        assert [os.path.basename(f) for f in files] == [digest + ".xml"], files
        p = spm(["domcapabilities", "--caps", files[0]], env=env)
        assert p.returncode == 0, p
        # a probe now reads the cache (no new file, the same one)
        mtime = os.stat(files[0]).st_mtime_ns
        assert spm(["domcapabilities", "--emulator", probe_qemu], env=env).returncode == 0
        assert os.stat(files[0]).st_mtime_ns == mtime
        leftovers = [f for f in os.listdir(emu_dir()) if f.startswith(".")]
        assert not leftovers, leftovers
    finally:
        for p in paths:
            os.unlink(p)
        for name, _, _, _ in doms:
            h.remove_domain(name)
        subprocess.run(["rm", "-rf", cache])


def kill_at_step(argv, env, ready, timeout=60):
    """Starts @argv (slowed at each step) and SIGKILLs it as soon as
    @ready() holds; returns whether it was killed there."""
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while p.poll() is None and time.monotonic() < deadline:
            if ready():
                p.send_signal(signal.SIGKILL)
                p.wait()
                return True
            time.sleep(0.02)
        return False
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def t_settle_by_another_verb(h):
    """A journal left by a killed define is settled by the next verb on the
    domain, whichever it is: rolled back when libvirt never got the new
    definition, rolled forward when it did."""
    if not spm_qemu():
        raise tap.Skip("VIRT_SPM_TEST_QEMU is not set")
    name = h.domain_name("settle")
    uuid = str(uuidlib.uuid4())
    typed = write(domain_xml(name, uuid, True))
    plain = write(domain_xml(name, uuid, False))
    dog = write(WATCHDOG)
    slow = dict(ENV, VIRT_SPM_TEST_STEP_DELAY_MS="1500")
    try:
        # 1. none -> typed, killed once listed, before libvirt has it
        assert kill_at_step(spm_argv(["define", typed]), slow,
                            lambda: listed(uuid) and journal(uuid) is not None)
        assert state(h, uuid) is None and listed(uuid)
        # undefine finds it by name in the register, rolls back, and
        # libvirt's "no such domain" stands
        p = spm(["undefine", name])
        assert p.returncode == 7, p
        assert not listed(uuid) and journal(uuid) is None, register_leftovers(uuid)

        # 2. plain -> typed, killed once libvirt holds the typed definition
        assert spm(["define", plain]).returncode == 0
        assert kill_at_step(spm_argv(["define", typed]), slow,
                            lambda: (state(h, uuid) or {}).get("launch") is not None)
        j = journal(uuid)
        assert j is not None and j["old-listed"] == "false" and j["new-listed"] == "true", j
        # attach-device settles it forward first, then attaches
        p = spm(["attach-device", "--config", name, dog])
        assert p.returncode == 0, p
        st = state(h, uuid)
        assert st["launch"] and st["watchdog"] and listed(uuid), st
        assert journal(uuid) is None and not register_leftovers(uuid)

        # 3. typed -> plain, killed once journal written, before any change:
        # a plain start is refused until settled (fail closed); undefine
        # settles it back, then undefines
        assert kill_at_step(spm_argv(["define", plain]), slow,
                            lambda: journal(uuid) is not None)
        assert state(h, uuid)["launch"] and listed(uuid)
        p = spm(["undefine", name])
        assert p.returncode == 0, p
        assert state(h, uuid) is None and not listed(uuid) and journal(uuid) is None
    finally:
        for f in (typed, plain, dog):
            os.unlink(f)
        h.remove_domain(name)
        for f in register():
            if f.startswith(uuid):
                os.unlink(os.path.join(register_dir(), f))


def t_link_leftovers(h):
    """An emulator link directory a killed define left half made (its maker
    is gone) is removed by the next define that makes links; one whose maker
    still runs is not."""
    if not spm_qemu():
        raise tap.Skip("VIRT_SPM_TEST_QEMU is not set")
    emu = tempfile.mkdtemp(prefix="virtspmconc-links-")
    os.chmod(emu, 0o755)
    env = dict(ENV, VIRT_SPM_EMULATOR_DIR=emu)
    name = h.domain_name("links")
    uuid = str(uuidlib.uuid4())
    path = write(domain_xml(name, uuid, True))
    try:
        gone = subprocess.Popen(["true"])
        gone.wait()
        dead = os.path.join(emu, ".tmp-%d-Ab12Cd" % gone.pid)
        alive = os.path.join(emu, ".tmp-%d-Ef34Gh" % os.getpid())
        for d in (dead, alive):
            os.mkdir(d)
            os.symlink(spm_qemu(), os.path.join(d, "target"))
        p = spm(["define", path], env=env)
        assert p.returncode == 0, p
        assert not os.path.exists(dead), os.listdir(emu)
        assert os.path.isdir(alive), os.listdir(emu)
    finally:
        os.unlink(path)
        h.remove_domain(name)
        subprocess.run(["rm", "-rf", emu])


# --------------------------------------------------------------------------
# crash safety


class Trial:
    """One domain, set to an old state, then one command that should bring
    it to a new state, killed at a random moment."""

    def __init__(self, h, verb, typed_ok):
        self.h = h
        self.verb = verb
        self.name = h.domain_name("crash")
        self.uuid = str(uuidlib.uuid4())
        self.files = []
        self.tmpdir = None
        kinds = ["typed", "plain"] if typed_ok else ["plain"]
        if verb == "define":
            self.old = random.choice(kinds + ["none"])
            self.new = random.choice(kinds)
            if self.old == self.new == "typed":
                self.new = "typed2"  # a different size: new launch data
        elif verb == "edit":
            # the editor turns a typed domain plain, a plain one typed
            self.old = random.choice(kinds)
            self.new = {"typed": "plain", "plain": "typed" if typed_ok else "plain2"}[self.old]
        elif verb == "undefine":
            self.old = random.choice(kinds)
            self.new = "none"
        else:  # attach-device: a watchdog, persistent
            self.old = random.choice(kinds)
            self.new = self.old + "+watchdog"

    def xml_of(self, kind):
        base = kind.split("+")[0]
        gib = {"typed2": 2, "plain2": 2}.get(base, 1)
        text = domain_xml(self.name, self.uuid, base.startswith("typed"), gib)
        if kind.endswith("+watchdog"):
            text = text.replace("</devices>", "  " + WATCHDOG + "  </devices>")
        return text

    def file(self, text, suffix=".xml"):
        path = write(text, suffix)
        self.files.append(path)
        return path

    def setup(self):
        if self.old != "none":
            p = spm(["define", self.file(self.xml_of(self.old))])
            assert p.returncode == 0, p
        self.old_state = state(self.h, self.uuid)
        self.old_listed = listed(self.uuid)
        # a pause at each step boundary (build tree only), so that a kill
        # at a random moment lands between any two steps
        env = dict(ENV, VIRT_SPM_TEST_STEP_DELAY_MS="80")
        if self.verb == "define":
            argv = spm_argv(["define", self.file(self.xml_of(self.new))])
        elif self.verb == "edit":
            new_xml = self.file(self.xml_of(self.new))
            editor = self.file("#!/bin/sh\ncp %s \"$1\"\n" % new_xml, suffix=".sh")
            os.chmod(editor, 0o755)
            # a killed edit leaves its file to edit, as virsh edit does
            self.tmpdir = tempfile.mkdtemp(prefix="virtspmconc-edit-")
            env.update(EDITOR=editor, TMPDIR=self.tmpdir)
            env.pop("VISUAL", None)
            argv = spm_argv(["edit", self.name])
        elif self.verb == "undefine":
            argv = spm_argv(["undefine", self.name])
        else:
            argv = spm_argv(["attach-device", "--config", self.name, self.file(WATCHDOG)])
        self.argv, self.env = argv, env

    def expected_new(self):
        """The new state: what the command leaves on a domain like this one,
        found by running it on a twin (the first trial of each kind)."""
        kind = self.new
        if kind == "none":
            return None, False
        typed = kind.startswith("typed")
        return kind, typed

    def run(self, max_delay):
        self.setup()
        rc = kill_at_random(self.argv, self.env, max_delay)
        kind, new_listed = self.expected_new()
        new_state = self.new_state_of(kind)
        check_consistent(self.h, self.uuid, self.old_state, new_state, self.old_listed,
                         new_listed)
        # the same command again finishes the job
        st = state(self.h, self.uuid)
        done = (sig(st) == sig(new_state) and listed(self.uuid) == new_listed and
                journal(self.uuid) is None)
        if self.verb != "attach-device" or not done:
            p = tap.run(self.argv, env=self.env, timeout=300)
            ok = (0, 7) if self.verb == "undefine" else (0,)
            assert p.returncode in ok, (self.verb, rc, p.returncode, p.stderr)
        st = state(self.h, self.uuid)
        assert sig(st) == sig(new_state), (self.verb, self.old, self.new, st, new_state)
        assert listed(self.uuid) == new_listed, (self.verb, self.old, self.new)
        assert not register_leftovers(self.uuid), register_leftovers(self.uuid)
        return rc

    def new_state_of(self, kind):
        """What libvirt holds in state @kind: the launch data as `virt-spm
        define --print-xml` computes it."""
        if kind is None:
            return None
        base = kind.split("+")[0]
        if base not in LAUNCH_OF:
            p = spm(["define", "--print-xml", self.file(self.xml_of(base))])
            assert p.returncode == 0, p
            m = re.search(r"<qemu:arg value=.-virt-spm-launch./>\s*<qemu:arg value=.([^'\"]*)",
                          p.stdout)
            LAUNCH_OF[base] = m.group(1) if m else None
        launch = LAUNCH_OF[base]
        cells = (("1", "spm"),) if launch else ()
        return {"launch": launch, "cells": cells, "watchdog": kind.endswith("+watchdog"),
                "emulator": None}

    def cleanup(self):
        if self.tmpdir:
            subprocess.run(["rm", "-rf", self.tmpdir])
        for f in self.files:
            if os.path.exists(f):
                os.unlink(f)
        self.h.remove_domain(self.name)
        for f in register():
            if f.startswith(self.uuid):
                os.unlink(os.path.join(register_dir(), f))


def t_crash(h):
    trials = int(os.environ.get("VIRT_SPM_CRASH_TRIALS", "16"))
    typed_ok = bool(spm_qemu())
    verbs = ["define", "edit", "undefine", "attach-device"]
    # how long each verb takes here, to kill within its run
    durations = {}
    for verb in verbs:
        tr = Trial(h, verb, typed_ok)
        try:
            tr.setup()
            durations[verb] = timed(tr.argv, tr.env)
        finally:
            tr.cleanup()
    killed = {v: 0 for v in verbs}
    ran = {v: 0 for v in verbs}
    for i in range(trials):
        verb = verbs[i % len(verbs)]
        tr = Trial(h, verb, typed_ok)
        try:
            rc = tr.run(durations[verb] * 1.2)
            ran[verb] += 1
            killed[verb] += rc == -signal.SIGKILL
        except Exception:
            print("# trial %d: %s %s -> %s" % (i, verb, tr.old, tr.new))
            raise
        finally:
            tr.cleanup()
    print("# crash trials: %s; killed before finishing: %s; durations %s" % (
        ran, killed, {v: round(d, 2) for v, d in durations.items()}))
    assert sum(killed.values()) >= trials // 4, killed


def main():
    t = tap.TAP()
    emu = tempfile.mkdtemp(prefix="virtspmconc-emulators-")
    os.chmod(emu, 0o755)
    ENV["VIRT_SPM_EMULATOR_DIR"] = emu
    ENV["VIRT_SPM_CACHE_DIR"] = tempfile.mkdtemp(prefix="virtspmconc-cache-")

    def body(h):
        t.run("a held lock: busy after the timeout, nothing changed", t_busy, h)
        t.run("define, edit, undefine of one domain at once: serialised",
              t_same_domain_serialised, h)
        t.run("16 concurrent defines and 8 concurrent cold probes", t_load, h)
        t.run("a killed define's journal: settled by the next verb", t_settle_by_another_verb, h)
        t.run("a killed define's half-made emulator link: removed", t_link_leftovers, h)
        t.run("SIGKILL at random moments: old or new state, rerun repairs", t_crash, h)

    try:
        return libvirtd_harness.run_tap(t, body)
    finally:
        subprocess.run(["rm", "-rf", emu, ENV["VIRT_SPM_CACHE_DIR"]])


if __name__ == "__main__":
    sys.exit(main())
