#!/bin/sh
#
# bench-shim.sh: cross-check of bench-shim.c with hyperfine (Debian package
# hyperfine): exec of QEMU -version directly vs through an emulator link to
# the shim (pass-through, no launch data).
#
#   bench/bench-shim.sh build/tools/virt-spm-shim [QEMU]     (RUNS=N to change 300)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -eu
shim=$(realpath "$1")
qemu=${2:-/usr/bin/qemu-system-x86_64}
name=$(basename "$qemu")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/x"
ln -s "$shim" "$tmp/x/$name"
ln -s "$qemu" "$tmp/x/target"
hyperfine -N --warmup 20 --runs "${RUNS:-300}" "$qemu -version" "$tmp/x/$name -version"
