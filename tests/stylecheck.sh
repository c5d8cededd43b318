#!/bin/bash
# stylecheck.sh: every C source is formatted as .clang-format says (TAP)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1

if ! command -v clang-format >/dev/null; then
    echo "1..0 # SKIP clang-format is not installed"
    exit 0
fi

n=0
failed=0
for f in $(git ls-files 'src/*.[ch]' 'tools/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' 2>/dev/null ||
           find src tools tests bench -name '*.[ch]'); do
    n=$((n + 1))
    if out=$(clang-format --dry-run --Werror "$f" 2>&1); then
        echo "ok $n - $f"
    else
        failed=$((failed + 1))
        echo "not ok $n - $f"
        echo "$out" | head -n 6 | sed 's/^/# /'
    fi
done
echo "1..$n"
[ "$failed" = 0 ]
