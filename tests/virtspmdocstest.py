#!/usr/bin/python3
# virtspmdocstest.py: the documentation says what virt-spm does: the exit
# codes in README.md and docs/virt-spm.rst are the table virt-spm --help
# prints (spmCliExitCodes), and each verb's synopsis in the man page is the
# one of its spmCliCommand (virt-spm VERB --help)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

VIRT_SPM = tap.build_path("tools", "virt-spm")
README = tap.src_path("README.md")
MANPAGE = tap.src_path("docs", "virt-spm.rst")
EXIT_ROW = re.compile(r"^\s*(\d+)\s+([a-z-]+)\s+(\S.*?)\s*$")


def help_text(args=()):
    p = tap.expect([VIRT_SPM] + list(args) + ["--help"], 0)
    return p.stdout


def section(lines, start, stop):
    """The lines after the first one matching @start, up to one matching @stop."""
    out = []
    inside = False
    for line in lines:
        if not inside:
            inside = re.match(start, line) is not None
            continue
        if re.match(stop, line):
            break
        out.append(line)
    assert inside, "no line matches %r" % start
    return out


def exit_rows(lines):
    rows = []
    for line in lines:
        m = EXIT_ROW.match(line.replace("``", ""))
        if m:
            rows.append((int(m.group(1)), m.group(2), m.group(3)))
    return rows


def table():
    rows = exit_rows(section(help_text().splitlines(), r"^Exit codes:", r"^\S"))
    assert [r[0] for r in rows] == list(range(len(rows))) and len(rows) > 3, rows
    return rows


def commands():
    lines = section(help_text().splitlines(), r"^Commands:", r"^\S")
    return [line.split()[0] for line in lines if line.strip()]


def synopsis(verb):
    first = help_text([verb]).splitlines()[0]
    prefix = "Usage: virt-spm %s " % verb
    assert first.startswith(prefix), first
    return first[len(prefix):]


def normalized(text):
    """A synopsis without reStructuredText markup, spaced alike."""
    text = text.replace("``", "").replace("*", "")
    text = re.sub(r"\s*\|\s*", "|", text)
    return " ".join(text.split())


def t_readme_exit_codes():
    with open(README) as f:
        lines = f.read().splitlines()
    rows = exit_rows(section(lines, r"^Exit codes", r"^See "))
    assert rows == table(), "README.md: %s\n--help: %s" % (rows, table())


def t_manpage_exit_codes():
    with open(MANPAGE) as f:
        lines = f.read().splitlines()
    rows = exit_rows(section(lines, r"^EXIT STATUS$", r"^When several"))
    assert rows == table(), "docs/virt-spm.rst: %s\n--help: %s" % (rows, table())


def t_manpage_synopses():
    with open(MANPAGE) as f:
        lines = section(f.read().splitlines(), r"^COMMANDS$", r"^SHIM AND HOOK$")
    documented = {}
    for line in lines:
        m = re.match(r"^``([a-z-]+)``(.*)$", line)
        if m:
            assert m.group(1) not in documented, "%s is documented twice" % m.group(1)
            documented[m.group(1)] = normalized(m.group(2))
    verbs = commands()
    assert sorted(documented) == sorted(verbs), (sorted(documented), sorted(verbs))
    for verb in verbs:
        assert documented[verb] == normalized(synopsis(verb)), \
            "%s: docs/virt-spm.rst has %r, the verb table %r" % (
                verb, documented[verb], synopsis(verb))


def t_every_verb_helps():
    for verb in commands():
        text = help_text([verb])
        assert help_text(["help", verb]) == text, verb
        # every option the synopsis names is described under Options
        for opt in re.findall(r"--[a-z-]+", synopsis(verb)):
            assert re.search(r"^  (-., )?%s\b" % opt, text, re.M), "%s: %s" % (verb, opt)


if __name__ == "__main__":
    sys.exit(tap.run_all(globals()))
