#!/usr/bin/env bash
# Behaviour check for performance work: runs two binaries on the same inputs and reports any
# difference in their `file -o json` output (and exit code).
#
#   scripts/same-output.sh OLD_BIN NEW_BIN [N]
#
# Inputs: both shipped examples (testdata/examples) plus N (default 20) corpus cases from
# testdata/realworld/cases picked with a fixed seed, so every run checks the same cases; N=all
# checks every case. Exit status 1 when any output differs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
old=${1:?usage: same-output.sh OLD_BIN NEW_BIN [N]}
new=${2:?usage: same-output.sh OLD_BIN NEW_BIN [N]}
n=${3:-20}
mapfile -t cases < <(find "$ROOT/testdata/realworld/cases" -type f -name '*.txt' | sort)
if [[ $n != all ]]; then
    mapfile -t cases < <(printf '%s\n' "${cases[@]}" | shuf -n "$n" --random-source=<(yes 12))
fi
inputs=("$ROOT"/testdata/examples/*.txt "${cases[@]}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
diffs=0
for f in "${inputs[@]}"; do
    a=0 b=0
    "$old" file "$f" -o json >"$tmp/a" 2>"$tmp/ae" || a=$?
    "$new" file "$f" -o json >"$tmp/b" 2>"$tmp/be" || b=$?
    if [[ $a != "$b" ]] || ! cmp -s "$tmp/a" "$tmp/b" || ! cmp -s "$tmp/ae" "$tmp/be"; then
        echo "DIFFERS: ${f#"$ROOT"/} (exit $a vs $b)"
        diffs=$((diffs + 1))
    fi
done
echo "${#inputs[@]} inputs, $diffs differ"
[[ $diffs == 0 ]]
