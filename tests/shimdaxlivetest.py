#!/usr/bin/env python3
#
# shimdaxlivetest.py: a typed cell backed by a host dax device, rewritten by
# the shim, booted with the reference QEMU, OVMF and guest kernel
#
#   VIRT_SPM_TEST_QEMU=... VIRT_SPM_TEST_OVMF_DIR=... VIRT_SPM_TEST_KERNEL_DIR=... \
#       shimdaxlivetest.py SHIM
#
# This machine has no /dev/dax, so the backing is a regular file of the
# cell's size (256 MiB, sparse) standing in for /dev/dax0.0; the launch data
# names it as `virt-spm define` names a dax device (node.1.dax, dax-align
# 2 MiB, the device's alignment).  libvirt-style argv (memory-backend-ram per
# node, -m in MiB) goes through an emulator link to the shim; over QMP the
# node's backend must be a memory-backend-file on that path, shared, with
# the alignment, and the guest must report the cell as soft reserved (E820)
# with a dax device of its size on node 1.  Skips without the reference set.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import json
import os
import qmpclient
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 600
SIZE = 256 << 20
ALIGN = 2 << 20


def tap(n, ok, title, why=""):
    if not ok:
        for line in why.splitlines():
            print("# " + line)
    print("%s %d - %s" % ("ok" if ok else "not ok", n, title))
    sys.stdout.flush()
    return ok


def main():
    qemu = os.environ.get("VIRT_SPM_TEST_QEMU")
    ovmf = os.environ.get("VIRT_SPM_TEST_OVMF_DIR")
    kdir = os.environ.get("VIRT_SPM_TEST_KERNEL_DIR")
    if not (qemu and ovmf and kdir):
        print("1..0 # SKIP VIRT_SPM_TEST_QEMU, VIRT_SPM_TEST_OVMF_DIR or "
              "VIRT_SPM_TEST_KERNEL_DIR is not set")
        return 0
    shim = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="shimdax-")
    proc = None
    failed = 0
    try:
        # the stand-in for /dev/dax0.0: a regular file of the cell's size
        dax = os.path.join(tmp, "dax0.0")
        with open(dax, "wb") as f:
            f.truncate(SIZE)
        vars_fd = os.path.join(tmp, "vars.fd")
        shutil.copy(os.path.join(ovmf, "OVMF_VARS_4M.fd"), vars_fd)
        hashdir = os.path.join(tmp, "emulators", hashlib.sha256(qemu.encode()).hexdigest())
        os.makedirs(hashdir)
        link = os.path.join(hashdir, "qemu-system-x86_64")
        os.symlink(shim, link)
        os.symlink(qemu, os.path.join(hashdir, "target"))
        launch = ("v=1,form=sp-mem,maxmem=%d,slots=0,node.1.memmap=spm,node.1.addr=0x100000000,"
                  "node.1.size=%d,node.1.dax=%s,node.1.dax-align=%d"
                  % ((512 << 20) + SIZE, SIZE, dax, ALIGN))
        argv = [link, "-nodefaults", "-nographic", "-no-reboot",
                "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "1",
                "-m", "768",
                "-drive", "if=pflash,format=raw,readonly=on,file=%s/OVMF_CODE_4M.fd" % ovmf,
                "-drive", "if=pflash,format=raw,file=%s" % vars_fd,
                "-object", '{"qom-type":"memory-backend-ram","id":"ram-node0","size":%d}'
                % (512 << 20),
                "-numa", "node,nodeid=0,cpus=0,memdev=ram-node0",
                "-object", '{"qom-type":"memory-backend-ram","id":"ram-node1","size":%d}' % SIZE,
                "-numa", "node,nodeid=1,memdev=ram-node1",
                "-kernel", os.path.join(kdir, "vmlinuz"),
                "-initrd", os.path.join(kdir, "initrd"),
                "-append", "console=ttyS0 panic=-1",
                "-serial", "file:" + os.path.join(tmp, "console"),
                "-qmp", "unix:%s/qmp.sock,server=on,wait=off" % tmp,
                "-virt-spm-launch", launch]
        with open(os.path.join(tmp, "log"), "w") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
            sock, cmd = qmpclient.connect(os.path.join(tmp, "qmp.sock"), proc)
            cmd("qmp_capabilities")
            props = {p: cmd("qom-get", path="/objects/ram-node1", property=p)
                     for p in ("type", "mem-path", "share", "align", "size")}
            devices = cmd("query-memory-devices")
            sock.close()
            proc.wait(TIMEOUT)
        with open(os.path.join(tmp, "log")) as f:
            log = f.read()
        with open(os.path.join(tmp, "console"), errors="replace") as f:
            console = f.read()

        want = {"type": "memory-backend-file", "mem-path": dax, "share": True, "align": ALIGN,
                "size": SIZE}
        if not tap(1, props == want, "QEMU accepts the rewritten backend: file on the dax path, "
                   "shared, aligned", "got %s\nwant %s\n%s" % (props, want, log)):
            failed += 1
        spm = [d["data"] for d in devices if d["type"] == "sp-mem"]
        if not tap(2, len(spm) == 1 and spm[0]["memdev"] == "/objects/ram-node1"
                   and spm[0]["node"] == 1 and spm[0]["addr"] == 0x100000000,
                   "the sp-mem device of node 1 uses that backend", json.dumps(devices)):
            failed += 1
        e820 = re.search(r"BIOS-e820: \[mem 0x0000000100000000-0x000000010fffffff\] soft reserved",
                         console)
        daxdev = re.search(r"dax\d+\.\d+: size=%d target_node=1" % SIZE, console)
        if not tap(3, bool(e820 and daxdev), "the guest sees the cell as soft reserved, with a "
                   "dax device on node 1", console[-3000:] + log):
            failed += 1
    except Exception as e:
        log = ""
        if os.path.exists(os.path.join(tmp, "log")):
            with open(os.path.join(tmp, "log")) as f:
                log = f.read()
        tap(1, False, "live run", "%s\n%s" % (e, log))
        failed += 1
        print("1..1")
        return 1
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..3")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
