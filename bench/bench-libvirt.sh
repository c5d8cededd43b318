#!/bin/bash
# bench-libvirt.sh: what libvirt itself costs on virt-spm's daemon paths
#
#   bash bench/bench-libvirt.sh [CASE]     (root; CASE defaults to spm-q35-four)
#
# 1. warm: `virsh domxml-to-native qemu-argv` of tests/qemuxml2argvdata/CASE.xml
#    with the capabilities of /usr/bin/qemu-system-x86_64 already cached
#    (hyperfine if installed), and the same call through libvirt-python
#    (virConnectDomainXMLToNative, no virsh start-up);
# 2. cold: libvirt's capability probe of /usr/bin/qemu-system-x86_64, timed as
#    `virsh domcapabilities --emulatorbin PATH`:
#    a. always: PATH is a new symlink to the binary.  libvirt keys its cache
#       by the path string, so this probes the very same binary afresh without
#       touching it (its ctime) and without restarting the daemon; the cache
#       file of each symlink is removed afterwards;
#    b. when this script started libvirtd itself (through
#       tests/libvirtd_harness.py): the first lookup of the real path, in a
#       daemon whose capability cache is empty (the harness removes the cache
#       when it stops a daemon it started).
# With no libvirtd running, the script runs itself under the harness, which
# starts virtlogd and libvirtd and removes everything afterwards; a running
# daemon is used as it is and left alone.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
harness="$top/tests/libvirtd_harness.py"
qemu=/usr/bin/qemu-system-x86_64
uri=qemu:///system
case_name=${1:-spm-q35-four}
case_xml="$top/tests/qemuxml2argvdata/$case_name.xml"
cache_dir=/var/cache/libvirt/qemu/capabilities
runs=${BENCH_RUNS:-30}
probes=${BENCH_PROBES:-3}

[ "$(id -u)" = 0 ] || { echo "bench-libvirt.sh: needs root (system libvirtd)" >&2; exit 3; }
[ -f "$case_xml" ] || { echo "bench-libvirt.sh: no case $case_xml" >&2; exit 3; }

if [ "${BENCH_LIBVIRT_INSIDE:-}" != 1 ] && ! virsh -q -c "$uri" uri >/dev/null 2>&1; then
    echo "# no libvirtd answers: starting one with tests/libvirtd_harness.py"
    BENCH_LIBVIRT_INSIDE=1 BENCH_LIBVIRT_OWN=1 exec "$py" "$harness" run -- bash "$0" "$@"
fi

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{printf "%.3f", $2 - $1}'; }

# 2b first, while the cache is still empty
if [ "${BENCH_LIBVIRT_OWN:-}" = 1 ]; then
    file="$cache_dir/$(printf '%s' "$qemu" | sha256sum | cut -d' ' -f1).xml"
    if [ -e "$file" ]; then
        echo "cold probe in a fresh daemon: skipped (cache file already present)"
    else
        t0=$(now)
        virsh -q -c "$uri" domcapabilities --emulatorbin "$qemu" --virttype qemu \
            --arch x86_64 --machine q35 >/dev/null
        echo "cold probe of $qemu, first lookup in a fresh daemon: $(elapsed "$t0" "$(now)") s"
    fi
fi

# (virsh version looks the default emulator up, so only after 2b)
echo "libvirt $(virsh -c "$uri" version 2>/dev/null | sed -n 's/^Using library: libvirt //p'),"\
     "QEMU $("$qemu" --version | sed -n '1s/QEMU emulator version \([^ ]*\).*/\1/p')"

# 2a: fresh path, same binary
tmp=$(mktemp -d /var/tmp/bench-libvirt.XXXXXX)
cleanup() {
    for l in "$tmp"/*; do
        [ -e "$l" ] || [ -L "$l" ] || continue
        rm -f "$cache_dir/$(printf '%s' "$l" | sha256sum | cut -d' ' -f1).xml" "$l"
    done
    rmdir "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"                # the probe runs as the QEMU user
for i in $(seq "$probes"); do
    link="$tmp/qemu-system-x86_64-$i"
    ln -s "$qemu" "$link"
    t0=$(now)
    virsh -q -c "$uri" domcapabilities --emulatorbin "$link" --virttype qemu \
        --arch x86_64 --machine q35 >/dev/null
    echo "cold probe of $qemu through a new path ($i/$probes): $(elapsed "$t0" "$(now)") s"
done

# 1: warm domxml-to-native (the capabilities are cached by now)
virsh -q -c "$uri" domxml-to-native qemu-argv "$case_xml" >/dev/null
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs "$runs" --style basic \
        "virsh -q -c $uri domxml-to-native qemu-argv $case_xml"
else
    t0=$(now)
    for _ in $(seq "$runs"); do
        virsh -q -c "$uri" domxml-to-native qemu-argv "$case_xml" >/dev/null
    done
    echo "virsh domxml-to-native ($case_name), warm: $(echo "$t0 $(now) $runs" |
        awk '{printf "%.1f", ($2 - $1) * 1000 / $3}') ms per call ($runs calls)"
fi
"$py" - "$case_xml" "$runs" <<'EOF'
import sys, time
import libvirt
xml = open(sys.argv[1]).read()
n = int(sys.argv[2])
conn = libvirt.open("qemu:///system")
conn.domainXMLToNative("qemu-argv", xml, 0)
t0 = time.perf_counter()
for _ in range(n):
    conn.domainXMLToNative("qemu-argv", xml, 0)
t = (time.perf_counter() - t0) / n
print("virConnectDomainXMLToNative (libvirt-python, one connection), warm: %.2f ms per call "
      "(%d calls)" % (t * 1000, n))
conn.close()
EOF
