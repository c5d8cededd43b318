#!/bin/sh
# bench-hook-nova.sh: the libvirt hook at "prepare begin", whole process
# (exec, reading the XML, the work, exit), with hyperfine:
#   plain        a domain without typing (target: <= 5 ms): the hook's screen
#                answers alone (src/shim/shim_hook_screen.h)
#   plain-full   the same through virt-spm-hook-full directly: what every
#                start paid before the screen
#   nova-plain   a Nova domain (built by Nova's config classes) without typing
#   nova-typed   a Nova domain whose Nova 32 extra specs type cell 1, with the
#                capabilities of the QEMU behind the shim cached (warm;
#                target: <= 30 ms): rules, capability check, layout, launch
#                data written
#   true         /bin/true with the same standard input: the floor of any
#                process the hook could be, for the ratios
# hyperfine runs each case under sh -c (for the redirection of standard
# input); "sh-true" is that cost with /bin/true, and the hook's own process
# is estimated as true + (case - sh-true).
#
#   bench/bench-hook-nova.sh BUILDDIR [QEMU]
#
# QEMU (default $VIRT_SPM_TEST_QEMU) is put behind an emulator link in a
# temporary directory; nothing outside it is touched.  Needs /usr/bin/python3
# with Debian's python3-nova, and hyperfine.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
build=${1:?usage: bench-hook-nova.sh BUILDDIR [QEMU]}
qemu=${2:-${VIRT_SPM_TEST_QEMU:?give QEMU or set VIRT_SPM_TEST_QEMU}}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIRT_SPM_CACHE_DIR="$tmp/cache" VIRT_SPM_EMULATOR_DIR="$tmp/emu" \
       VIRT_SPM_RUNTIME_DIR="$tmp/run" VIRT_SPM_NOVA_FLAVORS="$tmp/none.conf" LC_ALL=C
hash=$(printf %s "$qemu" | sha256sum | cut -d' ' -f1)
mkdir -p "$tmp/emu/$hash" "$tmp/bin"
ln -s "$build/tools/virt-spm-shim" "$tmp/emu/$hash/qemu-system-x86_64"
ln -s "$qemu" "$tmp/emu/$hash/target"
ln -s "$tmp/emu/$hash/qemu-system-x86_64" "$tmp/bin/qemu-system-x86_64"
ovmf=${VIRT_SPM_TEST_OVMF_DIR:-/var/tmp/virt-spm-reference/fw/ovmf-x/usr/share/OVMF}/OVMF_CODE_4M.fd

/usr/bin/python3 -W ignore - "$src/tests" "$tmp" "$ovmf" <<'PY' 2>/dev/null
import sys
sys.path.insert(0, sys.argv[1])
import novaxml
tmp, ovmf = sys.argv[2], sys.argv[3]
emu = "<devices>\n    <emulator>%s/bin/qemu-system-x86_64</emulator>" % tmp
def write(name, specs):
    x = novaxml.guest_xml("instance-1", ("spm.small", 8), [(range(0, 6), 8192), (range(6, 8), 16384)],
                          specs, uuid="c7a5fdbd-edaf-9455-926a-d65c16db1809", os_extra={"loader": ovmf})
    open("%s/%s.xml" % (tmp, name), "w").write(x.replace("<devices>", emu, 1))
write("nova-typed", {"hw:numa_nodes": "2", "virt_spm:numa_memmap.1": "spm"})
write("nova-plain", {"hw:numa_nodes": "2"})
PY
sed -e '/<metadata>/,/<\/metadata>/d' "$tmp/nova-plain.xml" > "$tmp/plain.xml"

hook=$build/tools/virt-spm-hook
"$hook" i prepare begin - < "$tmp/nova-typed.xml" 2>/dev/null   # warm the capabilities
test -s "$tmp/run/c7a5fdbd-edaf-9455-926a-d65c16db1809"
hyperfine -N --warmup 20 --runs 200 --export-json "$tmp/out.json" \
    -n true "/bin/true" \
    -n plain "sh -c '$hook i prepare begin - < $tmp/plain.xml'" \
    -n plain-full "sh -c '$hook-full i prepare begin - < $tmp/plain.xml'" \
    -n nova-plain "sh -c '$hook i prepare begin - < $tmp/nova-plain.xml'" \
    -n nova-typed "sh -c '$hook i prepare begin - < $tmp/nova-typed.xml 2>/dev/null'" \
    -n sh-true "sh -c '/bin/true < $tmp/plain.xml'" >/dev/null
/usr/bin/python3 - "$tmp/out.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
sh = r["sh-true"]["median"]
print("%-11s %9s %9s %12s" % ("case", "median ms", "mean ms", "x sh+true"))
cases = ("plain", "plain-full", "nova-plain", "nova-typed")
for name in cases + ("sh-true", "true"):
    m = r[name]["median"]
    print("%-11s %9.2f %9.2f %12.2f" % (name, m * 1e3, r[name]["mean"] * 1e3, m / sh))
true = r["true"]["median"]
print("hook process (true + median - sh+true), targets plain <= 5 ms, nova-typed <= 30 ms:")
for name in cases:
    print("  %-11s %6.2f ms  (%.2f x /bin/true)" % (
        name, (true + r[name]["median"] - sh) * 1e3, (true + r[name]["median"] - sh) / true))
PY
