"""The rigid, force-controlled collector (``fixture.type = "rigid_plate"``,
:class:`ssbx.problems.mechanics.RigidPlate`): one extra unknown, the plate displacement, fixed by
the force balance; the plate does not bend."""

from __future__ import annotations

import itertools

from mpi4py import MPI

import numpy as np
import pytest
from cases import example, tiny_stripping

from ssbx.case import with_overrides
from ssbx.meshes.cell import build_cell_mesh
from ssbx.meshes.tags import CellTag, FacetTag
from ssbx.problems.mechanics import RIGID_PLATE_RTOL, run_quasistatic
from ssbx.setup import build_mechanics_problem, materials_of


def hold_case(**overrides: object):
    """examples/pressure_hold.toml (axisymmetric, Li 100 um on 300 um Li6PS5Cl, 25 MPa),
    laterally confined, coarse, with a rigid plate."""
    return with_overrides(example("pressure_hold.toml"), {
        "fixture.type": "rigid_plate", "fixture.sides": "symmetry",
        "mesh.size_fine": "40 um", "mesh.size_coarse": "50 um", **overrides})


@pytest.mark.mpi
def test_confined_elastic_column_matches_the_closed_form(comm):
    """Uniaxial strain under the plate: delta = -p (h_li / M_li + h_se / M_se), M = K + 4G/3,
    and the plate carries exactly the pressure asked for (serial and 2 ranks)."""
    case = hold_case(**{"mechanics.li_model": "elastic", "fixture.loading_time": 0.0})
    cm = build_cell_mesh(comm, case.geometry, case.mesh)
    res = build_mechanics_problem(case, cm, prefix="ssbx_t_rigid_el_").solve_step(0.0)
    assert res.converged
    p = case.fixture.pressure
    assert res.plate_pressure == pytest.approx(p, rel=10 * RIGID_PLATE_RTOL)
    materials, _ = materials_of(case)
    m = {tag: mat.lame_lambda + 2.0 * mat.shear_modulus for tag, mat in materials.items()}
    g = case.geometry
    closed = -p * (g.h_li / m[int(CellTag.LITHIUM)] + g.h_se / m[int(CellTag.ELECTROLYTE)])
    assert res.plate_displacement == pytest.approx(closed, rel=1e-10)


def test_creeping_hold_keeps_the_force_and_the_plate_advances():
    """Power-law Li under a 25 MPa rigid plate for 10 min: every step carries the pressure
    (after the 10 s ramp) while the plate keeps advancing as the Li creeps."""
    case = hold_case(**{"fixture.loading_time": "10 s", "time.end": "10 min"})
    cm = build_cell_mesh(MPI.COMM_SELF, case.geometry, case.mesh)
    problem = build_mechanics_problem(case, cm, prefix="ssbx_t_rigid_creep_")
    t = case.time
    steps = run_quasistatic(problem, t.end, t.initial_step, dt_min=t.min_step,
                            dt_max=t.max_step, max_dp=t.max_plastic_strain_increment)
    held = [s for s in steps if s.time >= 10.0]
    assert held and held[-1].time == pytest.approx(600.0)
    for s in held:
        assert s.plate_pressure == pytest.approx(25e6, rel=10 * RIGID_PLATE_RTOL)
    travel = [s.plate_displacement for s in held]
    assert all(b <= a for a, b in itertools.pairwise(travel))  # compressing: u_n < 0
    assert travel[-1] < travel[0]  # creep moved the plate


def test_stripping_with_a_rigid_collector_holds_pressure_and_inventory():
    """The tiny strip / rest / plate case with a rigid collector: the plate stays flat (one
    displacement), carries the stack pressure and the Li inventory closes to round-off."""
    from ssbx.runs.stripping import Recorder, build_problem, run_protocol, step_control

    case = with_overrides(tiny_stripping(), {"fixture.type": "rigid_plate"})
    problem = build_problem(case, MPI.COMM_SELF)
    recorder = Recorder(problem, 5)
    recorder.record(None, None)
    run_protocol(problem, case.protocol.parsed(), step_control(case), recorder, None)
    s = problem.scalars()
    assert s["stack_pressure"] == pytest.approx(case.fixture.pressure,
                                                rel=10 * RIGID_PLATE_RTOL)
    assert abs(s["li_inventory_error"]) < 1e-12
    mech = problem.mechanics
    facets = mech.facet_tags.find(int(FacetTag.LI_BOTTOM))
    from dolfinx import fem

    dofs = fem.locate_dofs_topological(mech.V.sub(1), mech.mesh.topology.dim - 1, facets)
    uy = mech.u.x.array[dofs]
    assert uy.size and np.ptp(uy) < 1e-15  # a rigid plate: one displacement


def test_the_plate_displacement_is_part_of_the_checkpoint_state():
    case = hold_case(**{"mechanics.li_model": "elastic", "fixture.loading_time": 0.0})
    cm = build_cell_mesh(MPI.COMM_SELF, case.geometry, case.mesh)
    problem = build_mechanics_problem(case, cm, prefix="ssbx_t_rigid_ck_")
    assert problem.solve_step(0.0).converged
    problem.commit()
    state = problem.checkpoint_state()
    delta = state["rigid_plate"][0]
    assert delta != 0.0
    other = build_mechanics_problem(case, cm, prefix="ssbx_t_rigid_ck2_")
    other.checkpoint_fields(np.arange(0))  # sets up what restore needs
    other.restore_checkpoint(state)
    assert other._rigid_delta == delta
