#!/usr/bin/env python3
"""Start-up time of bench/run: from launching the deployment binary on an already seeded store to
its first successful GraphQL answer.

Each run picks a free port, starts `serve` on the existing data directory (pinned with taskset
when a CPU is given), and polls `POST /graphql {dataset{version}}` every 2 ms until it answers
200 without "errors"; then it stops the server with SIGTERM and waits for it to exit, so that
the next run can open the store (sled admits one process). Prints each run and the median as
`STARTUP runs_ms=a,b,c median_ms=m`. Standard library only.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

QUERY = json.dumps({"query": "{ dataset { version } }"})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port):
    """Whether the server gave a good GraphQL answer now."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("POST", "/graphql", QUERY, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status == 200 and b'"errors"' not in body
    except OSError:
        return False


def one_run(args, log):
    port = free_port()
    cmd = [args.bin, "--data-dir", args.data_dir, "--seed-dir", args.seed_dir, "--bind", f"127.0.0.1:{port}", "serve"]
    if args.cpu is not None:
        cmd = ["taskset", "-c", str(args.cpu)] + cmd
    env = dict(os.environ, RUST_LOG="warn", NO_COLOR="1")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, env=env)
    try:
        while True:
            if answers(port):
                return (time.perf_counter() - start) * 1000.0
            if proc.poll() is not None:
                sys.exit(f"startup: the server exited with {proc.returncode} before answering (log: {args.log})")
            if time.perf_counter() - start > args.timeout:
                sys.exit(f"startup: no good answer within {args.timeout} s (log: {args.log})")
            time.sleep(0.002)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bin", required=True)
    p.add_argument("--data-dir", required=True, help="an already seeded store")
    p.add_argument("--seed-dir", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--cpu", type=int, default=None, help="pin the server to this CPU with taskset")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one start")
    p.add_argument("--log", required=True, help="where the servers' output goes")
    args = p.parse_args()
    with open(args.log, "ab") as log:
        runs = [one_run(args, log) for _ in range(args.runs)]
    print("STARTUP runs_ms=" + ",".join(f"{r:.1f}" for r in runs) + f" median_ms={statistics.median(runs):.1f}")


if __name__ == "__main__":
    main()
