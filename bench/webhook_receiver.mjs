// A webhook receiver for bench/webhooks.sh: answers 204 at once (HTTP/1.1,
// keep-alive, so the sender reuses its connections), and records when each
// event arrived next to the event's `occurred_at` (the change's time, taken
// inside its transaction just before commit). GET /stats answers the count,
// distinct webhook-ids, the seconds during which events were arriving (gaps
// over 1 s between two receipts left out, so idle time between runs does not
// count), and commit-to-receipt p50/p99.
// Node rather than Python: on a 2-core machine the receiver's own CPU would
// otherwise be counted as the write path's slowdown.
//
// usage: node bench/webhook_receiver.mjs PORT
import http from "node:http";

const seen = []; // [receipt time s, latency s, webhook-id]

const server = http.createServer((req, res) => {
  if (req.method === "GET") {
    const lat = seen.map((s) => s[1]).sort((a, b) => a - b);
    const pick = (p) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 10000) / 10 : null);
    const body = JSON.stringify({
      count: seen.length,
      distinct: new Set(seen.map((s) => s[2])).size,
      busy_s: seen
        .map((s) => s[0])
        .sort((a, b) => a - b)
        .reduce((acc, t, i, all) => acc + (i > 0 && t - all[i - 1] < 1 ? t - all[i - 1] : 0), 0),
      p50_ms: pick(0.5),
      p99_ms: pick(0.99),
    });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const now = Date.now() / 1000;
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    res.writeHead(204);
    res.end();
    try {
      const occurred = Date.parse(JSON.parse(Buffer.concat(chunks).toString()).occurred_at) / 1000;
      seen.push([now, now - occurred, req.headers["webhook-id"]]);
    } catch {
      // not an event
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2]), "127.0.0.1");
