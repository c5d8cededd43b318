#!/usr/bin/python3
# test-results.py: count meson's test results.
#
#   test-results.py --label NAME testlog.json   one line "NAME P F S" (passed failed skipped)
#   test-results.py --total results.txt         the summary line "N passed, N failed, N skipped"
#                                               and exit 1 when anything failed
#
# A skipped test is never counted as passed; a test that timed out or
# crashed counts as failed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import sys


def count(path):
    passed = failed = skipped = 0
    try:
        f = open(path)
    except OSError:
        # meson did not even run: count it as one failure
        return 0, 1, 0
    with f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
    return passed, failed, skipped


def main(argv):
    if len(argv) == 4 and argv[1] == "--label":
        p, f, s = count(argv[3])
        print("%s %d %d %d" % (argv[2], p, f, s))
        return 0
    if len(argv) == 3 and argv[1] == "--total":
        p = f = s = 0
        with open(argv[2]) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) != 4:
                    continue
                print("# %s: %s passed, %s failed, %s skipped" % tuple(parts))
                p, f, s = p + int(parts[1]), f + int(parts[2]), s + int(parts[3])
        if p + f == 0:
            f += 1  # no test ran: that is a failure, not a pass
        print("%d passed, %d failed, %d skipped" % (p, f, s))
        return 1 if f else 0
    sys.stderr.write("usage: test-results.py --label NAME testlog.json | --total results.txt\n")
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
