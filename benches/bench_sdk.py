#!/usr/bin/env python3
"""Sequential calls of the official Huawei Cloud Python SDK (huaweicloudsdkosm)
against the local OSM stand-in: ListCaseCcEmails with AK/SK (GlobalCredentials),
each call timed with time.perf_counter_ns and checked (2 addresses).

Prints key=value lines for scripts/bench.sh. Only ever talks to the endpoint
given (the stand-in on 127.0.0.1); the domain id is given, so the SDK never
asks IAM for it.
"""
import argparse
import logging
import sys
import time


def percentile(sorted_ns, p):
    """Nearest-rank percentile of a sorted list, p in (0, 100]."""
    if not sorted_ns:
        return 0
    rank = max(1, -(-len(sorted_ns) * p // 100))  # ceil(n * p / 100)
    return sorted_ns[int(rank) - 1]


def client_ports(port):
    """Local ports of this machine's TCP sockets to 127.0.0.1:port (/proc/net/tcp),
    like bench_common.h: connections opened = ports new after the run."""
    ports = set()
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                local, remote = fields[1], fields[2]
                rip, rport = remote.split(":")
                if rip == "0100007F" and int(rport, 16) == port:
                    ports.add(int(local.split(":")[1], 16))
    except OSError:
        return None
    return ports


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--ak", required=True)
    ap.add_argument("--sk", required=True)
    ap.add_argument("--domain-id", required=True)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    args = ap.parse_args()

    if not args.endpoint.startswith(("http://127.0.0.1:", "https://127.0.0.1:")):
        sys.exit("bench_sdk: refusing an endpoint that is not on 127.0.0.1")

    # The SDK logs nothing by default; keep it that way (no per-call output).
    logging.getLogger("HuaweiCloudSDK").setLevel(logging.CRITICAL)

    from huaweicloudsdkcore.auth.credentials import GlobalCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkosm.v2 import ListCaseCcEmailsRequest, OsmClient

    config = HttpConfig.get_default_config()
    config.timeout = (5, 10)  # connect, read: a stuck stand-in cannot hang the run
    client = (
        OsmClient.new_builder()
        .with_http_config(config)
        .with_credentials(GlobalCredentials(args.ak, args.sk, args.domain_id))
        .with_endpoint(args.endpoint)
        .build()
    )

    def call():
        response = client.list_case_cc_emails(ListCaseCcEmailsRequest())
        if response.status_code != 200:
            sys.exit(f"bench_sdk: HTTP {response.status_code}")
        addresses = response.mc_email_infos or []
        if len(addresses) != 2:
            sys.exit(f"bench_sdk: expected 2 addresses, got {len(addresses)}")

    port = int(args.endpoint.rsplit(":", 1)[1].split("/")[0])
    before = client_ports(port)
    deadline = time.monotonic() + args.max_seconds
    for _ in range(args.warmup):
        call()

    lat = []
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(args.calls):
        t0 = clock()
        call()
        lat.append(clock() - t0)
        if time.monotonic() > deadline:
            break
    elapsed = clock() - start
    after = client_ports(port)
    if len(lat) < args.calls:
        print(f"bench_sdk: stopped after {len(lat)} calls (--max-seconds)", file=sys.stderr)
    lat.sort()
    print(f"calls={len(lat)}")
    print(f"seconds={elapsed / 1e9:.6f}")
    print(f"calls_per_sec={len(lat) / (elapsed / 1e9):.1f}")
    print(f"p50_us={percentile(lat, 50) / 1000:.1f}")
    print(f"p99_us={percentile(lat, 99) / 1000:.1f}")
    if before is not None and after is not None:
        print(f"connections_opened={len(after - before)}")
    print(f"complete={int(len(lat) == args.calls)}")


if __name__ == "__main__":
    main()
