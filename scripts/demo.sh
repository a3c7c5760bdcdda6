#!/usr/bin/env bash
# The README's first command: builds libtcc and the C example, starts the
# bundled OSM stand-in on 127.0.0.1, and runs the example against it, once
# with the right token and once with a wrong one. No cloud account needed.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet -p tcc -p osm-standin
lib_dir="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug"
work=$(mktemp -d)
trap 'kill "$standin_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude examples-c/cc_emails.c \
   -L"$lib_dir" -Wl,-rpath,"$lib_dir" -ltcc -o "$work/cc_emails"

# The stand-in picks a free port, writes it to a file, and stops by itself after 2 minutes.
"$lib_dir/osm-standin" --port-file "$work/port" --max-seconds 120 >"$work/standin.log" &
standin_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { echo "the stand-in did not start:" >&2; cat "$work/standin.log" >&2; exit 1; }
endpoint="http://127.0.0.1:$(cat "$work/port")"

echo "\$ TCC_ENDPOINT=$endpoint TCC_TOKEN=demo-token ./cc_emails"
TCC_ENDPOINT="$endpoint" TCC_TOKEN=demo-token "$work/cc_emails"

echo
echo "\$ TCC_ENDPOINT=$endpoint TCC_TOKEN=demo-token TCC_OUTPUT=json ./cc_emails"
TCC_ENDPOINT="$endpoint" TCC_TOKEN=demo-token TCC_OUTPUT=json "$work/cc_emails"

# The stand-in's demo access key; it also serves IAM, which tcc asks for the
# account's domain id because HUAWEICLOUD_SDK_DOMAIN_ID is not set.
echo
echo "\$ TCC_ENDPOINT=$endpoint HUAWEICLOUD_SDK_IAM_ENDPOINT=$endpoint HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... ./cc_emails"
TCC_ENDPOINT="$endpoint" HUAWEICLOUD_SDK_IAM_ENDPOINT="$endpoint" \
  HUAWEICLOUD_SDK_AK=TCCDEMOAK00000000001 HUAWEICLOUD_SDK_SK=tccDemoSecretKey0000000000000000000000001 \
  "$work/cc_emails"

echo
echo "\$ TCC_ENDPOINT=$endpoint TCC_TOKEN=wrong-token ./cc_emails   # fails on purpose"
status=0
TCC_ENDPOINT="$endpoint" TCC_TOKEN=wrong-token "$work/cc_emails" 2>&1 || status=$?
echo "(exit status $status)"
[ "$status" -eq 1 ] || { echo "expected exit status 1 for a wrong token" >&2; exit 1; }
