#!/usr/bin/python3
# qemucaps-record.py: record a QEMU binary's QMP replies as a .replies file
# of tests/qemucapabilitiesdata (the input of tests/qemucapabilitiestest.c)
#
#   /usr/bin/python3 tests/qemucaps-record.py QEMU OUT.replies
#
# QEMU is started the way libvirt probes it (-S -no-user-config -nodefaults
# -nographic -machine none,accel=tcg, QMP on a unix socket) and gets the same
# ten commands, unconditionally, in this order: qmp_capabilities,
# query-version, query-target, query-qmp-schema, qom-list-types, qom-list-types
# (implements memory-device), device-list-properties sp-mem and pc-dimm,
# query-machines, query-command-line-options.  A command the binary lacks is
# recorded with its error reply.  Each command and each reply is written as
# JSON indented by two, in QEMU's member order, followed by a blank line
# (libvirt's .replies layout); ids are libvirt-N.  Asynchronous events are
# left out.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

COMMANDS = [
    ("qmp_capabilities", None),
    ("query-version", None),
    ("query-target", None),
    ("query-qmp-schema", None),
    ("qom-list-types", None),
    ("qom-list-types", {"implements": "memory-device"}),
    ("device-list-properties", {"typename": "sp-mem"}),
    ("device-list-properties", {"typename": "pc-dimm"}),
    ("query-machines", None),
    ("query-command-line-options", None),
]


def main(argv):
    if len(argv) != 3:
        print("usage: qemucaps-record.py QEMU OUT.replies", file=sys.stderr)
        return 3
    qemu, out = argv[1], argv[2]
    tmp = tempfile.mkdtemp(prefix="qemucaps-record-")
    sock_path = os.path.join(tmp, "qmp.sock")
    proc = subprocess.Popen([qemu, "-S", "-no-user-config", "-nodefaults", "-nographic",
                             "-machine", "none,accel=tcg",
                             "-qmp", "unix:%s,server=on,wait=off" % sock_path],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while not os.path.exists(sock_path):
            if proc.poll() is not None or time.time() > deadline:
                print("QEMU did not start: %s" % proc.stderr.read().decode(), file=sys.stderr)
                return 1
            time.sleep(0.05)
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(sock_path)
        reader = sock.makefile("r")
        json.loads(reader.readline())  # the greeting
        text = []
        for n, (cmd, args) in enumerate(COMMANDS, 1):
            msg = {"execute": cmd}
            if args is not None:
                msg["arguments"] = args
            msg["id"] = "libvirt-%d" % n
            sock.sendall((json.dumps(msg) + "\n").encode())
            while True:
                reply = json.loads(reader.readline())
                if "event" not in reply:
                    break
            text.append(json.dumps(msg, indent=2))
            text.append(json.dumps(reply, indent=2))
        sock.sendall(b'{"execute":"quit"}\n')
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    with open(out, "w") as f:
        f.write("".join(t + "\n\n" for t in text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
