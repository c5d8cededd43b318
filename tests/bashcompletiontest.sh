#!/bin/bash
# bashcompletiontest.sh: tools/bash-completion/virt-spm driven the way bash
# drives it (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT, then the
# completion function), with bash-completion's own library loaded, the
# build's virt-spm, and the real virsh on libvirt's test driver
# (test:///default, one domain called "test", no daemon needed).  TAP.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
build=${abs_top_builddir:-$top/build}
spm=$build/tools/virt-spm
lib=/usr/share/bash-completion/bash_completion

if [ ! -r "$lib" ]; then
    echo "1..0 # SKIP bash-completion is not installed"
    exit 0
fi
# shellcheck disable=SC1090
. "$lib"
# shellcheck disable=SC1091
. "$top/tools/bash-completion/virt-spm"
cd "$top" || exit 1

n=0
failed=0

# complete LINE: what the completion offers for LINE (cursor at its end),
# one word a line, sorted; "virt-spm" in LINE stands for the build's binary
complete_line() {
    local line=$spm${1#virt-spm}
    COMP_LINE=$line
    COMP_POINT=${#line}
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _virt_spm virt-spm "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort
}

# check TITLE LINE EXPECTED...: the offers are exactly EXPECTED
check() {
    local title=$1 line=$2 got want
    shift 2
    n=$((n + 1))
    got=$(complete_line "$line")
    want=$(printf '%s\n' "$@" | sort)
    if [ "$got" = "$want" ]; then
        echo "ok $n - $title"
    else
        failed=$((failed + 1))
        echo "not ok $n - $title"
        echo "# line:     '$line'"
        echo "# expected: $(echo $want)"
        echo "# got:      $(echo $got)"
    fi
}

# every verb in --help, and nothing else
verbs=$("$spm" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
n=$((n + 1))
missing=""
for v in validate define edit attach-device undefine; do
    case " $(echo $verbs) " in
    *" $v "*) ;;
    *) missing="$missing $v" ;;
    esac
done
if [ -z "$missing" ]; then
    echo "ok $n - virt-spm --help lists the verbs"
else
    failed=$((failed + 1))
    echo "not ok $n - virt-spm --help lists the verbs"
    echo "# missing:$missing; got: $(echo $verbs)"
fi
# shellcheck disable=SC2086
check "all verbs and help" "virt-spm " $verbs help
check "a verb from its start" "virt-spm vali" validate
check "verbs after a global option" "virt-spm -q dom" domcapabilities domcheck domxml-to-native
check "global options" "virt-spm --q" --quiet
check "no completion of a URI" "virt-spm -c " 
check "help VERB" "virt-spm help und" undefine
check "a verb's options" "virt-spm validate --no" --no-schema --no-cache
check "an option with a value ends in =" "virt-spm validate --emu" --emulator=
check "a file for --caps=" "virt-spm validate --caps=tests/qemucapabilitiesdata/caps_7" \
    tests/qemucapabilitiesdata/caps_7.2.22_x86_64.replies \
    tests/qemucapabilitiesdata/caps_7.2.22_x86_64.xml
check "a file for FILE" "virt-spm validate examples/mi3" examples/mi300a.xml
check "a file after an option and its value" \
    "virt-spm layout --caps tests/qemucapabilitiesdata/caps_7.2.22_x86_64.replies examples/mi3" \
    examples/mi300a.xml
check "domains from -c URI" "virt-spm -c test:///default dumpxml " test
check "domains from --connect=URI" "virt-spm --connect=test:///default undefine t" test
check "a domain, then a file" "virt-spm -c test:///default attach-device test examples/mi3" \
    examples/mi300a.xml
check "nothing past the last argument" "virt-spm -c test:///default undefine test " 
check "no positional argument" "virt-spm domcapabilities " 

echo "1..$n"
[ "$failed" = 0 ]
