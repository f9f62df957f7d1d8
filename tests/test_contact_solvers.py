"""The contact solvers of the stripping problem (ssbx.problems.active_set, factor_reuse).

a. The active-set Newton and PETSc's reduced-space VI give the same elastic contact (gap,
   pressure) and the same creep run with a void (void volume, voltage, contact set).
b. The active set keeps the matrix's sparsity: one MUMPS analysis for a whole run, against one
   per Newton iteration for the reduced space.
c. The converged contact satisfies the complementarity conditions: no penetration, no tension,
   pressure only where the gap is closed.
d. The lagged LU factorises less often than it assembles Jacobians and meets the contact
   solve's tolerances.
e. A lagged LU with the reduced space is refused before meshing (and by the problem); the
   hooks' residual is max(F, c (u - g)) on a hand-made vector.
f. A failed linear solve is retried once with a new analysis.
g. The quick contact_solvers benchmark passes; (mpi) 2 ranks = serial.
"""

from __future__ import annotations

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import pytest

from ssbx.meshes.flat_cell import build_flat_cell_mesh
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.physics.constants import LI_MOLAR_VOLUME
from ssbx.physics.creep_laws import MASIAS_2019
from ssbx.physics.elasticity import LI6PS5CL, LITHIUM
from ssbx.physics.kinetics import LinearKinetics
from ssbx.problems.active_set import UpperBoundActiveSet
from ssbx.problems.current import CurrentSettings
from ssbx.problems.stripping.problem import StrippingProblem
from ssbx.problems.stripping.state import Load, StrippingSettings

H_SE, H_LI, WIDTH = 20e-6, 10e-6, 40e-6
VOID = VoidSpec(center=20e-6, width=16e-6, height=0.4e-6)


def make_problem(comm, solver, factorization="fresh", dimension=2):
    geo = CellGeometrySpec(kind="planar", dimension=dimension, h_se=H_SE, h_li=H_LI,
                           width=WIDTH if dimension == 2 else 12e-6, depth=12e-6,
                           voids=(VOID,) if dimension == 2 else ())
    cell = build_flat_cell_mesh(comm, geo, MeshSizeSpec(size_fine=2e-6, size_coarse=8e-6))
    current = CurrentSettings(conductivity=0.2, kinetics=LinearKinetics(2e-4),
                              molar_volume=LI_MOLAR_VOLUME)
    settings = StrippingSettings(current=current, li=LITHIUM, creep=MASIAS_2019,
                                 electrolyte=LI6PS5CL, pressure=1e6, voids=geo.voids,
                                 contact_solver=solver, contact_factorization=factorization)
    problem = StrippingProblem(cell, settings)
    problem.initialize()
    return problem


#: fixed steps (current [A/m^2], dt [s], steps): both solvers take the same steps, so their
#: results differ by the solvers only (adaptive steps would add the time-stepping error of
#: different step sequences: ~2 % in the void volume here)
SCHEDULE = ((10.0, 0.05, 60), (0.0, 0.5, 20))


def strip_and_rest(problem):
    rows = []
    for current, dt, steps in SCHEDULE:
        for _ in range(steps):
            previous = problem.state
            report = problem.try_step(dt, Load.current(current))
            assert report.converged, report.why
            problem.commit()
            rows.append(problem.scalars(previous, report) | {"voltage": report.voltage,
                                                            "newton": report.newton})
    return rows


def lu_analyses():
    return int(PETSc.Log.Event("MatLUFactorSym").getPerfInfo()["count"])


@pytest.fixture(scope="module")
def runs():
    """Both solvers (and the lagged LU) on the same 2-D void: initial state and a run."""
    PETSc.Log.begin()
    out = {}
    for solver, factorization in (("reduced_space", "fresh"), ("active_set", "fresh"),
                                  ("active_set", "lagged")):
        problem = make_problem(MPI.COMM_SELF, solver, factorization)
        initial = {"gap": problem.state.gap.copy(), "pressure": problem.state.pressure.copy(),
                   "contact": problem.state.contact.copy()}
        before = lu_analyses()
        rows = strip_and_rest(problem)
        reuse = problem.mechanics.factor_reuse
        out[(solver, factorization)] = {
            "initial": initial, "rows": rows, "state": problem.state,
            "analyses": lu_analyses() - before, "newton": sum(r["newton"] for r in rows),
            "jacobians": None if reuse is None else reuse.jacobians,
            "factorizations": None if reuse is None else reuse.factorizations,
            "g": problem._obstacle(problem.state.removed, problem.state.deflection),
            "uy": problem._interface_uy(), "weights": problem.nodes.weights,
            "area": problem.area, "tolerance": problem.settings.contact_tolerance,
        }
        problem.close()
    return out


def test_active_set_gives_the_reduced_space_elastic_contact(runs):
    ref, new = runs[("reduced_space", "fresh")]["initial"], runs[("active_set", "fresh")]["initial"]
    assert np.array_equal(ref["contact"], new["contact"])
    assert np.max(np.abs(new["gap"] - ref["gap"])) <= 1e-9 * VOID.height
    scale = np.max(np.abs(ref["pressure"]))
    assert np.max(np.abs(new["pressure"] - ref["pressure"])) <= 1e-7 * scale


@pytest.mark.parametrize("factorization", ["fresh", "lagged"])
def test_active_set_run_agrees_with_the_reduced_space(runs, factorization):
    ref, new = runs[("reduced_space", "fresh")], runs[("active_set", factorization)]
    tol = 1e-9 if factorization == "fresh" else 1e-6  # the lagged LU: inexact Newton steps
    strip = SCHEDULE[0][2] - 1
    for a, b in zip(ref["rows"], new["rows"], strict=True):
        assert b["contact_fraction"] == a["contact_fraction"]
        assert abs(b["void_volume"] - a["void_volume"]) <= tol * ref["rows"][0]["void_volume"]
    a, b = ref["rows"][strip], new["rows"][strip]
    assert abs(b["voltage"] - a["voltage"]) <= tol * abs(a["voltage"])
    assert max(abs(r["li_inventory_error"]) for r in new["rows"]) < 1e-12


def test_active_set_analyses_once(runs):
    """Fixed sparsity: one symbolic LU of the Li mechanics for the whole run (the current
    problem's LU is analysed once too), against one per Newton iteration of the reduced space."""
    assert runs[("active_set", "fresh")]["analyses"] <= 2
    assert runs[("reduced_space", "fresh")]["analyses"] >= runs[("reduced_space", "fresh")][
        "newton"] // 2


@pytest.mark.parametrize("factorization", ["fresh", "lagged"])
def test_converged_contact_is_complementary(runs, factorization):
    run = runs[("active_set", factorization)]
    st = run["state"]
    gap = run["g"] - run["uy"]
    assert np.min(gap) >= -1e-12  # no penetration [m]
    p_scale = 1e6 * run["area"] / np.sum(run["weights"])
    assert np.min(st.pressure) >= -1e-6 * p_scale  # no tension
    # pressure only where the gap is closed
    open_ = gap > 10 * run["tolerance"]
    assert np.all(np.abs(st.pressure[open_]) <= 1e-6 * p_scale)


def test_lagged_lu_factorises_less_often(runs):
    run = runs[("active_set", "lagged")]
    assert run["factorizations"] < 0.8 * run["jacobians"]


def test_failed_linear_solve_is_retried_with_a_new_analysis(monkeypatch):
    """A Newton solve whose linear solve fails (here GMRES allowed no iteration) is repeated
    once after the PC is reset; the retry converges once the linear solver works again."""
    from ssbx.problems.mechanics import MechanicsProblem

    problem = make_problem(MPI.COMM_SELF, "active_set", "lagged")
    ksp = problem.mechanics.problem.solver.getKSP()
    ksp.setTolerances(max_it=0)
    resets = []
    original = MechanicsProblem._reset_linear_solver

    def reset(self):
        resets.append(1)
        original(self)
        ksp.setTolerances(max_it=100)

    monkeypatch.setattr(MechanicsProblem, "_reset_linear_solver", reset)
    report = problem.try_step(1e-3, Load.current(10.0))
    assert report.converged, report.why
    assert resets == [1]
    problem.close()


def test_lagged_lu_with_reduced_space_is_refused(tmp_path):
    from ssbx.case import CaseError, load_case

    case = tmp_path / "case.toml"
    case.write_text('problem = "stripping"\n[contact]\nsolver = "reduced_space"\n'
                    'factorization = "lagged"\n')
    with pytest.raises(CaseError, match=r"contact\.factorization"):
        load_case(case)


def test_lagged_lu_with_reduced_space_is_refused_by_the_problem():
    from ssbx.errors import StrippingError

    with pytest.raises(StrippingError, match="lagged LU"):
        make_problem(MPI.COMM_SELF, "reduced_space", "lagged")


def test_active_set_residual_is_the_complementarity_function():
    """max(F, c (u - g)) at the bounded dofs, F elsewhere; the Jacobian rows of the active dofs
    become c_i e_i (c_i = |J_ii| of the previous Jacobian)."""
    comm = MPI.COMM_SELF
    n = 4
    J = PETSc.Mat().createAIJ([n, n], nnz=n, comm=comm)
    for i in range(n):
        for j in range(n):
            J.setValue(i, j, 2.0 if i == j else -0.5)
    J.assemble()
    upper = PETSc.Vec().createWithArray(np.array([0.0, 0.0, 1.0, PETSc.INFINITY]), comm=comm)
    hook = UpperBoundActiveSet(comm, upper, [J])
    x = PETSc.Vec().createWithArray(np.array([0.0, -1.0, 1.5, 7.0]), comm=comm)
    b = PETSc.Vec().createWithArray(np.array([-3.0, -3.0, 4.0, 5.0]), comm=comm)
    hook.residual(x, b)  # no scale yet: active on the bound and pushed up (0), or past it (2)
    assert np.allclose(b.array, [0.0, -3.0, 0.5, 5.0])  # dof 2 past its bound: active
    hook.jacobian(J, None)
    assert np.allclose(J.getValues(range(n), range(n))[0], [2.0, 0.0, 0.0, 0.0])
    b = PETSc.Vec().createWithArray(np.array([-3.0, -3.0, 0.5, 5.0]), comm=comm)
    # c = 2: dof 0 max(-3, 0) = 0; dof 1 max(-3, -2) = -2 (pushed up by 3, 1 below its bound
    # at a stiffness 2: predicted to reach it, active); dof 2 max(0.5, 1) = 1; dof 3 unbounded
    hook.residual(x, b)
    assert np.allclose(b.array, [0.0, -2.0, 1.0, 5.0])
    assert hook.active_count == 3
    for obj in (J, upper, x, b):
        obj.destroy()


def test_quick_benchmark_passes(tmp_path):
    """The quick contact_solvers benchmark: three solvers on one 2-D run, the same answers."""
    from ssbx.benchmarks.framework import run_benchmark

    result = run_benchmark("contact_solvers", MPI.COMM_SELF, None, True, tmp_path / "bench")
    assert all(c.passed for c in result.checks), [c.to_dict() for c in result.checks]
    assert len(result.findings["differences"]) == 2


@pytest.mark.mpi
def test_active_set_parallel_equals_serial():
    """The 2-D void, 2 ranks against COMM_SELF: the same contact after a strip and a rest."""
    comm = MPI.COMM_WORLD
    if comm.size < 2:
        pytest.skip("needs 2 ranks")
    out = []
    for c in (comm, MPI.COMM_SELF):
        problem = make_problem(c, "active_set", "fresh")
        rows = strip_and_rest(problem)
        out.append((rows[-1]["void_volume"], rows[-1]["voltage"], len(rows)))
        problem.close()
    (v1, u1, n1), (v0, u0, n0) = out
    assert n1 == n0
    assert abs(v1 - v0) <= 1e-8 * v0
    assert abs(u1 - u0) <= 1e-8 * abs(u0)
