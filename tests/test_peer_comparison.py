"""The ``peer_comparison`` benchmark: ssbx against plain dolfinx, scikit-fem and NGSolve.

Its pieces are checked on their own (the graded tensor mesh the dolfinx and scikit-fem peers
share, the problem handed to the peers, the time-to-accuracy and equal-DOF analysis on rows
with known answers); the quick run (marked slow) must find plain dolfinx and scikit-fem equal on
one mesh and every tool close to the reference voltage. Timings are not asserted.
"""

from __future__ import annotations

import csv
import json
import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.benchmarks.framework import BUILTIN_MODULES, get_benchmark, run_benchmark
from ssbx.benchmarks.performance import peer_comparison as pc
from ssbx.benchmarks.performance.peer_comparison import (
    equal_dof_ratios,
    problem_of,
    same_mesh_difference,
    time_to_accuracy,
)
from ssbx.benchmarks.performance.peers.tensor_mesh import graded_nodes, rectangle_mesh

UM = 1e-6


def test_registered_with_source_metric_tolerance():
    assert "performance.peer_comparison" in BUILTIN_MODULES
    d = get_benchmark("peer_comparison").describe()
    assert all(d[k] for k in ("source", "reference", "metric", "tolerance"))
    ref = pc.reference()
    assert ref["cell_voltage_V"] == pytest.approx(0.0183495738, rel=1e-8)
    spread = [abs(s["cell_voltage_V"] / ref["cell_voltage_V"] - 1.0) for s in ref["solutions"]]
    assert max(spread) < 2e-8 and len({s["code"] for s in ref["solutions"]}) == 2


def test_graded_nodes_hit_the_void_edges_and_follow_the_size_field():
    h_min, h_max, dist = 0.25 * UM, 4 * UM, 20 * UM
    x = graded_nodes(100 * UM, [30 * UM, 70 * UM], h_min, h_max, dist)
    assert x[0] == 0.0 and x[-1] == 100 * UM and np.all(np.diff(x) > 0)
    for edge in (30 * UM, 70 * UM):
        k = int(np.argmin(np.abs(x - edge)))
        assert x[k] == pytest.approx(edge, abs=1e-15)
        # the first cell: ∫ ds / h = 1 with h growing 0.19 per unit length, so 1.1 h_min
        assert h_min * 0.5 < x[k + 1] - x[k] <= h_min * 1.15
        assert h_min * 0.5 < x[k] - x[k - 1] <= h_min * 1.15
    assert np.diff(x).max() <= h_max * 1.0001
    mid = x[(x > 45 * UM) & (x < 55 * UM)]  # 15 um or more from both edges
    assert np.diff(mid).min() > 2 * UM


def test_rectangle_mesh_covers_the_rectangle_once():
    p, t = rectangle_mesh(100 * UM, 50 * UM, 30 * UM, 70 * UM, 1 * UM, 8 * UM, 20 * UM)
    assert p.shape[0] == 2 and t.shape[0] == 3 and t.flags.c_contiguous
    a, b, c = (p[:, t[k]] for k in range(3))
    area = 0.5 * ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]))
    assert np.all(np.abs(area) > 0)
    assert np.abs(area).sum() == pytest.approx(100 * UM * 50 * UM, rel=1e-12)
    assert np.unique(t).size == p.shape[1]


def test_problem_of_the_default_case_and_what_the_peers_refuse():
    from ssbx.case import with_overrides

    case = pc.base_case()
    pb = problem_of(case)
    assert pb == pytest.approx({"width": 100 * UM, "height": 50 * UM, "void_start": 30 * UM,
                                "void_end": 70 * UM, "conductivity": 0.05, "asr": 4e-4,
                                "current_density": 10.0, "grading_distance": 20 * UM})
    with pytest.raises(ValueError, match="linear kinetics"):
        problem_of(with_overrides(case, {"interface.kinetics": "butler_volmer"}))


def _row(tool, degree, level, dofs, wall, error, voltage=1.0):
    return {"tool": tool, "degree": degree, "level": level, "num_dofs": dofs, "wall_s": wall,
            "error": error, "cell_voltage": voltage}


def test_time_to_accuracy_takes_the_fastest_run_below_each_target():
    rows = [_row("ssbx", 2, 0, 4000, 3.0, 2e-6), _row("ssbx", 2, 1, 12000, 4.0, 2e-7),
            _row("scikit-fem", 2, 0, 6000, 0.7, 5e-4), _row("scikit-fem", 2, 1, 24000, 1.0, 3e-7),
            _row("ngsolve", 2, 0, 2000, 0.5, 4e-6), _row("ngsolve", 3, 0, 4000, 0.6, 5e-8)]
    table = {e["target_error"]: e for e in time_to_accuracy(rows)}
    e = table[1e-3]
    assert e["ssbx_s"] == 3.0 and e["ssbx_run"] == "P2 L0"
    assert e["best_peer"] == "ngsolve" and e["best_peer_s"] == 0.5
    assert e["ratio_ssbx_to_best_peer"] == pytest.approx(6.0)
    assert table[1e-6]["ssbx_s"] == 4.0 and table[1e-6]["best_peer_s"] == 0.6
    e = table[1e-7]
    assert math.isnan(e["ssbx_s"]) and e["best_peer"] == "ngsolve"
    assert math.isnan(e["ratio_ssbx_to_best_peer"])


def test_equal_dof_ratios_interpolate_plain_dolfinx_log_log():
    rows = [_row("dolfinx", 2, 0, 1000, 1.0, 1e-3), _row("dolfinx", 2, 1, 100000, 100.0, 1e-5),
            _row("ssbx", 2, 0, 10000, 30.0, 1e-4), _row("ssbx", 2, 1, 1000000, 9.0, 1e-6),
            _row("ssbx", 1, 0, 10000, 3.0, 1e-4)]
    ratios = equal_dof_ratios(rows)
    assert len(ratios) == 1  # outside the range, or no plain dolfinx run of that degree
    assert ratios[0]["dolfinx_s"] == pytest.approx(10.0) and ratios[0]["ratio"] == (
        pytest.approx(3.0))


def test_same_mesh_difference_pairs_degree_and_level():
    rows = [_row("dolfinx", 1, 0, 1, 1, 0, 2.0),
            _row("scikit-fem", 1, 0, 1, 1, 0, 2.0 * (1 + 1e-6)),
            _row("dolfinx", 2, 0, 1, 1, 0, 3.0), _row("scikit-fem", 2, 1, 1, 1, 0, 5.0)]
    assert same_mesh_difference(rows) == pytest.approx(1e-6, rel=1e-5)
    assert math.isnan(same_mesh_difference(rows[2:]))


@pytest.mark.slow
def test_quick_run_agrees_with_the_reference_and_writes_outputs(tmp_path):
    """Serial only (not marked mpi): the benchmark launches its own processes."""
    out = tmp_path / "peer_comparison"
    result = run_benchmark("peer_comparison", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    for name in ("peer_comparison.csv", "peer_comparison.png", "table.md",
                 "time_to_accuracy.csv", "result.json"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "peer_comparison.csv").open()))
    tools = {r["tool"] for r in rows}
    assert {"ssbx", "ssbx_cached", "dolfinx", "scikit-fem"} <= tools
    by = {(r["tool"], r["degree"], r["level"]): r for r in rows}
    # the mesh cache changes the cost, not the answer
    assert float(by[("ssbx_cached", "2", "1")]["cell_voltage_V"]) == pytest.approx(
        float(by[("ssbx", "2", "1")]["cell_voltage_V"]), rel=1e-12)
    assert float(by[("ssbx", "2", "1")]["error"]) < 1e-6  # graded P2
    assert float(by[("ssbx", "1", "0")]["error"]) < 1e-3
    data = json.loads((out / "result.json").read_text())
    assert data["passed"] and data["quick"]
    assert len(data["findings"]["time_to_accuracy"]) == len(pc.TARGETS)
