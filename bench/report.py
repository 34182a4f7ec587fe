"""Writes BENCHMARKS.md and bench/chart.svg from the results file bench/run.sh collected
(one JSON object per line); with `--curves FILE`, the cost-curve charts from bench/curves.sh's
results (bench/curves-*.svg) with the same drawing code. Standard library only."""

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
    out = svg_open(width, h1 + h2)

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
    svg_close(out, path)


def svg_open(width, height):
    """The start of every chart this script draws: size, font, white background."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
            f'<rect width="{width}" height="{height}" fill="white"/>']


def svg_close(out, path):
    out.append("</svg>")
    Path(path).write_text("\n".join(out) + "\n")


TABLEMODEL, RAW = "#2e7d32", "#555"


def line_panel(out, x0, y0, w, h, title, xs_label, series, log_y, fmt, mark=None):
    """One line chart: x on a log scale (the sizes), each series a list of (x, y) drawn as a
    line with dots; a dashed horizontal line at `mark` (the ratio 1.0, say) when given."""
    pts = [p for _, _, ps, _ in series for p in ps]
    if not pts:
        return
    xs = sorted({x for x, _ in pts})
    ys = [y for _, y in pts] + ([mark] if mark is not None else [])
    lo, hi = min(ys), max(ys)
    if log_y:
        lo, hi = math.log10(max(lo, 1e-9)), math.log10(max(hi, 1e-9))
    pad = (hi - lo) * 0.12 or 0.05
    lo, hi = lo - pad, hi + pad
    left, top, right, bottom = x0 + 60, y0 + 28, x0 + w - 30, y0 + h - 34
    lx = lambda x: math.log10(x)
    xmin, xmax = lx(xs[0]), lx(xs[-1]) if len(xs) > 1 else lx(xs[0]) + 1
    px = lambda x: left + (lx(x) - xmin) / ((xmax - xmin) or 1) * (right - left)
    py = lambda y: bottom - ((math.log10(max(y, 1e-9)) if log_y else y) - lo) / (hi - lo) * (bottom - top)
    out.append(f'<text x="{x0 + 10}" y="{y0 + 16}" font-weight="bold">{title}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" fill="none" stroke="#ccc"/>')
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{bottom + 14}" text-anchor="middle">{x:,}</text>')
    out.append(f'<text x="{(left + right) / 2:.1f}" y="{bottom + 28}" text-anchor="middle" fill="#333">{xs_label}</text>')
    step = 10 ** math.floor(math.log10((hi - lo) / 2)) if not log_y else 1
    ticks = [10 ** k for k in range(math.floor(lo), math.ceil(hi) + 1)] if log_y else [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]
    for t in ticks:
        y = py(t)
        if top - 0.5 <= y <= bottom + 0.5:
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#eee"/>')
            out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{fmt(t)}</text>')
    if mark is not None:
        out.append(f'<line x1="{left}" y1="{py(mark):.1f}" x2="{right}" y2="{py(mark):.1f}" stroke="#333" stroke-dasharray="4 3"/>')
    for i, (name, color, ps, labels) in enumerate(series):
        ps = sorted(ps)
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in ps)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for (x, y), label in zip(ps, labels or [None] * len(ps)):
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
            if label:
                anchor = "start" if x == xs[0] else "end" if x == xs[-1] else "middle"
                out.append(f'<text x="{px(x):.1f}" y="{py(y) - 7:.1f}" text-anchor="{anchor}" fill="{color}">{label}</text>')
        if len(series) > 1:
            out.append(f'<rect x="{left + 8}" y="{top + 6 + i * 16}" width="14" height="3" fill="{color}"/>')
            out.append(f'<text x="{left + 26}" y="{top + 11 + i * 16}">{name}</text>')


def compact(v):
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:.3g}{unit}"
    return f"{v:.3g}"


CURVES = {"rows": ("filter returning N rows: instructions / op", "rows returned"),
          "add_all": ("add_all(N) + commit: instructions / op", "batch size"),
          "fanout": ("10 teams eager-loaded: instructions / op", "children per parent")}


def curves_charts(path):
    """bench/curves-<backend>.svg from bench/curves.sh's results: per case, instructions per
    operation of tablemodel and of the raw driver (log-log), and their ratio; and
    bench/curves-http.svg, the heroes API's throughput and median latency per connection count."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    written = []
    for backend in sorted({r["backend"] for r in rows if r["kind"] == "curve"}):
        cases = [c for c in CURVES if any(r["kind"] == "curve" and r["backend"] == backend and r["case"] == c for r in rows)]
        pw, ph = 440, 250
        out = svg_open(2 * pw, ph * len(cases))
        for i, case in enumerate(cases):
            pts = defaultdict(dict)
            for r in rows:
                if r["kind"] == "curve" and r["backend"] == backend and r["case"] == case:
                    pts[r["side"]][r["size"]] = r["instructions"]
            both = sorted(set(pts["tablemodel"]) & set(pts["raw"]))
            title, xl = CURVES[case]
            line_panel(out, 0, i * ph, pw, ph, f"{backend} · {title}", xl,
                       [("tablemodel", TABLEMODEL, list(pts["tablemodel"].items()), None),
                        ("raw driver", RAW, list(pts["raw"].items()), None)], True, compact)
            ratios = [(x, pts["tablemodel"][x] / pts["raw"][x]) for x in both]
            line_panel(out, pw, i * ph, pw, ph, "instructions: tablemodel ÷ raw driver", xl,
                       [("÷ raw", TABLEMODEL, ratios, [f"{v:.2f}" for _, v in ratios])], False, lambda v: f"{v:.2f}", 1.0)
        target = ROOT / "bench" / f"curves-{backend}.svg"
        svg_close(out, target)
        written.append(target)
    http = [r for r in rows if r["kind"] == "http"]
    if http:
        cases = sorted({r["case"] for r in http}, key=lambda c: [r["case"] for r in http].index(c))
        colors = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a"]
        pw, ph = 440, 280
        out = svg_open(2 * pw, ph)
        series = lambda key: [(c, colors[i % len(colors)], [(r["connections"], r[key]) for r in http if r["case"] == c], None)
                              for i, c in enumerate(cases)]
        line_panel(out, 0, 0, pw, ph, "heroes on SQLite: requests / s", "concurrent connections (wrk)", series("rps"), True, compact)
        line_panel(out, pw, 0, pw, ph, "median latency (ms)", "concurrent connections (wrk)", series("p50_ms"), True, lambda v: f"{v:.3g}")
        target = ROOT / "bench" / "curves-http.svg"
        svg_close(out, target)
        written.append(target)
    return written


def curves_tables(path):
    """The tables of BENCHMARKS.md's cost-curve and memory sections, as Markdown."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    out = []
    for backend in sorted({r["backend"] for r in rows if r["kind"] == "curve"}, reverse=True):
        out += [f"{backend}, instructions per operation:", "",
                "| case | N | tablemodel | raw | ÷ raw | difference per row |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for case in CURVES:
            pts = defaultdict(dict)
            for r in rows:
                if r["kind"] == "curve" and r["backend"] == backend and r["case"] == case:
                    pts[r["size"]][r["side"]] = r["instructions"]
            for size in sorted(pts):
                t, w = pts[size].get("tablemodel"), pts[size].get("raw")
                if t and w:
                    n = size * 10 if case == "fanout" else size
                    out.append(f"| {case} | {size:,} | {t:,} | {w:,} | {t / w:.3f} | {(t - w) / n:,.0f} |")
        out.append("")
    mem = [r for r in rows if r["kind"] == "memory"]
    if mem:
        out += ["| backend | case | tablemodel peak (base) MiB | raw peak (base) MiB | tablemodel − raw MiB |", "| --- | --- | ---: | ---: | ---: |"]
        for backend in sorted({r["backend"] for r in mem}, reverse=True):
            for case in ("mem_stream", "mem_eager"):
                sides = {r["side"]: r for r in mem if r["backend"] == backend and r["case"] == case}
                t, w = sides.get("tablemodel"), sides.get("raw")
                if t and w:
                    label = f"stream {t['size']:,} heroes" if case == "mem_stream" else f"eager-load {t['size']:,} heroes (100 teams)"
                    out.append(f"| {backend} | {label} | {t['peak_rss_mib']:.1f} ({t['base_rss_mib']:.1f}) | "
                               f"{w['peak_rss_mib']:.1f} ({w['base_rss_mib']:.1f}) | {t['peak_rss_mib'] - w['peak_rss_mib']:+.1f} |")
        out.append("")
    return "\n".join(out)


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
    # The notes are written by hand in BENCHMARKS.md itself, below its "## Notes" heading, and
    # kept as they are: only the generated part above them is replaced.
    out = ROOT / "BENCHMARKS.md"
    marker = "\n## Notes\n\n"
    old = out.read_text() if out.exists() else ""
    if marker in old:
        text += old.split(marker, 1)[1]
    out.write_text(text)


if __name__ == "__main__":
    if sys.argv[1] == "--curves":  # bench/curves.sh: only the curve charts
        for written in curves_charts(sys.argv[2]):
            print(f"wrote {written.relative_to(ROOT)}", file=sys.stderr)
        print(curves_tables(sys.argv[2]))
    else:
        main(sys.argv[1])
