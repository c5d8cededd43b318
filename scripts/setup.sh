#!/bin/bash
# setup.sh: install what virt-spm needs on Debian 12, build it, then either
# demonstrate it on the bundled example ("demo") or run every test ("test").
#
#   bash scripts/setup.sh demo    # install, build, validate + show the MI300A example,
#                                 # then define and boot the minimal one on libvirt
#   bash scripts/setup.sh test    # install, build, run every test (plain, ASan/UBSan, valgrind)
#
# Runs as root (apt-get); prefixes sudo otherwise.  Environment:
#   VIRT_SPM_TEST_QEMU   an SPM-capable QEMU for the live tests (else the
#                        reference QEMU is fetched with ../shared/tools when present)
#   VIRT_SPM_TEST_QEMU_MEMMAP  a QEMU with the memmap-type series for the live tests
#                        of that form (else fetched with ../shared/tools when present)
#   VIRT_SPM_NO_APT=1    skip apt-get (everything already installed)
#   VIRT_SPM_NO_SAN=1, VIRT_SPM_NO_VALGRIND=1, VIRT_SPM_NO_PACKAGE=1, VIRT_SPM_NO_FUZZ=1
#                        skip those passes
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

mode=${1:-}
case "$mode" in
    demo|test) ;;
    *) echo "usage: $0 demo|test" >&2; exit 3 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

BUILD_PKGS="meson ninja-build gcc pkg-config libglib2.0-dev libxml2-dev libjson-c-dev libvirt-dev python3-docutils libhwloc-dev libdaxctl-dev"
RUN_PKGS="libxml2-utils libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 ovmf hwloc-nox daxctl"
TEST_PKGS="python3 python3-libvirt python3-nova virtinst valgrind hyperfine librsvg2-bin clang-format git bash-completion build-essential debhelper fakeroot lintian clang libclang-rt-14-dev time numactl"

log() { printf '==> %s\n' "$*" >&2; }

install_packages() {
    [ "${VIRT_SPM_NO_APT:-0}" = 1 ] && return 0
    log "installing Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $BUILD_PKGS $RUN_PKGS \
        $( [ "$mode" = test ] && echo $TEST_PKGS ) >/dev/null
}

# libvirt's QEMU driver resolves these names before it reads qemu.conf
# (Debian builds it with qemu_user=libvirt-qemu); libvirt-daemon-system
# would create them, but it also pulls in systemd units we do not use.
create_libvirt_users() {
    getent group kvm >/dev/null || $SUDO groupadd -r kvm
    getent group libvirt-qemu >/dev/null || $SUDO groupadd -r libvirt-qemu
    getent group libvirt >/dev/null || $SUDO groupadd -r libvirt
    getent passwd libvirt-qemu >/dev/null || \
        $SUDO useradd -r -g kvm -G libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
}

build() {
    local dir=$1; shift
    log "building in $dir $*"
    if [ -d "$dir" ]; then
        meson setup --wipe "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
    ninja -C "$dir" >/dev/null
}

# Runs ../shared/tools/TOOL into DIR (outside the tree), its output in
# build/LOG; true when DIR/BINARY is there afterwards.
fetch_test_qemu() {
    local tool="$top/../shared/tools/$1" dir=$2 binary=$3 logfile=$4
    [ -x "$tool" ] || return 1
    $SUDO "$tool" "$dir" >"$top/build/$logfile" 2>&1 && [ -x "$dir/$binary" ]
}

reference_qemu() {
    local dir=/var/tmp/virt-spm-reference
    [ -n "${VIRT_SPM_TEST_QEMU:-}" ] && return 0
    [ -x "$top/../shared/tools/setup-reference-qemu.sh" ] || return 0
    log "fetching the reference SPM-capable QEMU (live tests skip if this fails)"
    if fetch_test_qemu setup-reference-qemu.sh "$dir" qemu11 reference-qemu.log; then
        export VIRT_SPM_TEST_QEMU="$dir/qemu11"
        export VIRT_SPM_TEST_OVMF_DIR="$dir/fw/ovmf-x/usr/share/OVMF"
        export VIRT_SPM_TEST_KERNEL_DIR="$dir/kernel"
    else
        log "reference QEMU unavailable: see build/reference-qemu.log"
    fi
}

# QEMU 10.2.2 with the memmap-type series (the other form), for its live tests
memmap_qemu() {
    local dir=/var/tmp/virt-spm-memmap
    [ -n "${VIRT_SPM_TEST_QEMU_MEMMAP:-}" ] && return 0
    [ -x "$top/../shared/tools/setup-memmap-qemu.sh" ] || return 0
    log "fetching the memmap-type QEMU (its live tests skip if this fails)"
    if fetch_test_qemu setup-memmap-qemu.sh "$dir" qemu-memmap memmap-qemu.log; then
        export VIRT_SPM_TEST_QEMU_MEMMAP="$dir/qemu-memmap"
    else
        log "memmap-type QEMU unavailable: see build/memmap-qemu.log"
    fi
}

run_tests() {
    local dir=$1 label=$2; shift 2
    log "running the tests ($label)"
    # meson exits non-zero on failures; the counts come from its log
    local json
    rm -f "$dir/meson-logs/$label".json "$dir/meson-logs/$label"-*.json
    meson test -C "$dir" --no-rebuild --print-errorlogs --logbase "$label" "$@" \
        >"$dir/test-output-$label.txt" 2>&1 || true
    tail -n 12 "$dir/test-output-$label.txt" >&2
    # with --wrap, meson appends the wrapper's name to the log's base name
    json=$(ls "$dir/meson-logs/$label".json "$dir/meson-logs/$label"-*.json 2>/dev/null | head -n 1 || true)
    python3 "$top/scripts/test-results.py" --label "$label" "${json:-$dir/meson-logs/$label.json}" \
        >>"$top/build/results.txt"
}

install_packages
create_libvirt_users

if [ "$mode" = demo ]; then
    build build
    caps11=tests/qemucapabilitiesdata/caps_11.1.3_x86_64.replies
    log "what Debian's QEMU offers: virt-spm domcapabilities"
    ./build/tools/virt-spm domcapabilities --emulator /usr/bin/qemu-system-x86_64
    log "the MI300A-like example against QEMU 11.1.3 (recorded) and the UEFI firmware libvirt selects here: virt-spm validate --caps $caps11 examples/mi300a.xml"
    ./build/tools/virt-spm validate --caps "$caps11" examples/mi300a.xml ||
        log "refused: this host's OVMF is verified to drop soft-reserved memory (Debian 12's 2022.11), as virt-spm domcapabilities shows"
    reference_qemu
    mi300a=examples/mi300a.xml
    if [ -n "${VIRT_SPM_TEST_OVMF_DIR:-}" ]; then
        mi300a=build/mi300a-ovmf2026.xml
        sed -e "s|<os firmware='efi'>|<os>|" \
            -e "s|    <type arch='x86_64' machine='q35'>hvm</type>|&\n    <loader readonly='yes' type='pflash'>$VIRT_SPM_TEST_OVMF_DIR/OVMF_CODE_4M.fd</loader>|" \
            examples/mi300a.xml >"$mi300a"
        log "the same with OVMF 2026.08 named by <loader>: virt-spm validate --caps $caps11 $mi300a"
        ./build/tools/virt-spm validate --caps "$caps11" "$mi300a"
    fi
    log "where its SPM lands: virt-spm layout --caps $caps11 --svg build/mi300a-layout.svg $mi300a"
    ./build/tools/virt-spm layout --caps "$caps11" --svg build/mi300a-layout.svg "$mi300a" || true
    log "Debian's QEMU 7.2 has no SPM interface: virt-spm define --print-xml refuses the typed cells, as it must"
    ./build/tools/virt-spm define --print-xml examples/mi300a.xml || true
    if [ -n "${VIRT_SPM_TEST_QEMU:-}" ]; then
        log "the path on stock libvirt 9.0: examples/minimal-spm.xml on QEMU 11.1.3 with sp-mem"
        VIRT_SPM_HOOK="$top/build/tools/virt-spm-hook" /usr/bin/python3 tests/libvirtd_harness.py run -- \
            bash scripts/demo-libvirt.sh "$top/build" "$(dirname "$VIRT_SPM_TEST_QEMU")"
    else
        log "no SPM-capable QEMU (see build/reference-qemu.log): the libvirt part is left out"
    fi
    exit 0
fi

build build
: >"$top/build/results.txt"
reference_qemu
memmap_qemu
run_tests build plain

if [ "${VIRT_SPM_NO_SAN:-0}" != 1 ]; then
    build build-san -Dsanitizers=true
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_tests build-san asan-ubsan --suite unit --suite cli
fi

# meson install puts every part where it belongs
check_install() {
    local dest="$top/build/install-check" missing=0 f
    log "checking meson install"
    rm -rf "$dest"
    DESTDIR="$dest" meson install -C build --no-rebuild >"$top/build/install.log" 2>&1 || missing=1
    for f in usr/local/bin/virt-spm usr/local/libexec/virt-spm/virt-spm-shim \
             usr/local/libexec/virt-spm/virt-spm-hook usr/local/libexec/virt-spm/virt-spm-hook-full \
             etc/libvirt/hooks/qemu.d/virt-spm \
             usr/local/share/virt-spm/schemas/domain-spm.rng \
             usr/local/share/man/man1/virt-spm.1 usr/local/share/bash-completion/completions/virt-spm \
             usr/local/share/doc/virt-spm/formatdomain-spm.rst; do
        if [ ! -e "$dest/$f" ] && [ ! -L "$dest/$f" ]; then
            echo "install: missing $f" >&2
            missing=1
        fi
    done
    rm -rf "$dest"
    echo "install $((1 - missing)) $missing 0" >>"$top/build/results.txt"
}
check_install

# the Debian package: built, linted, installed, used, removed, purged
if [ "${VIRT_SPM_NO_PACKAGE:-0}" != 1 ]; then
    log "checking the Debian package"
    bash "$top/scripts/package-check.sh" "$top/build/package" >"$top/build/package-check.txt" 2>&1 || true
    grep -E "^(not )?ok " "$top/build/package-check.txt" >&2 || true
    tail -n 1 "$top/build/package-check.txt" | grep -E "^package [0-9]+ [0-9]+ [0-9]+$" \
        >>"$top/build/results.txt" || echo "package 0 1 0" >>"$top/build/results.txt"
fi

if [ "${VIRT_SPM_NO_VALGRIND:-0}" != 1 ]; then
    run_tests build valgrind --suite unit \
        --wrap='valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --track-fds=no'
fi

# every libFuzzer target for a short smoke run (scripts/fuzz.sh SECONDS for long ones)
if [ "${VIRT_SPM_NO_FUZZ:-0}" != 1 ]; then
    log "fuzz smoke run (scripts/fuzz.sh, 10 s per target)"
    if FUZZ_BUILD_DIR="$top/build-fuzz" bash "$top/scripts/fuzz.sh" 10 >"$top/build/fuzz.txt" 2>&1; then
        echo "fuzz 1 0 0" >>"$top/build/results.txt"
    else
        echo "fuzz 0 1 0" >>"$top/build/results.txt"
    fi
    tail -n 10 "$top/build/fuzz.txt" >&2
fi

python3 "$top/scripts/test-results.py" --total "$top/build/results.txt"
