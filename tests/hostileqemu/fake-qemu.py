#!/usr/bin/python3
# fake-qemu.py: a hostile "QEMU" for tests/qemuhostileprobetest.c
#
#   fake-qemu.py MODE PIDFILE [QEMU's probe arguments...]
#
# (the test writes a wrapper script that execs this with MODE and PIDFILE).
# Every process it makes appends its pid to PIDFILE, so that the test can
# check that none survives the probe.  MODE:
#   hang        never opens the monitor socket, ignores SIGTERM
#   fork-hang   forks a child that keeps running, then hangs like hang
#   print       writes to stdout without end (gigabytes, if let)
#   flood       greets, then sends events without end
#   flood-line  greets, then one message without a newline, without end
#   crash       greets, answers the capabilities negotiation, sends half a
#               reply to the next command, then dies of SIGSEGV
#   no-socket   exits 0 at once without opening the socket
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import signal
import socket
import sys
import time

mode, pidfile = sys.argv[1], sys.argv[2]


def note():
    with open(pidfile, "a") as f:
        f.write("%d\n" % os.getpid())


def hang():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(60)


note()
if mode == "hang":
    hang()
if mode == "fork-hang":
    if os.fork() == 0:
        note()
        hang()
    hang()
if mode == "no-socket":
    sys.exit(0)
if mode == "print":
    chunk = b"x" * 65536 + b"\n"
    while True:
        sys.stdout.buffer.write(chunk)

path = None
for arg in sys.argv[3:]:
    if arg.startswith("unix:"):
        path = arg[len("unix:"):].split(",")[0]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
conn, _ = srv.accept()
conn.sendall(b'{"QMP": {"version": {"qemu": {"micro": 3, "minor": 1, "major": 11}, '
             b'"package": ""}, "capabilities": []}}\r\n')
try:
    if mode == "flood":
        event = (b'{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME", '
                 b'"data": {"pad": "' + b"p" * 4000 + b'"}}\r\n')
        while True:
            conn.sendall(event * 64)
    if mode == "flood-line":
        conn.sendall(b'{"return": {"x": "')
        while True:
            conn.sendall(b"y" * 65536)
    if mode == "crash":
        conn.recv(65536)
        conn.sendall(b'{"return": {}, "id": "spm-1"}\r\n')
        conn.recv(65536)
        conn.sendall(b'{"return": {"qemu": {"micro": 3, "mi')
        os.kill(os.getpid(), signal.SIGSEGV)
except (BrokenPipeError, ConnectionResetError):
    pass
hang()
