"""Sweep throughput: cases per hour of ``ssbx sweep`` against one ``ssbx run`` process per case.

Not a timed test: throughputs are measured and reported; what is asserted is that every way of
running the cases gives the same results (cell voltage of every case equal to 1e-8 relative
across the variants), that every sweep's ``results.csv`` has exactly one row per case, all with
status ``ok``, and that its swept-key column holds the requested values in index order.

Cases: ``examples/void_2d.toml`` coarsened (size_fine 1 um, size_coarse 8 um, no field output),
16 void widths 10, 15, ..., 85 um (``geometry.voids.0.width``; the quick variant: 4 widths 20, 40,
60, 80 um), written as one sweep file (``[sweep] base = "base_case.toml"``, mode ``product``) and,
for the sequential variant, as 16 case files (:func:`ssbx.case.with_overrides`).

Variants, each timed from the start of its first process to the end of its last (start-up of
Python, dolfinx and MPI included: that is what a sweep saves):

- ``sequential``: 16 separate ``ssbx run CASE.toml --out DIR`` processes, one after the other
  (what a user does without sweeps);
- ``sweep_np1``: ``mpirun -n 1 ssbx sweep SWEEP.toml --ranks-per-case 1`` (one process, the cases
  one after another);
- ``sweep_np2_groups``: ``mpirun -n 2 ssbx sweep SWEEP.toml --ranks-per-case 1`` (2 groups of 1
  rank, each running half of the cases);
- ``sweep_np2_cases``: ``mpirun -n 2 ssbx sweep SWEEP.toml --ranks-per-case 2`` (every case on 2
  ranks, one after another).

Before the measurements one untimed ``ssbx run`` of the first case fills the FFCx JIT cache and
warms the file-system caches, so no variant pays for compilation. The 1-minute load average is
recorded before and after every variant; the summary warns when it exceeded the core count.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.framework import (
    Benchmark,
    Check,
    Outcome,
    csv_text,
    on_root,
    pyplot,
    register,
    save_figure,
    say,
    warn,
)
from ssbx.benchmarks.workers import (
    clean_environment,
    find_mpirun,
    load_average,
    machine_description,
    ssbx_command,
)

CASE_FILE = Path(__file__).resolve().parents[2] / "examples" / "void_2d.toml"
SWEEP_KEY = "geometry.voids.0.width"
FULL_WIDTHS_UM = tuple(float(w) for w in range(10, 90, 5))
QUICK_WIDTHS_UM = (20.0, 40.0, 60.0, 80.0)
BASE_OVERRIDES: dict[str, Any] = {
    "name": "throughput",
    "description": "examples/void_2d.toml coarsened for the sweep-throughput benchmark",
    "mesh.size_fine": "1 um",
    "mesh.size_coarse": "8 um",
    "output.fields": False,
}
VOLTAGE_TOL = 1e-8
VALUE_TOL = 1e-9
TIMEOUT_S = 3600.0

# (name, description, launcher ranks or None for sequential processes, ranks per case)
VARIANTS: tuple[tuple[str, str, int | None, int], ...] = (
    ("sequential", "one `ssbx run` process per case, one after the other", None, 1),
    ("sweep_np1", "`mpirun -n 1 ssbx sweep --ranks-per-case 1` (one process)", 1, 1),
    ("sweep_np2_groups", "`mpirun -n 2 ssbx sweep --ranks-per-case 1` (2 groups of 1 rank)",
     2, 1),
    ("sweep_np2_cases", "`mpirun -n 2 ssbx sweep --ranks-per-case 2` (2-rank cases)", 2, 2),
)


def widths(quick: bool) -> tuple[float, ...]:
    """The swept void widths [um] of the full or the quick run."""
    return QUICK_WIDTHS_UM if quick else FULL_WIDTHS_UM


def base_case() -> Any:
    """``examples/void_2d.toml`` coarsened for this benchmark (:data:`BASE_OVERRIDES`)."""
    from ssbx.case import load_case, with_overrides

    return with_overrides(load_case(CASE_FILE), BASE_OVERRIDES)


def case_overrides(quick: bool) -> list[dict[str, Any]]:
    """One override dict per swept void width (name and ``geometry.voids.0.width``)."""
    return [{"name": f"throughput_{i:02d}", SWEEP_KEY: f"{w:g} um"}
            for i, w in enumerate(widths(quick))]


def sweep_toml(quick: bool) -> str:
    """The sweep file (next to ``base_case.toml``)."""
    values = ", ".join(f'"{w:g} um"' for w in widths(quick))
    return ("# sweep-throughput benchmark (ssbx.benchmarks.performance.sweep_throughput)\n"
            "[sweep]\n"
            'name = "throughput"\n'
            'base = "base_case.toml"\n'
            'command = "run"\n'
            'mode = "product"\n'
            "\n"
            "[sweep.parameters]\n"
            f'"{SWEEP_KEY}" = [{values}]\n')


def _run(cmd: list[str], timeout: float) -> tuple[bool, str]:
    proc = subprocess.run(cmd, env=clean_environment(), capture_output=True, text=True,
                          timeout=timeout, check=False)
    text = proc.stdout + proc.stderr
    if proc.returncode != 0:
        return False, f"exit {proc.returncode}: {' '.join(cmd)}\n{text[-3000:]}"
    return True, text


# --------------------------------------------------------------------------------------------
# reading the results
# --------------------------------------------------------------------------------------------
def _column(header: list[str], name: str) -> str | None:
    """The column ``name`` or ``name [unit]``."""
    return next((c for c in header if c == name or c.startswith(f"{name} [")), None)


def read_sweep_csv(path: Path, n_cases: int) -> dict[str, Any]:
    """Rows, status counts, cell voltages and swept values (in index order) of a sweep's
    ``results.csv``; missing columns give NaN."""
    if not path.exists():
        return {"rows": 0, "ok": 0, "voltages": [math.nan] * n_cases,
                "values": [math.nan] * n_cases, "wall_times": [], "problem": f"no {path.name}"}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    c_v = _column(header, "cell_voltage")
    c_x = _column(header, SWEEP_KEY)
    c_t = _column(header, "wall_time")
    voltages = [math.nan] * n_cases
    values = [math.nan] * n_cases
    walls = []

    def num(row: dict[str, str], col: str | None) -> float:
        try:
            return float(row[col]) if col else math.nan
        except (TypeError, ValueError):
            return math.nan

    for r in rows:
        try:
            i = int(r.get("index", ""))
        except ValueError:
            continue
        if 0 <= i < n_cases:
            voltages[i] = num(r, c_v)
            values[i] = num(r, c_x)
        if c_t:
            walls.append(num(r, c_t))
    missing = [n for n, c in (("cell_voltage", c_v), (SWEEP_KEY, c_x)) if c is None]
    return {"rows": len(rows), "ok": sum(r.get("status") == "ok" for r in rows),
            "voltages": voltages, "values": values, "wall_times": walls,
            "problem": f"no column {', '.join(missing)} in {header}" if missing else ""}


def read_summary(folder: Path) -> tuple[float, float]:
    """Cell voltage [V] and wall time [s] from a run folder's summary.json (NaN if missing)."""
    try:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        return (float(data["results"]["scalars"]["cell_voltage"]["value"]),
                float(data.get("wall_time_s", math.nan)))
    except (OSError, KeyError, TypeError, ValueError):
        return math.nan, math.nan


# --------------------------------------------------------------------------------------------
# the measurement (rank 0)
# --------------------------------------------------------------------------------------------
def prepare(work: Path, quick: bool) -> tuple[Path, list[Path]]:
    """Write base_case.toml, sweep.toml and one case file per case into ``work``."""
    from ssbx.case import with_overrides

    work.mkdir(parents=True, exist_ok=True)
    base = base_case()
    (work / "base_case.toml").write_text(base.to_toml(), encoding="utf-8")
    sweep = work / "sweep.toml"
    sweep.write_text(sweep_toml(quick), encoding="utf-8")
    cases = []
    for i, o in enumerate(case_overrides(quick)):
        path = work / "cases" / f"case_{i:02d}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(with_overrides(base, o).to_toml(), encoding="utf-8")
        cases.append(path)
    return sweep, cases


def measure_variant(variant: tuple[str, str, int | None, int], sweep: Path, cases: list[Path],
                    out: Path) -> dict[str, Any]:
    """Run one variant into ``out``; wall time, success, output problems and cell voltages."""
    name, _, launcher, per_case = variant
    n = len(cases)
    ssbx = ssbx_command()
    load_before = load_average()
    errors: list[str] = []
    t0 = time.perf_counter()
    if launcher is None:
        processes = n
        for i, case in enumerate(cases):
            ok, text = _run([*ssbx, "run", str(case), "--out", str(out / f"case_{i:02d}"), "-q"],
                            TIMEOUT_S)
            if not ok:
                errors.append(text)
    else:
        processes = 1
        ok, text = _run([find_mpirun(), "-n", str(launcher), *ssbx, "sweep", str(sweep),
                         "--ranks-per-case", str(per_case), "--out", str(out)], TIMEOUT_S)
        if not ok:
            errors.append(text)
    wall = time.perf_counter() - t0
    load_after = load_average()
    if launcher is None:
        summaries = [read_summary(out / f"case_{i:02d}") for i in range(n)]
        voltages = [v for v, _ in summaries]
        table = {"rows": math.nan, "ok": sum(math.isfinite(v) for v in voltages),
                 "values": [math.nan] * n, "wall_times": [t for _, t in summaries],
                 "problem": ""}
    else:
        table = read_sweep_csv(out / "results.csv", n)
        voltages = table["voltages"]
    return {
        "variant": name,
        "launcher_ranks": launcher or 1,
        "ranks_per_case": per_case,
        "processes": processes,
        "cases": n,
        "wall_s": wall,
        "cases_per_hour": n / wall * 3600.0 if not errors else math.nan,
        "results_rows": table["rows"],
        "results_ok": table["ok"],
        "case_wall_time_mean_s": (float(np.nanmean(table["wall_times"]))
                                  if table["wall_times"] else math.nan),
        "load_1min_before": load_before,
        "load_1min_after": load_after,
        "voltages": voltages,
        "values": table["values"],
        "problem": table["problem"],
        "errors": errors,
    }


def consistency(results: list[dict[str, Any]], widths_m: list[float]
                ) -> tuple[float, int, float, list[dict[str, Any]]]:
    """Largest relative cell-voltage difference of any variant from the sequential one (inf
    where one is missing), the number of sweeps whose results.csv is not exactly one ok row per
    case, and the largest relative difference of a sweep's swept column from the requested
    values."""
    ref = next(r for r in results if r["variant"] == "sequential")["voltages"]
    d_v, bad, d_x = 0.0, 0, 0.0
    detail = []
    for r in results:
        dv = max((abs(v / v0 - 1.0) if math.isfinite(v) and math.isfinite(v0) and v0 else
                  math.inf for v, v0 in zip(r["voltages"], ref, strict=True)), default=math.inf)
        d_v = max(d_v, dv)
        entry: dict[str, Any] = {"variant": r["variant"], "voltage_rel_diff": dv}
        if r["variant"] != "sequential":
            complete = r["results_rows"] == r["cases"] and r["results_ok"] == r["cases"]
            bad += not complete
            dx = max((abs(x / x0 - 1.0) if math.isfinite(x) else math.inf
                      for x, x0 in zip(r["values"], widths_m, strict=True)), default=math.inf)
            d_x = max(d_x, dx)
            entry |= {"results_rows": r["results_rows"], "results_ok": r["results_ok"],
                      "complete": complete, "swept_value_rel_diff": dx}
        detail.append(entry)
    return d_v, bad, d_x, detail


COLUMNS = ["variant", "description", "launcher_ranks", "ranks_per_case", "processes", "cases",
           "wall_s", "cases_per_hour", "ratio_to_sequential", "case_wall_time_mean_s",
           "results_rows", "results_ok", "load_1min_before", "load_1min_after"]


def markdown_table(rows: list[dict[str, Any]], checks: list[Check], machine: dict[str, Any],
                   load_note: str, quick: bool, n_cases: int) -> str:
    """The Markdown report (``table.md``): cases, machine, load note, one table row per
    variant and the checks."""
    head = ["variant", "how", "processes", "ranks/case", "cases", "wall [s]",
            "mean case wall [s]", "cases/hour", "vs sequential", "load 1 min"]

    def f(x: Any, fmt: str) -> str:
        return "–" if isinstance(x, float) and not math.isfinite(x) else format(x, fmt)

    lines = [
        f"# ssbx sweep throughput{' (quick)' if quick else ''}",
        "",
        f"{n_cases} cases: `examples/void_2d.toml` coarsened (size_fine 1 um, size_coarse 8 um, "
        f"no field output), `{SWEEP_KEY}` = "
        f"{', '.join(f'{w:g}' for w in widths(quick))} um; P2, MUMPS. Wall time from the start "
        "of the first process to the end of the last (Python / dolfinx / MPI start-up "
        "included), after one untimed warm-up run that fills the JIT cache; *mean case wall*: "
        "the run's own wall time per case (`wall_time_s` of its summary.json, as in "
        "results.csv), without the process start-up. Throughputs depend "
        "on the machine and its load; they are reported, not asserted.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()),
        "",
    ]
    if load_note:
        lines += [f"**{load_note}**", ""]
    lines += ["| " + " | ".join(head) + " |",
              "|" + "|".join(":---" if h in ("variant", "how") else "---:" for h in head) + "|"]
    for r in rows:
        lines.append("| " + " | ".join([
            f"`{r['variant']}`", r["description"], str(r["processes"]), str(r["ranks_per_case"]),
            str(r["cases"]), f(r["wall_s"], ".1f"), f(r["case_wall_time_mean_s"], ".2f"),
            f(r["cases_per_hour"], ".0f"),
            f(r["ratio_to_sequential"], ".2f"),
            f"{r['load_1min_before']:.2f}/{r['load_1min_after']:.2f}"]) + " |")
    lines += ["", "Checks:", "", *(c.markdown(".3g") for c in checks)]
    return "\n".join(lines) + "\n"


@register
class SweepThroughput(Benchmark):
    """Benchmark ``sweep_throughput``: cases per hour of ``ssbx sweep`` against one
    ``ssbx run`` process per case (throughputs reported, equal results asserted)."""

    name = "sweep_throughput"
    title = "Sweep throughput: cases per hour of `ssbx sweep` vs one `ssbx run` per case"
    source = (
        "ssbx self-consistency (no published reference): the same small current-distribution "
        "cases (examples/void_2d.toml, coarsened, void width swept) run as separate `ssbx run` "
        "processes and as `ssbx sweep` on 1 and 2 MPI ranks (groups of 1 rank or 2-rank cases)"
    )
    reference = (
        "values in code: every variant solves the same discrete problems (each case's mesh is "
        "built the same way, whatever the rank count), so the cell voltages agree to 1e-8 "
        "relative; every sweep's results.csv has one row per case, all ok. Throughputs are "
        "reported, not asserted."
    )
    metric = (
        "largest relative cell-voltage difference of any variant from the sequential runs, over "
        "the cases; complete results.csv per sweep; plus cases per hour per variant and the "
        "ratio to sequential"
    )
    tolerance = (f"cell voltages equal to {VOLTAGE_TOL:g} relative; results.csv: exactly one ok "
                 "row per case, swept values as requested")

    def base_case(self) -> Any:
        """The coarsened ``void_2d`` case (:func:`base_case`)."""
        return base_case()

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """One override dict per swept void width (:func:`case_overrides`)."""
        return case_overrides(quick)

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """On rank 0 (the others wait): one untimed warm-up run, then every variant (sequential
        runs, sweeps on 1 and 2 ranks) timed; check that the results agree and are complete."""
        import tempfile

        load_start = load_average()

        def measure_on_root() -> list[dict[str, Any]]:
            results = []
            with tempfile.TemporaryDirectory(prefix="ssbx-sweep-tp-") as tmp:
                work = Path(tmp)
                sweep, cases = prepare(work, quick)
                say(comm, console, f"  warm-up (untimed): ssbx run {cases[0].name}")
                ok, text = _run([*ssbx_command(), "run", str(cases[0]), "--out",
                                 str(work / "warmup"), "-q"], TIMEOUT_S)
                if not ok:
                    raise RuntimeError(f"warm-up run failed: {text}")
                for v in VARIANTS:
                    r = measure_variant(v, sweep, cases, work / v[0])
                    results.append(r | {"description": v[1]})
                    say(comm, console, f"  {v[0]}: {r['cases']} cases in {r['wall_s']:.1f} s "
                                       f"({r['cases_per_hour']:.0f} cases/hour), load "
                                       f"{r['load_1min_before']:.2f}/"
                                       f"{r['load_1min_after']:.2f}")
                    for e in r["errors"]:
                        warn(comm, console, f"sweep_throughput {v[0]}: {e}")
                    if r["problem"]:
                        warn(comm, console, f"sweep_throughput {v[0]}: {r['problem']}")
            return results

        results = on_root(comm, measure_on_root)
        if results is None:
            return Outcome(rows=[], checks=[])

        seq = next(r for r in results if r["variant"] == "sequential")
        for r in results:
            r["ratio_to_sequential"] = r["cases_per_hour"] / seq["cases_per_hour"]
        widths_m = [w * 1e-6 for w in widths(quick)]
        d_v, bad, d_x, detail = consistency(results, widths_m)
        n_sweeps = sum(r["variant"] != "sequential" for r in results)
        checks = [
            Check("voltage_agreement",
                  "largest relative difference of a case's cell voltage, any variant vs the "
                  "sequential `ssbx run` processes", d_v, VOLTAGE_TOL, "max"),
            Check("incomplete_sweeps",
                  f"number of sweeps (of {n_sweeps}) whose results.csv does not have exactly "
                  f"{len(widths_m)} rows, all with status ok", float(bad), 0.0, "max"),
            Check("swept_values",
                  f"largest relative difference of results.csv's `{SWEEP_KEY}` column from the "
                  "requested void widths (index order)", d_x, VALUE_TOL, "max"),
        ]
        cores = os.cpu_count() or 1
        max_load = max(max(r["load_1min_before"], r["load_1min_after"]) for r in results)
        load_note = ""
        if max_load > cores:
            load_note = (f"Timings disturbed: the 1-minute load average reached {max_load:.2f} "
                         f"on {cores} cores; the throughputs are not those of an idle machine.")
            warn(comm, console, f"sweep_throughput: {load_note}")
        machine = machine_description(None, load_start)
        rows = [{k: r[k] for k in COLUMNS} for r in results]
        per_case = [{"index": i, "void_width_um": w,
                     **{f"cell_voltage_V_{r['variant']}": r["voltages"][i] for r in results}}
                    for i, w in enumerate(widths(quick))]
        findings = {
            "machine": machine,
            "warmup": "one untimed `ssbx run` of the first case before the measurements "
                      "(fills the FFCx JIT cache)",
            "cases": len(widths_m),
            "swept_key": SWEEP_KEY,
            "cases_per_hour": {r["variant"]: r["cases_per_hour"] for r in results},
            "ratio_to_sequential": {r["variant"]: r["ratio_to_sequential"] for r in results},
            "load_1min_max": max_load,
            "load_above_cores": max_load > cores,
            "load_note": load_note,
            "consistency": detail,
            "errors": {r["variant"]: r["errors"] + ([r["problem"]] if r["problem"] else [])
                       for r in results if r["errors"] or r["problem"]},
        }
        md = markdown_table(rows, checks, machine, load_note, quick, len(widths_m))
        return Outcome(rows=rows, checks=checks, columns=COLUMNS, findings=findings,
                       extra_files={"table.md": md, "cases.csv": csv_text(per_case)},
                       plot_data={"per_case": per_case})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Cases per hour per variant, and the cell voltage of every case in every variant."""
        plt = pyplot()
        rows = outcome.rows
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.2))
        names = [r["variant"] for r in rows]
        rate = [r["cases_per_hour"] if math.isfinite(r["cases_per_hour"]) else 0.0 for r in rows]
        colors = ["0.5", "tab:blue", "tab:green", "tab:orange"][:len(rows)]
        bars = ax.bar(range(len(rows)), rate, color=colors)
        for b, r in zip(bars, rows, strict=True):
            ax.text(b.get_x() + b.get_width() / 2, b.get_height(),
                    f"{r['cases_per_hour']:.0f}\n(x{r['ratio_to_sequential']:.2f})",
                    ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(rows)), names, fontsize=8)
        ax.set_ylabel("cases per hour  (–)")
        ax.set_ylim(0, max([*rate, 1.0]) * 1.25)
        ax.set_title(f"{rows[0]['cases']} cases, wall time incl. process start-up "
                     "(ratio to sequential)", fontsize=10)
        ax.grid(True, axis="y", alpha=0.25)
        per_case = outcome.plot_data["per_case"]
        w = [c["void_width_um"] for c in per_case]
        markers = ["o", "x", "+", "s"]
        for r, m, color in zip(rows, markers, colors, strict=False):
            v = [c[f"cell_voltage_V_{r['variant']}"] * 1e3 for c in per_case]
            bx.plot(w, v, m, color=color, mfc="none", label=r["variant"])
        bx.set_xlabel("void width  (µm)")
        bx.set_ylabel("cell voltage  (mV)")
        bx.set_title("cell voltage per case, every variant", fontsize=10)
        bx.grid(True, alpha=0.25)
        bx.legend(fontsize=8)
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        head = outcome.checks[0]
        fig.suptitle(
            f"ssbx sweep throughput{' (quick)' if quick else ''} — {status}: cell voltages agree "
            f"to {head.value:.1e} (≤ {head.tolerance:g}); timings on {os.cpu_count()} CPU "
            "cores, reported, not asserted", fontsize=10.5)
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        save_figure(fig, path)
