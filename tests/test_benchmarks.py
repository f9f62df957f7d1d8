"""Benchmark registry and the quick Zκ benchmark (ssbx.benchmarks)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from ssbx.benchmarks.framework import (
    Check,
    csv_text,
    get_benchmark,
    list_benchmarks,
    on_root,
    run_benchmark,
)

ROOT = Path(__file__).resolve().parents[1]


def test_registry_lists_both_with_source_metric_tolerance():
    benches = {b.name: b for b in list_benchmarks()}
    assert {"zkappa_void", "performance"} <= set(benches)
    for b in benches.values():
        d = b.describe()
        for key in ("name", "title", "source", "reference", "metric", "tolerance"):
            assert isinstance(d[key], str) and d[key].strip(), (b.name, key)
    assert get_benchmark("zkappa_void").name == "zkappa_void"
    with pytest.raises(KeyError, match="unknown benchmark"):
        get_benchmark("no_such_benchmark")


def test_every_benchmark_names_a_dated_source_and_existing_reference_files():
    """Structural checks instead of pinned prose: each published source is dated (a year; ssbx's
    own self-consistency and performance measurements say so instead), and every
    reference data file a benchmark names (``benchmarks/data/...``) exists."""
    data = ROOT / "benchmarks" / "data"
    for b in list_benchmarks():
        own = "self-consistency" in b.source or "performance" in b.source.lower()
        assert own or re.search(r"\b(19|20)\d\d\b", b.source), (b.name, "source has no year")
        for name in re.findall(r"[\w.-]+\.(?:csv|json)\b", b.reference):
            if not name.startswith("result"):
                assert (data / name).exists() or list(ROOT.rglob(name)), (b.name, name)


def test_zkappa_reference_file_has_quote_and_limits():
    from ssbx.benchmarks.reproductions.zkappa_void import load_reference

    ref = load_reference()
    assert "smaller than, say, 100" in ref["quote"]
    assert ref["parameters"]["zkappa_um"] == 20.0
    names = {x["name"] for x in ref["limits"]}
    assert {"uniform_limit", "monotonic", "sqrt_asymptote", "peak_at_edge"} <= names
    sq = next(x for x in ref["limits"] if x["name"] == "sqrt_asymptote")
    assert (sq["target"], sq["tolerance"]) == (0.5, 0.15)


def test_zkappa_cases_resolve_and_scale_with_the_void():
    bench = get_benchmark("zkappa_void")
    zk = bench.zkappa()
    assert math.isclose(zk, 20e-6, rel_tol=1e-12)
    for quick in (True, False):
        cases = bench.cases(quick)
        assert len(cases) == (4 if quick else 7)
        for case in cases:
            (void,) = case.geometry.voids
            assert case.interface.kinetics == "linear"
            assert case.geometry.width >= max(5 * void.width, 10 * zk) * (1 - 1e-12)
            assert case.geometry.h_se >= case.geometry.width * (1 - 1e-12)
            assert math.isclose(void.center, case.geometry.width / 2)
            assert case.mesh.size_fine <= min(zk / 20, void.width / 10) * (1 + 1e-12)
            if not quick:
                assert case.mesh.size_fine <= min(zk / 40, void.width / 20) * (1 + 1e-12)


def test_performance_base_case_is_the_default_example():
    from ssbx.benchmarks.performance.current import base_case, level_case

    base = base_case()
    example = ROOT / "examples" / "void_2d.toml"
    if example.exists():
        from ssbx.case import load_case

        ref = load_case(example)
        for part in ("geometry", "mesh", "electrolyte", "interface", "operation"):
            assert getattr(base, part) == getattr(ref, part), part
        assert base.solver.degree == ref.solver.degree
    c3 = level_case(3, "amg")
    assert math.isclose(c3.mesh.size_fine, base.mesh.size_fine / 8)
    assert math.isclose(c3.mesh.size_coarse, base.mesh.size_coarse / 8)
    assert c3.solver.linear_solver == "amg"
    assert len(get_benchmark("performance").cases(quick=True)) == 4


def test_check_criteria_and_csv():
    assert Check("s", "", 0.40, 0.15, "abs", 0.5).passed
    assert not Check("s", "", 0.30, 0.15, "abs", 0.5).passed
    assert Check("r", "", 1.0 + 1e-7, 1e-6, "rel", 1.0).passed
    assert Check("m", "", 1e-9, 1e-8, "max").passed
    assert not Check("m", "", float("nan"), 1e-8, "max").passed
    assert Check("n", "", 0.1, 0.0, "min").passed
    assert not Check("n", "", -0.1, 0.0, "min").passed
    text = csv_text([{"a": 1, "b": 0.5}, {"a": 2, "b": 1 / 3}])
    assert text.splitlines() == ["a,b", "1,0.5", "2,0.3333333333"]


@pytest.mark.mpi
def test_on_root_returns_on_rank_0_and_raises_rank_0_s_error_everywhere(comm):
    """The work runs once, on rank 0; its error reaches every rank (no rank waits forever)."""
    calls = []
    result = on_root(comm, lambda: calls.append(comm.rank) or 42)
    assert calls == ([0] if comm.rank == 0 else [])
    assert result == (42 if comm.rank == 0 else None)
    assert on_root(comm, lambda: {"rank": comm.rank}, broadcast=True) == {"rank": 0}

    def fail() -> None:
        raise ValueError("bad input on the root")

    with pytest.raises(RuntimeError, match="ValueError: bad input on the root"):
        on_root(comm, fail)


def test_performance_consistency_and_ratios():
    from ssbx.benchmarks.performance.current import add_ratios, consistency

    def row(solver, ranks, v, t):
        return {"level": 0, "solver": solver, "ranks": ranks, "num_dofs": 10,
                "cell_voltage_V": v, "current_density_peak_A_m2": 2.0,
                "time_total": t, "time_solve": t / 2}

    rows = [row("direct", 1, 1.0, 2.0), row("direct", 2, 1.0, 1.0),
            row("amg", 1, 1.0 + 1e-9, 1.0), row("amg", 2, 1.0 + 1e-9, 0.5)]
    add_ratios(rows)
    assert math.isclose(rows[1]["ratio_total_2ranks_to_serial"], 0.5)
    assert math.isclose(rows[2]["ratio_total_amg_to_direct"], 0.5)
    assert math.isnan(rows[0]["ratio_total_amg_to_direct"])
    d_solver, d_par, _ = consistency(rows)
    assert math.isclose(d_solver, 1e-9, rel_tol=1e-6)
    assert d_par == 0.0


@pytest.mark.mpi
def test_performance_worker_measure(comm):
    from ssbx.benchmarks.performance.current import measure

    row = measure(comm, 0, "direct", warmup=False)
    assert row["ranks"] == comm.size
    assert row["num_dofs"] > 1000
    assert row["newton_iterations"] >= 1
    for key in ("time_mesh", "time_setup", "time_solve", "time_total"):
        assert row[key] >= 0.0
    assert row["time_total"] >= row["time_solve"]
    assert 0.01 < row["cell_voltage_V"] < 0.03  # ~18.3 mV for the default case


@pytest.mark.mpi
def test_zkappa_quick_runs_passes_and_writes_outputs(comm, shared_tmp_path):
    out = Path(shared_tmp_path) / "zkappa_void"
    result = run_benchmark("zkappa_void", comm, None, True, out)
    assert result.passed, result.summary
    assert result.quick
    assert result.metric_name == "slope_large_l"
    assert abs(result.metric - 0.5) <= result.tolerance
    assert "PASS" in result.summary and "zkappa_void" in result.summary
    names = {c.name for c in result.checks}
    assert {"slope_large_l", "uniform_limit", "monotonic", "peak_at_edge"} <= names
    if comm.rank == 0:
        for name in ("zkappa_void.csv", "zkappa_void.png", "result.json"):
            assert (out / name).stat().st_size > 0, name
        data = json.loads((out / "result.json").read_text())
        assert data["passed"] is True and data["quick"] is True
        assert data["source"] == result.source
        assert data["ssbx_version"]
        assert data["wall_time_s"] > 0
        q = data["findings"]["roadmap_question"]
        assert 1.2 < q["values"]["20um"]["edge_to_contact_mean"] < 1.6
        assert 1.7 < q["values"]["100um"]["edge_to_contact_mean"] < 2.4
        assert "100 um" in q["statement"]
        header = (out / "zkappa_void.csv").read_text().splitlines()[0].split(",")
        assert {"void_width_um", "edge_to_contact_mean", "reference_sqrt_asymptote"} <= set(header)
        assert not list(out.glob(".*"))  # no temporary files left behind
