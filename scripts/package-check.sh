#!/bin/bash
# package-check.sh: build the Debian package from this tree, check it with
# lintian, then install, use, remove, purge and reinstall it on this machine,
# showing after each purge that nothing of it is left.  Run as root, by
# `scripts/setup.sh test` (CI); it puts the host back as it found it, even
# when a check fails.
#
#   bash scripts/package-check.sh OUTDIR        # OUTDIR: where the .deb goes
#
# With $VIRT_SPM_TEST_QEMU (the reference QEMU 11.1.3), the "use" step takes
# the minimal example down the whole path with the installed files: define,
# start under the harness's libvirtd with the package's hook, and the guest's
# own soft-reserved E820 line.  Prints TAP; the last line is
# "package PASSED FAILED SKIPPED" for scripts/test-results.py.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

out=${1:?usage: package-check.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n '1s/^virt-spm (\([^)]*\)).*/\1/p' "$top/debian/changelog")
hookfile=/etc/libvirt/hooks/qemu.d/virt-spm
testdivert=/usr/local/share/virt-spm-package-check-diverted
n=0 passed=0 failed=0 skipped=0

ok() {
    n=$((n + 1))
    if [ "$1" = 0 ]; then
        passed=$((passed + 1))
        echo "ok $n - $2"
    else
        failed=$((failed + 1))
        echo "not ok $n - $2"
    fi
}
skip() {
    n=$((n + 1))
    skipped=$((skipped + 1))
    echo "ok $n - $1 # SKIP $2"
}
finish() {
    echo "1..$n"
    echo "package $passed $failed $skipped"
}

# Whatever happens, the host ends as it began: no virt-spm package, no
# diversion of ours, no test file.
restore_host() {
    dpkg-divert --list 2>/dev/null | grep -q " $testdivert\.real by virt-spm$" &&
        dpkg-divert --package virt-spm --rename --remove "$testdivert" >/dev/null 2>&1
    rm -f "$testdivert" "$testdivert.real"
    if dpkg-query -W -f='${Status}' virt-spm 2>/dev/null | grep -q "installed\|config-files"; then
        VIRT_SPM_FORCE_REMOVE=1 dpkg --purge virt-spm >/dev/null 2>&1
    fi
}
trap restore_host EXIT

# Nothing of the package is left: not in dpkg's database, not in libvirt's
# hook directory, no state directories, no diversion.
nothing_left() {
    local bad=0
    if dpkg-query -W -f='${Status}\n' virt-spm 2>/dev/null | grep -qv "not-installed"; then
        echo "# dpkg still knows virt-spm: $(dpkg-query -W -f='${Status}' virt-spm)"
        bad=1
    fi
    if dpkg -L virt-spm >/dev/null 2>&1; then
        echo "# dpkg -L virt-spm still lists files"
        bad=1
    fi
    for f in "$hookfile" /usr/bin/virt-spm /usr/libexec/virt-spm /usr/share/virt-spm \
             /var/lib/virt-spm /var/cache/virt-spm \
             /usr/share/bash-completion/completions/virt-spm; do
        if [ -e "$f" ] || [ -L "$f" ]; then
            echo "# $f is left"
            bad=1
        fi
    done
    if dpkg-divert --list | grep -q " by virt-spm$"; then
        echo "# a diversion by virt-spm is left"
        bad=1
    fi
    return $bad
}

install_deb() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" \
        >"$out/apt-install.log" 2>&1
}

# --- build ---------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out/src/virt-spm-$version"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
     xargs -0 cp --parents -t "$out/src/virt-spm-$version")
# the tests ran already; the package's own build runs the unit suite
(cd "$out/src/virt-spm-$version" &&
     DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1)
ok $? "dpkg-buildpackage -us -uc -b builds virt-spm_${version}_amd64.deb"
deb=$out/src/virt-spm_${version}_amd64.deb
if [ ! -f "$deb" ]; then
    tail -n 20 "$out/build.log" | sed 's/^/# /'
    finish
    exit 0
fi
cp "$deb" "$out/"
deb=$out/virt-spm_${version}_amd64.deb

lintian --fail-on error,warning "$out/src/virt-spm_${version}_amd64.changes" \
    >"$out/lintian.log" 2>&1
ok $? "lintian reports no error and no warning"
grep -v "^running with root" "$out/lintian.log" | sed 's/^/# /'

# --- install -------------------------------------------------------------
nothing_left
ok $? "before: no trace of virt-spm on this host"
install_deb
ok $? "apt-get install ./virt-spm_${version}_amd64.deb"
echo "# files:"
dpkg -L virt-spm | sed 's/^/#   /'
rc=0
for f in /usr/bin/virt-spm /usr/libexec/virt-spm/virt-spm-shim /usr/libexec/virt-spm/virt-spm-hook \
         /usr/libexec/virt-spm/virt-spm-hook-full \
         "$hookfile" /usr/share/virt-spm/schemas/domain-spm.rng /usr/share/man/man1/virt-spm.1.gz \
         /usr/share/bash-completion/completions/virt-spm /usr/share/doc/virt-spm/virt-spm.rst.gz; do
    dpkg -S "$f" >/dev/null 2>&1 || { echo "# $f is not the package's"; rc=1; }
done
ok $rc "every part lands where operators look for it"
grep -qx "$hookfile" /var/lib/dpkg/info/virt-spm.conffiles
ok $? "the hook is a conffile"
rc=0
for d in /var/lib/virt-spm /var/lib/virt-spm/emulators /var/lib/virt-spm/emulators/typed-domains \
         /var/cache/virt-spm; do
    [ "$(stat -c %a "$d" 2>/dev/null)" = 755 ] || { echo "# $d: $(stat -c %a "$d" 2>&1)"; rc=1; }
done
ok $rc "postinst made the state directories (0755)"
dpkg-divert --list | grep -q " by virt-spm$"
ok $((1 - $?)) "postinst diverted nothing"
# libvirt would boot the example (<os firmware='efi'>) with this host's
# OVMF: Debian 12's drops soft-reserved memory, and the installed firmware
# table says so
verdict=$(/usr/bin/virt-spm validate --offline "$top/examples/minimal-spm.xml" 2>&1)
rc=$?
if [ $rc = 1 ] && echo "$verdict" | grep -q "drops soft-reserved memory"; then
    ok 0 "the installed virt-spm refuses the minimal example on Debian 12's OVMF"
elif [ $rc = 0 ] && ! dpkg-query -W -f '${Version}' ovmf 2>/dev/null | grep -q '^2022\.11'; then
    ok 0 "the installed virt-spm validates the minimal example (this host's OVMF is not 2022.11)"
else
    echo "$verdict" | sed 's/^/# /'
    ok 1 "the installed virt-spm judges the minimal example by this host's OVMF"
fi
# with a verified OVMF named in <loader>, the installed schema and rules accept it
if [ -n "${VIRT_SPM_TEST_OVMF_DIR:-}" ] && [ -r "$VIRT_SPM_TEST_OVMF_DIR/OVMF_CODE_4M.fd" ]; then
    # libvirt 9.0 takes <loader readonly=...> only without firmware autoselection
    sed "s#<os firmware='efi'>#<os><loader readonly='yes' type='pflash'>$VIRT_SPM_TEST_OVMF_DIR/OVMF_CODE_4M.fd</loader>#" \
        "$top/examples/minimal-spm.xml" >"$out/minimal-loader.xml"
    /usr/bin/virt-spm validate --offline "$out/minimal-loader.xml" >/dev/null 2>&1
    ok $? "the installed virt-spm validates the minimal example with OVMF 2026.08 as <loader>"
else
    skip "the installed virt-spm validates the minimal example with OVMF 2026.08 as <loader>" \
        "no VIRT_SPM_TEST_OVMF_DIR"
fi
"$hookfile" some-domain release end - </dev/null
ok $? "the installed hook returns at once for a domain it has nothing to do with"

# --- use -----------------------------------------------------------------
if [ -n "${VIRT_SPM_TEST_QEMU:-}" ]; then
    # one libvirtd session: the demo with the installed files leaves its
    # domain defined, removing the package must then be refused (naming the
    # domain), and the domain is undefined afterwards
    VIRT_SPM_HOOK= /usr/bin/python3 "$top/tests/libvirtd_harness.py" run -- bash -c '
        bash "$1" --installed "$2" --keep-defined >"$3/use.log" 2>&1
        echo "demo exit $?" >>"$3/use.log"
        dpkg -r virt-spm >"$3/remove-refused.log" 2>&1
        echo "dpkg -r exit $?" >>"$3/remove-refused.log"
        virt-spm -c qemu:///system undefine --nvram spm-minimal >>"$3/use.log" 2>&1
    ' package-use "$top/scripts/demo-libvirt.sh" "$(dirname "$VIRT_SPM_TEST_QEMU")" "$out" \
        >"$out/harness.log" 2>&1
    grep -q "^demo exit 0$" "$out/use.log" && grep -q "soft reserved" "$out/use.log"
    rc=$?
    ok $rc "installed: define, start with the reference QEMU, the guest sees soft reserved"
    [ $rc = 0 ] || tail -n 30 "$out/use.log" "$out/harness.log" | sed 's/^/# /'
    grep -q "spm-minimal" "$out/remove-refused.log" &&
        ! grep -q "^dpkg -r exit 0$" "$out/remove-refused.log" &&
        dpkg-query -W -f='${Status}' virt-spm | grep -q " installed"
    ok $? "removal is refused while an SPM domain is defined, naming it"
    sed 's/^/# /' "$out/remove-refused.log"
else
    skip "installed: define, start with the reference QEMU, the guest sees soft reserved" \
        "no VIRT_SPM_TEST_QEMU"
    skip "removal is refused while an SPM domain is defined" "no VIRT_SPM_TEST_QEMU"
fi

# a diversion held by virt-spm (as host-setup makes one) blocks removal
touch "$testdivert"
dpkg-divert --package virt-spm --rename --add "$testdivert" >/dev/null
dpkg -r virt-spm >"$out/remove-diverted.log" 2>&1
rc=$?
[ $rc != 0 ] && grep -q "host-setup --remove" "$out/remove-diverted.log" &&
    dpkg-query -W -f='${Status}' virt-spm | grep -q " installed"
ok $? "removal is refused while virt-spm diverts a file"
dpkg-divert --package virt-spm --rename --remove "$testdivert" >/dev/null
rm -f "$testdivert"

# --- purge, reinstall, purge ---------------------------------------------
dpkg --purge virt-spm >"$out/purge.log" 2>&1
ok $? "dpkg --purge virt-spm"
nothing_left
ok $? "after purge: nothing of virt-spm is left (dpkg -L, hook, state, diversions)"
install_deb
ok $? "reinstall"
/usr/bin/virt-spm --version >/dev/null
ok $? "the reinstalled virt-spm runs"
dpkg --purge virt-spm >>"$out/purge.log" 2>&1
nothing_left
ok $? "purged again: nothing left"

finish
