# Scale rows of scripts/bench.sh (issue 12): dumps, big event pastes, live sweeps. Sourced by
# bench.sh; inputs come from scripts/gen-scale.py (deterministic).
#
# Environment (besides bench.sh's):
#   DUMP_PODS="1000 4000 5000"   pod counts of the generated cluster-info dumps
#   EVENTS_MIB="50 100"          sizes of the generated `kubectl get events -A` tables
#   LIVE_PODS="5000 20000"       pod counts served by the mock API server for `namespace -A`

SCALE_GEN="$ROOT/scripts/gen-scale.py"

register dump "cluster-info dump directory, generated pods (10 % failing)"
section_dump() {
    local n d
    for n in ${DUMP_PODS:-1000 4000 5000}; do
        d="$WORK/dump-$n"
        [[ -d $d ]] || python3 "$SCALE_GEN" dump "$d" "$n"
        measure -- "$BIN" file "$d" -o json --fail-on never
        row "cluster-info dump directory, $n pods ($(du -sm "$d" | cut -f1) MiB)" \
            "$(s2 "$M_WALL") s wall, $(s2 "$M_CPU") s CPU, $M_RSS MiB max RSS" "linear; 5,000 pods <= 3 s"
    done
}

register events "\`kubectl get events -A\` paste vs ripgrep (\`rg -f\` with every rule's event message pattern)"
section_events() {
    need_rg
    local pats="$WORK/event-patterns.txt" n mib f
    n=$(python3 "$SCALE_GEN" event-patterns "$pats")
    for mib in ${EVENTS_MIB:-50 100}; do
        f="$WORK/events-$mib.txt"
        [[ -f $f ]] || python3 "$SCALE_GEN" events "$f" "$mib"
        measure -- rg -j1 -c -f "$pats" "$f"
        local rg_cpu=$M_CPU rg_wall=$M_WALL
        measure -- "$BIN" file "$f" -o json --fail-on never
        row "\`kubectl get events -A\` paste, $mib MiB, CPU vs \`rg -c -f\` ($n patterns)" \
            "kd $(s2 "$M_CPU") s CPU ($(s2 "$M_WALL") s wall, **$M_RSS MiB** max RSS); rg $(s2 "$rg_cpu") s CPU ($(s2 "$rg_wall") s wall): **$(ratio "$M_CPU" "$rg_cpu")x**" \
            "<= 3x ripgrep, <= 64 MiB, flat"
    done
}

register live "live \`namespace -A\` against a mock API server (paged lists, 10 % failing)"
section_live() {
    local n kc pid
    for n in ${LIVE_PODS:-5000 20000}; do
        kc="$WORK/kubeconfig-$n"
        rm -f "$kc"
        python3 "$SCALE_GEN" serve "$n" "$kc" &
        pid=$!
        for _ in $(seq 1 100); do [[ -s $kc ]] && break; sleep 0.1; done
        measure -- "$BIN" --kubeconfig "$kc" namespace -A -o json --fail-on never
        local requests
        requests=$("$BIN" --kubeconfig "$kc" namespace -A -o json --fail-on never |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["cluster"]["requests"])')
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        row "live \`namespace -A\`, $n pods" \
            "$(s2 "$M_WALL") s wall, $(s2 "$M_CPU") s CPU, **$M_RSS MiB** max RSS, $requests requests" \
            "<= 100 MiB at 20,000 pods; lists paginated"
    done
}
