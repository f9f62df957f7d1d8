"""Mechanics benchmarks: ``pressure_relaxation`` (Ham 2023/2024, 25 MPa fixed-gap hold) and
``mechanics_performance`` (Newton iterations and time per step, 1 vs 2 ranks).

Quick runs write their outputs; the real checks are closed forms of the laterally confined half
stack (uniaxial strain in every layer, M = K + 4G/3 the P-wave modulus):

- elastic stack stiffness ``1 / (h_li/M_li + h_se/M_se)``;
- fully relaxed limit: a confined Li layer creeps until its deviatoric stress vanishes, its volume
  change stays elastic, so ``p = d / (h_li/K_li + h_se/M_se)`` for a plate displacement ``d``
  (and, on a frame of stiffness k with set point d_set, ``p = k d_set / (1 + k C_relaxed)``);
- 2 MPI ranks give the serial stack pressure to 1e-8.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest
from cases import example

from ssbx.benchmarks.framework import get_benchmark, list_benchmarks, run_benchmark

pytestmark = pytest.mark.slow  # benchmark runs: `make test`, not `make test-fast`

NAMES = ("pressure_relaxation", "mechanics_performance")


def _moduli(E: float, nu: float) -> tuple[float, float]:
    """Bulk and P-wave moduli, written out independently of the benchmark's helper."""
    return E / (3.0 * (1.0 - 2.0 * nu)), E * (1.0 - nu) / ((1.0 + nu) * (1.0 - 2.0 * nu))


def test_registered_with_source_metric_tolerance():
    benches = {b.name: b for b in list_benchmarks()}
    assert set(NAMES) <= set(benches)
    for name in NAMES:
        d = benches[name].describe()
        for key in ("name", "title", "source", "reference", "metric", "tolerance"):
            assert isinstance(d[key], str) and d[key].strip(), (name, key)
    assert len(get_benchmark("pressure_relaxation").cases(quick=True)) == 3
    assert len(get_benchmark("mechanics_performance").cases(quick=False)) == 3


def test_reference_file_quotes_and_numbers():
    from ssbx.benchmarks.reproductions.pressure_relaxation import REFERENCE_FILE, load_reference

    text = REFERENCE_FILE.read_text(encoding="utf-8")
    for quote in ("to 21.1 MPa after 24 hours", "the pressure dropped to 23 MPa within 30 min",
                  "losing 2.2 MPa", "5.6 MPa (40°C)", "empty plunger cell"):
        assert quote in text, quote
    ref = load_reference()
    assert ref["rt_p0"]["value_MPa"] == 25.0
    assert ref["rt_p30min"]["value_MPa"] == 23.0 and ref["rt_p30min"]["time_s"] == 1800.0
    assert ref["rt_p24h"]["value_MPa"] == 21.1 and ref["rt_p24h"]["time_s"] == 86400.0
    drop = ref["rt_drop_30min_24h"]
    assert math.isclose(drop["value_MPa"], 23.0 - 21.1, abs_tol=1e-12)
    assert (drop["time_from_s"], drop["time_s"]) == (1800.0, 86400.0)
    assert ref["rt_drop_0_30min_both"]["value_MPa"] == 2.2
    assert ref["c40_drop_0_30min_both"]["value_MPa"] == 5.6
    assert ref["c40_drop_0_30min_both"]["temperature_C"] == 40.0


def test_variants_resolve():
    from ssbx.benchmarks.reproductions.pressure_relaxation import (
        FRAME_STIFF,
        VARIANTS,
        variant_overrides,
    )
    from ssbx.case import with_overrides

    base = example("pressure_hold.toml")
    assert base.geometry.kind == "axisymmetric" and base.fixture.type == "fixed_gap"
    keys = [v.key for v in VARIANTS]
    assert len(keys) == len(set(keys))
    for v in VARIANTS:
        case = with_overrides(base, variant_overrides(v))  # every variant is a valid case
        assert math.isclose(case.geometry.h_li, v.h_li_um * 1e-6)
        assert (case.fixture.sides == "free") == (v.lateral == "free")
        if v.fixture == "stiff":  # the half-stack model carries twice the frame stiffness
            assert math.isclose(case.fixture.stiffness, 2.0 * FRAME_STIFF)


def test_graded_foil_mesh_and_bonded_plate(comm):
    """The graded free-foil mesh (ssbx.meshes.foil) has the ssbx tags; a plate bonded to the
    foil (``build_mechanics_problem(bonded_plate=True)``) is stiffer than a sliding one."""
    from ssbx.benchmarks.reproductions.pressure_relaxation import CASE_FILE
    from ssbx.case import load_case, with_overrides
    from ssbx.meshes.foil import graded_foil_mesh
    from ssbx.meshes.tags import FacetTag
    from ssbx.problems.mechanics import Displacement
    from ssbx.setup import build_mechanics_problem

    case = with_overrides(load_case(CASE_FILE), {"fixture.sides": "free",
                                                 "geometry.width": 1e-3})
    g = case.geometry
    cm = graded_foil_mesh(comm, g.width, g.h_li, g.h_se)
    x = cm.mesh.geometry.x
    lo = comm.allreduce(float(np.min(x[:, :2], initial=np.inf)) if x.size else np.inf, op=MPI.MIN)
    hi = comm.allreduce(float(np.max(x[:, 0], initial=-np.inf)) if x.size else -np.inf,
                        op=MPI.MAX)
    assert math.isclose(lo, -g.h_li) and math.isclose(hi, g.width)
    for tag in (FacetTag.LI_BOTTOM, FacetTag.SE_TOP, FacetTag.SIDE_LEFT, FacetTag.SIDE_RIGHT,
                FacetTag.CONTACT):
        assert comm.allreduce(cm.facet_tags.find(int(tag)).size, op=MPI.SUM) > 0, tag
    assert cm.num_cells_lithium > 0 and cm.num_cells_electrolyte > 0
    plate = int(FacetTag.LI_BOTTOM)
    sliding = build_mechanics_problem(case, cm, prefix="ssbx_t_slide_",
                                      plate_load=Displacement(plate, 1, 1e-7)).solve_step(0.0)
    bonded = build_mechanics_problem(case, cm, prefix="ssbx_t_bond_",
                                     plate_load=Displacement(plate, 1, 1e-7),
                                     bonded_plate=True).solve_step(0.0)
    assert sliding.converged and bonded.converged
    assert bonded.plate_pressure > sliding.plate_pressure > 0.0  # sticking stiffens the foil


def test_confined_frame_relaxes_to_closed_form():
    """Confined Li on a stiff frame: after the Li's deviatoric stress has relaxed,
    p = k d_set / (1 + k (h_li/K_li + h_se/M_se)); elastic stiffness 1/(h_li/M_li + h_se/M_se)."""
    from ssbx.benchmarks.reproductions.pressure_relaxation import VARIANTS, run_variant
    from ssbx.physics.elasticity import LI6PS5CL, LITHIUM

    v = next(x for x in VARIANTS if x.key == "stiff")
    out = run_variant(v, MPI.COMM_SELF)
    r = out["row"]
    h_li, h_se = r["h_li_um"] * 1e-6, r["h_se_um"] * 1e-6
    K_li, M_li = _moduli(LITHIUM.E, LITHIUM.nu)
    _, M_se = _moduli(LI6PS5CL.E, LI6PS5CL.nu)
    assert math.isclose(r["stack_stiffness_MPa_per_um"] * 1e12, 1.0 / (h_li / M_li + h_se / M_se),
                        rel_tol=1e-8)
    k = 2.0 * r["frame_stiffness_MPa_per_um"] * 1e12
    p_limit = k * r["load_amplitude"] / (1.0 + k * (h_li / K_li + h_se / M_se))
    assert r["target_reached"]
    assert abs(r["p_load_MPa"] - 25.0) <= 0.06
    assert math.isclose(r["p_24h_MPa"] * 1e6, p_limit, rel_tol=2e-3)
    assert r["p_24h_MPa"] * 1e6 >= p_limit * (1.0 - 1e-6)  # approached from above
    p = np.array(out["history"]["pressure_MPa"])
    t = np.array(out["history"]["time_s"])
    assert np.all(np.diff(p[t >= 10.0]) <= 1e-6)  # monotonic relaxation once loaded (1 Pa)


@pytest.mark.mpi
def test_pressure_relaxation_quick_runs_and_writes_outputs(comm, shared_tmp_path):
    from ssbx.physics.elasticity import LI6PS5CL, LITHIUM

    out = Path(shared_tmp_path) / "pressure_relaxation"
    result = run_benchmark("pressure_relaxation", comm, None, True, out)
    assert result.quick
    checks = {c.name: c for c in result.checks}
    assert result.metric_name == "die_cell_drop_30min_24h_factor"
    assert {"drop_0_30min_rt_bound", "drop_0_30min_40C_bound", "confined_elastic_stiffness",
            "confined_hydrostatic_limit", "die_cell_fe_vs_reduced",
            "die_cell_symmetric_cycle"} <= set(checks)
    for name in ("drop_0_30min_rt_bound", "drop_0_30min_40C_bound",
                 "confined_elastic_stiffness", "confined_hydrostatic_limit",
                 "die_cell_fe_vs_reduced", "die_cell_symmetric_cycle", "die_cell_p30min_rt"):
        assert checks[name].passed, checks[name]
    # the cell-scale model with the 25 um clearance: its 30-min pressure is the fixture's
    # (22.86 MPa, 2.2 MPa lost), its 24-h drop ~0.16 MPa (the miss the benchmark reports)
    assert 0.1 < checks["die_cell_drop_30min_24h_factor"].value ** -1 * 1.9 < 0.3
    # the headline compares with the measurement; the confined base case misses it (reported)
    assert result.passed == all(c.passed for c in result.checks)
    if comm.rank == 0:
        for name in ("pressure_relaxation.csv", "pressure_relaxation.png", "result.json",
                     "pressure_relaxation_history.csv", "pressure_relaxation_die_cell.csv"):
            assert (out / name).stat().st_size > 0, name
        rows = {r["key"]: r for r in csv.DictReader((out / "pressure_relaxation.csv").open())}
        assert set(rows) == {"base", "base_40C", "free"}
        K_li, _ = _moduli(LITHIUM.E, LITHIUM.nu)
        _, M_se = _moduli(LI6PS5CL.E, LI6PS5CL.nu)
        for key in ("base", "base_40C"):  # confined: relaxed hydrostatic limit, closed form
            r = rows[key]
            d = -float(r["plate_displacement_24h_um"]) * 1e-6
            c_rel = float(r["h_li_um"]) * 1e-6 / K_li + float(r["h_se_um"]) * 1e-6 / M_se
            assert math.isclose(float(r["p_24h_MPa"]) * 1e6, d / c_rel, rel_tol=2e-3), key
            assert abs(float(r["p_load_MPa"]) - 25.0) <= 0.06
        base, free = rows["base"], rows["free"]
        # a free foil edge relaxes far more than the confined foil, at every time
        assert float(free["p_30min_MPa"]) < float(base["p_30min_MPa"]) - 5.0
        assert float(free["p_24h_MPa"]) < float(free["p_30min_MPa"])
        data = json.loads((out / "result.json").read_text())
        assert data["metric"]["name"] == "die_cell_drop_30min_24h_factor"
        assert data["tolerance"]["value"] == 2.0
        assert "lateral confinement" in data["findings"]["statement"]
        assert data["findings"]["dominance"]["base"]["dominant"] == "lateral confinement"
        die = {r["key"]: r for r in csv.DictReader(
            (out / "pressure_relaxation_die_cell.csv").open())}
        assert set(die) == {f"die_{m}_25um_{t}C" for m in ("fe", "reduced") for t in (25, 40)}
        fe = die["die_fe_25um_25C"]
        assert float(fe["p_24h_MPa"]) < float(fe["p_30min_MPa"]) < 25.0
        assert not list(out.glob(".*"))


def test_mechanics_performance_time_steps_and_consistency():
    from ssbx.benchmarks.performance.mechanics import consistency, time_steps

    steps = time_steps()
    assert len(steps) == 20 and all(dt > 0 for dt in steps)
    assert math.isclose(sum(steps), 3600.0) and math.isclose(sum(steps[:5]), 10.0)

    def row(level, ranks, p, n=100):
        return {"level": level, "ranks": ranks, "num_dofs": n, "stack_pressure_final_Pa": p,
                "plate_displacement_final_m": -1e-7, "newton_iterations_total": 80}

    worst, detail = consistency([row(0, 1, 1.0e6), row(0, 2, 1.0e6 * (1 + 3e-12))])
    assert worst < 1e-11 and len(detail) == 1
    worst, _ = consistency([row(0, 1, 1.0e6), row(0, 2, 1.0e6, n=101)])
    assert worst == math.inf


@pytest.mark.mpi
def test_mechanics_performance_worker_measure(comm):
    from ssbx.benchmarks.performance.mechanics import measure

    r = measure(comm, 0, warmup=False)
    assert r["ranks"] == comm.size and r["steps"] == 20
    assert r["num_dofs"] > 1000 and r["num_creep_points"] > 0
    assert 1.0 <= r["newton_per_step"] <= 10.0
    for key in ("kernel_per_step", "assembly_per_step", "linear_solve_per_step",
                "wall_per_step"):
        assert r[key] >= 0.0
    assert r["wall_per_step"] >= r["kernel_per_step"]
    p = [h["stack_pressure_Pa"] for h in r["history"]]
    assert 0.0 < p[-1] < 5e6  # the fixed gap relaxes as the Li squeezes out at its edge
    assert np.all(np.diff(p[5:]) <= 1e-6)  # monotonic relaxation after loading (t >= 10 s)


def test_mechanics_performance_quick_runs_and_writes_outputs(tmp_path):
    """Serial only (not marked mpi): the benchmark launches its own mpirun -n 1|2 workers."""
    comm = MPI.COMM_SELF
    out = tmp_path / "mechanics_performance"
    result = run_benchmark("mechanics_performance", comm, None, True, out)
    assert result.passed, result.summary
    assert result.metric <= 1e-8
    for name in ("mechanics_performance.csv", "mechanics_performance.md",
                 "mechanics_performance.png", "result.json"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "mechanics_performance.csv").open()))
    assert {(r["level"], r["ranks"]) for r in rows} == {("0", "1"), ("0", "2"), ("1", "1"),
                                                         ("1", "2")}
    for level in ("0", "1"):
        pair = [r for r in rows if r["level"] == level]
        assert pair[0]["num_dofs"] == pair[1]["num_dofs"]
        assert pair[0]["newton_iterations_total"] == pair[1]["newton_iterations_total"]
    assert "Newton/step" in (out / "mechanics_performance.md").read_text()
