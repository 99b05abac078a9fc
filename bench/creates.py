#!/usr/bin/env python3
"""Latency of POST /v1/organizations (a partner under PARENT), one keep-alive
connection, until the file STOP exists (at least MIN requests).

usage: creates.py HOST:PORT TOKEN PARENT STOP [MIN]
Prints the count, median, p95, p99 and max in milliseconds.
"""
import http.client
import json
import os
import sys
import time
import uuid


def main():
    host, token, parent, stop = sys.argv[1:5]
    least = int(sys.argv[5]) if len(sys.argv) > 5 else 50
    h, p = host.split(":")
    conn = http.client.HTTPConnection(h, int(p), timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    samples = []
    while len(samples) < least or not os.path.exists(stop):
        body = json.dumps({"parent_id": parent, "kind": "partner", "name": f"Bench partner {uuid.uuid4()}"})
        t0 = time.perf_counter()
        conn.request("POST", "/v1/organizations", body=body, headers=headers)
        res = conn.getresponse()
        data = res.read()
        samples.append((time.perf_counter() - t0) * 1000)
        if res.status != 201:
            raise SystemExit(f"HTTP {res.status} {data[:300]!r}")
        time.sleep(0.02)
    samples.sort()
    q = lambda f: samples[min(len(samples) - 1, int(len(samples) * f))]
    print(f"creates: {len(samples)}   median {q(0.5):.1f} ms   p95 {q(0.95):.1f} ms   "
          f"p99 {q(0.99):.1f} ms   max {samples[-1]:.1f} ms")


if __name__ == "__main__":
    main()
