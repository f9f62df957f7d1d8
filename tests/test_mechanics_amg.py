"""The mechanics problem with ``linear_solver="amg"``: CG preconditioned by smoothed-aggregation
AMG (PETSc GAMG) with the rigid-body modes as near-nullspace (:mod:`ssbx.problems.rigid_modes`),
against MUMPS LU on the same problems.

- Elasticity: the Lamé thick sphere (3-D octant, curved tetrahedra) and the Lamé thick cylinder
  (plane strain, quarter annulus) under internal pressure. AMG gives LU's displacement to the CG
  tolerance (~1e-10) and its iteration count stays flat as the mesh is refined (measured: sphere
  26, 27 CG iterations at h = 2.5, 1.25 um; cylinder 48, 53, 53 at eta = 0.2, 0.1, 0.05); with
  the translations alone as near-nullspace (no rotation) the finest cylinder takes 73.
- Creep (Norton n = 3, hollow sphere under outer pressure, 3-D): the same displacements as LU
  to round-off at every step. The CG count per Newton iteration is *not* flat in the time step:
  the consistent tangent of a long creep step is nearly incompressible (its deviatoric part
  falls like 1/dt, the bulk part stays elastic) and GAMG with Jacobi-Chebyshev smoothing slows
  down (measured on the eta = 0.4 mesh: 33, 34, 34, 39, 46, 58, 79, 122 at dt / tau = 0.01 x
  3^k, k = 0..7, and ~660 at 850 tau, with tau = p/(E |Vdot/V|) the time the steady creep takes
  to creep the elastic strain). LU stays the default for that reason; "amg" pays off for large
  meshes and short steps.
"""

from __future__ import annotations

import math

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import ufl
from dolfinx import fem
from test_elastic_3d import MATERIAL, PRESSURE, SIZES, UM, A, B, lame_displacement
from test_pore_collapse import EPS0_DOT, LI, P_OUT, SIGMA0, annulus_mesh, sphere_void_rate
from test_pore_collapse import A as A_PORE
from test_pore_collapse import B as B_PORE

from ssbx.meshes.sphere import SphereTag, build_sphere_octant
from ssbx.physics.creep_laws import PowerLawCreep
from ssbx.problems.mechanics import MechanicsProblem, Symmetry, Traction

SYMMETRY = (SphereTag.SYMMETRY_X, SphereTag.SYMMETRY_Y, SphereTag.SYMMETRY_Z)


def lame_cylinder_displacement(x):
    """The plane-strain cylinder A_PORE <= r <= B_PORE under internal pressure (Timoshenko &
    Goodier 1970, §28, with plane-strain constants): u_r(r) x / r [m]."""
    E, nu, a, b = MATERIAL.E, MATERIAL.nu, A_PORE, B_PORE
    r = ufl.sqrt(ufl.dot(x, x))
    ur = PRESSURE * a**2 * (1 + nu) / (E * (b**2 - a**2)) * ((1 - 2 * nu) * r + b**2 / r)
    return ur * x / r


def _relative_error(prob, displacement):
    """Relative L2 error of u against ``displacement(x)``, a UFL vector of the coordinates."""
    exact = displacement(ufl.SpatialCoordinate(prob.mesh))
    comm = prob.mesh.comm
    err = comm.allreduce(fem.assemble_scalar(fem.form(ufl.dot(prob.u - exact, prob.u - exact)
                                                      * ufl.dx)), op=MPI.SUM)
    ref = comm.allreduce(fem.assemble_scalar(fem.form(ufl.dot(exact, exact) * ufl.dx)),
                         op=MPI.SUM)
    return math.sqrt(err / ref)


def _sphere(comm, size, solver):
    data = build_sphere_octant(comm, B, size, inner_radius=A, order=2)
    prob = MechanicsProblem(
        data.mesh, data.cell_tags, data.facet_tags, kind="3d",
        materials={int(SphereTag.BODY): MATERIAL},
        bcs=[Traction(int(SphereTag.INNER), PRESSURE), *(Symmetry(int(t)) for t in SYMMETRY)],
        linear_solver=solver, prefix=f"amg_sphere_{solver}_{size:.3g}_")
    res = prob.solve_step(0.0)
    assert res.converged, res
    return prob, res


def _amg_against_lu(build, displacement):
    """Solve with LU and with AMG (``build(solver)`` -> (problem, step result)): AMG's relative
    difference from LU, its relative L2 error against ``displacement``, its CG iterations and
    its DOFs."""
    lu, _ = build("lu")
    amg, res = build("amg")
    diff = np.linalg.norm(amg.u.x.array - lu.u.x.array) / np.linalg.norm(lu.u.x.array)
    return diff, _relative_error(amg, displacement), res.linear_iterations, amg.num_dofs()


def test_amg_sphere_matches_lu_with_flat_iterations():
    """3-D Lamé sphere: AMG = LU to 1e-9, both converge to Lamé, CG counts flat."""
    counts = []
    for size in SIZES[:2]:  # 2.5, 1.25 um
        diff, err, its, dofs = _amg_against_lu(
            lambda solver, size=size: _sphere(MPI.COMM_SELF, size, solver), lame_displacement)
        counts.append(its)
        print(f"\nsphere h = {size / UM:g} um: {dofs} dofs, AMG vs LU {diff:.1e}, "
              f"Lamé L2 error {err:.2e}, {its} CG iterations")
        assert diff < 1e-9
        assert err < 1e-2
    assert counts[1] <= 1.3 * counts[0], counts


def _cylinder(eta, solver, near_nullspace=True):
    data = annulus_mesh(MPI.COMM_SELF, eta)
    # the annulus of test_pore_collapse: pore 1 (inner), outer 2, bottom 3, left 4; solid 1
    prob = MechanicsProblem(
        data.mesh, data.cell_tags, data.facet_tags, kind="plane_strain",
        materials={1: MATERIAL}, bcs=[Traction(1, PRESSURE), Symmetry(3), Symmetry(4)],
        linear_solver=solver, prefix=f"amg_cyl_{solver}_{eta:g}_{int(near_nullspace)}_")
    if not near_nullspace:  # the two translations only
        A = prob.problem.A
        vectors = []
        for comp in range(2):
            vec = A.createVecLeft()
            vec.array[comp::2] = 1.0
            vec.normalize()
            vectors.append(vec)
        A.setNearNullSpace(PETSc.NullSpace().create(vectors=vectors, comm=A.getComm()))
    res = prob.solve_step(0.0)
    assert res.converged, res
    return prob, res


def test_amg_plane_strain_cylinder_matches_lu_with_flat_iterations():
    """Plane-strain Lamé cylinder: AMG = LU to 1e-9, converging to Lamé (below 1e-4 on the
    finest mesh, 10x smaller than on the coarsest), CG counts flat over three refinements
    (ratio <= 1.3)."""
    counts, errors = [], []
    for eta in (0.2, 0.1, 0.05):
        diff, err, its, dofs = _amg_against_lu(
            lambda solver, eta=eta: _cylinder(eta, solver), lame_cylinder_displacement)
        counts.append(its)
        print(f"\ncylinder eta = {eta:g}: {dofs} dofs, AMG vs LU {diff:.1e}, "
              f"Lamé L2 error {err:.2e}, {its} CG iterations")
        assert diff < 1e-9
        errors.append(err)
    assert errors[-1] < 1e-4 and errors[0] / errors[-1] > 10.0, errors
    assert max(counts) <= 1.3 * min(counts), counts
    _, plain = _cylinder(0.05, "amg", near_nullspace=False)
    print(f"translations only, without the rotation: {plain.linear_iterations} CG iterations")
    assert plain.linear_iterations > counts[-1]


def test_amg_creep_matches_lu_and_slows_with_long_steps():
    """3-D Norton creep of a hollow sphere: AMG = LU to 1e-9 at every step; the CG count per
    Newton iteration grows with dt (the nearly incompressible creep tangent; module
    docstring)."""
    data = build_sphere_octant(MPI.COMM_SELF, B_PORE, B_PORE, inner_radius=A_PORE, order=2,
                               grading=0.4)
    tau = (P_OUT / LI.E) / abs(sphere_void_rate(A_PORE, B_PORE, P_OUT, 3.0, SIGMA0, EPS0_DOT))
    per_newton: dict[str, list[float]] = {}
    states: dict[str, list[np.ndarray]] = {}
    for solver in ("lu", "amg"):
        prob = MechanicsProblem(
            data.mesh, data.cell_tags, data.facet_tags, kind="3d",
            materials={int(SphereTag.BODY): LI},
            creep={int(SphereTag.BODY): PowerLawCreep.from_norton(EPS0_DOT, SIGMA0, 3.0)},
            bcs=[Traction(int(SphereTag.OUTER), P_OUT), *(Symmetry(int(t)) for t in SYMMETRY)],
            linear_solver=solver, volumetric="displacement",  # the same system for both
            prefix=f"amg_creep_{solver}_")
        assert prob.solve_step(0.0).converged
        prob.commit()
        dt = 1e-2 * tau
        per_newton[solver], states[solver] = [], []
        while dt < 40 * tau:
            res = prob.solve_step(dt)
            assert res.converged, (solver, dt / tau, res)
            prob.commit()
            per_newton[solver].append(res.linear_iterations / max(res.iterations, 1))
            states[solver].append(prob.u.x.array.copy())
            dt *= 3.0
    for lu, amg in zip(states["lu"], states["amg"], strict=True):
        assert np.linalg.norm(amg - lu) / np.linalg.norm(lu) < 1e-9
    counts = per_newton["amg"]
    print(f"\ncreep: CG iterations per Newton iteration at dt/tau = 0.01 x 3^k: "
          f"{[round(c) for c in counts]}")
    assert counts[-1] > 2.0 * counts[0], counts
