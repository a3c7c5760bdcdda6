#!/usr/bin/env bash
# Fuzzes tcc's response decoder for a bounded time: bash fuzz/run.sh [SECONDS] [TARGET]
# (default 60 s, target `decode`). Exits non-zero if the fuzzer found a crash;
# the input is then in fuzz/artifacts/TARGET/. See fuzz/README.md.
#
# cargo-fuzz asks for nightly Rust only for the -Z flags it passes to rustc
# (sanitizer, coverage instrumentation); RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them, so no other toolchain is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
target=${2:-decode}

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

corpus="$PWD/fuzz/corpus/$target"
mkdir -p "$corpus"
seeds=()
[ -d "fuzz/seeds/$target" ] && seeds+=("$PWD/fuzz/seeds/$target")
dict=()
[ -f "fuzz/$target.dict" ] && dict+=("-dict=$PWD/fuzz/$target.dict")

# -max_len: the decoder's cost is linear in the body; 4 KiB bodies explore
# the same code as 1 MiB ones, many times faster. -rss_limit_mb: libFuzzer's
# default (2 GiB) is fine; kept explicit so a leak shows as a failure.
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "$corpus" "${seeds[@]}" -- \
  "${dict[@]}" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1
