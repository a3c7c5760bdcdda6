#!/usr/bin/env bash
# Counts the instructions tcc spends per call (token and AK/SK) with
# callgrind: unlike wall-clock time, the count repeats exactly on a shared,
# noisy machine, so it shows whether a change to a per-call path helped.
# Per-call cost = (count at 3000 calls - count at 1000 calls) / 2000.
# Leaves /tmp/cg.<auth>.<calls>.out for callgrind_annotate.
set -euo pipefail
work=$(mktemp -d)
cd "$(dirname "$0")/.."
cargo build --release -q -p tcc -p osm-standin
cc -O2 -std=c11 -Iinclude -DTCC_BENCH_HAVE_AKSK=1 benches/bench_tcc.c -Ltarget/release -Wl,-rpath,$PWD/target/release -ltcc -lpthread -o "$work/bench_tcc"
rm -f "$work/port"; target/release/osm-standin --port-file "$work/port" --max-seconds 300 >/dev/null & pid=$!
trap 'kill $pid; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
for auth in token aksk; do
  for calls in 1000 3000; do
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$auth.$calls.out "$work/bench_tcc" --endpoint http://127.0.0.1:$port --port $port --auth $auth --ak TCCDEMOAK00000000001 --sk tccDemoSecretKey0000000000000000000000001 --domain-id 7c3a6e2b9d1f40e58a0b1c2d3e4f5a6b --token demo-token --calls $calls --warmup 10 >/dev/null 2>/tmp/cg.$auth.$calls.err
    grep -o "Collected : [0-9]*" /tmp/cg.$auth.$calls.err | awk -v a=$auth -v c=$calls '{print a, c, $3}'
  done
done
for auth in token aksk; do
  a=$(grep -o "Collected : [0-9]*" /tmp/cg.$auth.1000.err | awk '{print $3}')
  b=$(grep -o "Collected : [0-9]*" /tmp/cg.$auth.3000.err | awk '{print $3}')
  echo "$auth: $(( (b - a) / 2000 )) instructions per call"
done
