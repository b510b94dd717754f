#!/usr/bin/env bash
# Performance benchmark of kubectl-diagnose: prints one Markdown table row per figure, ready for
# README.md's "Performance" section.
#
#   scripts/bench.sh                 every section
#   scripts/bench.sh startup log     only these sections (names below)
#   scripts/bench.sh --list          list the sections
#
# Environment:
#   RUNS=5        runs per figure (medians of wall and CPU time; RSS is the largest run, taken
#                 under /usr/bin/time: see benchlib.py measure)
#   LOG_MIB=256   size of the pasted-log input (the issue's range is 200 MiB-1 GiB)
#   ZH_MIB=11     size of the Chinese log
#   BIN=path      measure this binary instead of building target/release/kubectl-diagnose; for
#                 quick iterations, target/bench-fast/kubectl-diagnose from `cargo build --profile
#                 bench-fast` (no fat LTO: minutes instead of the better part of an hour; say so
#                 next to any figure taken with it)
#   KEEP=1        keep the generated inputs (their directory is printed)
#
# Inputs are generated deterministically into a temporary directory (scripts/benchlib.py). The
# ripgrep comparison runs `rg -c -f <every rule's log pattern>` on the same file; rg is installed
# with apt-get when missing.
#
# Extension point: every scripts/bench.d/*.sh is sourced after the built-in sections. Such a file
# defines `section_<name>` functions and registers them with `register <name> "<description>"`;
# inside a section use $BIN, $WORK, $RUNS, `measure`, `row`, `ratio`, `s2`, `ms`, `need_rg` (see
# below) and scripts/benchlib.py for generators. Example (scripts/bench.d/scale.sh):
#
#   register dump "cluster-info dump, 1,000 / 4,000 / 5,000 pods"
#   section_dump() { ...; measure -- "$BIN" file "$WORK/dump-1000"; row "dump, 1,000 pods" "$(s2 "$M_WALL") s" "linear"; }
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB="$ROOT/scripts/benchlib.py"
RUNS=${RUNS:-5}
LOG_MIB=${LOG_MIB:-256}
ZH_MIB=${ZH_MIB:-11}

SECTIONS=()
DESCRIPTIONS=()
# register NAME DESCRIPTION: adds section_NAME to the run order.
register() {
    SECTIONS+=("$1")
    DESCRIPTIONS+=("$2")
}

# measure [RUNS] -- CMD...: sets M_WALL (median s), M_CPU (median user+sys s), M_RSS (max MiB),
# M_CPU_MIN (fastest run's CPU s). Stdout of CMD is discarded.
measure() {
    local runs=$RUNS
    if [[ $1 != -- ]]; then runs=$1; shift; fi
    shift
    read -r M_WALL M_CPU M_RSS M_CPU_MIN < <(python3 "$LIB" measure "$runs" "$@")
}

# row WHAT FIGURE TARGET: one table row.
row() {
    printf '| %s | %s | %s |\n' "$1" "$2" "$3"
}

# ratio A B: A/B with two decimals.
ratio() {
    python3 "$LIB" ratio "$1" "$2"
}

# s2 SECONDS: two decimals.
s2() {
    printf '%.2f' "$1"
}

# ms SECONDS: as milliseconds, no decimals.
ms() {
    python3 -c "print(f'{float(\"$1\") * 1000:.0f}')"
}

need_rg() {
    if ! command -v rg >/dev/null; then
        echo "installing ripgrep for the comparison..." >&2
        (sudo -n apt-get install -y ripgrep || apt-get install -y ripgrep) >&2
    fi
}

# --- Built-in sections -------------------------------------------------------------------------

register startup "start-up: \`file\` on the small shipped example, \`rules list\`, one live \`pod\`"
section_startup() {
    local ex="$ROOT/testdata/examples/crashloop-port-conflict.txt"
    # The binary's page-cache state decides much of the RSS (benchlib.py evict): drop it, then
    # one untimed run reads it back the way an installed binary is read.
    python3 "$LIB" evict "$BIN"
    "$BIN" rules list >/dev/null
    measure $((RUNS * 4)) -- "$BIN" file "$ex" --fail-on never
    row "start-up: \`file\` on the small shipped example (median of $((RUNS * 4)))" \
        "$(ms "$M_CPU") ms CPU ($(ms "$M_WALL") ms wall), $M_RSS MiB max RSS" "<= 20 ms, <= 16 MiB"
    measure $((RUNS * 4)) -- "$BIN" rules list
    row "start-up: \`rules list\` (loads every rule, compiles nothing)" \
        "$(ms "$M_CPU") ms CPU ($(ms "$M_WALL") ms wall), $M_RSS MiB max RSS" "-"
    # A live pod against the plain-HTTP mock API server of scripts/gen-scale.py: start-up, the
    # first request and the whole diagnosis (6 requests: pod, events, node, logs).
    local kc="$WORK/kubeconfig-startup" pid
    rm -f "$kc"
    python3 "$ROOT/scripts/gen-scale.py" serve 40 "$kc" &
    pid=$!
    for _ in $(seq 1 100); do [[ -s $kc ]] && break; sleep 0.1; done
    measure $((RUNS * 4)) -- "$BIN" --kubeconfig "$kc" pod app-3-00003-x6d13 -n team-000 --fail-on never
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    row "start-up: live \`pod\` of a crash-looping pod, mock API server (6 requests)" \
        "$(ms "$M_CPU") ms CPU ($(ms "$M_WALL") ms wall), $M_RSS MiB max RSS" "-"
}

register log "pasted log vs ripgrep (\`rg -f\` with every rule's log pattern)"
section_log() {
    need_rg
    local log="$WORK/log-$LOG_MIB.txt" pats="$WORK/log-patterns.txt" n
    [[ -f $log ]] || python3 "$LIB" gen-log "$LOG_MIB" "$log"
    n=$(python3 "$LIB" log-patterns "$pats")
    measure -- rg -j1 -c -f "$pats" "$log"
    local rg_cpu=$M_CPU rg_wall=$M_WALL
    measure -- "$BIN" file "$log" -o json --fail-on never
    row "pasted log, $LOG_MIB MiB, CPU vs \`rg -c -f\` ($n patterns)" \
        "kd $(s2 "$M_CPU") s CPU ($(s2 "$M_WALL") s wall, $M_RSS MiB max RSS); rg $(s2 "$rg_cpu") s CPU ($(s2 "$rg_wall") s wall): **$(ratio "$M_CPU" "$rg_cpu")x**" \
        "<= 1.5x ripgrep, memory flat"
    local half="$WORK/log-$((LOG_MIB / 4)).txt" rss_full=$M_RSS
    [[ -f $half ]] || python3 "$LIB" gen-log "$((LOG_MIB / 4))" "$half"
    measure -- "$BIN" file "$half" -o json --fail-on never
    row "pasted log, memory flat as the input grows" \
        "$M_RSS MiB at $((LOG_MIB / 4)) MiB, $rss_full MiB at $LOG_MIB MiB" "flat"
}

register chinese "Chinese (non-ASCII) log"
section_chinese() {
    need_rg
    local zh="$WORK/zh-$ZH_MIB.txt" en="$WORK/en-$ZH_MIB.txt" pats="$WORK/log-patterns.txt"
    [[ -f $zh ]] || python3 "$LIB" gen-chinese "$ZH_MIB" "$zh"
    [[ -f $en ]] || python3 "$LIB" gen-log "$ZH_MIB" "$en"
    [[ -f $pats ]] || python3 "$LIB" log-patterns "$pats" >/dev/null
    measure -- rg -j1 -c -f "$pats" "$zh"
    local rg_cpu=$M_CPU
    measure -- "$BIN" file "$en" -o json --fail-on never
    local en_wall=$M_WALL
    measure -- "$BIN" file "$zh" -o json --fail-on never
    row "Chinese log, $ZH_MIB MiB" \
        "$(s2 "$M_WALL") s wall, $(s2 "$M_CPU") s CPU, $M_RSS MiB max RSS (ASCII log of the same size: $(s2 "$en_wall") s; rg: $(s2 "$rg_cpu") s CPU)" \
        "< 3 s, close to ASCII"
}

# --- Extensions --------------------------------------------------------------------------------

shopt -s nullglob
for ext in "$ROOT"/scripts/bench.d/*.sh; do
    # shellcheck source=/dev/null
    source "$ext"
done
shopt -u nullglob

if [[ ${1:-} == --list ]]; then
    for i in "${!SECTIONS[@]}"; do printf '%-12s %s\n' "${SECTIONS[$i]}" "${DESCRIPTIONS[$i]}"; done
    exit 0
fi
wanted=("$@")
if [[ ${#wanted[@]} -eq 0 ]]; then wanted=("${SECTIONS[@]}"); fi
for w in "${wanted[@]}"; do
    if ! declare -F "section_$w" >/dev/null; then
        echo "bench.sh: unknown section '$w' (try --list)" >&2
        exit 2
    fi
done

if [[ -z ${BIN:-} ]]; then
    echo "building release binary..." >&2
    (cd "$ROOT" && cargo build --release --quiet)
    BIN="$ROOT/target/release/kubectl-diagnose"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kd-bench.XXXXXX")
if [[ -n ${KEEP:-} ]]; then
    echo "inputs kept in $WORK" >&2
else
    trap 'rm -rf "$WORK"' EXIT
fi

echo "kubectl-diagnose $("$BIN" --version | awk '{print $2}') ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')), $(date -u +%Y-%m-%d)"
echo "machine: $(nproc) CPU cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs per figure: $RUNS (medians; RSS is the largest run)"
echo
echo "| what | figure | target |"
echo "|---|---|---|"
for w in "${wanted[@]}"; do
    "section_$w"
done
