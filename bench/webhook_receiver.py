"""A webhook receiver for bench/webhooks.sh: answers 204 at once, and records
when each event arrived next to the event's `occurred_at` (the change's time,
taken inside its transaction just before commit). GET /stats answers the count,
distinct webhook-ids, first and last receipt, and commit-to-receipt p50/p99.

usage: python3 bench/webhook_receiver.py PORT
"""
import json
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = []  # (receipt time, latency s, webhook-id)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        now = time.time()
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(204)
        self.end_headers()
        try:
            occurred = datetime.fromisoformat(json.loads(body)["occurred_at"].replace("Z", "+00:00")).timestamp()
        except (ValueError, KeyError):
            return
        with LOCK:
            SEEN.append((now, now - occurred, self.headers.get("webhook-id")))

    def do_GET(self):
        with LOCK:
            seen = list(SEEN)
        lat = sorted(s[1] for s in seen)
        pick = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else None
        out = {
            "count": len(seen),
            "distinct": len({s[2] for s in seen}),
            "first": min((s[0] for s in seen), default=None),
            "last": max((s[0] for s in seen), default=None),
            "p50_ms": pick(0.50),
            "p99_ms": pick(0.99),
        }
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
