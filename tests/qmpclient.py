# qmpclient.py: the smallest QMP client the live tests need (stdlib only)
#
#   sock, cmd = qmpclient.connect(path, proc, timeout)
#   cmd("qmp_capabilities"); cmd("qom-get", path=..., property=...)
#
# connect() waits for QEMU (the Popen @proc) to open its monitor socket at
# @path, reads the greeting and returns the socket and a function that runs
# one command and returns its "return" value (events are skipped; an
# "error" reply raises RuntimeError).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import socket
import time


def connect(path, proc, timeout=60):
    deadline = time.time() + timeout
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(path)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("QEMU did not open its monitor")
            time.sleep(0.05)
    s.settimeout(timeout)
    f = s.makefile("rw")
    json.loads(f.readline())

    def cmd(name, **args):
        request = {"execute": name}
        if args:
            request["arguments"] = args
        f.write(json.dumps(request) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "event" not in reply:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (name, reply["error"]))
                return reply["return"]
    return s, cmd
