#!/bin/bash
# demo-libvirt.sh: the user's path on the bundled example, with a real
# libvirtd (started and stopped by tests/libvirtd_harness.py), the reference
# QEMU 11.1.3 with sp-mem, OVMF 2026.08 and the reference guest kernel:
# virt-spm define -> dumpxml -> domxml-to-native -> start -> the guest's own
# view of its SPM node -> undefine.
#
#   /usr/bin/python3 tests/libvirtd_harness.py run -- bash scripts/demo-libvirt.sh BUILD REFDIR
#   ... bash scripts/demo-libvirt.sh --installed REFDIR [--keep-defined]
#
# BUILD is a build directory; --installed runs the installed virt-spm with its
# own state directories (scripts/package-check.sh), and --keep-defined leaves
# the domain defined at the end instead of undefining it.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

build=$1
ref=$2
keep=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
ovmf=$ref/fw/ovmf-x/usr/share/OVMF
work=$(mktemp -d /tmp/virt-spm-demo-XXXXXX)
chmod 777 "$work"
if [ "$build" = --installed ]; then
    spm="virt-spm -c qemu:///system"
else
    spm="$build/tools/virt-spm -c qemu:///system"
    export VIRT_SPM_EMULATOR_DIR=$work/emulators VIRT_SPM_CACHE_DIR=$work/cache
fi
cleanup() {
    virsh -q -c qemu:///system destroy spm-minimal >/dev/null 2>&1 || true
    if [ "$keep" != --keep-defined ]; then
        $spm undefine --nvram spm-minimal >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*"; }

# the example as it is, booting the reference kernel under OVMF; its serial
# console goes to a file
sed -e "s|/usr/bin/qemu-system-x86_64|$ref/qemu11|" \
    -e "s|<os firmware='efi'>|<os>|" \
    -e "s|    <type arch='x86_64' machine='q35'>hvm</type>|&\n    <loader readonly='yes' type='pflash'>$ovmf/OVMF_CODE_4M.fd</loader>\n    <nvram template='$ovmf/OVMF_VARS_4M.fd'/>\n    <kernel>$ref/kernel/vmlinuz</kernel>\n    <initrd>$ref/kernel/initrd</initrd>\n    <cmdline>console=ttyS0 panic=-1</cmdline>|" \
    -e "s|<serial type='pty'/>|<serial type='file'><source path='$work/console.log'/></serial>|" \
    -e "s|<vcpu placement='static'>2</vcpu>|&\n  <on_poweroff>destroy</on_poweroff>|" \
    "$top/examples/minimal-spm.xml" >"$work/spm-minimal.xml"

step "the domain: cell 1 is 1 GiB of SPM"
grep "<cell" "$work/spm-minimal.xml"
step "virt-spm define (schema, rules, QEMU's capabilities, layout; then libvirt)"
$spm define "$work/spm-minimal.xml"
step "what libvirt holds: no memmap, the shim as emulator, the launch data"
$spm dumpxml --inactive --raw spm-minimal | grep -E "<cell|<emulator>|qemu:arg"
step "virt-spm dumpxml: the user's XML back"
$spm dumpxml --inactive spm-minimal | grep -E "<cell|<emulator>"
step "the command line QEMU will get (libvirt's, rewritten by the shim)"
$spm domxml-to-native --args "$work/spm-minimal.xml" | grep -E -- "^-m |^-numa |^-device .*sp-mem"
step "virsh start; the guest prints its memory map and powers off"
virsh -c qemu:///system start spm-minimal
for _ in $(seq 240); do
    virsh -q -c qemu:///system domstate spm-minimal | grep -q "shut off" && break
    sleep 1
done
grep -E "soft reserved|SRAT: Node 1|dax[0-9.]+:" "$work/console.log"
if [ "$keep" != --keep-defined ]; then
    step "virt-spm undefine"
    $spm undefine --nvram spm-minimal
fi
