#!/usr/bin/python3
# virtspmnovatest.py: OpenStack Nova guests without libvirtd: the
# extra-spec validator loaded by Debian's python3-nova, provider-config read
# by Nova's own loader, and the qemu hook typing Nova-shaped domains (built
# with Nova's config classes) from Nova 32's extra specs or the flavor file,
# leaving the launch data that the shim then applies, or refusing the start.
# The QEMU behind the shim is tests/qemureplayhelper answering from recorded
# replies (11.1.3: sp-mem; 7.2.22: none).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

PYTHON = "/usr/bin/python3"
HOOK = tap.build_path("tools", "virt-spm-hook")
SHIM = tap.build_path("tools", "virt-spm-shim")
ARGVDUMP = tap.build_path("tests", "argvdump")
REPLAY_HELPER = tap.build_path("tests", "qemureplayhelper")
CAPS = tap.src_path("tests", "qemucapabilitiesdata")
CONTRIB = tap.src_path("contrib", "nova")
UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809"
GOOD_OVMF = "/var/tmp/virt-spm-reference/fw/ovmf-x/usr/share/OVMF/OVMF_CODE_4M.fd"


def nova_available():
    p = subprocess.run([PYTHON, "-c", "import nova.virt.libvirt.config"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise tap.Skip("Debian's python3-nova is not installed")


def nova_python(code, env=None, tmp=None):
    """Runs @code with Debian's python3-nova; returns its stdout."""
    e = dict(os.environ, **(env or {}))
    if tmp:
        e["HOME"] = tmp  # stevedore's entry-point cache
    p = subprocess.run([PYTHON, "-W", "ignore", "-c", code], capture_output=True, text=True,
                       env=e, timeout=120)
    assert p.returncode == 0, "python3-nova code failed:\n%s\n%s" % (p.stdout, p.stderr)
    return p.stdout


def install_validator(tmp):
    """contrib/nova installed without network: the package on PYTHONPATH,
    and a dist-info with its entry point (what pip would write)."""
    site = os.path.join(tmp, "site")
    info = os.path.join(site, "virt_spm_nova-0.1.0.dist-info")
    os.makedirs(info)
    shutil.copytree(os.path.join(CONTRIB, "virt_spm_nova"), os.path.join(site, "virt_spm_nova"))
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: virt-spm-nova\nVersion: 0.1.0\n")
    # the entry point as contrib/nova/setup.cfg declares it
    cfg = open(os.path.join(CONTRIB, "setup.cfg")).read()
    section = cfg[cfg.index("[options.entry_points]"):]
    lines = [l.strip() for l in section.splitlines()[1:] if l.strip()]
    with open(os.path.join(info, "entry_points.txt"), "w") as f:
        f.write("[%s]\n" % lines[0].rstrip(" ="))
        for l in lines[1:]:
            f.write(l + "\n")
    return site


VALIDATE = """
import json, sys
from nova import exception
from nova.api.validation.extra_specs import validators
out = {"registered": "virt_spm:numa_memmap.{num}" in validators.VALIDATORS, "results": {}}
for name, value in json.loads(sys.argv[1] if len(sys.argv) > 1 else %r):
    try:
        validators.validate(name, value)
        out["results"]["%%s=%%s" %% (name, value)] = "ok"
    except exception.ValidationError as e:
        out["results"]["%%s=%%s" %% (name, value)] = "refused: %%s" %% e
print(json.dumps(out))
"""

SPECS = [
    ("virt_spm:numa_memmap.1", "spm"), ("virt_spm:numa_memmap.2", "reserved"),
    ("virt_spm:numa_memmap.12", "normal"), ("hw:numa_mem.1", "16384"),
    ("virt_spm:numa_memmap.1", "SPM"), ("virt_spm:numa_memmap.1", "hbm"),
    ("virt_spm:numa_memmap.0", "spm"), ("virt_spm:numa_memmap.01", "spm"),
    ("virt_spm:numa_memmap.x", "spm"), ("virt_spm:numa_memap.1", "spm"),
]
GOOD = SPECS[:4]


def t_validator_through_nova():
    nova_available()
    import json
    tmp = tempfile.mkdtemp(prefix="virtspmnovatest-")
    try:
        code = VALIDATE % json.dumps(SPECS)
        # without the package Nova knows nothing of virt_spm: and lets all pass
        plain = json.loads(nova_python(code, tmp=tmp))
        assert not plain["registered"], plain
        assert all(v == "ok" for v in plain["results"].values()), plain
        site = install_validator(tmp)
        got = json.loads(nova_python(code, env={"PYTHONPATH": site}, tmp=tmp))
        assert got["registered"], got
        for name, value in SPECS:
            r = got["results"]["%s=%s" % (name, value)]
            if (name, value) in GOOD:
                assert r == "ok", (name, value, r)
            else:
                assert r.startswith("refused"), (name, value, r)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


PROVIDER_LOAD = """
import sys
from nova.compute import provider_config
cfgs = provider_config.get_provider_configs(sys.argv[1])
for uuid, p in cfgs.items():
    print(uuid, sorted(p["traits"]["additional"]))
    for inv in p.get("inventories", {}).get("additional", []):
        for rc, fields in inv.items():
            print(rc, fields["total"], fields["max_unit"])
"""

# the reference guest's topology, captured (tests/hostdata/refguest)
REFGUEST = tap.src_path("tests", "hostdata", "refguest")


def provider_config(replies, tmp, root=None):
    emulator = fake_qemu(tmp, replies)
    env = dict(os.environ, VIRT_SPM_CACHE_DIR=os.path.join(tmp, "cache"))
    extra = ["--root", root] if root else []
    return tap.run([tap.virt_spm(), "provider-config", "--emulator", emulator] + extra, env=env)


def t_provider_config_nova_loader():
    nova_available()
    tmp = tempfile.mkdtemp(prefix="virtspmnovatest-")
    try:
        for replies, trait in (("caps_11.1.3_x86_64.replies", "CUSTOM_VIRT_SPM_SP_MEM"),
                               ("caps_10.2.2-memmap-type_x86_64.replies",
                                "CUSTOM_VIRT_SPM_MEMMAP_TYPE")):
            p = provider_config(replies, tmp)
            assert p.returncode == 0, p
            confdir = os.path.join(tmp, "provider-" + trait)
            os.makedirs(confdir)
            with open(os.path.join(confdir, "virt-spm.yaml"), "w") as f:
                f.write(p.stdout)
            code = "import sys\n" + PROVIDER_LOAD
            e = dict(os.environ, HOME=tmp)
            q = subprocess.run([PYTHON, "-W", "ignore", "-c", code, confdir], capture_output=True,
                               text=True, env=e, timeout=120)
            assert q.returncode == 0, q
            assert q.stdout.strip() == "$COMPUTE_NODE %r" % sorted(["CUSTOM_VIRT_SPM", trait]), q
        # the loader is no rubber stamp: a trait without CUSTOM_ fails it
        bad = os.path.join(tmp, "provider-bad")
        os.makedirs(bad)
        with open(os.path.join(bad, "bad.yaml"), "w") as f:
            f.write(p.stdout.replace("- CUSTOM_VIRT_SPM\n", "- VIRT_SPM\n"))
        q = subprocess.run([PYTHON, "-W", "ignore", "-c", PROVIDER_LOAD, bad],
                           capture_output=True, text=True, env=dict(os.environ, HOME=tmp))
        assert q.returncode != 0, q
        # the HBM inventory, sized by host discovery: the reference guest's
        # two 256 MiB SPM cells, as devdax devices and onlined by kmem
        for mode in ("devdax", "system-ram"):
            p = provider_config("caps_11.1.3_x86_64.replies", tmp,
                                os.path.join(REFGUEST, mode, "fsroot"))
            assert p.returncode == 0, p
            confdir = os.path.join(tmp, "provider-inventory-" + mode)
            os.makedirs(confdir)
            with open(os.path.join(confdir, "virt-spm.yaml"), "w") as f:
                f.write(p.stdout)
            q = subprocess.run([PYTHON, "-W", "ignore", "-c", PROVIDER_LOAD, confdir],
                               capture_output=True, text=True, env=dict(os.environ, HOME=tmp),
                               timeout=120)
            assert q.returncode == 0, q
            assert q.stdout.strip().splitlines()[1:] == ["CUSTOM_SPM_MB 512 512"], (mode, q)
        # QEMU 7.2 offers no SPM form: no configuration
        p = provider_config("caps_7.2.22_x86_64.replies", tmp)
        assert p.returncode == 1 and "offers no SPM interface" in p.stderr, p
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------ the hook

def fake_qemu(tmp, replies, name=None):
    path = os.path.join(tmp, name or ("qemu-" + replies.split("_")[1]))
    with open(path, "w") as f:
        f.write('#!/bin/sh\nexec "%s" --replies "%s" -- "$@"\n' % (
            REPLAY_HELPER, os.path.join(CAPS, replies)))
    os.chmod(path, 0o755)
    return path


class Host:
    """What host-setup leaves, in a temporary directory: bin/qemu-system-x86_64
    -> an emulator link -> the shim, with @real behind it."""

    def __init__(self, replies="caps_11.1.3_x86_64.replies"):
        self.tmp = tempfile.mkdtemp(prefix="virtspmnovatest-")
        self.real = fake_qemu(self.tmp, replies)
        self.emu = os.path.join(self.tmp, "emulators")
        self.run = os.path.join(self.tmp, "run")
        self.flavors = os.path.join(self.tmp, "nova-flavors.conf")
        self.env = dict(os.environ, VIRT_SPM_CACHE_DIR=os.path.join(self.tmp, "cache"),
                        VIRT_SPM_EMULATOR_DIR=self.emu, VIRT_SPM_RUNTIME_DIR=self.run,
                        VIRT_SPM_NOVA_FLAVORS=self.flavors)
        self.path = os.path.join(self.tmp, "bin", "qemu-system-x86_64")
        self.link_to(self.real)

    def link_to(self, real, shim=SHIM):
        import hashlib
        d = os.path.join(self.emu, hashlib.sha256(real.encode()).hexdigest())
        os.makedirs(d, exist_ok=True)
        for name, dest in ((os.path.basename(real), shim), ("target", real)):
            if os.path.lexists(os.path.join(d, name)):
                os.unlink(os.path.join(d, name))
            os.symlink(dest, os.path.join(d, name))
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        if os.path.lexists(self.path):
            os.unlink(self.path)
        os.symlink(os.path.join(d, os.path.basename(real)), self.path)

    def hook(self, xml, op="prepare", sub="begin"):
        return tap.run([HOOK, "instance-1", op, sub, "-"], stdin=xml, env=self.env)

    def launch_file(self):
        return os.path.join(self.run, UUID)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def nova_xml(host, specs=None, flavor="spm.small", cells=((0, 1024), (1, 1024)),
             firmware="efi", loader=GOOD_OVMF, emulator=None):
    """A Nova-shaped domain from Nova's config classes, with the <emulator>
    libvirt fills in at define."""
    import novaxml
    x = novaxml.guest_xml("instance-1", (flavor, len(cells)),
                          [([c], mib) for c, mib in cells], specs, uuid=UUID,
                          os_extra={"loader": loader}, firmware=firmware)
    return x.replace("<devices>", "<devices>\n    <emulator>%s</emulator>" % (
        emulator or host.path), 1)


def with_host(func, replies="caps_11.1.3_x86_64.replies"):
    nova_available()
    if not os.access(REPLAY_HELPER, os.X_OK):
        raise tap.Skip("%s is not built" % REPLAY_HELPER)
    h = Host(replies)
    try:
        func(h)
    finally:
        h.close()


SPM1 = {"hw:numa_nodes": "2", "virt_spm:numa_memmap.1": "spm"}
LAUNCH = ("v=1,form=sp-mem,maxmem=2147483648,slots=0,node.1.memmap=spm,"
          "node.1.addr=0x100000000,node.1.size=1073741824\n")


def libvirt_argv(path):
    return [path, "-name", "guest=instance-1", "-uuid", UUID, "-m", "size=2097152k",
            "-object", '{"qom-type":"memory-backend-ram","id":"ram-node0","size":1073741824}',
            "-numa", "node,nodeid=0,cpus=0,memdev=ram-node0",
            "-object", '{"qom-type":"memory-backend-ram","id":"ram-node1","size":1073741824}',
            "-numa", "node,nodeid=1,cpus=1,memdev=ram-node1"]


def t_hook_nova32_extra_specs():
    def body(h):
        p = h.hook(nova_xml(h, SPM1))
        assert p.returncode == 0, p
        st = os.stat(h.launch_file())
        assert stat.S_IMODE(st.st_mode) == 0o644 and st.st_uid == 0, st
        assert stat.S_IMODE(os.stat(h.run).st_mode) == 0o755
        assert open(h.launch_file()).read() == LAUNCH
        # the shim applies it: argvdump behind a second link of the same shape
        h.link_to(ARGVDUMP)
        q = tap.run(libvirt_argv(h.path), env=h.env)
        assert q.returncode == 0, q
        assert "arg node,nodeid=1,cpus=1\n" in q.stdout, q.stdout
        assert '"driver":"sp-mem","id":"spm-node1","memdev":"ram-node1","node":1,' \
            '"addr":4294967296' in q.stdout, q.stdout
        assert "arg size=1048576k,maxmem=2097152k\n" in q.stdout, q.stdout
        # stopped: the launch data goes; the same argv then passes through untouched
        p = h.hook(nova_xml(h, SPM1), "stopped", "end")
        assert p.returncode == 0 and not os.path.exists(h.launch_file()), p
        q = tap.run(libvirt_argv(h.path), env=h.env)
        assert "arg node,nodeid=1,cpus=1,memdev=ram-node1\n" in q.stdout, q.stdout
        assert "sp-mem" not in q.stdout
    with_host(body)


def t_hook_flavor_file():
    def body(h):
        with open(h.flavors, "w") as f:
            f.write("# flavors of Nova < 32\n[spm.small]\nvirt_spm:numa_memmap.1=spm\n")
        p = h.hook(nova_xml(h, None))
        assert p.returncode == 0, p
        assert open(h.launch_file()).read() == LAUNCH
        p = h.hook(nova_xml(h, None), "release", "end")
        assert p.returncode == 0 and not os.path.exists(h.launch_file()), p
        # another flavor name: not typed, and no launch data
        p = h.hook(nova_xml(h, None, flavor="m1.small"))
        assert p.returncode == 0 and p.stderr == "" and not os.path.exists(h.launch_file()), p
        # Nova 32 extra specs win over the file: no virt_spm key, no typing
        p = h.hook(nova_xml(h, {"hw:numa_nodes": "2"}))
        assert p.returncode == 0 and not os.path.exists(h.launch_file()), p
    with_host(body)


def t_hook_untyped_removes_stale():
    def body(h):
        assert h.hook(nova_xml(h, SPM1)).returncode == 0
        assert os.path.exists(h.launch_file())
        # the same instance resized to a flavor without typing
        p = h.hook(nova_xml(h, {"hw:numa_nodes": "2"}, flavor="m1.large"))
        assert p.returncode == 0 and not os.path.exists(h.launch_file()), p
    with_host(body)


def refused(h, xml, *needles):
    p = h.hook(xml)
    assert p.returncode == 1, p
    assert "refusing to start Nova instance 'instance-1'" in p.stderr, p.stderr
    for n in needles:
        assert n in p.stderr, (n, p.stderr)
    assert not os.path.exists(h.launch_file()), "launch data left by a refused start"
    return p


def t_hook_refusals():
    def body(h):
        refused(h, nova_xml(h, {"virt_spm:numa_memmap.0": "spm"}), "NUMA cell '0' cannot be typed")
        refused(h, nova_xml(h, {"virt_spm:numa_memmap.1": "reserved"}), "reserved")
        refused(h, nova_xml(h, SPM1, firmware="bios"), "SeaBIOS")
        refused(h, nova_xml(h, {"virt_spm:numa_memmap.1": "hbm"}),
                "invalid value 'hbm' of extra spec 'virt_spm:numa_memmap.1'")
        refused(h, nova_xml(h, {"virt_spm:numa_memap.1": "spm"}),
                "unknown extra spec 'virt_spm:numa_memap.1'")
        refused(h, nova_xml(h, {"virt_spm:numa_memmap.2": "spm"}),
                "the domain has no NUMA cell '2'")
        # libvirt runs a QEMU that is not behind the shim
        refused(h, nova_xml(h, SPM1, emulator=h.real), "is not virt-spm's shim")
        with open(h.flavors, "w") as f:
            f.write("[spm.small\n")
        refused(h, nova_xml(h, None), "cannot read the Nova flavor file")
    with_host(body)


def t_hook_refuses_qemu72_behind_shim():
    def body(h):
        refused(h, nova_xml(h, SPM1), "7.2.22")
    with_host(body, "caps_7.2.22_x86_64.replies")


def t_hook_refuses_unverified_firmware():
    # depends on the firmware verdict (src/qemu/qemu_firmware.c, another
    # branch): Debian 12's OVMF 2022.11 drops soft-reserved ranges
    if not os.path.exists(tap.src_path("src", "qemu", "qemu_firmware.c")):
        raise tap.Skip("needs the firmware verdict (src/qemu/qemu_firmware.c), not merged yet")

    def body(h):
        if not os.path.exists("/usr/share/OVMF/OVMF_CODE_4M.fd"):
            raise tap.Skip("Debian's ovmf is not installed")
        refused(h, nova_xml(h, SPM1, loader="/usr/share/OVMF/OVMF_CODE_4M.fd"),
                "/usr/share/OVMF/OVMF_CODE_4M.fd")
    with_host(body)


def t_shim_refuses_foreign_launch_file():
    def body(h):
        assert h.hook(nova_xml(h, SPM1)).returncode == 0
        h.link_to(ARGVDUMP)
        os.chmod(h.launch_file(), 0o664)
        q = tap.run(libvirt_argv(h.path), env=h.env)
        assert q.returncode == 1 and "only root can write" in q.stderr, q
        assert "arg" not in q.stdout, q
    with_host(body)


def t_plain_domain_costs_nothing():
    def body(h):
        plain = "<domain type='qemu'><name>g</name><uuid>%s</uuid></domain>\n" % UUID
        p = h.hook(plain)
        assert p.returncode == 0 and p.stderr == "" and p.stdout == "", p
        assert not os.path.exists(h.run), "the hook touched the runtime directory"
    with_host(body)


def main():
    t = tap.TAP()
    t.run("the extra-spec validator, loaded by Debian's python3-nova", t_validator_through_nova)
    t.run("provider-config passes Nova's own loader", t_provider_config_nova_loader)
    t.run("hook: Nova 32 extra specs give launch data the shim applies",
          t_hook_nova32_extra_specs)
    t.run("hook: the flavor file for Nova without extra specs", t_hook_flavor_file)
    t.run("hook: an untyped start removes stale launch data", t_hook_untyped_removes_stale)
    t.run("hook: refusals (node 0, reserved on 11.1, SeaBIOS, bad specs, no shim)",
          t_hook_refusals)
    t.run("hook: QEMU 7.2 behind the shim is refused", t_hook_refuses_qemu72_behind_shim)
    t.run("hook: unverified firmware is refused", t_hook_refuses_unverified_firmware)
    t.run("shim: refuses launch data that others than root could write",
          t_shim_refuses_foreign_launch_file)
    t.run("hook: a plain domain passes without any work", t_plain_domain_costs_nothing)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
