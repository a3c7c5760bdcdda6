#!/usr/bin/env bash
# Benchmark (issue 5): tcc through the C ABI against the practical limit of
# the wire (a raw keep-alive socket client replaying tcc's request bytes) and
# against the official Python SDK, all on the local OSM stand-in (127.0.0.1).
#
#   ./scripts/bench.sh            full run: 100 000 calls per tcc/raw variant
#   ./scripts/bench.sh --smoke    a few hundred calls per variant (CI); same
#                                 table, no speed assertion, well under 2 min
#   --no-sdk                      skip the Python SDK (no venv, no PyPI)
#   --rounds=N                    rounds of every variant (full: 5, smoke: 1); the
#                                 table shows each variant's median round, and
#                                 each ratio is the median of the ratios within
#                                 the rounds (paired, so drifting load cancels)
#   --pin=split|same|none         CPUs of the sequential variants: client on CPU 0
#                                 and stand-in on CPU 1 (split, default), both on
#                                 CPU 0 (same), or unpinned (none)
#   --busy-poll=US                with --pin=split, the stand-in of the sequential
#                                 variants polls up to US µs for a connection's
#                                 next request instead of sleeping (default 2000;
#                                 0: off), so its idle CPU's wake-up is not in
#                                 every call's latency
#
# Builds the release library and stand-in, compiles benches/bench_tcc.c and
# benches/bench_raw.c with cc -O2, installs huaweicloudsdkosm into .venv-bench/
# (PyPI; the SDK column is n/a when it cannot be installed), runs every
# variant against a fresh stand-in on 127.0.0.1 in its benchmark mode
# (--no-record; --max-seconds bounded, killed after use and on exit) and
# prints one table. Targets are reported, never asserted: the script fails
# only when a benchmark cannot run or a call returns a wrong result.
#
# Benchmark traffic goes to 127.0.0.1 only; the one other connection is pip's
# to PyPI when .venv-bench/ has to be made.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

smoke=0
with_sdk=1
rounds_arg=
pin=split
busy_poll=2000
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    --no-sdk) with_sdk=0 ;;
    --rounds=*) rounds_arg=${arg#--rounds=} ;;
    --pin=*) pin=${arg#--pin=} ;;
    --busy-poll=*) busy_poll=${arg#--busy-poll=} ;;
    -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# Sizes. RSS checkpoints are after N measured calls of the single-thread token run.
if [ "$smoke" = 1 ]; then
  calls=300; thread_calls=300; sdk_calls=100; warmup=20; client_new=50
  rss_a=100; rss_b=300; standin_seconds=150; bench_seconds=30; rounds=1
else
  calls=100000; thread_calls=50000; sdk_calls=2000; warmup=200; client_new=1000
  rss_a=10000; rss_b=100000; standin_seconds=300; bench_seconds=240; rounds=5
fi
[ -n "$rounds_arg" ] && rounds=$rounds_arg
case "$rounds" in ''|*[!0-9]*|0) echo "bench.sh: --rounds=N needs N >= 1" >&2; exit 2 ;; esac
case "$pin" in split|same|none) ;; *) echo "bench.sh: --pin=split|same|none" >&2; exit 2 ;; esac
case "$busy_poll" in ''|*[!0-9]*) echo "bench.sh: --busy-poll=US needs a number of µs" >&2; exit 2 ;; esac
if [ "$pin" != none ] && { ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; }; then
  echo "bench.sh: no taskset or fewer than 2 CPUs: not pinning" >&2
  pin=none
fi
sdk_version=${TCC_BENCH_SDK_VERSION:-3.1.219}

# Credentials given to the stand-in explicitly (demo values, not secrets).
token=bench-token
ak=TCCBENCHAK0000000001
sk=tccBenchSecretKey000000000000000000000001
domain_id=0123456789abcdef0123456789abcdef

section() { printf '\n== %s\n' "$*" >&2; }

section "build (release)"
cargo build --release --quiet -p tcc -p osm-standin
target_dir=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)
lib_dir="$target_dir/release"

work=$(mktemp -d)
standin_pid=
cleanup() {
  if [ -n "$standin_pid" ]; then kill "$standin_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
trap cleanup EXIT

have_aksk=0
if grep -q 'tcc_options_set_aksk' include/tcc.h && grep -q 'tcc_options_set_domain_id' include/tcc.h; then
  have_aksk=1
fi
cflags=(-O2 -std=c11 -Wall -Wextra -Werror -Iinclude -Ibenches)
[ "$have_aksk" = 1 ] && cflags+=(-DTCC_BENCH_HAVE_AKSK=1)
cc "${cflags[@]}" benches/bench_tcc.c -L"$lib_dir" -Wl,-rpath,"$lib_dir" -ltcc -lpthread \
  -o "$work/bench_tcc"
cc -O2 -std=c11 -Wall -Wextra -Werror -Ibenches benches/bench_raw.c -lpthread -o "$work/bench_raw"

# The Python SDK, in a throwaway venv at the repo top (reused when present).
sdk_state="skipped (--no-sdk)"
venv="$repo/.venv-bench"
if [ "$with_sdk" = 1 ]; then
  section "official Python SDK (huaweicloudsdkosm $sdk_version in .venv-bench/)"
  sdk_state="n/a (cannot install huaweicloudsdkosm from PyPI)"
  if ! command -v python3 >/dev/null; then
    sdk_state="n/a (no python3)"
  elif "$venv/bin/python" -c "import huaweicloudsdkosm" 2>/dev/null \
      && "$venv/bin/python" -m pip show huaweicloudsdkosm 2>/dev/null | grep -qx "Version: $sdk_version"; then
    sdk_state=ok
  else
    rm -rf "$venv"
    if python3 -m venv "$venv" >"$work/venv.log" 2>&1 \
        && PIP_DISABLE_PIP_VERSION_CHECK=1 timeout 300 "$venv/bin/pip" install --quiet \
           --timeout 20 --retries 1 "huaweicloudsdkosm==$sdk_version" >>"$work/venv.log" 2>&1; then
      sdk_state=ok
    else
      tail -3 "$work/venv.log" >&2 || true
    fi
  fi
  echo "SDK: $sdk_state" >&2
fi

# Each variant gets a fresh stand-in (same binary and flags, a new free port),
# started with --no-record: it keeps no requests (a recording stand-in grows
# by ~50 MiB per 100 000 calls, and copying every request costs it time on
# each call). Only the capture of tcc's request bytes for the raw client
# (raw_bench) uses a recording stand-in. Each is --max-seconds bounded and
# killed after use.
#
# standin_start [--record] [PORT]: a fresh stand-in on PORT (default: any free
# port); returns 1 if it cannot listen on the PORT asked for.
standin_start() {
  local mode=(--no-record) want=0
  if [ "${1:-}" = --record ]; then mode=(); shift; fi
  [ -n "${1:-}" ] && want=$1
  standin_stop
  rm -f "$work/port"
  "${server_pin[@]}" "$lib_dir/osm-standin" --port "$want" --port-file "$work/port" \
    --max-seconds "$standin_seconds" "${mode[@]}" "${server_flags[@]}" \
    --token "$token" --ak "$ak" --sk "$sk" --domain-id "$domain_id" >"$work/standin.log" 2>&1 &
  standin_pid=$!
  for _ in $(seq 100); do
    [ -s "$work/port" ] && break
    kill -0 "$standin_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ ! -s "$work/port" ]; then
    if [ "$want" != 0 ]; then standin_stop; return 1; fi
    echo "the stand-in did not start:" >&2; cat "$work/standin.log" >&2; exit 1
  fi
  port=$(cat "$work/port")
  endpoint="http://127.0.0.1:$port"
}
standin_stop() {
  if [ -n "$standin_pid" ]; then
    kill "$standin_pid" 2>/dev/null || true
    wait "$standin_pid" 2>/dev/null || true
    standin_pid=
  fi
}
# CPU placement. On a small VM the scheduler's choice of CPUs for client and
# stand-in swings sequential results by 2x (a wake-up across vCPUs costs far
# more than one on the same vCPU), so sequential variants are pinned:
#   split (default): client on CPU 0, stand-in on CPU 1 (like a real client
#                    and server, which never share a core);
#   same:            both on CPU 0 (no cross-CPU wake-ups: shows CPU cost);
#   none:            the scheduler decides.
# Threaded variants are never pinned: they need every CPU.
#
# Even pinned, a stand-in that sleeps between requests lets its CPU go idle,
# and waking an idle vCPU costs ~15 µs per call on a VM (more than the
# stand-in's own work); so with split pinning, where CPU 1 is the stand-in's
# alone, it busy-polls for the next request (--busy-poll; the SDK's calls,
# ~0.6 ms apart, get the same). Not with same/none, nor for threaded
# variants: there the polling would take CPU time from the clients.
client_pin=(); server_pin=(); server_flags=()
pin_none() { client_pin=(); server_pin=(); server_flags=(); }
pin_sequential() {
  case "$pin" in
    split)
      client_pin=(taskset -c 0); server_pin=(taskset -c 1); server_flags=()
      [ "$busy_poll" -gt 0 ] && server_flags=(--busy-poll "$busy_poll")
      ;;
    same) client_pin=(taskset -c 0); server_pin=(taskset -c 0); server_flags=() ;;
    *) pin_none ;;
  esac
}
standin_rss() { sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$standin_pid/status" 2>/dev/null || true; }

failed=()
# run NAME CMD...: runs a benchmark, output to $work/NAME.out. Every command
# below is wrapped in `timeout $limit` on top of its own --max-seconds.
limit=$((bench_seconds + 60))
run() {
  local name=$1; shift
  echo "-- $name (stand-in $endpoint)" >&2
  if ! "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    echo "bench.sh: $name FAILED:" >&2
    cat "$work/$name.err" >&2
    failed+=("$name")
    return 1
  fi
  if [ -s "$work/$name.err" ]; then cat "$work/$name.err" >&2; fi
  return 0
}
# get NAME KEY: a value from $work/NAME.out, empty if absent.
get() { [ -f "$work/$1.out" ] && sed -n "s/^$2=//p" "$work/$1.out" | tail -1; return 0; }

tcc_token() {
  "${client_pin[@]}" timeout "$limit" "$work/bench_tcc" --endpoint "$endpoint" --port "$port" --auth token --token "$token" \
    --warmup "$warmup" --max-seconds "$bench_seconds" "$@"
}
tcc_aksk() {
  "${client_pin[@]}" timeout "$limit" "$work/bench_tcc" --endpoint "$endpoint" --port "$port" --auth aksk --ak "$ak" --sk "$sk" \
    --domain-id "$domain_id" --warmup "$warmup" --max-seconds "$bench_seconds" "$@"
}
# raw_bench NAME token|aksk ARGS...: captures the exact request tcc sends (one
# tcc call to a recording stand-in, then GET /_standin/requests) and replays
# it from the raw socket client against a --no-record stand-in started on the
# same port afterwards, so even the Host line is right. (If that port cannot
# be had again, any port will do: the stand-in ignores Host, and a signature
# covers the Host value that was sent.) A replayed AK/SK request stays valid:
# the stand-in, like the gateway, accepts an X-Sdk-Date within 15 minutes and
# keeps no nonce.
raw_bench() {
  local name=$1 kind=$2 capture_port; shift 2
  standin_start --record
  run "capture-$name" "tcc_$kind" --calls 1 --warmup 0 || return 0
  timeout 30 python3 - "$endpoint" "$work/request.bin" "$kind" <<'PY' || { failed+=("capture-$name"); return 0; }
import json, sys, urllib.request
endpoint, out, kind = sys.argv[1], sys.argv[2], sys.argv[3]
assert endpoint.startswith("http://127.0.0.1:")
with urllib.request.urlopen(endpoint + "/_standin/requests", timeout=10) as r:
    recorded = json.load(r)
mark = "x-auth-token" if kind == "token" else "authorization"
req = [q for q in recorded if any(n.lower() == mark for n, _ in q["headers"])][-1]
assert req["body"] == "", "a GET with a body?"
head = f"{req['method']} {req['target']} HTTP/1.1\r\n"
head += "".join(f"{n}: {v}\r\n" for n, v in req["headers"]) + "\r\n"
open(out, "w", newline="").write(head)
PY
  if case "$name" in raw1.r1|rawaksk.r1) true ;; *) false ;; esac; then
    echo "   request tcc sends (replayed by bench_raw):" >&2
    sed 's/\r$//; s/^\(x-auth-token:\) .*/\1 <token>/I; s/\(Signature=\).*/\1<...>/; s/^/     /' "$work/request.bin" >&2
  fi
  capture_port=$port
  if ! standin_start "$capture_port"; then
    echo "   (port $capture_port taken again: the raw client's Host line names the capture's port)" >&2
    standin_start
  fi
  run "$name" "${client_pin[@]}" timeout "$limit" "$work/bench_raw" --port "$port" --request "$work/request.bin" \
    --warmup "$warmup" --max-seconds "$bench_seconds" "$@" || true
}

# Rounds: every variant runs once per round, variants interleaved, and the
# table shows each variant's median round (by calls/s) with the spread. A
# 2-CPU VM shared with other work is noisy; one round alone can be off by 2x.
for round in $(seq "$rounds"); do
  section "round $round of $rounds: sequential (raw, tcc token, tcc AK/SK)"
  pin_sequential
  raw_bench "raw1.r$round" token --calls "$calls"
  standin_start
  run "token1.r$round" tcc_token --calls "$calls" --rss-at "$rss_a,$rss_b" --client-new "$client_new" || true
  echo "standin_vmrss=$(standin_rss)" >>"$work/token1.r$round.out"
  if [ "$have_aksk" = 1 ]; then
    standin_start; run "aksk1.r$round" tcc_aksk --calls "$calls" --rss-at "$rss_a,$rss_b" || true
    raw_bench "rawaksk.r$round" aksk --calls "$calls"
  fi

  section "round $round of $rounds: 2 and 4 threads sharing one client"
  pin_none
  for t in 2 4; do
    raw_bench "raw$t.r$round" token --calls "$thread_calls" --threads "$t"
    standin_start; run "token$t.r$round" tcc_token --calls "$thread_calls" --threads "$t" || true
  done

  if [ "$sdk_state" = ok ]; then
    section "round $round of $rounds: official Python SDK"
    pin_sequential
    standin_start
    if ! run "sdk.r$round" "${client_pin[@]}" timeout "$limit" "$venv/bin/python" benches/bench_sdk.py --endpoint "$endpoint" \
        --ak "$ak" --sk "$sk" --domain-id "$domain_id" --calls "$sdk_calls" --warmup 20 \
        --max-seconds "$bench_seconds"; then
      sdk_state="FAILED"
    fi
  fi
  standin_stop
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# The median round of each variant becomes $work/VARIANT.out; VARIANT.spread
# holds "min-max" calls/s over the rounds.
for variant in raw1 token1 aksk1 rawaksk raw2 token2 raw4 token4 sdk; do
  outs=()
  for f in "$work/$variant".r*.out; do
    [ -s "$f" ] && grep -q '^calls_per_sec=' "$f" && outs+=("$f")
  done
  [ ${#outs[@]} -gt 0 ] || continue
  sorted=$(for f in "${outs[@]}"; do echo "$(sed -n 's/^calls_per_sec=\([0-9]*\).*/\1/p' "$f") $f"; done | sort -n)
  median=$(echo "$sorted" | sed -n "$(( (${#outs[@]} + 1) / 2 ))p" | cut -d' ' -f2)
  cp "$median" "$work/$variant.out"
  echo "$(echo "$sorted" | head -1 | cut -d' ' -f1)-$(echo "$sorted" | tail -1 | cut -d' ' -f1)" >"$work/$variant.spread"
done
standin_rss_token=$(get token1 standin_vmrss)

strip -o "$work/libtcc.stripped.so" "$lib_dir/libtcc.so"
size_stripped=$(stat -c %s "$work/libtcc.stripped.so")
size_unstripped=$(stat -c %s "$lib_dir/libtcc.so")

# ---------------------------------------------------------------- the table
num() { [ -n "$1" ] && echo "$1" || echo "n/a"; }
# pratio A B [DECIMALS]: the ratio of variants A and B, paired by round: the
# median over the rounds of A/B within each round (the two ran seconds apart
# there), so the machine's load drifting between rounds does not skew it; n/a
# when no round has both. 2 decimals unless told.
pratio() {
  local r a b digits=${3:-2}
  for r in $(seq "$rounds"); do
    [ -f "$work/$1.r$r.out" ] && [ -f "$work/$2.r$r.out" ] || continue
    a=$(sed -n 's/^calls_per_sec=//p' "$work/$1.r$r.out" | tail -1)
    b=$(sed -n 's/^calls_per_sec=//p' "$work/$2.r$r.out" | tail -1)
    [ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.6f\n", a / b }'
  done | sort -g | awk -v d="$digits" '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) printf "%.*f", d, v[(NR + 1) / 2]; else printf "%.*f", d, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '\n'
if [ "$smoke" = 1 ]; then
  echo "tcc benchmark -- SMOKE run: $calls calls per sequential variant, $thread_calls per threaded one, $sdk_calls SDK calls; figures are indicative only"
else
  echo "tcc benchmark: $calls calls per sequential variant, $thread_calls per threaded one, $sdk_calls SDK calls (after $warmup warm-up calls each)"
fi
[ "$rounds" -gt 1 ] && echo "each row: the median of $rounds interleaved rounds by calls/s, (min-max) over the rounds; ratios: the median of the rounds' own ratios"
case "$pin" in
  split) echo "sequential rows and SDK: client pinned to CPU 0, stand-in to CPU 1 (--pin=split); threaded rows unpinned" ;;
  same) echo "sequential rows and SDK: client and stand-in both pinned to CPU 0 (--pin=same); threaded rows unpinned" ;;
  none) echo "no CPU pinning (--pin=none): sequential figures depend on the scheduler's placement" ;;
esac
if [ "$pin" = split ] && [ "$busy_poll" -gt 0 ]; then
  echo "stand-in: osm-standin --no-record, a fresh one per variant; sequential rows and SDK: --busy-poll $busy_poll (polls for the next request on its own CPU)"
else
  echo "stand-in: osm-standin --no-record, a fresh one per variant; no busy polling"
fi
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r); load average $load_before before, $load_after after"
printf '\n'
fmt='%-26s %7s %9s %15s %8s %8s %9s %9s %6s\n'
printf "$fmt" "variant" "calls" "calls/s" "(min-max)" "p50 µs" "p99 µs" "tcc/raw" "tcc/SDK" "conns"
printf "$fmt" "--------------------------" "-------" "---------" "---------------" "--------" "--------" "---------" "---------" "------"
row() { # row LABEL NAME THREADS
  local label=$1 name=$2 threads=$3 cps
  if [ ! -s "$work/$name.out" ]; then
    printf "$fmt" "$label" "n/a" "" "" "" "" "" "" ""
    return
  fi
  cps=$(get "$name" calls_per_sec)
  local vs_raw vs_sdk
  case "$name" in
    rawaksk) vs_raw=$(pratio "$name" raw1); vs_sdk=$(pratio "$name" sdk) ;;
    raw*) vs_raw="1.00 (=)"; vs_sdk=$(pratio "$name" sdk) ;;
    sdk) vs_raw=$(pratio "$name" raw1); vs_sdk="1.00 (=)" ;;
    *) vs_raw=$(pratio "$name" "raw$threads"); vs_sdk=$(pratio "$name" sdk) ;;
  esac
  [ "$(get "$name" complete)" = 0 ] && label="$label (INCOMPLETE)"
  local spread=""
  [ "$rounds" -gt 1 ] && spread="($(cat "$work/$name.spread" 2>/dev/null))"
  printf "$fmt" "$label" "$(get "$name" calls)" "${cps%.*}" "$spread" "$(get "$name" p50_us)" "$(get "$name" p99_us)" \
    "$vs_raw" "$vs_sdk" "$(num "$(get "$name" connections_opened)")"
}
row "tcc token" token1 1
if [ "$have_aksk" = 1 ]; then row "tcc AK/SK" aksk1 1
else echo "tcc AK/SK                  n/a (AK/SK C API not yet available)"; fi
row "raw socket (token bytes)" raw1 1
[ "$have_aksk" = 1 ] && row "raw socket (AK/SK bytes)" rawaksk 1
case "$sdk_state" in
  ok) row "Python SDK (AK/SK)" sdk 1 ;;
  *) echo "Python SDK (AK/SK)         $sdk_state" ;;
esac
row "tcc token, 2 threads" token2 2
row "raw socket, 2 threads" raw2 2
row "tcc token, 4 threads" token4 4
row "raw socket, 4 threads" raw4 4

cat <<EOF

  Rows are sequential calls on one connection unless "threads": then N threads share ONE
  tcc client (its keep-alive pool), or the raw client opens one connection per thread;
  calls/s is the total. tcc/raw compares with the raw row of the same thread count, tcc/SDK
  with the SDK row (on a raw row: raw/SDK; on the SDK row: SDK/raw). The AK/SK rows compare
  with the raw token row, as the targets do; "raw socket (AK/SK bytes)" replays one request
  signed by tcc, so it shows what the stand-in's signature check itself costs. "conns" = TCP connections
  to the stand-in opened during that run (warm-up included), counted by the bench program as
  new client ports in /proc/net/tcp (the stand-in has no counter endpoint); 1 per thread means
  the pool reuses its connections instead of reconnecting.
EOF

t1=token1
rss_a_v=$(get $t1 "rss_kib_at_$rss_a"); rss_b_v=$(get $t1 "rss_kib_at_$rss_b")
growth=n/a; [ -n "$rss_a_v" ] && [ -n "$rss_b_v" ] && growth=$((rss_b_v - rss_a_v))
rss_label_a="RSS after $rss_a calls"; rss_label_b="RSS after $rss_b calls"
[ "$smoke" = 1 ] && { rss_label_a="$rss_label_a (smoke; full: 10000)"; rss_label_b="$rss_label_b (smoke; full: 100000)"; }
kfmt='  %-46s %s\n'
printf '\nFacts (tcc token run, single thread):\n'
printf "$kfmt" "tcc_client_new (avg of $(num "$(get $t1 client_new_count)"))" "$(num "$(get $t1 client_new_us)") µs (median $(num "$(get $t1 client_new_p50_us)") µs)"
printf "$kfmt" "peak RSS" "$(num "$(get $t1 peak_rss_kib)") KiB (getrusage ru_maxrss $(num "$(get $t1 ru_maxrss_kib)") KiB, which lags statm; raw client: $(num "$(get raw1 peak_rss_kib)") KiB)"
printf "$kfmt" "RSS after warm-up" "$(num "$(get $t1 rss_kib_start)") KiB"
printf "$kfmt" "$rss_label_a" "$(num "$rss_a_v") KiB"
printf "$kfmt" "$rss_label_b" "$(num "$rss_b_v") KiB"
printf "$kfmt" "growth between them" "$growth KiB"
if [ "$have_aksk" = 1 ]; then
  a_a=$(get aksk1 "rss_kib_at_$rss_a"); a_b=$(get aksk1 "rss_kib_at_$rss_b")
  [ -n "$a_a" ] && [ -n "$a_b" ] && printf "$kfmt" "growth, AK/SK run" "$((a_b - a_a)) KiB ($a_a -> $a_b KiB)"
fi
printf "$kfmt" "libtcc.so size, stripped (strip -o; stat)" "$size_stripped bytes ($((size_stripped / 1024)) KiB; unstripped $size_unstripped)"
printf "$kfmt" "stand-in RSS after the token run" "${standin_rss_token:-n/a} (--no-record: it keeps no requests)"

# Targets: reported, not asserted.
verdict() { # verdict VALUE OP LIMIT -> met/MISSED/n/a
  if [ -z "$1" ] || [ "$1" = n/a ]; then echo "n/a"; return; fi
  awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? (v >= l) : (v < l); print (ok ? "met" : "MISSED") }'
}
# Three decimals, and judged on them: a ratio is not rounded up onto its target.
r_token=$(pratio token1 raw1 3)
r_aksk=n/a; [ "$have_aksk" = 1 ] && r_aksk=$(pratio aksk1 raw1 3)
r_sdk=$(pratio token1 sdk 3)
cn=$(get $t1 client_new_us)
printf '\nTargets (reported, not asserted%s):\n' "$([ "$smoke" = 1 ] && echo "; smoke figures are not meaningful")"
printf "$kfmt" "tcc token >= 0.85x raw" "$r_token  $(verdict "$r_token" '>=' 0.85)"
printf "$kfmt" "tcc AK/SK >= 0.80x raw" "$r_aksk  $(verdict "$r_aksk" '>=' 0.80)  (vs raw AK/SK bytes: $(pratio aksk1 rawaksk 3))"
printf "$kfmt" "tcc token >= 20x SDK" "$r_sdk  $(verdict "$r_sdk" '>=' 20)"
printf "$kfmt" "RSS growth ${rss_a}->${rss_b} < 1 MiB" "$growth KiB  $(verdict "$growth" '<' 1024)"
printf "$kfmt" "tcc_client_new < 2 ms" "$(num "$cn") µs  $(verdict "${cn:-}" '<' 2000)"

if [ ${#failed[@]} -gt 0 ]; then
  echo "bench.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
