#!/bin/bash
# bench-domxml-to-native.sh: virt-spm domxml-to-native against virsh
# domxml-to-native on the same domain (virsh gets it without memmap, which it
# would drop anyway), with hyperfine, caches warm.  Needs a QEMU binary with
# sp-mem (default $VIRT_SPM_TEST_QEMU) and a running libvirtd; run it under
# the test harness to get one:
#
#   /usr/bin/python3 tests/libvirtd_harness.py run -- bash bench/bench-domxml-to-native.sh [BUILDDIR]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
qemu=${VIRT_SPM_TEST_QEMU:?set VIRT_SPM_TEST_QEMU to a QEMU with sp-mem}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export VIRT_SPM_CACHE_DIR=$work/cache

sed "s|/usr/bin/qemu-system-x86_64|$qemu|" "$top/tests/qemuxml2argvdata/spm-q35-one.xml" >"$work/spm.xml"
sed "s| memmap='[a-z]*'||" "$work/spm.xml" >"$work/stock.xml"

"$build/tools/virt-spm" domxml-to-native "$work/spm.xml" >/dev/null
virsh -c qemu:///system domxml-to-native qemu-argv "$work/stock.xml" >/dev/null
hyperfine -N --warmup 3 --runs 30 \
    "virsh -c qemu:///system domxml-to-native qemu-argv $work/stock.xml" \
    "$build/tools/virt-spm -c qemu:///system domxml-to-native $work/spm.xml"
