#!/bin/sh
# bench-probe.sh: virt-spm's QEMU capability probe against libvirt's probe of
# the same binary and against the bare minimum (spawn, greeting,
# query-qmp-schema, quit).
#
#   bench/bench-probe.sh [BUILDDIR [EMULATOR...]]
#
# For each emulator (default /usr/bin/qemu-system-x86_64) it runs
# BUILDDIR/bench/bench-probe (bare minimum, cold probe, cache hit, peak
# memory), then times libvirt probing the same binary:
#  - with libvirtd at qemu:///system, when one runs: the binary is touched
#    (a new ctime makes libvirt re-probe), then
#    'virsh domcapabilities --emulatorbin' is timed; otherwise it prints
#    "libvirt: not running";
#  - with libvirt's embed driver (no daemon; a fresh root each time, so
#    every run probes), minus the same command with a warm cache (the
#    driver's own start-up).
# Targets: >= 20x faster than libvirt, <= 2x the bare minimum, cache hit
# <= 1 ms.  Touching the binary changes its ctime (and drops every cached
# probe of it); run as root for qemu:///system.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -u

BUILDDIR=${1:-build}
[ $# -gt 0 ] && shift
EMULATORS=${*:-/usr/bin/qemu-system-x86_64}
RUNS=${RUNS:-5}
BENCH="$BUILDDIR/bench/bench-probe"

if [ ! -x "$BENCH" ]; then
    echo "bench-probe.sh: $BENCH not found (build it with ninja -C $BUILDDIR)" >&2
    exit 2
fi

# median of the numbers on standard input
median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
        else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# wall time of a command in ms (its output discarded); "fail" when it fails
time_ms() {
    start=$(date +%s%N)
    if "$@" >/dev/null 2>&1; then
        end=$(date +%s%N)
        echo $(( (end - start) / 1000000 ))
    else
        echo fail
    fi
}

for emu in $EMULATORS; do
    echo "== $emu"
    out=$("$BENCH" --emulator "$emu" --runs 10) || { echo "bench-probe failed"; continue; }
    echo "$out" | grep -v '^RESULT'
    cold=$(echo "$out" | sed -n 's/^RESULT cold_ms=\([0-9.]*\).*/\1/p')

    if command -v virsh >/dev/null && virsh -c qemu:///system version >/dev/null 2>&1; then
        samples=""
        for i in $(seq "$RUNS"); do
            touch "$emu"
            samples="$samples $(time_ms virsh -c qemu:///system domcapabilities \
                --emulatorbin "$emu" --virttype qemu)"
        done
        lv=$(echo $samples | tr ' ' '\n' | grep -v fail | median)
        echo "libvirt (qemu:///system, re-probe after touch): median $lv ms ($RUNS runs:$samples)"
        echo "libvirt / virt-spm cold probe: $(awk "BEGIN { printf \"%.1f\", $lv / $cold }")x" \
             "(target >= 20x)"
    else
        echo "libvirt: not running"
    fi

    if command -v virsh >/dev/null; then
        samples=""
        warm=""
        for i in $(seq "$RUNS"); do
            root=$(mktemp -d /tmp/bench-probe-embed-XXXXXX)
            samples="$samples $(time_ms virsh -c "qemu:///embed?root=$root" domcapabilities \
                --emulatorbin "$emu" --virttype qemu)"
            warm="$warm $(time_ms virsh -c "qemu:///embed?root=$root" domcapabilities \
                --emulatorbin "$emu" --virttype qemu)"
            rm -rf "$root"
        done
        c=$(echo $samples | tr ' ' '\n' | grep -v fail | median)
        w=$(echo $warm | tr ' ' '\n' | grep -v fail | median)
        echo "libvirt embed driver: cold median $c ms, warm median $w ms," \
             "probe about $(awk "BEGIN { print $c - $w }") ms ($RUNS runs)"
        echo "libvirt embed probe / virt-spm cold probe:" \
             "$(awk "BEGIN { printf \"%.1f\", ($c - $w) / $cold }")x (target >= 20x)"
    fi
done
