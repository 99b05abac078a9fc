#!/usr/bin/env python3
"""Walks PAGES pages of a list and prints the cursor of the last one reached.

usage: cursor_at.py HOST:PORT TOKEN PATH PAGES
"""
import http.client
import json
import sys


def main():
    host, token, path, pages = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    h, p = host.split(":")
    conn = http.client.HTTPConnection(h, int(p), timeout=60)
    cursor = None
    sep = "&" if "?" in path else "?"
    for _ in range(pages):
        url = path if cursor is None else f"{path}{sep}cursor={cursor}"
        conn.request("GET", url, headers={"Authorization": f"Bearer {token}"})
        doc = json.loads(conn.getresponse().read())
        if not doc.get("next_cursor"):
            break
        cursor = doc["next_cursor"]
    print(cursor or "")


if __name__ == "__main__":
    main()
