# tap.py: a tiny TAP producer for virt-spm's Python tests
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import traceback

SKIP = 77


class Skip(Exception):
    pass


class TAP:
    def __init__(self):
        self.count = 0
        self.failed = 0
        self.skipped = 0

    def run(self, title, func, *args):
        self.count += 1
        try:
            func(*args)
        except Skip as e:
            self.skipped += 1
            print("ok %d - %s # SKIP %s" % (self.count, title, e))
        except Exception:
            self.failed += 1
            print("not ok %d - %s" % (self.count, title))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        else:
            print("ok %d - %s" % (self.count, title))
        sys.stdout.flush()

    def done(self):
        print("1..%d" % self.count)
        # skips are reported per case in TAP; meson's TAP protocol takes any
        # non-zero exit (77 included) as an error
        return 1 if self.failed else 0


def build_path(*parts):
    return os.path.join(os.environ.get("abs_top_builddir", "build"), *parts)


def src_path(*parts):
    return os.path.join(os.environ.get("abs_top_srcdir", "."), *parts)
