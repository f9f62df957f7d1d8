"""Parallel benchmarks: ``parallel_scaling`` (strong / weak scaling) and ``sweep_throughput``
(cases per hour of ``ssbx sweep``).

The quick variants run through the framework (serially: they launch their own ``mpirun``
processes); what must hold is the consistency (N ranks give the serial results; every way of
running the sweep cases gives the same cell voltages; complete results.csv files), not timings.
"""

from __future__ import annotations

import csv
import json
import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.benchmarks.framework import BUILTIN_MODULES, get_benchmark, run_benchmark

pytestmark = pytest.mark.slow  # benchmark runs: `make test`, not `make test-fast`

NAMES = ("parallel_scaling", "sweep_throughput")


def test_registered_with_source_metric_tolerance():
    for name in NAMES:
        assert f"performance.{name}" in BUILTIN_MODULES
        d = get_benchmark(name).describe()
        for key in ("name", "title", "source", "reference", "metric", "tolerance"):
            assert isinstance(d[key], str) and d[key].strip(), (name, key)
    assert len(get_benchmark("sweep_throughput").cases(quick=False)) == 16
    assert len(get_benchmark("sweep_throughput").cases(quick=True)) == 4


def test_scaling_ranks_and_weak_levels(monkeypatch):
    from ssbx.benchmarks.performance.parallel_scaling import (
        RANKS_ENV,
        ParallelScaling,
        scaling_ranks,
        weak_level,
    )

    monkeypatch.delenv(RANKS_ENV, raising=False)
    assert scaling_ranks() == (1, 2)
    assert scaling_ranks("4,2 8") == (1, 2, 4, 8)  # the serial reference is always measured
    monkeypatch.setenv(RANKS_ENV, "1,2,4,8,16")
    assert scaling_ranks() == (1, 2, 4, 8, 16)
    with pytest.raises(ValueError):
        scaling_ranks("1,x")
    with pytest.raises(ValueError):
        scaling_ranks("0,2")
    assert weak_level(2, 1) == 2 and math.isclose(weak_level(2, 4), 3.0)
    assert math.isclose(weak_level(1, 2), 1.5)
    plan = ParallelScaling().plan(quick=False)
    assert ("strong", "current", 3.0, 16) in plan and ("weak", "mechanics", 3.0, 16) in plan
    # the weak-scaling case with N x the cells: sizes / 2^(log4 N) = sizes / sqrt(N)
    from ssbx.benchmarks.performance.current import level_case

    a, b = level_case(1, "amg"), level_case(weak_level(1, 4), "amg")
    assert math.isclose(a.mesh.size_fine / b.mesh.size_fine, 2.0)


def test_scaling_rows_and_consistency():
    from ssbx.benchmarks.performance.parallel_scaling import consistency, scaling_rows

    def m(n_dofs, t, v=0.018, p=3.5e5):
        return {"num_dofs": n_dofs, "time_s": t, "cell_voltage_V": v,
                "stack_pressure_final_Pa": p, "plate_displacement_final_m": -1e-7}

    meas = {("current", 3.0, 1): m(100, 4.0), ("current", 3.0, 2): m(100, 2.5),
            ("current", 2.0, 1): m(50, 1.0), ("current", 2.5, 2): m(95, 1.25),
            ("mechanics", 2.0, 1): m(80, 1.0), ("mechanics", 2.0, 2): m(80, 0.5, p=3.5e5 * 1.01),
            ("mechanics", 1.0, 1): m(40, 1.0), ("mechanics", 1.5, 2): m(200, 1.0)}
    plan = [("strong", "current", 3.0, 1), ("strong", "current", 3.0, 2),
            ("weak", "current", 2.0, 1), ("weak", "current", 2.5, 2),
            ("strong", "mechanics", 2.0, 1), ("strong", "mechanics", 2.0, 2),
            ("weak", "mechanics", 1.0, 1), ("weak", "mechanics", 1.5, 2)]
    rows = scaling_rows(meas, plan)
    strong2 = rows[1]
    assert math.isclose(strong2["speedup"], 1.6) and math.isclose(strong2["efficiency"], 0.8)
    weak2 = rows[3]
    assert math.isclose(weak2["efficiency"], 0.8) and math.isclose(weak2["dofs_per_rank"], 47.5)
    worst, weak, detail = consistency(rows)
    assert worst["current"] == 0.0
    assert math.isclose(worst["mechanics"], 0.01, rel_tol=1e-9)  # a wrong pressure is caught
    assert math.isclose(weak, 2.5)  # 100 DOFs per rank against 40: caught (> 1.5)
    assert len(detail) == 4
    meas[("current", 3.0, 2)] = m(101, 2.5)  # another mesh: not the same discrete problem
    worst, _, _ = consistency(scaling_rows(meas, plan))
    assert worst["current"] == math.inf


def test_parallel_scaling_quick_runs_and_writes_outputs(tmp_path, monkeypatch):
    """Serial only (not marked mpi): the benchmark launches its own mpirun -n 1|2 workers."""
    from ssbx.benchmarks.performance.parallel_scaling import RANKS_ENV

    monkeypatch.delenv(RANKS_ENV, raising=False)
    out = tmp_path / "parallel_scaling"
    result = run_benchmark("parallel_scaling", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    assert [c.name for c in result.checks] == ["parallel_vs_serial_current",
                                               "parallel_vs_serial_mechanics",
                                               "weak_dofs_per_rank"]
    assert result.checks[0].value <= 1e-8 and result.checks[1].value <= 1e-8
    for name in ("parallel_scaling.csv", "scaling.csv", "table.md", "parallel_scaling.png",
                 "result.json"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "scaling.csv").open()))
    keys = {(r["study"], r["problem"], r["ranks"]) for r in rows}
    assert keys == {(s, p, n) for s in ("strong", "weak") for p in ("current", "mechanics")
                    for n in ("1", "2")}
    for r in rows:
        assert float(r["time_s"]) > 0.0 and float(r["efficiency"]) > 0.0
        if r["ranks"] == "1":
            assert float(r["efficiency"]) == 1.0
    strong = {(r["problem"], r["ranks"]): r for r in rows if r["study"] == "strong"}
    for p in ("current", "mechanics"):
        assert strong[(p, "1")]["num_dofs"] == strong[(p, "2")]["num_dofs"]
        e = float(strong[(p, "2")]["efficiency"])
        s = float(strong[(p, "2")]["speedup"])
        assert math.isclose(e, s / 2, rel_tol=1e-6)
    data = json.loads((out / "result.json").read_text())
    assert data["passed"] and data["quick"]
    assert data["findings"]["ranks"] == [1, 2]
    assert "load_above_cores" in data["findings"]
    table = (out / "table.md").read_text()
    assert "efficiency" in table and "| strong | mechanics |" in table


def test_sweep_throughput_quick_runs_and_writes_outputs(tmp_path):
    """Serial only (not marked mpi): the benchmark launches its own processes."""
    out = tmp_path / "sweep_throughput"
    result = run_benchmark("sweep_throughput", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    assert [c.name for c in result.checks] == ["voltage_agreement", "incomplete_sweeps",
                                               "swept_values"]
    for name in ("sweep_throughput.csv", "cases.csv", "table.md", "sweep_throughput.png",
                 "result.json"):
        assert (out / name).stat().st_size > 0, name
    rows = {r["variant"]: r for r in csv.DictReader((out / "sweep_throughput.csv").open())}
    assert set(rows) == {"sequential", "sweep_np1", "sweep_np2_groups", "sweep_np2_cases"}
    for name, r in rows.items():
        assert r["cases"] == "4" and float(r["cases_per_hour"]) > 0.0, name
        if name != "sequential":
            assert r["results_rows"] == "4" and r["results_ok"] == "4", name
    assert float(rows["sequential"]["ratio_to_sequential"]) == 1.0
    cases = list(csv.DictReader((out / "cases.csv").open()))
    assert [float(c["void_width_um"]) for c in cases] == [20.0, 40.0, 60.0, 80.0]
    v = [float(c["cell_voltage_V_sequential"]) for c in cases]
    assert all(0.01 < x < 0.1 for x in v) and v == sorted(v)  # wider void, higher voltage
    data = json.loads((out / "result.json").read_text())
    assert data["passed"] and "untimed" in data["findings"]["warmup"]


def test_sweep_throughput_consistency_catches_differences():
    from ssbx.benchmarks.performance.sweep_throughput import consistency

    def r(name, volts, rows=2, ok=2, values=(1e-5, 2e-5)):
        return {"variant": name, "voltages": list(volts), "results_rows": rows,
                "results_ok": ok, "cases": 2, "values": list(values)}

    good = [r("sequential", (0.02, 0.03)), r("sweep_np1", (0.02, 0.03)),
            r("sweep_np2_cases", (0.02 * (1 + 1e-12), 0.03))]
    d_v, bad, d_x, _ = consistency(good, [1e-5, 2e-5])
    assert d_v < 1e-11 and bad == 0 and d_x == 0.0
    worse = [r("sequential", (0.02, 0.03)), r("sweep_np1", (0.02, math.nan), ok=1),
             r("sweep_np2_groups", (0.02, 0.0301), rows=3, values=(2e-5, 1e-5))]
    d_v, bad, d_x, _ = consistency(worse, [1e-5, 2e-5])
    assert d_v == math.inf and bad == 2 and d_x >= 0.5


def test_scaling_3d_quick_runs_and_writes_outputs(tmp_path):
    """The quick 3-D scaling benchmark: 2 ranks = serial, flat AMG iterations, its model,
    projection, table and Slurm script (serial: it launches its own mpirun workers)."""
    out = tmp_path / "scaling_3d"
    result = run_benchmark("scaling_3d", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    assert [c.name for c in result.checks] == ["parallel_vs_serial", "cg_iteration_spread"]
    for name in ("scaling_3d.csv", "projection.csv", "table.md", "scaling_3d.png",
                 "scaling_3d.slurm.sh", "result.json"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "scaling_3d.csv").open()))
    assert [(r["study"], r["ranks"]) for r in rows] == [("refinement", "1"), ("refinement", "1"),
                                                        ("ranks", "2"), ("ranks", "1")]
    for r in rows:  # Butler–Volmer: a genuine Newton solve; memory and times measured
        assert int(r["newton_iterations"]) >= 2
        assert float(r["bytes_per_dof"]) > 0 and float(r["time_linear_solve"]) > 0
        assert 0.7 < int(r["tetrahedra_estimate"]) / int(r["tetrahedra"]) < 1.4
    model = json.loads((out / "result.json").read_text())["findings"]["model"]
    assert model["assembly_s_per_dof"] > 0 and model["iteration_s_per_dof"] > 0
    assert "--ntasks=1024" in (out / "scaling_3d.slurm.sh").read_text()


def test_scaling_3d_model_projects_ideal_work_to_ideal_efficiency():
    """With no communication and work linear in the DOFs the projected weak efficiency is 1 and
    the strong speed-up ideal; a halo term lowers both."""
    from ssbx.benchmarks.performance.scaling_3d import projections

    model = {"assembly_s_per_dof": 1e-6, "cg_iterations": 40.0, "cg_growth": 0.0,
             "iteration_s_per_dof": 1e-7, "iteration_growth": 0.0,
             "reference_dofs": 1e5, "communication_s": 0.0, "memory_bytes_per_dof": 3000.0,
             "memory_base_bytes": 2e8, "gmsh_tetrahedra_per_s": 3e4, "tetrahedra_per_dof": 1.1,
             "newton_iterations": 4.0}
    ideal = projections(model, 3e5)
    assert all(math.isclose(p["efficiency"], 1.0, rel_tol=1e-12) for p in ideal)
    halo = projections(model | {"communication_s": 1e-6}, 3e5)
    weak = [p for p in halo if p["study"] == "weak"]
    strong = [p["efficiency"] for p in halo if p["study"] == "strong"]
    assert all(p["efficiency"] < 1.0 for p in weak)
    assert strong[0] == 1.0 and all(np.diff(strong) < 0)  # relative to the first rank count
    assert all(math.isclose(p["dofs"] / p["ranks"], 3e5) for p in weak)
