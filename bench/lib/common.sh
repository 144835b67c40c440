# Shared by bench/run, bench/replicas and bench/soak, which source it after setting ROOT, BIN and
# WORK (and, for run_wrk, LUA, WARMUP, DURATION, THREADS and CONNECTIONS; for make_body, WORKLOADS).
# shellcheck shell=bash

die() {
  echo "bench/$(basename "$0"): $*" >&2
  exit 2
}

# Fails clearly when a tool is missing; installs Debian's wrk when it can.
require_tools() {
  local tool
  for tool in cargo curl jq python3; do
    command -v "$tool" >/dev/null || die "$tool is missing; install it (Debian: apt-get install -y $tool)"
  done
  if ! command -v wrk >/dev/null; then
    echo "wrk is missing: installing Debian's package" >&2
    if [ "$(id -u)" = 0 ]; then
      apt-get install -y wrk >&2 || die "apt-get install -y wrk failed; install wrk and rerun"
    elif command -v sudo >/dev/null; then
      sudo apt-get install -y wrk >&2 || die "sudo apt-get install -y wrk failed; install wrk and rerun"
    else
      die "wrk is missing and neither root nor sudo is available: install Debian's wrk package"
    fi
  fi
}

# Sets CPUS, PIN_SERVER and PIN_LOAD (taskset prefixes: server on CPU 0, load on CPU 1),
# PINNING (a sentence for the report) and STARTUP_CPU (arguments for startup.py).
# shellcheck disable=SC2034 # read by the scripts that source this file
setup_pinning() {
  CPUS=$(nproc)
  PIN_SERVER=()
  PIN_LOAD=()
  STARTUP_CPU=()
  if command -v taskset >/dev/null && [ "$CPUS" -ge 2 ]; then
    PIN_SERVER=(taskset -c 0)
    PIN_LOAD=(taskset -c 1)
    STARTUP_CPU=(--cpu 0)
    PINNING="server on CPU 0, load generator on CPU 1"
  else
    PINNING="none (needs taskset and 2+ CPUs; this machine: $CPUS CPU(s)): server and load share the CPUs"
    echo "bench/$(basename "$0"): warning: no CPU pinning: $PINNING" >&2
  fi
}

# Builds the deployment binary (the dist profile of Cargo.toml: fat LTO, one codegen unit) unless
# BUILD=0, then checks that it exists. With `bench-hooks`, the feature that holds the baseline
# route (`--bench-baseline`), which a production build leaves out.
build_dist() {
  if [ "${BUILD:-1}" = 1 ]; then
    echo "building the deployment binary (cargo build --profile dist --features bench-hooks)..." >&2
    (cd "$ROOT" && cargo build --profile dist --locked --features bench-hooks) >&2 \
      || die "cargo build --profile dist --locked --features bench-hooks failed"
  fi
  [ -x "$BIN" ] || die "no deployment binary at $BIN (run without --no-build)"
}

# field FILE NAME: a number from the BENCH line of a check.lua run's output.
field() { sed -n "s/^BENCH.* $2=\([0-9]*\).*/\1/p" "$1"; }

# ----- the server -----
SERVER_N=0
SERVER_PID=""
# start_server DATA_DIR [VAR=value...]: starts the deployment binary on loopback (port chosen by the
# OS), pinned to CPU 0, with the extra arguments in SERVER_ARGS (e.g. --bench-baseline) and the
# given environment; sets SERVER_PID and BASE (http://127.0.0.1:<port>) and SERVER_LOG. The load
# comes from one address, so the per-client budget is off (KHARTOUM_GRAPHQL_RATE_LIMIT=0) unless
# the given environment sets it.
start_server() {
  local data=$1
  shift
  SERVER_N=$((SERVER_N + 1))
  SERVER_LOG="$WORK/server-$SERVER_N.log"
  env NO_COLOR=1 RUST_LOG=info KHARTOUM_GRAPHQL_RATE_LIMIT=0 "$@" "${PIN_SERVER[@]}" "$BIN" --data-dir "$data" --seed-dir "$ROOT/seed" \
    --bind 127.0.0.1:0 "${SERVER_ARGS[@]}" serve 2>"$SERVER_LOG" &
  SERVER_PID=$!
  local _
  for _ in $(seq 300); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$SERVER_LOG" >&2
      die "the server exited at start (log above)"
    fi
    BASE=$(sed -n 's/.*address=\(http:\/\/[^ ]*\)\/graphql.*/\1/p' "$SERVER_LOG" | head -1)
    [ -n "$BASE" ] && return 0
    sleep 0.1
  done
  die "the server did not say it is serving within 30 s (log: $SERVER_LOG)"
}

# Stops the server with SIGTERM (it finishes in-flight requests and flushes) and waits for it.
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

# VmRSS of the server in kB.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }

# ----- one wrk run -----
# run_wrk OUT URL METHOD BODYFILE EXPECT UNIQUE [HEADER...]: a warm-up then a measured run; the
# measured run's check.lua lines go to OUT. UNIQUE is "" (same text every time) or a prefix.
run_wrk() {
  local out=$1 url=$2 method=$3 body=$4 expect=$5 unique=$6
  shift 6
  local phase seconds
  for phase in w m; do
    if [ "$phase" = w ]; then seconds=$WARMUP; else seconds=$DURATION; fi
    [ "$seconds" -gt 0 ] || continue
    local uenv=()
    [ -n "$unique" ] && uenv=(BENCH_UNIQUE="$unique$phase")
    env -u BENCH_UNIQUE "${uenv[@]}" "${PIN_LOAD[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s \
      -s "$LUA" "$url" -- "$method" "$body" "$expect" "$@" >"$out.$phase" 2>&1 ||
      { cat "$out.$phase" >&2; die "wrk failed"; }
    grep -q '^BENCH ' "$out.$phase" || { cat "$out.$phase" >&2; die "wrk printed no BENCH line (output above)"; }
  done
  mv "$out.m" "$out"
}

# The bad responses of a run: check.lua's bad answers plus socket errors and timeouts.
bad_of() {
  echo $(($(field "$1" bad) + $(field "$1" connect) + $(field "$1" read) + $(field "$1" write) + $(field "$1" timeout)))
}
rps_of() { awk -v r="$(field "$1" requests)" -v d="$(field "$1" duration_us)" 'BEGIN { printf "%.0f", r / (d / 1e6) }'; }

# The JSON body of a workload: its query file and variables; NEW=1 appends "# __N__" to the text,
# NEW=2 adds a variable "_n": "__N__" that the operation does not declare (GraphQL ignores it).
make_body() {
  local name=$1 new=$2 out=$3
  jq -cn --rawfile q "$WORKLOADS/$name.graphql" --slurpfile v "$WORKLOADS/$name.variables.json" --arg new "$new" \
    '{query: (if $new == "1" then $q + "# __N__\n" else $q end),
      variables: (if $new == "2" then $v[0] + {_n: "__N__"} else $v[0] end)}' >"$out"
}
