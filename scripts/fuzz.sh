#!/bin/bash
# fuzz.sh: build the libFuzzer targets (tests/fuzz) with clang and run them
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Configures build-fuzz (CC=clang meson setup -Dfuzz=enabled), builds the
# targets, gathers their seeds from tests/ (scripts/fuzz-seeds.py), and runs
# every TARGET (default: all) for SECONDS (default 10) with its seeds and
# dictionary, in a fresh corpus directory, $FUZZ_JOBS (default: the number
# of CPUs) at a time.  Prints each target's executions, coverage and
# findings; exits 1 when any target crashed, leaked, timed out or ran out
# of memory.  Findings are left in build-fuzz/fuzz-runs/TARGET/artifacts:
# reproduce one with build-fuzz/tests/fuzz/TARGET FILE.
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS, FUZZ_ARGS
# (more libFuzzer options, e.g. "-jobs=2 -workers=2" are not needed: one
# process per target).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

seconds=${1:-10}
[ $# -gt 0 ] && shift
case "$seconds" in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

all_targets="fuzz_caps_file fuzz_domain_xml fuzz_hook fuzz_keyval fuzz_launch_data fuzz_number
             fuzz_qmp_stream fuzz_shim_argv fuzz_iomem fuzz_nova"
targets=${*:-$all_targets}
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}

declare -A dicts=(
    [fuzz_caps_file]=xml.dict
    [fuzz_domain_xml]=xml.dict
    [fuzz_hook]=hook.dict
    [fuzz_keyval]=keyval.dict
    [fuzz_launch_data]=keyval.dict
    [fuzz_qmp_stream]=qmp.dict
    [fuzz_shim_argv]=keyval.dict
)

log() { printf 'fuzz: %s\n' "$*" >&2; }

if ! command -v clang >/dev/null; then
    log "clang is not installed (apt-get install clang libclang-rt-14-dev)"
    exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
    log "configuring $build"
    CC=clang meson setup -Dfuzz=enabled "$build" >"$build.setup.log" 2>&1 || {
        cat "$build.setup.log" >&2
        exit 2
    }
fi
log "building"
build_targets=
for t in $targets; do
    build_targets="$build_targets tests/fuzz/$t"
done
# shellcheck disable=SC2086
ninja -C "$build" $build_targets >"$build/fuzz-build.log" 2>&1 || {
    tail -n 40 "$build/fuzz-build.log" >&2
    exit 2
}

seeds=$build/fuzz-seeds
rm -rf "$seeds"
python3 scripts/fuzz-seeds.py "$seeds" || exit 2

runs=$build/fuzz-runs
mkdir -p "$runs"

run_one() {
    local t=$1 dir=$runs/$1
    local args=()

    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/tmp"
    [ -n "${dicts[$t]:-}" ] && args+=("-dict=tests/fuzz/${dicts[$t]}")
    # TMPDIR: a private directory for anything a target writes
    # shellcheck disable=SC2086
    TMPDIR=$dir/tmp "$build/tests/fuzz/$t" "${args[@]}" \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$dir/artifacts/" ${FUZZ_ARGS:-} \
        "$dir/corpus" "$seeds/$t" >"$dir/log" 2>&1
    echo $? >"$dir/rc"
}

log "running $(echo $targets | wc -w) targets for ${seconds}s each, $jobs at a time"
running=0
for t in $targets; do
    if [ ! -x "$build/tests/fuzz/$t" ]; then
        log "no such target: $t"
        exit 2
    fi
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

ntargets=0
total_execs=0
total_bad=0
printf '%-18s %12s %8s %8s %8s %s\n' target execs cov ft exec/s findings
for t in $targets; do
    dir=$runs/$t
    ntargets=$((ntargets + 1))
    execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$dir/log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: //p' "$dir/log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$dir/log" | tail -n 1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    crashes=$(find "$dir/artifacts" -name 'crash-*' | wc -l)
    leaks=$(find "$dir/artifacts" -name 'leak-*' | wc -l)
    timeouts=$(find "$dir/artifacts" -name 'timeout-*' | wc -l)
    ooms=$(find "$dir/artifacts" -name 'oom-*' | wc -l)
    rc=$(cat "$dir/rc")
    findings="crashes=$crashes leaks=$leaks timeouts=$timeouts ooms=$ooms"
    bad=$((crashes + leaks + timeouts + ooms))
    if [ "$bad" = 0 ] && [ "$rc" != 0 ]; then
        # died without an artifact (e.g. at start-up)
        bad=1
        findings="$findings exit=$rc"
    fi
    if [ "$bad" != 0 ]; then
        findings="$findings (see $dir/log)"
        grep -m 3 -E 'ERROR|SUMMARY|invariant' "$dir/log" | sed 's/^/    /' >&2
    fi
    total_bad=$((total_bad + bad))
    total_execs=$((total_execs + ${execs:-0}))
    printf '%-18s %12s %8s %8s %8s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${speed:-?}" \
        "$findings"
done

echo "fuzz: $ntargets targets, $total_execs execs, $total_bad crashes"
[ "$total_bad" = 0 ]
