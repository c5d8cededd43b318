#!/usr/bin/python3
# virtspmclitest.py: the virt-spm command line: exit codes, help, and a clear
# error (never a crash) for every kind of bad input
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

VIRT_SPM = tap.build_path("tools", "virt-spm")
EXAMPLE = tap.src_path("examples", "minimal-spm.xml")
CAPS_11 = tap.src_path("tests", "qemucapabilitiesdata", "caps_11.1.3_x86_64.replies")
CAPS_MEMMAP = tap.src_path("tests", "qemucapabilitiesdata", "caps_10.2.2-memmap-type_x86_64.replies")
CAPS_72 = tap.src_path("tests", "qemucapabilitiesdata", "caps_7.2.22_x86_64.replies")

REPLAY_HELPER = tap.build_path("tests", "qemureplayhelper")

EXIT_OK, EXIT_INVALID, EXIT_SCHEMA, EXIT_USAGE, EXIT_IO, EXIT_MALFORMED = 0, 1, 2, 3, 4, 5

# a q35 domain with a DIMM on its normal cell beside the typed one
DIMM_DOMAIN_EDITS = [
    ("<memory unit='GiB'>3</memory>",
     "<maxMemory slots='2' unit='GiB'>8</maxMemory>\n  <memory unit='GiB'>4</memory>"),
    ("<serial type='pty'/>",
     "<memory model='dimm'><target><size unit='GiB'>1</size><node>0</node></target></memory>\n"
     "    <serial type='pty'/>"),
]


def run(args, stdin=None):
    return tap.run([VIRT_SPM] + args, stdin=stdin, timeout=60)


def expect(args, code, err_contains=(), out_contains=(), stdin=None, env=None):
    return tap.expect([VIRT_SPM] + args, code, err_contains, out_contains, stdin=stdin, env=env)


# the test's descriptor of an image virt-spm has not verified: one warning
UNKNOWN_FIRMWARE_ENV = dict(os.environ, VIRT_SPM_FIRMWARE_DIRS=tap.build_path(
    "tests", "qemufirmwaredata", "unknown"))


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
    p = expect(["validate", EXAMPLE], EXIT_INVALID, ["offers no SPM interface"],
               env=UNKNOWN_FIRMWARE_ENV)
    assert "warning: virt-spm has not verified that firmware" in p.stderr, p.stderr


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
    p = expect(["validate", "--caps", CAPS_11, EXAMPLE], EXIT_OK, env=UNKNOWN_FIRMWARE_ENV)
    assert "warning:" in p.stderr and "error:" not in p.stderr, p.stderr


def dimm_domain_text(emulator=None):
    text = example_text()
    for old, new in DIMM_DOMAIN_EDITS:
        assert old in text, old
        text = text.replace(old, new)
    if emulator:
        text = text.replace("<emulator>/usr/bin/qemu-system-x86_64</emulator>",
                            "<emulator>%s</emulator>" % emulator)
    return text


def stderr_lines(p, prefix):
    return [line for line in p.stderr.splitlines() if line.startswith(prefix)]


def same_refusal(verbs, path, code, message, env=None):
    """Each of @verbs (argument lists ending before FILE) refuses @path with
    @code and the same error lines, among them @message."""
    errors = None
    for verb in verbs:
        p = tap.expect([VIRT_SPM] + verb + [path], code, [message], env=env)
        assert p.stdout == "", (verb, p.stdout)
        if errors is None:
            errors = stderr_lines(p, "error:")
        assert stderr_lines(p, "error:") == errors, (verb, p.stderr, errors)


def with_recorded_qemu(replies, func):
    """@func(emulator, env): a QEMU binary that answers virt-spm's probe from
    @replies (tests/qemureplayhelper), with its own capabilities cache."""
    if not os.access(REPLAY_HELPER, os.X_OK):
        raise tap.Skip("%s is not built" % REPLAY_HELPER)
    tmp = tempfile.mkdtemp(prefix="virtspmclitest-")
    try:
        emulator = os.path.join(tmp, "qemu-system-x86_64")
        with open(emulator, "w") as f:
            f.write('#!/bin/sh\nexec "%s" --replies "%s" -- "$@"\n' % (REPLAY_HELPER, replies))
        os.chmod(emulator, 0o755)
        env = dict(os.environ, VIRT_SPM_CACHE_DIR=os.path.join(tmp, "cache"),
                   VIRT_SPM_EMULATOR_DIR=os.path.join(tmp, "emulators"))
        func(emulator, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


SP_MEM_DIMM_REFUSAL = "cannot be used beside typed cells with QEMU's sp-mem form"


def t_layout_refuses_dimm_like_validate():
    # the sp-mem form (QEMU 11.1.3): no memory device beside typed cells
    with_file(dimm_domain_text(), lambda p: same_refusal(
        [["validate", "--caps", CAPS_11], ["layout", "--caps", CAPS_11],
         ["layout", "--json", "--caps", CAPS_11]], p, EXIT_INVALID, SP_MEM_DIMM_REFUSAL))
    # the memmap-type form has no such limit
    with_file(dimm_domain_text(), lambda p: expect(
        ["layout", "--caps", CAPS_MEMMAP, p], EXIT_OK, out_contains=["memmap-type"]))


def t_layout_uses_domain_emulator_like_define():
    # the domain's <emulator> answers as the recorded QEMU 11.1.3
    def check(emulator, env):
        with_file(dimm_domain_text(emulator), lambda p: same_refusal(
            [["validate"], ["layout"], ["layout", "--no-cache"], ["define", "--print-xml"]],
            p, EXIT_INVALID, SP_MEM_DIMM_REFUSAL, env=env))
        plain = example_text().replace("/usr/bin/qemu-system-x86_64", emulator)
        with_file(plain, lambda p: tap.expect([VIRT_SPM, "layout", p], EXIT_OK,
                                              out_contains=["SPM form sp-mem"], env=env))
    with_recorded_qemu(CAPS_11, check)


def t_layout_honours_emulator():
    # the example names Debian's QEMU 7.2 (no SPM interface): layout refuses
    # its typed cell as validate does (exit 1), or, without that QEMU, fails
    # to probe it as validate does (exit 6)
    v = run(["validate", EXAMPLE])
    assert v.returncode in (EXIT_INVALID, 6), v
    same_refusal([["validate"], ["layout"]], EXAMPLE, v.returncode, "error:")
    same_refusal([["validate", "--caps", CAPS_72], ["layout", "--caps", CAPS_72]], EXAMPLE,
                 EXIT_INVALID, "(7.2.22) offers no SPM interface")


def t_layout_usage():
    expect(["layout", "--caps", CAPS_11, "--emulator", "/bin/true", EXAMPLE], EXIT_USAGE,
           ["--emulator and --caps exclude each other", "Try 'virt-spm layout --help'"])
    expect(["layout", "--help"], EXIT_OK, out_contains=["--no-cache", "--emulator", "--caps"])
    expect(["layout", "--caps", CAPS_11, "--no-cache", EXAMPLE], EXIT_OK,
           out_contains=["SPM form sp-mem"])


if __name__ == "__main__":
    sys.exit(tap.run_all(globals()))
