#!/bin/bash
# bench-nodeinfo.sh: `virt-spm nodeinfo` (whole process: hwloc topology,
# libdaxctl, /proc/iomem, XML out) against `numactl --hardware` and
# `lstopo-no-graphics --of xml` on the same machine, interleaved by
# hyperfine, caches warm; prints the ratio of nodeinfo's mean to the faster
# of the two.  Target: at most 1.5.  bench-hwloc-floor runs beside them: the
# least a program built on hwloc does to list NUMA nodes (it links hwloc
# only), so its ratio to numactl is where any hwloc-based nodeinfo starts.
#
#   bash bench/bench-nodeinfo.sh [BUILDDIR] [RUNS]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
runs=${2:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

nodeinfo="$build/tools/virt-spm -q nodeinfo"
hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/r.json" \
    "$nodeinfo" "$build/tools/virt-spm -q nodeinfo --json" \
    "numactl --hardware" "lstopo-no-graphics --of xml" "$build/bench/bench-hwloc-floor"
python3 - "$work/r.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
names = list(r)
ni, nij, numactl, lstopo, floor = (r[n] for n in names)
fast = min(numactl["mean"], lstopo["mean"])
print("nodeinfo %.2f ms (user %.2f, sys %.2f), --json %.2f ms, numactl --hardware %.2f ms, "
      "lstopo-no-graphics --of xml %.2f ms" %
      (ni["mean"] * 1e3, ni["user"] * 1e3, ni["system"] * 1e3, nij["mean"] * 1e3,
       numactl["mean"] * 1e3, lstopo["mean"] * 1e3))
print("ratio nodeinfo / faster of the two: %.2f (target <= 1.5); nodeinfo / lstopo: %.2f"
      % (ni["mean"] / fast, ni["mean"] / lstopo["mean"]))
print("hwloc floor (bench-hwloc-floor) %.2f ms: %.2f x the faster of the two; nodeinfo / floor: %.2f"
      % (floor["mean"] * 1e3, floor["mean"] / fast, ni["mean"] / floor["mean"]))
PY
