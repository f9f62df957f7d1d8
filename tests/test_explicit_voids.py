"""Explicit voids (``geometry.void_model = "explicit"``): pores cut into the Li mesh as free
surfaces whose distance to the electrolyte is the contact gap, with the Li and electrolyte nodes
paired straight above each other (hemispherical, lenticular and slit pores)."""

from __future__ import annotations

import math
import tomllib

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import fem

from ssbx.case import CaseError, resolve_case, with_overrides
from ssbx.meshes.cell import build_cell_mesh
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.meshes.tags import FacetTag
from ssbx.meshes.voids import void_gap, void_outline

PORE = """
name = "pore"
problem = "stripping"
[geometry]
kind = "axisymmetric"
h_se = "10 um"
h_li = "40 um"
width = "5 um"
void_model = "explicit"
[[geometry.voids]]
width = "2 um"
height = "1 um"
[mesh]
size_fine = "0.15 um"
size_coarse = "5 um"
grading_distance = "6 um"
[electrolyte]
conductivity = "2 mS/cm"
[interface]
kinetics = "butler_volmer"
asr = "2 ohm cm^2"
[mechanics]
li_model = "power_law"
electrolyte_preset = "Li6PS5Cl"
[fixture]
type = "rigid_plate"
pressure = "3 MPa"
[protocol]
steps = ["Strip at 3 mA/cm^2 for 2 s", "Rest for 2 s", "Plate at 3 mA/cm^2 for 1 s"]
[vacancy]
enabled = false
[time]
initial_step = "1e-4 s"
max_step = "1 s"
max_plastic_strain_increment = 0.05
"""


def pore_case(**overrides: object):
    """An axisymmetric 1 um hemispherical pore under a rigid plate at 3 MPa (creep only)."""
    return with_overrides(resolve_case(tomllib.loads(PORE)), overrides) if overrides else \
        resolve_case(tomllib.loads(PORE))


SHAPES = [
    ("axisymmetric", VoidSpec(0.0, 2e-6, 1e-6)),  # hemisphere
    ("planar", VoidSpec(5e-6, 2e-6, 0.4e-6, "lens")),
    ("planar", VoidSpec(5e-6, 4e-6, 0.5e-6, "rounded_rectangle", 0.5e-6)),  # slit
]


@pytest.mark.parametrize(("kind", "void"), SHAPES, ids=["hemisphere", "lens", "slit"])
def test_outline_lies_on_the_void_and_pairs_with_the_electrolyte_nodes(kind, void):
    axisym = kind == "axisymmetric"
    pts = void_outline(void, axisym, 0.1e-6)
    np.testing.assert_allclose(-pts[:, 1], void_gap(pts[:, 0], void, axisym), atol=1e-13)
    assert np.all(np.diff(pts[:, 0]) < 0)  # one surface point above each x
    g = CellGeometrySpec(kind=kind, h_se=10e-6, h_li=40e-6, width=10e-6, voids=(void,),
                         void_model="explicit")
    cm = build_cell_mesh(MPI.COMM_SELF, g, MeshSizeSpec(0.1e-6, 10e-6, 5e-6))
    V = fem.functionspace(cm.mesh, ("Lagrange", 2))
    x = V.tabulate_dof_coordinates()
    li = x[fem.locate_dofs_topological(V, 1, cm.facet_tags.find(int(FacetTag.VOID_LI)))]
    se = x[fem.locate_dofs_topological(V, 1, cm.facet_tags.find(int(FacetTag.VOID_SE)))]
    assert li.shape == se.shape
    np.testing.assert_allclose(np.sort(li[:, 0]), np.sort(se[:, 0]), atol=1e-15)
    assert np.all(np.abs(se[:, 1]) < 1e-15) and np.all(li[:, 1] <= 1e-15)


def test_validation_of_explicit_voids():
    with pytest.raises(CaseError, match="at most a hemisphere"):
        pore_case(**{"geometry.voids": [{"width": "2 um", "height": "1.2 um",
                                         "shape": "lens"}]})
    with pytest.raises(CaseError, match="corner_radius = height"):
        pore_case(**{"geometry.voids": [{"width": "4 um", "height": "1 um",
                                         "shape": "rounded_rectangle",
                                         "corner_radius": "0.5 um"}]})
    with pytest.raises(CaseError, match="small slopes"):  # the gap model keeps its limit
        pore_case(**{"geometry.void_model": "gap"})
    raw = tomllib.loads(PORE)
    raw["problem"] = "mechanics"
    for section in ("protocol", "vacancy"):
        del raw[section]
    with pytest.raises(CaseError, match="always cut"):
        resolve_case(raw)
    raw["geometry"]["void_model"] = "gap"  # the default is accepted (the voids are cut anyway)
    assert resolve_case(raw).geometry.void_model == "gap"


@pytest.fixture(scope="module")
def pore_run():
    """The pore case run through its protocol on this process (serial)."""
    from ssbx.runs.stripping import Recorder, build_problem, run_protocol, step_control

    case = pore_case()
    problem = build_problem(case, MPI.COMM_SELF)
    first = problem.scalars()
    g0 = problem.g0.copy()
    recorder = Recorder(problem, 5)
    recorder.record(None, None)
    run_protocol(problem, case.protocol.parsed(), step_control(case), recorder, None)
    return case, problem, first, g0


def test_the_gap_is_the_meshed_distance_and_the_pore_volume_is_exact(pore_run):
    case, problem, first, g0 = pore_run
    x = problem.nodes.coords[:, 0]
    exact = void_gap(x, case.geometry.voids[0], axisymmetric=True)
    # outline vertices lie on the sphere, P2 edge midpoints on its chords (inside the sphere)
    inside = x < 1e-6
    on_sphere = np.abs(g0 - exact) < 1e-12
    assert np.count_nonzero(on_sphere & inside) >= np.count_nonzero(inside) // 2
    assert np.all(g0 <= exact + 1e-12)
    assert np.all(g0[~inside] == 0.0)
    volume = 2.0 / 3.0 * math.pi * 1e-6**3
    assert first["void_volume"] == pytest.approx(volume, rel=5e-3)
    assert first["void_depth_max"] == pytest.approx(1e-6, rel=2e-3)  # elastic contact
    assert first["contact_fraction"] == pytest.approx(1.0 - (1.0 / 5.0) ** 2, abs=2e-3)


def test_stripping_around_a_pore_keeps_inventory_pressure_and_no_current_in_it(pore_run):
    _, problem, first, _ = pore_run
    s = problem.scalars()
    assert abs(s["li_inventory_error"]) < 1e-12
    assert s["stack_pressure"] == pytest.approx(3e6, rel=1e-8)
    st = problem.state
    assert np.all(st.current[~st.contact] == 0.0)
    assert np.all(st.gap >= -1e-12)  # the bound holds at every Li surface node
    # 3 MPa creep closes the pore over minutes: the volume falls by some % in 5 s
    assert s["void_volume"] < 0.97 * first["void_volume"]


@pytest.mark.mpi
def test_explicit_pore_on_two_ranks_equals_serial():
    """The first strip steps on COMM_WORLD equal those on COMM_SELF."""
    from ssbx.problems.stripping.state import Load

    case = pore_case()
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        from ssbx.runs.stripping import build_problem

        problem = build_problem(case, comm)
        for _ in range(3):
            rep = problem.try_step(1e-3, Load.current(30.0))
            assert rep.converged, rep.why
            problem.commit()
        results.append((problem.state.gap.copy(), problem.scalars()["void_volume"]))
        problem.close()
    (g_serial, v_serial), (g_par, v_par) = results
    np.testing.assert_allclose(g_par, g_serial, rtol=0, atol=1e-15)
    assert v_par == pytest.approx(v_serial, rel=1e-10)


@pytest.mark.mpi
def test_pore_ccs_quick_benchmark_converges_in_the_time_step(comm, shared_tmp_path):
    """``ssbx bench run pore_ccs --quick``: the closure times of the 1 um pore at 3 MPa change by
    less than 2 % between creep increments 0.1 and 0.03 (measured 0.06 %), on 1 and 2 ranks."""
    import json
    from pathlib import Path

    from ssbx.benchmarks.framework import run_benchmark

    out = Path(shared_tmp_path) / "pore_ccs"
    result = run_benchmark("pore_ccs", comm, None, True, out)
    assert result.passed, result.summary
    if comm.rank == 0:
        data = json.loads((out / "result.json").read_text())
        closure = data["findings"]["closure"]
        t50 = [v["t50_s"] for v in closure.values()]
        assert 60.0 < min(t50) and max(t50) < 300.0  # minutes at 3 MPa, not ms or hours
        assert (out / "pore_ccs.png").stat().st_size > 0


@pytest.mark.parametrize("balance", ["separate", "interface_sink"])
def test_vacancies_around_an_explicit_pore(balance):
    """Vacancy transport on the Li surface with an explicit pore (nodes paired by projection,
    fluxes converted with the surface/projected area): the vacancy inventory closes, the
    interface theta rises under stripping, and with the site balance the sites close too."""
    from ssbx.problems.stripping.state import Load
    from ssbx.runs.stripping import build_problem

    case = pore_case(**{"vacancy.enabled": True, "vacancy.site_balance": balance,
                        "vacancy.interface_sink_velocity": "1e-7 m/s",
                        "vacancy.critical_supersaturation": 1e6})
    problem = build_problem(case, MPI.COMM_SELF)
    vac = problem.vacancies
    assert np.all(vac.area_ratio >= 1.0 - 1e-9) and np.max(vac.area_ratio) > 1.5  # walls
    theta0 = float(np.max(vac.theta_interface))
    for _ in range(5):
        rep = problem.try_step(0.05, Load.current(30.0))
        assert rep.converged, rep.why
        problem.commit()
    s = problem.scalars()
    assert abs(s["vacancy_balance_error"]) < 1e-9
    assert s["vacancy_theta_max"] > theta0
    if balance == "interface_sink":
        assert abs(s["li_inventory_error"]) < 1e-9
    else:
        assert abs(s["li_inventory_error"]) < 1e-12
    problem.close()

