#!/usr/bin/env python3
"""Turns the statements one request sent (from PostgreSQL's log with
log_statement = 'all') into a pgbench script: each `execute` with its bound
parameters inlined, in order, so pgbench runs exactly what the API ran.

The log is shared by every database on the server and every connection of
the API's pool, so give the request's backend pid (log_line_prefix '%m [%p] …'):
only that backend's statements are kept. Statements of the server's background
loops (audit sealer, rollup folder, billing and mail workers), which may use the
same pooled connection just before or after the request, are left out too.

usage: pg_replay.py LOG_EXCERPT PID > script.sql
"""
import re
import sys

STATEMENT = re.compile(r"LOG:  (?:statement|execute [^:]*): (.*)")
PARAMS = re.compile(r"DETAIL:  [Pp]arameters: (.*)")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
BACKGROUND = re.compile(r"audit_events|rollup_|billing_runs|mail_outbox|pg_try_advisory|pg_stat_activity|pg_current")


PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2} \S+ \S+ \[(\d+)\]")


def main():
    pid = sys.argv[2]
    # Keep the backend's own lines, each with the lines that continue it.
    lines, keep = [], False
    for line in open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines():
        if m := PREFIX.match(line):
            keep = m.group(1) == pid
        if keep:
            lines.append(line)
    out = []
    i = 0
    while i < len(lines):
        m = STATEMENT.search(lines[i])
        i += 1
        if not m:
            continue
        sql = m.group(1)
        # A statement may span lines until the next log prefix.
        while i < len(lines) and not re.match(r"^\d{4}-\d{2}-\d{2} ", lines[i]):
            sql += " " + lines[i].strip()
            i += 1
        if i < len(lines) and (p := PARAMS.search(lines[i])):
            values = {int(n): v for n, v in PARAM.findall(p.group(1))}
            sql = re.sub(r"\$(\d+)\b", lambda g: values.get(int(g.group(1)), g.group(0)), sql)
            i += 1
        if not BACKGROUND.search(sql):
            out.append(sql.strip().rstrip(";") + ";")
    print("\n".join(without_empty_transactions(out)))


def without_empty_transactions(statements):
    """Drops BEGIN … COMMIT pairs left empty once a background loop's statements
    are gone (it shares the pooled connection), and unpaired ends at the edges
    of the excerpt."""
    out, opened = [], None
    for sql in statements:
        word = sql.rstrip(";").strip().upper()
        if word == "BEGIN" or word.startswith("BEGIN "):
            opened = len(out)
            out.append(sql)
        elif word in ("COMMIT", "ROLLBACK"):
            if opened is None:
                continue
            if opened == len(out) - 1:
                out.pop()
            else:
                out.append(sql)
            opened = None
        else:
            out.append(sql)
    if opened is not None:
        del out[opened:opened + 1]
    return out


if __name__ == "__main__":
    main()
