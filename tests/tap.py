# tap.py: a tiny TAP producer for virt-spm's Python tests
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import subprocess
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


def compare_golden(actual, path):
    """Asserts that @actual is the text of the golden file @path, or with
    SPM_TEST_REGENERATE_OUTPUT=1 rewrites that file with it."""
    if os.environ.get("SPM_TEST_REGENERATE_OUTPUT", "0") not in ("", "0"):
        with open(path, "w") as f:
            f.write(actual)
        return
    with open(path) as f:
        expected = f.read()
    assert actual == expected, "output differs from %s:\n%s" % (path, actual)


def virt_spm():
    return build_path("tools", "virt-spm")


def run(argv, stdin=None, env=None, timeout=120):
    """Runs a program; a death by signal (a crash) fails the test."""
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout,
                       env=env)
    assert p.returncode >= 0, "%s died with signal %d: %s" % (argv[0], -p.returncode, p.stderr)
    return p


def expect(argv, code, err_contains=(), out_contains=(), stdin=None, env=None):
    """Runs a program and checks its exit code and what it printed."""
    p = run(argv, stdin=stdin, env=env)
    assert p.returncode == code, "exit %d, expected %d\nstdout: %s\nstderr: %s" % (
        p.returncode, code, p.stdout, p.stderr)
    for s in err_contains:
        assert s in p.stderr, "stderr lacks %r:\n%s" % (s, p.stderr)
    for s in out_contains:
        assert s in p.stdout, "stdout lacks %r:\n%s" % (s, p.stdout)
    return p


def run_all(namespace):
    """Runs every t_NAME function of a test module, in name order."""
    t = TAP()
    for name, func in sorted(namespace.items()):
        if name.startswith("t_") and callable(func):
            t.run(name[2:].replace("_", " "), func)
    return t.done()
