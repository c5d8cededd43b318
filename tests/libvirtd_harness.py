#!/usr/bin/python3
# libvirtd_harness.py: start a real libvirtd (and virtlogd) for tests, hand
# out a qemu:///system connection, and leave the host as it was found
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage (stdlib + libvirt-python only; run with /usr/bin/python3, as root):
#
#     import libvirtd_harness
#     with libvirtd_harness.harness() as h:       # h.conn: qemu:///system
#         name = h.domain_name("e2e")             # virtspmtest-<pid>-<n>-e2e
#         dom = h.define(xml)                     # xml with <name>name</name>
#         dom.create()
#         ...
#         h.remove_domain(name)                   # destroy, undefine, wait, logs
#
#   LibvirtdHarness(): start() -> virConnect, stop(), context manager;
#     conn, started_libvirtd, started_virtlogd, domain_name(label),
#     define(xml, flags=0), create(xml, flags=0), track(name),
#     remove_domain(name), cleanup_domains(), daemon_log_tail(lines=40),
#     restart_libvirtd() (guests keep running; the daemon's only user only)
#   harness(): a LibvirtdHarness for `with`
#   HarnessError (a test failure), HarnessSkip (VIRT_SPM_SKIP_LIBVIRTD=1),
#   HarnessBusy (restart_libvirtd with other users)
#   processes_of_domain(name), capability_cache_file(emulator),
#   hugetlbfs_mounts(), socket_answers(path)
#
# or from the shell (runs CMD with a daemon up, then tears it down):
#
#     /usr/bin/python3 tests/libvirtd_harness.py run -- virsh -c qemu:///system list
#     /usr/bin/python3 tests/libvirtd_harness.py status
#     /usr/bin/python3 tests/libvirtd_harness.py cleanup   # after a crashed run
#
# VIRT_SPM_HARNESS_KEEP_LOGS=DIR copies the daemons' logs to DIR at teardown.
# VIRT_SPM_HOOK=PATH (meson sets it to the build's virt-spm-hook): a libvirtd
# the harness starts runs it as its qemu hook, with the test's
# VIRT_SPM_FIRMWARE_DIRS/CONF (HOOK_PATH, a script written before the
# daemon starts and removed with the rest at teardown, unless the host has a
# hook there already); h.hook_active tells whether the daemon has it.
#
# What it does
# - Host setup, idempotent and left in place (what Debian's
#   libvirt-daemon-system postinst does): the groups kvm, libvirt-qemu and
#   libvirt and the system user libvirt-qemu.  Debian builds libvirt with
#   qemu_user=libvirt-qemu, and the QEMU driver resolves those names before it
#   reads qemu.conf, so it does not load without them.
# - Starts virtlogd, then libvirtd, with "-d" (they write /run/virtlogd.pid and
#   /run/libvirtd.pid), a fixed minimal environment (so the PATH that libvirt
#   passes on to QEMU does not depend on the caller) and their log output in
#   the harness's state directory instead of /var/log/libvirt.  A daemon that
#   is already running and answering is reused and left running.
# - /dev/kvm: where no udev runs (these machines), /dev/kvm is root:root 0600.
#   libvirt probes QEMU with CAP_DAC_OVERRIDE, so the probe finds KVM, but it
#   then checks the cached result against access(2) as the QEMU user, which
#   fails; every capability lookup then re-probes the binary (about 50 s per
#   domxml-to-native with QEMU 7.2, dozens of probes).  The harness gives
#   /dev/kvm what Debian's udev rule gives it (group kvm, mode 0660) and puts
#   the old owner group and mode back when the last harness user stops.
# - hugetlbfs: libvirt reads the hugetlbfs mounts once, at start, and refuses
#   every <hugepages> domain without one ("hugetlbfs filesystem is not mounted
#   or disabled by administrator config").  If the host has none when the
#   harness starts libvirtd, it mounts one at /dev/hugepages (2 MiB pages, as
#   systemd would) and unmounts it (and removes the directory if it made it)
#   at teardown.  No huge page is reserved: argv generation does not need any.
# - qemu.conf and libvirtd.conf are NOT modified: the built-in defaults work
#   (QEMU runs as libvirt-qemu:libvirt-qemu under libvirt's DAC driver only,
#   as the host has neither AppArmor nor SELinux; TCG domains start).
# - Domains: tests name them with domain_name(label), i.e.
#   "virtspmtest-<pid>-<n>-<label>".  On stop the harness destroys and
#   undefines every domain with its own prefix (and any the test registered
#   with track()), and removes their logs; on start it does the same for
#   domains left by harness users that no longer exist.
# - Several harness users (meson runs tests in parallel, several build
#   directories on one machine) share one daemon: each holds a shared flock
#   on a users file; whoever stops last tears down what the harness started.
#   State lives in /run/virt-spm-test-harness (tmpfs: gone after a reboot,
#   together with any daemon).
# - Teardown of a daemon the harness started: SIGTERM (then SIGKILL), then
#   every file and directory that appeared under /run/libvirt, /etc/libvirt,
#   /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt, and virt-spm's
#   /var/lib/virt-spm and /var/cache/virt-spm since it was started is removed (this includes libvirt's capability cache, so every
#   harness session probes its QEMU binaries afresh) and libvirt's directory
#   in a hugetlbfs mount, as are the empty "machine" cgroup directories
#   libvirt created, and the pidfile and socket of a libvirtd that crashed
#   (libvirt 9.0 does, after the heap corruption described in
#   qemuxml2argv-record.py).  A daemon left running by a crashed test (the
#   state file names it) is adopted and torn down by the next harness user.
# - Every wait is bounded and fails with a message that says what did not
#   happen; libvirt calls are protected by keepalive (a hung daemon closes the
#   connection instead of hanging the test).
# - If libvirtd cannot be started or reached, start() raises HarnessError,
#   which tests must report as a failure; with VIRT_SPM_SKIP_LIBVIRTD=1 it
#   raises HarnessSkip instead (tests then exit 77).

import fcntl
import grp
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

try:
    import libvirt
    _LIBVIRT_IMPORT_ERROR = None
except ImportError as _e:  # reported by start(), as a failure or a skip
    libvirt = None
    _LIBVIRT_IMPORT_ERROR = _e

URI = "qemu:///system"
DOMAIN_PREFIX = "virtspmtest-"

LIBVIRTD = "/usr/sbin/libvirtd"
VIRTLOGD = "/usr/sbin/virtlogd"
LIBVIRTD_SOCK = "/run/libvirt/libvirt-sock"
VIRTLOGD_SOCK = "/run/libvirt/virtlogd-sock"
LIBVIRTD_PIDFILE = "/run/libvirtd.pid"
VIRTLOGD_PIDFILE = "/run/virtlogd.pid"
DOMAIN_LOG_DIR = "/var/log/libvirt/qemu"
CAPS_CACHE_DIR = "/var/cache/libvirt/qemu/capabilities"
KVM_DEVICE = "/dev/kvm"
HOOK_PATH = "/etc/libvirt/hooks/qemu.d/virt-spm"
HUGETLBFS_DIR = "/dev/hugepages"
QEMU_USER = "libvirt-qemu"

STATE_DIR = "/run/virt-spm-test-harness"
STATE_FILE = os.path.join(STATE_DIR, "state.json")
LOCK_FILE = os.path.join(STATE_DIR, "lock")
USERS_FILE = os.path.join(STATE_DIR, "users")

# What the daemons see: nothing of the caller's environment.  libvirt passes
# PATH on to QEMU (it shows in every argv), so it is fixed here.
DAEMON_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Directories whose new entries are removed when the harness stops a libvirtd
# it started; walked this deep (the domain and cache files are within it).
# virt-spm's own state is among them: the hook and the shim that libvirtd
# runs use the system's directories, whatever the tests set for themselves.
TEARDOWN_ROOTS = ["/run/libvirt", "/etc/libvirt", "/var/lib/libvirt",
                  "/var/cache/libvirt", "/var/log/libvirt",
                  "/var/lib/virt-spm", "/var/cache/virt-spm", "/run/virt-spm"]
TEARDOWN_DEPTH = 4
CGROUP_ROOT = "/sys/fs/cgroup"

LOCK_TIMEOUT = 180      # another user may be starting or stopping daemons
START_TIMEOUT = 30      # daemon up and its socket answering
OPEN_TIMEOUT = 120      # first connection (driver initialisation)
STOP_TIMEOUT = 15       # SIGTERM grace, then SIGKILL
KILL_TIMEOUT = 10
PROCESS_GONE_TIMEOUT = 15

_NAME_RE = re.compile(r"^" + re.escape(DOMAIN_PREFIX) + r"(\d+)-(\d+)-")


class HarnessError(Exception):
    """libvirtd could not be set up or torn down: a test failure."""


class HarnessSkip(Exception):
    """libvirtd is unusable and VIRT_SPM_SKIP_LIBVIRTD=1 asks to skip."""


def skip_requested():
    return os.environ.get("VIRT_SPM_SKIP_LIBVIRTD") == "1"


def _log(msg):
    sys.stderr.write("libvirtd_harness: %s\n" % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------- processes

def _proc_stat(pid):
    """(comm, state, starttime) of a process, or None if there is none."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except (OSError, ValueError):
        return None
    lpar, rpar = data.find("("), data.rfind(")")
    if lpar < 0 or rpar < 0:
        return None
    fields = data[rpar + 2:].split()
    return data[lpar + 1:rpar], fields[0], int(fields[19])


def process_alive(pid, comm=None, start=None):
    """True if pid runs (not a zombie), optionally with this comm/starttime."""
    if not pid or pid <= 0:
        return False
    st = _proc_stat(pid)
    if st is None or st[1] in ("Z", "X"):
        return False
    if comm is not None and st[0] != comm:
        return False
    if start is not None and st[2] != start:
        return False
    return True


def _read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or "0")
    except (OSError, ValueError):
        return 0


def _pids_by_comm(comm):
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and process_alive(int(entry), comm):
            pids.append(int(entry))
    return pids


def processes_of_domain(name):
    """pids whose command line names guest NAME (QEMU's -name guest=NAME)."""
    needle = ("guest=%s," % name).encode()
    needle_end = ("guest=%s" % name).encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if any(a.startswith(needle) or a == needle_end for a in args) and \
                process_alive(int(entry)):
            pids.append(int(entry))
    return pids


def _wait(cond, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        if cond():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def socket_answers(path):
    """True if something accepts connections on the unix socket path."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def _kill_process(pid, comm, start, what):
    if not process_alive(pid, comm, start):
        return
    os.kill(pid, signal.SIGTERM)
    if _wait(lambda: not process_alive(pid, comm, start), STOP_TIMEOUT):
        return
    _log("%s (pid %d) ignored SIGTERM for %d s: killing it" % (what, pid, STOP_TIMEOUT))
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if not _wait(lambda: not process_alive(pid, comm, start), KILL_TIMEOUT):
        raise HarnessError("%s (pid %d) survived SIGKILL for %d s" % (what, pid, KILL_TIMEOUT))


# ----------------------------------------------------------------- host setup

def _run(argv, timeout=30):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise HarnessError("cannot run '%s': not installed" % argv[0])
    except subprocess.TimeoutExpired:
        raise HarnessError("'%s' did not finish within %d s" % (" ".join(argv), timeout))
    if p.returncode != 0:
        raise HarnessError("'%s' failed (exit %d): %s" %
                           (" ".join(argv), p.returncode, (p.stderr or p.stdout).strip()))
    return p


def ensure_users():
    """The groups and the QEMU user libvirt's QEMU driver needs (idempotent)."""
    for group in ("kvm", "libvirt-qemu", "libvirt"):
        try:
            grp.getgrnam(group)
        except KeyError:
            _run(["groupadd", "-r", group])
    try:
        pwd.getpwnam(QEMU_USER)
    except KeyError:
        _run(["useradd", "-r", "-g", "kvm", "-G", "libvirt-qemu", "-d", "/var/lib/libvirt",
              "-s", "/usr/sbin/nologin", QEMU_USER])


def _qemu_user_can_use(path):
    """Can the QEMU user open path read-write, by its mode bits?"""
    try:
        pw = pwd.getpwnam(QEMU_USER)
    except KeyError:
        return False
    st = os.stat(path)
    groups = {pw.pw_gid} | {g.gr_gid for g in grp.getgrall() if QEMU_USER in g.gr_mem}
    if st.st_uid == pw.pw_uid:
        bits = (st.st_mode >> 6) & 6
    elif st.st_gid in groups:
        bits = (st.st_mode >> 3) & 6
    else:
        bits = st.st_mode & 6
    return bits == 6


def _fix_kvm(state):
    """Make /dev/kvm usable by the QEMU user; remember how it was."""
    if not os.path.exists(KVM_DEVICE) or _qemu_user_can_use(KVM_DEVICE):
        return
    st = os.stat(KVM_DEVICE)
    kvm_gid = grp.getgrnam("kvm").gr_gid
    new_mode = stat.S_IMODE(st.st_mode) | 0o660
    os.chown(KVM_DEVICE, -1, kvm_gid)
    os.chmod(KVM_DEVICE, new_mode)
    if "kvm" not in state:
        state["kvm"] = {"mode": stat.S_IMODE(st.st_mode), "gid": st.st_gid,
                        "set_mode": new_mode, "set_gid": kvm_gid}


def _restore_kvm(state):
    saved = state.get("kvm")
    if not saved or not os.path.exists(KVM_DEVICE):
        return
    st = os.stat(KVM_DEVICE)
    # only undo our own change: leave it if someone changed it since
    if stat.S_IMODE(st.st_mode) == saved["set_mode"] and st.st_gid == saved["set_gid"]:
        os.chmod(KVM_DEVICE, saved["mode"])
        os.chown(KVM_DEVICE, -1, saved["gid"])


def hugetlbfs_mounts():
    """Mount points of hugetlbfs file systems."""
    try:
        with open("/proc/mounts") as f:
            return [ln.split()[1] for ln in f if len(ln.split()) > 2 and
                    ln.split()[2] == "hugetlbfs"]
    except OSError:
        return []


def _ensure_hugetlbfs(state):
    """libvirt reads the hugetlbfs mounts once, when it starts; without one,
    every domain with <hugepages> fails.  Mount one (2 MiB pages, as
    systemd's dev-hugepages.mount does) if the host has none."""
    if hugetlbfs_mounts() or "hugetlbfs" in state:
        return
    created = not os.path.isdir(HUGETLBFS_DIR)
    os.makedirs(HUGETLBFS_DIR, exist_ok=True)
    state["hugetlbfs"] = {"dir": HUGETLBFS_DIR, "created_dir": created}
    try:
        _run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "hugetlbfs", HUGETLBFS_DIR])
    except HarnessError:
        del state["hugetlbfs"]
        if created:
            os.rmdir(HUGETLBFS_DIR)
        raise


def _restore_hugetlbfs(state):
    saved = state.get("hugetlbfs")
    if not saved:
        return []
    if saved["dir"] in hugetlbfs_mounts():
        try:
            _run(["umount", saved["dir"]])
        except HarnessError as e:
            return [str(e)]
    if saved["created_dir"]:
        try:
            os.rmdir(saved["dir"])
        except OSError as e:
            return ["%s: %s" % (saved["dir"], e)]
    return []


# -------------------------------------------------------- files and cgroups

def _walk(root, depth):
    out = set()
    if not os.path.lexists(root):
        return out
    out.add(root)
    if depth == 0 or os.path.islink(root) or not os.path.isdir(root):
        return out
    try:
        entries = os.listdir(root)
    except OSError:
        return out
    for e in entries:
        out |= _walk(os.path.join(root, e), depth - 1)
    return out


def _cgroup_machine_dirs():
    dirs = set()
    if not os.path.isdir(CGROUP_ROOT):
        return dirs
    for ctrl in os.listdir(CGROUP_ROOT):
        for cand in (os.path.join(CGROUP_ROOT, ctrl, "machine"),
                     os.path.join(CGROUP_ROOT, "machine")):
            if os.path.isdir(cand):
                dirs.add(cand)
    return dirs


def _hook_wrapper(hook):
    """The hook script the harness installs: the build's hook, run with the
    test's firmware settings and cache (libvirt passes hooks almost no
    environment, the hook must give the verdict that virt-spm gave the test,
    and what it caches, such as firmware digests, stays with the test)."""
    lines = ["#!/bin/sh", "# written by tests/libvirtd_harness.py for the tests' libvirtd"]
    for var in ("VIRT_SPM_FIRMWARE_DIRS", "VIRT_SPM_FIRMWARE_CONF", "VIRT_SPM_CACHE_DIR"):
        if os.environ.get(var):
            lines.append("export %s=%s" % (var, shlex.quote(os.environ[var])))
    lines.append("exec %s \"$@\"" % shlex.quote(os.path.abspath(hook)))
    return "\n".join(lines) + "\n"


def _install_hook(state):
    """Installs $VIRT_SPM_HOOK (through _hook_wrapper) as libvirt's qemu hook
    before libvirtd starts (libvirt looks for hooks once, at start).  Taken
    after the snapshot, so teardown removes it."""
    hook = os.environ.get("VIRT_SPM_HOOK")
    state["hook"] = False
    if not hook:
        return
    wrapper = _hook_wrapper(hook)
    if os.path.lexists(HOOK_PATH):
        try:
            with open(HOOK_PATH) as f:
                state["hook"] = f.read() == wrapper
        except (OSError, UnicodeDecodeError):
            state["hook"] = False
        state["hook"] = state["hook"] or os.path.realpath(HOOK_PATH) == os.path.realpath(hook)
        return
    os.makedirs(os.path.dirname(HOOK_PATH), exist_ok=True)
    with open(HOOK_PATH, "w") as f:
        f.write(wrapper)
    os.chmod(HOOK_PATH, 0o755)
    state["hook"] = True


def _snapshot():
    # libvirt also makes <mount>/libvirt/qemu in every hugetlbfs mount
    roots = TEARDOWN_ROOTS + hugetlbfs_mounts()
    paths = set()
    for root in roots:
        paths |= _walk(root, TEARDOWN_DEPTH)
    return {"roots": roots, "paths": sorted(paths), "cgroups": sorted(_cgroup_machine_dirs())}


def _remove_new_files(snap):
    """Remove what appeared under the snapshot's roots since (topmost only)."""
    before = set(snap["paths"])
    roots = snap.get("roots", TEARDOWN_ROOTS)
    now = set()
    for root in roots:
        now |= _walk(root, TEARDOWN_DEPTH)
    new = sorted(p for p in now - before
                 if p in roots or os.path.dirname(p) in before)
    problems = []
    for p in new:
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        except FileNotFoundError:
            pass
        except OSError as e:
            problems.append("%s: %s" % (p, e))
    for d in sorted(_cgroup_machine_dirs() - set(snap["cgroups"])):
        try:
            os.rmdir(d)     # cgroup directories go with rmdir, only when empty
        except OSError as e:
            problems.append("%s: %s" % (d, e))
    return problems


def capability_cache_file(emulator):
    """libvirt's capability cache file for an emulator path (the cache key is
    the path string, not the binary it points to)."""
    import hashlib
    return os.path.join(CAPS_CACHE_DIR, hashlib.sha256(emulator.encode()).hexdigest() + ".xml")


def remove_domain_files(name):
    """The per-domain log files libvirt leaves after undefine."""
    for entry in os.listdir(DOMAIN_LOG_DIR) if os.path.isdir(DOMAIN_LOG_DIR) else []:
        if entry == name + ".log" or entry.startswith(name + ".log."):
            try:
                os.unlink(os.path.join(DOMAIN_LOG_DIR, entry))
            except FileNotFoundError:
                pass


# ------------------------------------------------------------------ locking

def _open_locked(path, op, timeout):
    """Open (creating) path under STATE_DIR and flock it; retries when the
    file was unlinked by a teardown while we waited."""
    deadline = time.monotonic() + timeout
    while True:
        os.makedirs(STATE_DIR, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        locked = False
        while True:
            try:
                fcntl.flock(fd, op | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.1)
        if not locked:
            os.close(fd)
            raise HarnessError("could not lock %s within %d s: another harness user holds it "
                               "(a test starting or stopping libvirtd)" % (path, timeout))
        try:
            st = os.stat(path)
            fst = os.fstat(fd)
            if (st.st_dev, st.st_ino) == (fst.st_dev, fst.st_ino):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)        # unlinked under us: take the new one


def _load_state():
    try:
        with open(STATE_FILE) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        _log("ignoring unreadable %s: %s" % (STATE_FILE, e))
        return {}


def _save_state(state):
    tmp = STATE_FILE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, STATE_FILE)


# --------------------------------------------------------------- event loop

_event_loop_lock = threading.Lock()
_event_loop_started = False


def _ensure_event_loop():
    """libvirt's default event loop in a daemon thread: needed for keepalive."""
    global _event_loop_started
    with _event_loop_lock:
        if _event_loop_started:
            return
        libvirt.virEventRegisterDefaultImpl()
        # errors reach the caller as exceptions; libvirt's default handler
        # would also print each one on stderr
        libvirt.registerErrorHandler(lambda ctx, err: None, None)

        def loop():
            while True:
                libvirt.virEventRunDefaultImpl()

        threading.Thread(target=loop, name="libvirt-event-loop", daemon=True).start()
        _event_loop_started = True


def _call_with_timeout(func, timeout, what):
    result = {}

    def run():
        try:
            result["value"] = func()
        except BaseException as e:  # noqa: B902 - re-raised in the caller
            result["error"] = e

    t = threading.Thread(target=run, name="libvirt-call", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise HarnessError("%s did not return within %d s" % (what, timeout))
    if "error" in result:
        raise result["error"]
    return result["value"]


# ------------------------------------------------------------------ harness

_instances_lock = threading.Lock()
_instances = {}         # instance number -> harness, in this process
_next_instance = [1]


class HarnessBusy(HarnessError):
    """An operation that needs the daemon to itself found other users."""


class LibvirtdHarness:
    """A real libvirtd for one test (shared with concurrent tests)."""

    def __init__(self):
        self.conn = None
        self.started_libvirtd = False   # True if a harness user started it
        self.started_virtlogd = False
        self.hook_active = False        # the daemon runs virt-spm's qemu hook
        self._users_fd = None
        self._tracked = set()
        self._stopped = True
        with _instances_lock:
            self.instance = _next_instance[0]
            _next_instance[0] += 1
        self.prefix = "%s%d-%d-" % (DOMAIN_PREFIX, os.getpid(), self.instance)

    # ---- public API

    def domain_name(self, label):
        """A domain name this harness cleans up: virtspmtest-<pid>-<n>-label."""
        return self.prefix + label

    def track(self, name):
        """Also clean up this domain on stop (a name without the prefix)."""
        self._tracked.add(name)

    def define(self, xml, flags=0):
        dom = self.conn.defineXMLFlags(xml, flags)
        self._tracked.add(dom.name())
        return dom

    def create(self, xml, flags=0):
        dom = self.conn.createXML(xml, flags)
        self._tracked.add(dom.name())
        return dom

    def remove_domain(self, name):
        """Destroy (if running) and undefine (if persistent) domain NAME, wait
        for its QEMU to exit, and delete its log.  No error if it is gone."""
        try:
            dom = self.conn.lookupByName(name)
        except libvirt.libvirtError as e:
            if e.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                raise
            dom = None
        if dom is not None:
            try:
                if dom.isActive():
                    dom.destroy()
            except libvirt.libvirtError as e:
                if e.get_error_code() not in (libvirt.VIR_ERR_NO_DOMAIN,
                                              libvirt.VIR_ERR_OPERATION_INVALID):
                    raise
            try:
                if dom.isPersistent():
                    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM |
                                      libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                      libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                      libvirt.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA)
            except libvirt.libvirtError as e:
                if e.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                    raise
        if not _wait(lambda: not processes_of_domain(name), PROCESS_GONE_TIMEOUT):
            raise HarnessError("QEMU of domain '%s' (pids %s) still runs %d s after destroy" %
                               (name, processes_of_domain(name), PROCESS_GONE_TIMEOUT))
        remove_domain_files(name)
        self._tracked.discard(name)

    def cleanup_domains(self):
        """Remove this harness's domains; returns their names."""
        names = [d.name() for d in self.conn.listAllDomains(0)]
        mine = sorted(n for n in names if n.startswith(self.prefix) or n in self._tracked)
        for n in mine:
            self.remove_domain(n)
        for n in list(self._tracked):   # tracked but already gone: just the files
            remove_domain_files(n)
        self._tracked.clear()
        return mine

    def daemon_log_tail(self, lines=40):
        """The end of libvirtd's log (harness-started daemons log to the state dir)."""
        out = []
        for name in ("virtlogd.log", "libvirtd.log"):
            path = os.path.join(STATE_DIR, name)
            try:
                with open(path, errors="replace") as f:
                    tail = f.read().splitlines()[-lines:]
            except OSError:
                continue
            out.append("--- %s\n%s" % (path, "\n".join(tail)))
        return "\n".join(out)

    # ---- start

    def start(self):
        try:
            return self._start()
        except HarnessError as e:
            if skip_requested():
                self._release_after_failure()
                raise HarnessSkip("libvirtd unavailable (VIRT_SPM_SKIP_LIBVIRTD=1): %s" % e)
            self._release_after_failure()
            raise

    def _preflight(self):
        if libvirt is None:
            raise HarnessError("python3-libvirt is not importable by %s (%s): install "
                               "python3-libvirt and use /usr/bin/python3" %
                               (sys.executable, _LIBVIRT_IMPORT_ERROR))
        if os.geteuid() != 0:
            raise HarnessError("a system libvirtd needs root (running as uid %d)" % os.geteuid())
        for binary in (LIBVIRTD, VIRTLOGD):
            if not os.access(binary, os.X_OK):
                raise HarnessError("%s is not installed (packages libvirt-daemon, "
                                   "libvirt-daemon-driver-qemu)" % binary)

    def _start(self):
        self._preflight()
        ensure_users()
        lock = _open_locked(LOCK_FILE, fcntl.LOCK_EX, LOCK_TIMEOUT)
        try:
            self._users_fd = _open_locked(USERS_FILE, fcntl.LOCK_SH, LOCK_TIMEOUT)
            self._stopped = False
            state = _load_state()
            rec = state.get("libvirtd")
            if rec and not process_alive(rec["pid"], "libvirtd", rec["start"]) and \
                    socket_answers(LIBVIRTD_SOCK):
                # ours died and someone else's answers now: its files are not ours
                state.pop("libvirtd")
                state.pop("snapshot", None)
            if "snapshot" not in state and not socket_answers(LIBVIRTD_SOCK):
                # we are about to start libvirtd: remember the files before it
                # (and before virtlogd, which may create /run/libvirt)
                state["snapshot"] = _snapshot()
                _save_state(state)
                _ensure_hugetlbfs(state)
                _install_hook(state)
                _save_state(state)
            self._ensure_daemon(state, "virtlogd", VIRTLOGD, VIRTLOGD_PIDFILE, VIRTLOGD_SOCK)
            self._ensure_daemon(state, "libvirtd", LIBVIRTD, LIBVIRTD_PIDFILE, LIBVIRTD_SOCK)
            _fix_kvm(state)
            _save_state(state)
            self.started_virtlogd = "virtlogd" in state
            self.started_libvirtd = "libvirtd" in state
            self.hook_active = state.get("hook", False)
        finally:
            os.close(lock)
        _ensure_event_loop()
        self.conn = _call_with_timeout(lambda: libvirt.open(URI), OPEN_TIMEOUT,
                                       "connecting to %s" % URI)
        self.conn.setKeepAlive(5, 6)
        _install_sigterm_handler()
        with _instances_lock:
            _instances[self.instance] = self
        self._remove_orphans()
        return self.conn

    def _ensure_daemon(self, state, name, binary, pidfile, sock):
        rec = state.get(name)
        if rec and not process_alive(rec["pid"], name, rec["start"]):
            del state[name]         # ours, but gone (crashed or killed)
            rec = None
        if socket_answers(sock):
            return                  # running: ours (rec) or someone else's
        if rec:
            _log("%s (pid %d, started by the harness) does not answer on %s: restarting it" %
                 (name, rec["pid"], sock))
            _kill_process(rec["pid"], name, rec["start"], name)
            del state[name]
        others = _pids_by_comm(name)
        if others:
            raise HarnessError("%s runs (pid %s) but nothing answers on %s; it was not started "
                               "by the harness, so it is left alone: stop it or fix it" %
                               (name, ", ".join(map(str, others)), sock))
        # stale leftovers of a daemon that died: its pidfile and socket
        for path in (pidfile, sock):
            if os.path.lexists(path):
                _log("removing stale %s" % path)
                os.unlink(path)
        env = {"PATH": DAEMON_PATH, "LC_ALL": "C",
               "LIBVIRT_LOG_OUTPUTS": "3:file:%s" % os.path.join(STATE_DIR, name + ".log")}
        try:
            p = subprocess.run([binary, "-d"], env=env, cwd="/", capture_output=True, text=True,
                               timeout=START_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise HarnessError("'%s -d' did not return within %d s" % (binary, START_TIMEOUT))
        pid = 0
        if p.returncode == 0:
            _wait(lambda: process_alive(_read_pidfile(pidfile), name), START_TIMEOUT)
            pid = _read_pidfile(pidfile)
        if p.returncode != 0 or not process_alive(pid, name):
            raise HarnessError("%s did not start (exit %d): %s\n%s" %
                               (binary, p.returncode, (p.stderr or p.stdout).strip(),
                                self.daemon_log_tail()))
        state[name] = {"pid": pid, "start": _proc_stat(pid)[2]}
        _save_state(state)          # from here a crash leaves a daemon we know
        if not _wait(lambda: socket_answers(sock) or not process_alive(pid, name),
                     START_TIMEOUT):
            raise HarnessError("%s (pid %d) did not open %s within %d s\n%s" %
                               (name, pid, sock, START_TIMEOUT, self.daemon_log_tail()))
        if not process_alive(pid, name):
            raise HarnessError("%s (pid %d) exited during startup\n%s" %
                               (name, pid, self.daemon_log_tail()))

    def _remove_orphans(self):
        """Domains of harness users that are gone (crashed test processes)."""
        with _instances_lock:
            live = set(_instances)
        for dom in self.conn.listAllDomains(0):
            m = _NAME_RE.match(dom.name())
            if not m:
                continue
            pid, inst = int(m.group(1)), int(m.group(2))
            if pid == os.getpid():
                orphan = inst not in live
            else:
                orphan = not process_alive(pid)
            if orphan:
                _log("removing domain '%s' left by an earlier harness user" % dom.name())
                self.remove_domain(dom.name())

    # ---- stop

    def stop(self):
        """Clean up this user's domains; the last user stops what the harness
        started and restores the host.  Safe to call twice."""
        if self._stopped:
            return
        problems = []
        if self.conn is not None:
            try:
                self.cleanup_domains()
            except Exception as e:  # still tear down the daemons
                problems.append("domain cleanup: %s" % e)
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None
        with _instances_lock:
            _instances.pop(self.instance, None)
        lock = _open_locked(LOCK_FILE, fcntl.LOCK_EX, LOCK_TIMEOUT)
        try:
            os.close(self._users_fd)
            self._users_fd = None
            self._stopped = True
            problems += _teardown_if_last()
        finally:
            os.close(lock)
        if problems:
            raise HarnessError("teardown incomplete:\n  " + "\n  ".join(problems))

    def restart_libvirtd(self):
        """Stops the libvirtd the harness started (SIGTERM: its guests keep
        running) and starts it again, so that it reconnects to them, and
        reopens self.conn.  Only for the only user of the daemon: raises
        HarnessBusy when other harness users share it, HarnessError when
        the harness did not start it."""
        lock = _open_locked(LOCK_FILE, fcntl.LOCK_EX, LOCK_TIMEOUT)
        try:
            try:
                fcntl.flock(self._users_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise HarnessBusy("other tests use this libvirtd: not restarting it")
            fcntl.flock(self._users_fd, fcntl.LOCK_SH)
            state = _load_state()
            rec = state.get("libvirtd")
            if not rec or not process_alive(rec["pid"], "libvirtd", rec["start"]):
                raise HarnessError("libvirtd was not started by the harness: not restarting it")
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None
            _kill_process(rec["pid"], "libvirtd", rec["start"], "libvirtd")
            del state["libvirtd"]
            _save_state(state)
            self._ensure_daemon(state, "libvirtd", LIBVIRTD, LIBVIRTD_PIDFILE, LIBVIRTD_SOCK)
            _save_state(state)
        finally:
            os.close(lock)
        self.conn = _call_with_timeout(lambda: libvirt.open(URI), OPEN_TIMEOUT,
                                       "connecting to %s" % URI)
        self.conn.setKeepAlive(5, 6)
        return self.conn

    def _release_after_failure(self):
        """start() failed: give up our user slot (tearing down if last)."""
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None
        if self._users_fd is None:
            return
        try:
            lock = _open_locked(LOCK_FILE, fcntl.LOCK_EX, LOCK_TIMEOUT)
        except HarnessError as e:
            _log(str(e))
            return
        try:
            os.close(self._users_fd)
            self._users_fd = None
            self._stopped = True
            for p in _teardown_if_last():
                _log("teardown: %s" % p)
        finally:
            os.close(lock)

    # ---- context manager

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def _teardown_if_last():
    """Called with LOCK_FILE held and our users lock released."""
    try:
        fd = os.open(USERS_FILE, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        fd = None
    if fd is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return []           # other users remain: they stop it later
    try:
        return _teardown(_load_state())
    finally:
        if fd is not None:
            os.close(fd)


def _teardown(state):
    problems = []
    rec = state.get("libvirtd")
    if rec and process_alive(rec["pid"], "libvirtd", rec["start"]):
        busy = _foreign_running_domains()
        if busy:
            problems.append("libvirtd left running: domains not created by the harness run "
                            "on it (%s)" % ", ".join(busy))
            return problems     # keep the state: a later stop retries
    for name, pidfile, sock in (("libvirtd", LIBVIRTD_PIDFILE, LIBVIRTD_SOCK),
                                ("virtlogd", VIRTLOGD_PIDFILE, VIRTLOGD_SOCK)):
        rec = state.get(name)
        if not rec:
            continue
        try:
            _kill_process(rec["pid"], name, rec["start"], name)
        except HarnessError as e:
            problems.append(str(e))
            return problems
        # a libvirtd that crashed (or was killed) leaves its pidfile and sockets
        if _read_pidfile(pidfile) == rec["pid"]:
            os.unlink(pidfile)
        if os.path.lexists(sock) and not socket_answers(sock):
            os.unlink(sock)
    if "snapshot" in state:
        problems += _remove_new_files(state["snapshot"])
    problems += _restore_hugetlbfs(state)
    _restore_kvm(state)
    keep = os.environ.get("VIRT_SPM_HARNESS_KEEP_LOGS")
    if keep:                    # a directory to copy the daemons' logs to
        os.makedirs(keep, exist_ok=True)
        for name in ("libvirtd.log", "virtlogd.log"):
            src = os.path.join(STATE_DIR, name)
            if os.path.exists(src):
                shutil.copy(src, os.path.join(keep, "%s.%d.log" % (name[:-4], int(time.time()))))
    for path in (STATE_FILE, os.path.join(STATE_DIR, "libvirtd.log"),
                 os.path.join(STATE_DIR, "virtlogd.log"), USERS_FILE, LOCK_FILE):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    try:
        os.rmdir(STATE_DIR)
    except OSError:
        pass                    # a new user already recreated something in it
    return problems


def _foreign_running_domains():
    """Running domains on the harness's libvirtd that the harness did not make."""
    if libvirt is None:
        return []
    try:
        conn = _call_with_timeout(lambda: libvirt.open(URI), 30, "connecting to " + URI)
    except Exception:
        return []
    try:
        return sorted(d.name() for d in conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
                      if not d.name().startswith(DOMAIN_PREFIX))
    finally:
        conn.close()


def _sigterm(signum, frame):
    raise SystemExit(128 + signum)


def _install_sigterm_handler():
    """meson's timeout sends SIGTERM: turn it into SystemExit so that with
    blocks and atexit stop the daemons.  Only replaces the default action."""
    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _sigterm)


def _stop_all_at_exit():
    with _instances_lock:
        live = list(_instances.values())
    for h in live:
        try:
            h.stop()
        except Exception as e:
            _log("stop at exit: %s" % e)


import atexit  # noqa: E402
atexit.register(_stop_all_at_exit)


def harness():
    """Context manager: `with harness() as h:` gives a started LibvirtdHarness."""
    return LibvirtdHarness()


def start_or_exit(tap_module=None):
    """For test scripts: a started harness, or exit with the right status:
    77 (skip) with VIRT_SPM_SKIP_LIBVIRTD=1, else 1 with the reason."""
    h = LibvirtdHarness()
    try:
        h.start()
    except HarnessSkip as e:
        print("1..0 # SKIP %s" % e)
        sys.exit(77)
    except HarnessError as e:
        print("Bail out! libvirtd harness: %s" % str(e).replace("\n", "\n# "))
        sys.exit(1)
    return h


# ---------------------------------------------------------------------- CLI

def _status():
    state = _load_state()
    print("state dir: %s (%s)" % (STATE_DIR, "present" if os.path.isdir(STATE_DIR) else "absent"))
    for name, sock in (("virtlogd", VIRTLOGD_SOCK), ("libvirtd", LIBVIRTD_SOCK)):
        rec = state.get(name)
        own = "started by the harness, pid %d" % rec["pid"] if rec else "not the harness's"
        print("%s: %s, %s" % (name, "answering" if socket_answers(sock) else "not answering", own))
    if "kvm" in state:
        print("/dev/kvm changed by the harness (was mode %o gid %d)" %
              (state["kvm"]["mode"], state["kvm"]["gid"]))
    return 0



def run_tap(t, body):
    """Starts a harness, runs body(harness) (which adds TAP cases to @t),
    stops the harness as a TAP case of its own, and returns the exit status.
    A daemon that cannot start is one failing case; VIRT_SPM_SKIP_LIBVIRTD=1
    skips the whole program (a TAP plan of 0, exit 0 as meson expects)."""
    import tap
    h = LibvirtdHarness()
    try:
        h.start()
    except HarnessSkip as e:
        print("1..0 # SKIP %s" % e)
        return 0
    except HarnessError as e:
        reason = str(e)

        def fail():
            raise AssertionError("cannot start libvirtd: %s" % reason)
        t.run("libvirtd starts", fail)
        return t.done()
    try:
        body(h)
    finally:
        t.run("harness stops cleanly", h.stop)
    return t.done()

def main(argv):
    usage = "usage: libvirtd_harness.py run -- CMD [ARGS...] | status | cleanup"
    if not argv or argv[0] in ("-h", "--help"):
        print(usage)
        return 0 if argv else 3
    if argv[0] == "status":
        return _status()
    if argv[0] == "cleanup":
        # start (adopting leftovers, removing orphaned domains) and stop again
        with harness():
            pass
        return 0
    if argv[0] == "run":
        cmd = argv[1:]
        if cmd and cmd[0] == "--":
            cmd = cmd[1:]
        if not cmd:
            print(usage, file=sys.stderr)
            return 3
        try:
            with harness():
                return subprocess.call(cmd)
        except HarnessSkip as e:
            print(str(e), file=sys.stderr)
            return 77
        except HarnessError as e:
            print("libvirtd_harness: %s" % e, file=sys.stderr)
            return 1
    print(usage, file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
