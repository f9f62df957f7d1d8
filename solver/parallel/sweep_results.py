"""The results table of a sweep and its plots.

``results.csv`` (in the sweep folder) has one row per case of the sweep, in index order:
``index``, ``case``, ``status`` (ok | failed | incomplete), ``error`` (first line, for failed
cases), one column per swept key with its resolved SI value (``"fixture.pressure [Pa]"``), then
``ranks``, ``wall_time [s]`` and the case's summary results flattened into columns: every number
under ``results`` of its ``summary.json``, named by its path with the ``scalars.`` level left out
(``cell_voltage [V]``, ``ccs.estimate_mA_per_cm2``, ``mesh.num_cells``); values with a unit carry
it in brackets. Lists (CCS trials, file names) stay in the case folders. Parquet is not written:
no suitable library (pyarrow, pandas) is an ssbx dependency.

The table is rebuilt from the case folders, which are the truth, so it can be written at any
time (``ssbx sweep --collect``) and is always written atomically.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ssbx.io.runfolder import SUMMARY, atomic_write, csv_text, from_json
from ssbx.parallel.sweep import FAILURE, RESULTS, case_path, case_state
from ssbx.parallel.sweep_spec import Sweep, si_value
from ssbx.units import display_unit

SKIP = frozenset({"files", "provenance", "trials", "warnings"})
"""Result entries left out of the table (lists and provenance)."""

TIMING_PATTERN = re.compile(r"(^|\.)(wall_time|time_(?!end\b|s\b|step\b)[a-z_]+)( \[s\])?$")
"""Columns that hold run times (they differ between runs of the same case)."""


def flatten_results(results: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{column: value}`` for every number (and short word) under ``results``."""
    out: dict[str, Any] = {}
    for key, value in results.items():
        if key in SKIP:
            continue
        name = key if not prefix else f"{prefix}.{key}"
        if key == "scalars" and not prefix:
            name = ""
        if isinstance(value, Mapping):
            if set(value) >= {"value", "unit"} and not isinstance(value["value"], Mapping):
                unit = str(value.get("unit") or "")
                column = name if unit in ("", "1") else f"{name} [{unit}]"
                out[column] = _number(value["value"])
            else:
                out.update(flatten_results(value, name))
        elif isinstance(value, bool):
            out[name] = int(value)
        elif isinstance(value, int | float) or value is None:
            out[name] = _number(value)
        elif isinstance(value, str) and len(value) <= 40 and key != "case":
            out[name] = value
    return out


def _number(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    return ""


def is_timing_column(column: str) -> bool:
    """Whether ``column`` holds a run time (excluded when runs are compared)."""
    return bool(TIMING_PATTERN.search(column))


def swept_column(sweep: Sweep, key: str) -> str:
    """The column name of the swept ``key`` (its SI unit in brackets)."""
    _, unit = si_value(sweep.cases[0].case, key) if sweep.cases else (None, "")
    return f"{key} [{unit}]" if unit else key


def collect_rows(sweep: Sweep, root: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(header, rows) of the results table, read from the case folders."""
    rows: list[dict[str, Any]] = []
    result_columns: list[str] = []
    swept = {key: swept_column(sweep, key) for key in sweep.keys}
    for case in sweep.cases:
        state = case_state(root, case)
        row: dict[str, Any] = {"index": case.index, "case": case.name,
                               "status": {"complete": "ok", "pending": "incomplete"}.get(state,
                                                                                         state),
                               "error": ""}
        for key, column in swept.items():
            row[column], _ = si_value(case.case, key)
        folder = case_path(root, case)
        if state == "complete":
            try:
                summary = from_json((folder / SUMMARY).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as err:
                row["status"], row["error"] = "incomplete", f"unreadable {SUMMARY}: {err}"
            else:
                row["ranks"] = summary.get("ranks", "")
                row["wall_time [s]"] = summary.get("wall_time_s", "")
                for column, value in flatten_results(summary.get("results") or {}).items():
                    row[column] = value
                    if column not in result_columns:
                        result_columns.append(column)
        elif state == "failed":
            try:
                failure = json.loads((folder / FAILURE).read_text(encoding="utf-8"))
                row["error"] = str(failure.get("error", "")).splitlines()[0][:300]
            except (OSError, json.JSONDecodeError, IndexError):
                row["error"] = "failed (unreadable failure.json)"
        rows.append(row)
    header = ["index", "case", "status", "error", *swept.values(), "ranks", "wall_time [s]",
              *result_columns]
    return header, rows


def write_results_table(sweep: Sweep, root: Path) -> Path:
    """Write ``<root>/results.csv`` (atomically) from the case folders; returns its path."""
    header, rows = collect_rows(sweep, root)
    path = Path(root) / RESULTS
    atomic_write(path, csv_text(header, rows))
    return path


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of a results.csv."""
    text = Path(path).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def find_column(header: Sequence[str], name: str, what: str) -> str:
    """The column called ``name``, with or without its ``[unit]`` (else a ValueError listing
    the columns)."""
    for column in header:
        if column == name or column.split(" [")[0] == name:
            return column
    raise ValueError(f"{what} {name!r} is not a column of the results table; columns: "
                     + ", ".join(header))


def plot_report(sweep: Sweep, root: Path, x: str | None, ys: Sequence[str],
                out: Path | None = None) -> list[Path]:
    """One plot per ``y`` against the swept key ``x`` (default: the first swept key); the other
    swept keys, if any, make one line each. Only ``ok`` rows are plotted. Returns the files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    header, rows = read_table(Path(root) / RESULTS)
    x_name = x if x is not None else sweep.keys[0]
    if x_name not in sweep.keys:
        raise ValueError(f"--x {x_name!r} is not a swept key; swept: {', '.join(sweep.keys)}")
    x_col = find_column(header, x_name, "--x")
    others = [find_column(header, k, "key") for k in sweep.keys if k != x_name]
    files: list[Path] = []
    for y in ys:
        y_col = find_column(header, y, "--y")
        lines: dict[tuple[str, ...], list[tuple[float, float]]] = {}
        for row in rows:
            if row.get("status") != "ok":
                continue
            try:
                xv, yv = float(row[x_col]), float(row[y_col])
            except (TypeError, ValueError):
                continue
            if math.isfinite(xv) and math.isfinite(yv):
                lines.setdefault(tuple(row[c] for c in others), []).append((xv, yv))
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        x_label, x_factor = _display(x_col)
        y_label, y_factor = _display(y_col)
        for label, points in sorted(lines.items()):
            points.sort()
            text = ", ".join(_legend_entry(c, v) for c, v in zip(others, label, strict=True))
            ax.plot([p[0] * x_factor for p in points], [p[1] * y_factor for p in points], "o-",
                    ms=4, label=text or None)
        values = [p for pts in lines.values() for p in pts]
        if values and min(p[0] for p in values) > 0 and \
                max(p[0] for p in values) > 100 * min(p[0] for p in values):
            ax.set_xscale("log")
        if values and min(p[1] for p in values) > 0 and \
                max(p[1] for p in values) > 100 * min(p[1] for p in values):
            ax.set_yscale("log")
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.set_title(f"sweep {sweep.name}: {len(values)} of {len(rows)} cases")
        if others and lines:
            ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{y_col.split(' [')[0]}-vs-{x_name}")
        path = (Path(out) if out is not None else Path(root)) / f"report-{stem}.png"
        fig.savefig(path, dpi=150)
        plt.close(fig)
        files.append(path)
    return files


def _display(column: str) -> tuple[str, float]:
    """Axis label of a results column in display units (``geometry.width [m]`` ->
    ``geometry.width [um]``) and the factor from its SI values."""
    name, _, rest = column.partition(" [")
    if not rest.endswith("]"):
        return column, 1.0
    unit, factor = display_unit(rest[:-1])
    return f"{name} [{unit}]", factor


def _legend_entry(column: str, value: str) -> str:
    """``key = value unit`` of a swept key for a legend, in display units."""
    label, factor = _display(column)
    name, _, unit = label.partition(" [")
    try:
        shown = f"{float(value) * factor:.4g}"
    except ValueError:
        return f"{name} = {value}"
    return f"{name} = {shown} {unit.rstrip(']')}".rstrip()


__all__ = ["collect_rows", "find_column", "flatten_results", "is_timing_column", "plot_report",
           "read_table", "swept_column", "write_results_table"]
