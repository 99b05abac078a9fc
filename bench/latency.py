#!/usr/bin/env python3
"""Median and p95 latency of GET requests over one keep-alive connection.

usage: latency.py HOST:PORT TOKEN N PATH [PATH ...]
Prints one line per path: median and p95 in milliseconds, and the item count.
"""
import http.client
import json
import statistics
import sys
import time


def measure(conn, token, path, n):
    samples = []
    items = None
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        res = conn.getresponse()
        body = res.read()
        samples.append((time.perf_counter() - t0) * 1000)
        if res.status != 200:
            raise SystemExit(f"{path}: HTTP {res.status} {body[:300]!r}")
        if items is None:
            doc = json.loads(body)
            items = len(doc["items"]) if isinstance(doc, dict) and "items" in doc else 1
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], items


def main():
    host, token, n, paths = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    h, p = host.split(":")
    conn = http.client.HTTPConnection(h, int(p), timeout=60)
    for path in paths:
        measure(conn, token, path, 3)  # warm-up
        med, p95, items = measure(conn, token, path, n)
        print(f"  median {med:7.2f} ms   p95 {p95:7.2f} ms   items {items:>3}   GET {path[:110]}")


if __name__ == "__main__":
    main()
