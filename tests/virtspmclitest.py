#!/usr/bin/python3
# virtspmclitest.py: the virt-spm command line: exit codes, help, and a clear
# error (never a crash) for every kind of bad input
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

VIRT_SPM = tap.build_path("tools", "virt-spm")
EXAMPLE = tap.src_path("examples", "minimal-spm.xml")
CAPS_11 = tap.src_path("tests", "qemucapabilitiesdata", "caps_11.1.3_x86_64.replies")
CAPS_MEMMAP = tap.src_path("tests", "qemucapabilitiesdata", "caps_10.2.2-memmap-type_x86_64.replies")
CAPS_72 = tap.src_path("tests", "qemucapabilitiesdata", "caps_7.2.22_x86_64.replies")

EXIT_OK, EXIT_INVALID, EXIT_SCHEMA, EXIT_USAGE, EXIT_IO, EXIT_MALFORMED = 0, 1, 2, 3, 4, 5


def run(args, stdin=None):
    return tap.run([VIRT_SPM] + args, stdin=stdin, timeout=60)


def expect(args, code, err_contains=(), out_contains=(), stdin=None):
    return tap.expect([VIRT_SPM] + args, code, err_contains, out_contains, stdin=stdin)


def with_file(text, func):
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        func(path)
    finally:
        os.unlink(path)


def example_text():
    with open(EXAMPLE) as f:
        return f.read()


def t_valid():
    expect(["validate", "--offline", EXAMPLE], EXIT_OK, out_contains=["validates"])


def t_valid_with_sp_mem_caps():
    expect(["validate", "--caps", CAPS_11, EXAMPLE], EXIT_OK, out_contains=["validates"])


def t_valid_with_memmap_type_caps():
    expect(["validate", "--caps", CAPS_MEMMAP, EXAMPLE], EXIT_OK, out_contains=["validates"])


def t_capability_refusal():
    # the example names Debian's QEMU 7.2, which has no SPM interface
    expect(["validate", "--caps", CAPS_72, EXAMPLE], EXIT_INVALID,
           ["NUMA cell '1' is typed 'spm'", "(7.2.22) offers no SPM interface"])
    reserved = example_text().replace("memmap='spm'", "memmap='reserved'")
    with_file(reserved, lambda p: expect(["validate", "--caps", CAPS_11, p], EXIT_INVALID,
                                         ["offers only the sp-mem device"]))


def t_warnings_kept_with_probed_emulator():
    # the domain's own <emulator> (Debian's QEMU 7.2, probed): its refusal and
    # the firmware warning found before it are both printed
    p = expect(["validate", EXAMPLE], EXIT_INVALID, ["offers no SPM interface"])
    assert "warning: cannot show that the UEFI firmware" in p.stderr, p.stderr


def t_bad_caps_file():
    with_file("{ not json", lambda p: expect(["validate", "--caps", p, EXAMPLE], 6, ["error:"]))
    expect(["validate", "--caps", "/nonexistent.replies", EXAMPLE], 6, ["error:"])


def t_valid_stdin():
    expect(["validate", "--offline", "-"], EXIT_OK, stdin=example_text(),
           out_contains=["standard input"])


def t_quiet():
    p = expect(["-q", "validate", "--offline", EXAMPLE], EXIT_OK)
    assert p.stdout == "", p.stdout


def t_not_xml():
    with_file("this is not XML\n", lambda p: expect(
        ["validate", p], EXIT_MALFORMED, ["error: XML error:", "line 1"]))


def t_empty():
    with_file("", lambda p: expect(["validate", p], EXIT_MALFORMED, ["is empty"]))


def t_wrong_root():
    with_file("<network><name>x</name></network>", lambda p: expect(
        ["validate", p], EXIT_MALFORMED, ["expecting root element of 'domain', not 'network'"]))


def t_truncated():
    text = example_text()
    with_file(text[:len(text) // 2], lambda p: expect(
        ["validate", p], EXIT_MALFORMED, ["error: XML error:"]))


def t_memmap_uppercase():
    with_file(example_text().replace("memmap='spm'", "memmap='SPM'"), lambda p: expect(
        ["validate", p], EXIT_SCHEMA,
        ["failed to validate against schema",
         "Invalid value for attribute 'memmap' in element 'cell': 'SPM'. Expected 'normal', 'spm' or 'reserved'"]))


def t_memmap_uppercase_no_schema():
    with_file(example_text().replace("memmap='spm'", "memmap='SPM'"), lambda p: expect(
        ["validate", "--no-schema", p], EXIT_INVALID, ["'SPM'"]))


def t_huge_number():
    with_file(example_text().replace("memory='1' unit='GiB'", "memory='184467440737095516160' unit='GiB'"),
              lambda p: expect(["validate", p], EXIT_SCHEMA, ["is too large"]))


def t_huge_scaled():
    with_file(example_text().replace("memory='1' unit='GiB'", "memory='17179869184' unit='GiB'"),
              lambda p: expect(["validate", "--no-schema", p], EXIT_INVALID, ["is too large"]))


def t_unknown_unit():
    with_file(example_text().replace("memory='1' unit='GiB'", "memory='1' unit='GiBB'"),
              lambda p: expect(["validate", p], EXIT_SCHEMA, ["unknown unit 'GiBB'"]))


def t_rule_failure():
    with_file(example_text().replace("<acpi/>", ""), lambda p: expect(
        ["validate", "--offline", p], EXIT_INVALID, ["need ACPI"]))


def t_all_problems():
    text = example_text().replace("<acpi/>", "").replace("firmware='efi'", "firmware='bios'")
    with_file(text, lambda p: expect(["validate", "--offline", p], EXIT_INVALID,
                                     ["need ACPI", "SeaBIOS"]))


def t_missing_file():
    expect(["validate", "/nonexistent/dir/x.xml"], EXIT_IO,
           ["cannot open '/nonexistent/dir/x.xml'", "No such file"])


def t_directory():
    expect(["validate", "/"], EXIT_IO, ["cannot read"])


def t_binary_garbage():
    with open("/dev/urandom", "rb") as f:
        data = f.read(4096)
    with tempfile.NamedTemporaryFile("wb", suffix=".xml", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        p = run(["validate", path])
        assert p.returncode in (EXIT_MALFORMED,), p.returncode
    finally:
        os.unlink(path)


def t_usage():
    expect([], EXIT_USAGE, ["Usage:"])
    expect(["validate"], EXIT_USAGE, ["expected"])
    expect(["validate", "a", "b"], EXIT_USAGE)
    expect(["validate", "--frobnicate", EXAMPLE], EXIT_USAGE, ["Unknown option"])
    expect(["validate", "--offline", "--caps", CAPS_11, EXAMPLE], EXIT_USAGE, ["excludes"])
    expect(["frobnicate"], EXIT_USAGE, ["unknown command 'frobnicate'"])
    expect(["--frobnicate"], EXIT_USAGE, ["unknown option"])
    expect(["-c"], EXIT_USAGE, ["needs a URI"])


def t_help():
    p = expect(["--help"], EXIT_OK, out_contains=["validate", "Exit codes"])
    expect(["validate", "--help"], EXIT_OK, out_contains=["--no-schema"])
    expect(["help", "validate"], EXIT_OK, out_contains=["--no-schema"])
    assert p.stderr == ""


def t_version():
    p = expect(["--version"], EXIT_OK)
    assert p.stdout.startswith("virt-spm "), p.stdout


def t_warning_exit_ok():
    # the firmware warning is printed but does not fail validation
    p = expect(["validate", "--caps", CAPS_11, EXAMPLE], EXIT_OK)
    assert "warning:" in p.stderr and "error:" not in p.stderr, p.stderr


if __name__ == "__main__":
    sys.exit(tap.run_all(globals()))
