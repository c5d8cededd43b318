#!/usr/bin/env python3
#
# shimtest-live.py: real libvirt argv -> virt-spm-shim -> real SPM QEMU
#
#   VIRT_SPM_TEST_QEMU=/var/tmp/spm-ref/qemu11 shimtest-live.py SHIM DATADIR [CASE...]
#
# For each CASE (default spmem-numa5) the libvirt 9.0 argv of
# DATADIR/<input>.in.args gets CASE.launch as its launch data and is started
# through an emulator link to the shim whose target is $VIRT_SPM_TEST_QEMU,
# with libvirt's paths moved into a private temp dir.  QEMU stays paused (-S,
# as libvirt starts it); over libvirt's own QMP monitor socket
# query-memory-devices must show one sp-mem per typed node at the pinned
# addr, with the node and size of the launch data, and
# query-memory-size-summary the RAM left in -m.  The same argv given to QEMU
# directly (no shim) must make QEMU refuse to start: the fail-closed
# property.  Skips (TAP plan "1..0 # SKIP") without VIRT_SPM_TEST_QEMU.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import json
import os
import qmpclient
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

INPUTS = {"spmem-numa5": "numa5", "spmem-numa2": "numa2", "spmem-hotplug": "hotplug",
          "spmem-hmat": "hmat", "spmem-memfd": "memfd", "spmem-memnode": "memnode",
          "spmem-distances": "distances", "spmem-escape": "escape",
          "spmem-hugepages": "hugepages", "spmem-hotplug-maxmem": "hotplug",
          "spmem-m-size-k": "numa2-m-size-k", "spmem-keyval": "numa2-keyval",
          "spmem-renumber-numa5": "numa5", "spmem-renumber-distances": "distances",
          "spmem-renumber-hmat": "hmat", "spmem-renumber-hotplug": "hotplug"}
TIMEOUT = 60
count = 0
failed = 0


def tap(ok, title, why=""):
    global count, failed
    count += 1
    if not ok:
        failed += 1
        for line in why.splitlines():
            print("# " + line)
    print("%s %d - %s" % ("ok" if ok else "not ok", count, title))
    sys.stdout.flush()


def load_argv(datadir, case, tmp):
    with open(os.path.join(datadir, INPUTS[case] + ".in.args")) as f:
        words = shlex.split(f.read().replace(" \\\n", " "))
    with open(os.path.join(datadir, case + ".launch")) as f:
        launch = f.read().strip()
    env = {}
    while "=" in words[0] and not words[0].startswith("/"):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    words = [launch if w == "@DATA@" else w for w in words]
    # libvirt's per-domain dir and hugepage dir move into the temp dir
    domdir = re.search(r"/var/lib/libvirt/qemu/domain--1-[^/]+", env["HOME"]).group(0)
    words = [w.replace(domdir.replace(",", ",,"), tmp + "/dom").replace(domdir, tmp + "/dom")
             for w in words]
    env = {k: v.replace(domdir, tmp + "/dom") for k, v in env.items()}
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    os.makedirs(tmp + "/dom", exist_ok=True)
    with open(tmp + "/dom/master-key.aes", "wb") as f:
        f.write(os.urandom(32))
    return env, words, launch


def check_case(shim, qemu, datadir, case):
    tmp = tempfile.mkdtemp(prefix="shimlive-")
    proc = None
    try:
        env, words, launch = load_argv(datadir, case, tmp)
        hashdir = os.path.join(tmp, "emulators",
                               hashlib.sha256(qemu.encode()).hexdigest())
        os.makedirs(hashdir)
        link = os.path.join(hashdir, os.path.basename(words[0]))
        os.symlink(shim, link)
        os.symlink(qemu, os.path.join(hashdir, "target"))
        words[0] = link

        with open(tmp + "/log", "w") as log:
            proc = subprocess.Popen(words, env=env, stdout=log, stderr=log,
                                    stdin=subprocess.DEVNULL)
            sock, cmd = qmpclient.connect(tmp + "/dom/monitor.sock", proc, TIMEOUT)
            cmd("qmp_capabilities")
            devices = cmd("query-memory-devices")
            summary = cmd("query-memory-size-summary")
            cmd("quit")
            sock.close()
            proc.wait(TIMEOUT)

        data = dict(kv.split("=", 1) for kv in launch.split(","))
        want = {}
        pxm = {}  # QEMU's node id of a cell, when the launch data renumbers
        for key, val in data.items():
            m = re.fullmatch(r"node\.(\d+)\.(addr|size)", key)
            if m:
                want.setdefault(int(m.group(1)), {})[m.group(2)] = int(val, 0)
            m = re.fullmatch(r"pxm\.(\d+)", key)
            if m:
                pxm[int(m.group(1))] = int(val)
        got = {d["data"]["id"]: d["data"] for d in devices if d["type"] == "sp-mem"}
        errors = []
        for node, w in sorted(want.items()):
            d = got.get("spm-node%d" % node)
            if not d or (d["addr"], d["node"], d["size"]) != (w["addr"], pxm.get(node, node),
                                                              w["size"]):
                errors.append("node %d: want %s, got %s" % (node, w, d))
        if len(got) != len(want):
            errors.append("%d sp-mem devices, want %d" % (len(got), len(want)))
        # libvirt's -m is "<MiB>" or "size=<KiB>k,..."; the typed memory leaves it
        mline = words[words.index("-m") + 1]
        m = re.match(r"(?:size=(\d+)k|(\d+)$)", mline)
        ram = int(m.group(1)) * 1024 if m.group(1) else int(m.group(2)) << 20
        ram -= sum(w["size"] for w in want.values())
        if summary.get("base-memory") != ram:
            errors.append("base-memory %s, want %d" % (summary.get("base-memory"), ram))
        tap(not errors, "%s: sp-mem devices at the pinned addresses" % case,
            "\n".join(errors) + "\n" + json.dumps(devices))

        # the real QEMU without the shim refuses the launch data
        words[0] = qemu
        res = subprocess.run(words, env=env, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, timeout=TIMEOUT)
        tap(res.returncode != 0 and "-virt-spm-launch: invalid option" in res.stderr,
            "%s: QEMU without the shim refuses to start" % case,
            "exit %d: %s" % (res.returncode, res.stderr))
    except Exception as e:
        log = ""
        if os.path.exists(tmp + "/log"):
            with open(tmp + "/log") as f:
                log = f.read()
        tap(False, "%s: live run" % case, "%s\n%s" % (e, log))
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    qemu = os.environ.get("VIRT_SPM_TEST_QEMU")
    if not qemu:
        # a TAP skip: meson reads the plan, not exit status 77
        print("1..0 # SKIP VIRT_SPM_TEST_QEMU is not set")
        return 0
    shim, datadir = sys.argv[1], sys.argv[2]
    for case in sys.argv[3:] or ["spmem-numa5"]:
        check_case(shim, qemu, datadir, case)
    print("1..%d" % count)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
