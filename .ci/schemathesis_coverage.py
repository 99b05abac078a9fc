"""How deep the schemathesis run reached: per operation, the share of its
generated positive cases (schema-valid requests, every phase) that the server
answered with a 2xx, from schemathesis' own NDJSON report.

    python3 .ci/schemathesis_coverage.py REPORT.ndjson OPENAPI.json REASONS.toml

Prints a table and exits 1 when an operation is below MIN_SHARE without a
written reason in REASONS.toml (`[reasons]`, operationId = "why"), or when a
reason names no operation. A reason an operation no longer needs is flagged in
the table (to remove), not failed: shares near the line move with the data.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections import defaultdict
from urllib.parse import urlsplit

MIN_SHARE = 0.20


def templates(spec: dict) -> list[tuple[str, re.Pattern, str]]:
    """(method, path regex, operationId); literal paths before templated ones."""
    out = []
    for path, item in spec["paths"].items():
        regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                out.append((method.upper(), regex, op["operationId"], path.count("{")))
    out.sort(key=lambda t: t[3])
    return [(m, r, o) for m, r, o, _ in out]


def operation_of(ops, method: str, uri: str) -> str | None:
    path = urlsplit(uri).path
    return next((o for m, r, o in ops if m == method and r.match(path)), None)


def is_positive(case: dict) -> bool:
    mode = ((case.get("meta") or {}).get("generation") or {}).get("mode")
    return mode in (None, "positive")


def tally(report: str, ops) -> dict[str, list[int]]:
    """operationId -> [positive cases, of which 2xx]."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with open(report, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            scenario = event.get("ScenarioFinished")
            if not scenario:
                continue
            recorder = scenario.get("recorder") or {}
            cases = recorder.get("cases") or {}
            for case_id, interaction in (recorder.get("interactions") or {}).items():
                case = (cases.get(case_id) or {}).get("value") or {}
                response = interaction.get("response")
                request = interaction.get("request") or {}
                if response is None or not is_positive(case):
                    continue
                op = operation_of(ops, request.get("method", ""), request.get("uri", ""))
                if op is None:
                    continue
                counts[op][0] += 1
                counts[op][1] += 200 <= response.get("status_code", 0) < 300
    return counts


def main() -> int:
    report, spec_path, reasons_path = sys.argv[1:4]
    with open(spec_path, encoding="utf-8") as f:
        ops = templates(json.load(f))
    with open(reasons_path, "rb") as f:
        reasons: dict[str, str] = tomllib.load(f).get("reasons", {})
    counts = tally(report, ops)
    known = {o for _, _, o in ops}
    failures = [f"a reason names {op}, which is not an operation" for op in reasons if op not in known]
    print(f"{'operation':<32} {'cases':>6} {'2xx':>6} {'share':>6}  note")
    for op in sorted(known):
        total, ok = counts.get(op, [0, 0])
        share = ok / total if total else 0.0
        low = share < MIN_SHARE
        note = ""
        if low and op in reasons:
            note = "reason: " + reasons[op]
        elif low:
            note = "BELOW 20 % WITHOUT A REASON"
            failures.append(f"{op}: {ok}/{total} cases reached a 2xx")
        elif op in reasons:
            note = "reason no longer needed: remove it"
        print(f"{op:<32} {total:>6} {ok:>6} {share:>6.0%}  {note}")
    if failures:
        print("\n" + "\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
