"""Writes BENCHMARKS.md and bench/chart.svg from the results file bench/run.sh collected
(one JSON object per line). Standard library only."""

import json
import math
import platform
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load(path):
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    orm = defaultdict(dict)  # (backend, case) -> side -> row
    http = defaultdict(dict)  # case -> side -> row
    for r in rows:
        if r["backend"] == "http":
            http[r["case"]][r["side"]] = r
        else:
            orm[(r["backend"], r["case"])][r["side"]] = r
    return orm, http


def fmt_us(r):
    if r is None:
        return "—"
    return f"{r['median_us']:.1f} µs ({r['min_us']:.1f}–{r['max_us']:.1f})"


def version(cmd):
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
        return (done.stdout + done.stderr).strip().splitlines()[0]
    except Exception:
        return "not available"


PEERS = ["diesel", "sea-orm", "sqlx"]


def orm_table(orm):
    peers = [p for p in PEERS if any(p in sides for sides in orm.values())]
    head = ["backend", "case", "tablemodel", "raw driver", "÷ raw"] + [f"÷ {p}" for p in peers] + ["Python SQLModel", "× faster than Python"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for (backend, case), sides in orm.items():
        tm, raw, py = sides.get("tablemodel"), sides.get("raw"), sides.get("python-sqlmodel")
        ratio = f"{tm['median_us'] / raw['median_us']:.3f}" if tm and raw else "—"
        cells = [backend, case, fmt_us(tm), fmt_us(raw), ratio]
        for p in peers:
            pr = sides.get(p)
            cells.append(f"{tm['median_us'] / pr['median_us']:.2f}" if tm and pr else "—")
        cells.append(fmt_us(py))
        cells.append(f"{py['median_us'] / tm['median_us']:.1f}×" if tm and py else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def http_table(http):
    lines = ["| case | tablemodel req/s (p50) | FastAPI req/s (p50) | × faster |", "| --- | ---: | ---: | ---: |"]
    for case, sides in http.items():
        tm, fa = sides.get("tablemodel"), sides.get("fastapi")
        ratio = f"{tm['rps'] / fa['rps']:.1f}×" if tm and fa and fa["rps"] else "—"
        cell = lambda r: f"{r['rps']:,.0f} ({r['p50']})" if r else "—"
        lines.append(f"| {case} | {cell(tm)} | {cell(fa)} | {ratio} |")
    return "\n".join(lines)


def chart(orm, http, path):
    """Two panels: tablemodel ÷ raw driver per case (target 1.10), and how many times
    faster than the Python stack (log scale, target 20× ORM / 10× HTTP)."""
    bars1 = [(f"{b} · {c}", s["tablemodel"]["median_us"] / s["raw"]["median_us"])
             for (b, c), s in orm.items() if "tablemodel" in s and "raw" in s]
    bars2 = [(f"{b} · {c}", s["python-sqlmodel"]["median_us"] / s["tablemodel"]["median_us"], 20)
             for (b, c), s in orm.items() if "tablemodel" in s and "python-sqlmodel" in s]
    bars2 += [(f"HTTP · {c}", s["tablemodel"]["rps"] / s["fastapi"]["rps"], 10)
              for c, s in http.items() if "tablemodel" in s and "fastapi" in s and s["fastapi"]["rps"]]
    bars1 = [(label, v, 1.25 if "eager" in label else 1.10) for label, v in bars1]
    row, label_w, plot_w, pad = 22, 300, 420, 40
    h1 = pad + row * max(len(bars1), 1) + pad
    h2 = pad + row * max(len(bars2), 1) + pad
    width = label_w + plot_w + 80
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h1 + h2}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{h1 + h2}" fill="white"/>']

    def panel(y0, bars, title, scale, mark, mark_label, fmt):
        out.append(f'<text x="10" y="{y0 + 20}" font-weight="bold">{title}</text>')
        for i, (label, v, target) in enumerate(bars):
            y = y0 + pad + i * row
            w = max(1.0, scale(v))
            good = v <= target if mark_label.startswith("target ≤") else v >= target
            color = "#2e7d32" if good else "#c62828"
            out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{label}</text>')
            out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{color}"/>')
            out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{fmt(v)}</text>')
        mx = label_w + scale(mark)
        out.append(f'<line x1="{mx:.1f}" y1="{y0 + pad - 4}" x2="{mx:.1f}" y2="{y0 + pad + row * len(bars)}" stroke="#333" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{mx + 3:.1f}" y="{y0 + pad - 8}" fill="#333">{mark_label}</text>')

    top = max([v for _, v, _ in bars1] + [1.3])
    panel(0, bars1, "tablemodel ÷ raw driver (time; lower is better)", lambda v: v / top * plot_w, 1.10, "target ≤ 1.10", lambda v: f"{v:.3f}")
    top2 = max([v for _, v, _ in bars2] + [30])
    log = lambda v: math.log10(max(v, 1)) / math.log10(top2) * plot_w
    panel(h1, bars2, "× faster than Python SQLModel / FastAPI (log scale; higher is better)", log, 20, "20× (ORM target; HTTP: 10×)", lambda v: f"{v:.1f}×")
    out.append("</svg>")
    Path(path).write_text("\n".join(out) + "\n")


def main(results):
    orm, http = load(results)
    chart(orm, http, ROOT / "bench" / "chart.svg")
    ratios = [(k, s["tablemodel"]["median_us"] / s["raw"]["median_us"]) for k, s in orm.items() if "tablemodel" in s and "raw" in s]
    missed = [f"{b} {c} ({r:.3f})" for (b, c), r in ratios if r > (1.25 if "eager" in c else 1.10)]
    text = f"""# Benchmarks

![tablemodel against the raw drivers and the Python stack](bench/chart.svg)

Written by `bench/run.sh` (which runs everything below in one go and regenerates this file and
the chart). Every timed figure is the median of 15 rounds with the fastest and slowest round in
parentheses; tablemodel and the raw driver alternate rounds in one process.

Machine: {platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; {version(['rustc', '--version'])};
{version([sys.executable, '-c', 'import sqlmodel, sqlalchemy, pydantic; print("SQLModel", sqlmodel.__version__, "/ SQLAlchemy", sqlalchemy.__version__, "/ Pydantic", pydantic.VERSION)'])};
{version([sys.executable, '--version'])}; {version(['wrk', '-v'])}.
SQLite: a file database in WAL mode (rusqlite 0.43, bundled SQLite). PostgreSQL 15 on loopback,
started by the test kit (fsync off: a throwaway server).

## ORM cases: tablemodel against the raw driver and Python SQLModel

{orm_table(orm)}

Targets: ÷ raw ≤ 1.10 for get, insert and filter, ≤ 1.25 for eager loading; ≥ 20× Python.
{"Missed: " + ", ".join(missed) + " (see the notes below)." if missed else "Every ÷ raw target is met in this run."}

## HTTP: the heroes API against FastAPI + SQLModel

One worker each, SQLite file, loopback, `wrk -t1 -c16 -d8s` per case (`bench/http_bench.sh`).

{http_table(http) if http else "Not measured in this run (wrk missing)."}

## Notes

"""
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        text += notes.read_text()
    (ROOT / "BENCHMARKS.md").write_text(text)


if __name__ == "__main__":
    main(sys.argv[1])
