"""Anisotropic lattice strain of layered-oxide grains (:class:`ssbx.physics.particle.LatticeStrain`)
in the finite-element particle:

- one grain (c-axis along z) at a uniform lithiation change strains freely: no stress, the
  displacement is ``eps_ch x``, to round-off;
- a spherical grain with a uniaxial eigenstrain in an inert concentric matrix (R = 10 a)
  against Eshelby's uniform interior stress of an inclusion in an infinite body (Eshelby, Proc.
  R. Soc. A 241 (1957) 376; the finite outer radius changes it by O((a/R)^3) = 1e-3);
- a random polycrystal (``ssbx.meshes.grains``) has misfit stresses of the order E Delta eps
  with exactly zero volume means of the normal stresses (a traction-free body with rollers:
  the FE equilibrium tested with v = x e_i), the same microstructure on every rank.
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from lattice_particles import C_MAX, KINETICS, LATTICE, M, misfit_solve

from ssbx.meshes.grains import random_polycrystal
from ssbx.meshes.sphere import SphereTag, build_sphere_octant
from ssbx.physics.particle import (
    LatticeStrain,
    SurfaceKinetics,
    TabulatedLatticeStrain,
    TabulatedOCV,
    linear_ocv,
)
from ssbx.problems.particle import ParticleGeometry, ParticleProblem, c_axis_field


def octant_geometry(data, radius):
    return ParticleGeometry(data.mesh, data.facet_tags, "3d", (int(SphereTag.OUTER),),
                            ((int(SphereTag.SYMMETRY_X), 0), (int(SphereTag.SYMMETRY_Y), 1),
                             (int(SphereTag.SYMMETRY_Z), 2)), radius)


def test_a_single_grain_strains_freely():
    R = 5e-6
    geometry = ParticleGeometry.sphere_octant(MPI.COMM_WORLD, R, R / 3)
    problem = misfit_solve(geometry, c_axis_field(geometry.mesh, (0.0, 0.0, 1.0)))
    points = np.array([[0.2 * R, 0.3 * R, 0.1 * R], [0.5 * R, 0.1 * R, 0.6 * R]])
    stress = problem.stress_at(points)
    u = problem.displacement()
    dx = -0.5
    x = ufl.SpatialCoordinate(geometry.mesh)
    expected = ufl.as_vector([LATTICE.alpha_a * dx * x[0], LATTICE.alpha_a * dx * x[1],
                              LATTICE.alpha_c * dx * x[2]])
    error = fem.assemble_scalar(fem.form(ufl.inner(u - expected, u - expected) * ufl.dx))
    norm = fem.assemble_scalar(fem.form(ufl.inner(expected, expected) * ufl.dx))
    problem.close()
    scale = M.elastic.E * abs(LATTICE.alpha_c * dx)
    assert np.max(np.abs(stress)) < 1e-8 * scale
    assert np.sqrt(MPI.COMM_WORLD.allreduce(error, op=MPI.SUM)
                   / MPI.COMM_WORLD.allreduce(norm, op=MPI.SUM)) < 1e-10


#: a and c [Angstrom] against x, shaped like a Ni-rich oxide's: c grows on delithiation, then
#: collapses below x = 0.3 (illustrative values; only ratios enter)
TABLE = TabulatedLatticeStrain((0.0, 0.3, 0.6, 1.0), (2.81, 2.83, 2.85, 2.87),
                               (14.0, 14.45, 14.4, 14.2))


@pytest.mark.mpi
def test_a_tabulated_lattice_strains_a_single_grain_freely():
    """At x = 0.2 from x = 1, the strains are the table's ratios: a(0.2)/a(1) - 1 across and
    c(0.2)/c(1) - 1 along the c-axis (c on the collapse branch, below its starting value)."""
    R = 5e-6
    geometry = ParticleGeometry.sphere_octant(MPI.COMM_WORLD, R, R / 3)
    problem = misfit_solve(geometry, c_axis_field(geometry.mesh, (0.0, 0.0, 1.0)),
                           lattice=TABLE, lithiation=0.2)
    eps_a = (2.81 + 0.2 / 0.3 * 0.02) / 2.87 - 1.0
    eps_c = (14.0 + 0.2 / 0.3 * 0.45) / 14.2 - 1.0
    assert eps_c > 0.0 > eps_a  # c = 14.3 > 14.2: not yet collapsed below the start
    stress = problem.stress_at(np.array([[0.2 * R, 0.3 * R, 0.1 * R]]))
    u = problem.displacement()
    x = ufl.SpatialCoordinate(geometry.mesh)
    expected = ufl.as_vector([eps_a * x[0], eps_a * x[1], eps_c * x[2]])
    error = fem.assemble_scalar(fem.form(ufl.inner(u - expected, u - expected) * ufl.dx))
    norm = fem.assemble_scalar(fem.form(ufl.inner(expected, expected) * ufl.dx))
    problem.close()
    assert np.max(np.abs(stress)) < 1e-8 * M.elastic.E * abs(eps_c)
    assert np.sqrt(MPI.COMM_WORLD.allreduce(error, op=MPI.SUM)
                   / MPI.COMM_WORLD.allreduce(norm, op=MPI.SUM)) < 1e-10


@pytest.mark.mpi
def test_a_linear_table_is_the_linear_lattice_strain():
    """Tables a0 (1 + alpha (x - 1)) give LatticeStrain(alpha_a, alpha_c) exactly (x_ref = 1):
    the same misfit stresses in an 8-grain polycrystal."""
    R = 5e-6
    geometry = ParticleGeometry.sphere_octant(MPI.COMM_WORLD, R, R / 3)
    axis = c_axis_field(geometry.mesh, random_polycrystal(8, R, 3, octant=True).axis_at)
    xs = (0.0, 0.5, 1.0)
    table = TabulatedLatticeStrain(xs, tuple(2.87 * (1 + LATTICE.alpha_a * (x - 1)) for x in xs),
                                   tuple(14.2 * (1 + LATTICE.alpha_c * (x - 1)) for x in xs))
    points = np.array([[0.2 * R, 0.3 * R, 0.1 * R], [0.5 * R, 0.1 * R, 0.6 * R]])
    stresses = []
    for lattice in (LATTICE, table):
        problem = misfit_solve(geometry, axis, lattice=lattice, lithiation=0.6)
        stresses.append(problem.stress_at(points))
        problem.close()
    scale = np.max(np.abs(stresses[0]))
    assert scale > 1e6
    assert np.max(np.abs(stresses[1] - stresses[0])) < 1e-10 * scale


def test_tables_of_unequal_length_are_refused():
    with pytest.raises(ValueError, match="one a and one c value per lithiation"):
        TabulatedLatticeStrain((0.0, 1.0), (2.8, 2.9), (14.0,))
    with pytest.raises(ValueError, match="positive"):
        TabulatedLatticeStrain((0.0, 1.0), (2.8, 0.0), (14.0, 14.2))


def test_anisotropic_inclusion_matches_eshelby():
    a = 1e-6
    data = build_sphere_octant(MPI.COMM_WORLD, 10 * a, 2.5 * a, order=2, grading=0.15,
                               inclusion_radius=a)
    geometry = octant_geometry(data, 10 * a)
    inclusion = data.cell_tags.find(int(SphereTag.INCLUSION))
    axis = c_axis_field(data.mesh, (0.0, 0.0, 1.0), cells=inclusion)
    lattice = LatticeStrain(0.0, 0.02)  # a uniaxial eigenstrain along z, none in the matrix
    problem = misfit_solve(geometry, axis, lattice=lattice, lithiation=0.9)
    points = np.array([[0.1 * a, 0.2 * a, 0.3 * a], [0.5 * a, 0.1 * a, 0.2 * a],
                       [0.2 * a, 0.5 * a, 0.4 * a]])
    stress = problem.stress_at(points)
    problem.close()
    nu, lam, mu = M.elastic.nu, M.elastic.lame_lambda, M.elastic.shear_modulus
    eigen = np.diag([0.0, 0.0, 0.02 * -0.1])
    s1, s2 = (5 * nu - 1) / (15 * (1 - nu)), (4 - 5 * nu) / (15 * (1 - nu))
    strain = s1 * np.trace(eigen) * np.eye(3) + 2 * s2 * eigen
    exact = lam * np.trace(strain - eigen) * np.eye(3) + 2 * mu * (strain - eigen)
    scale = abs(exact[2, 2])
    for row in stress:
        assert row[:3] == pytest.approx(np.diag(exact), abs=3e-3 * scale)
        assert np.max(np.abs(row[3:])) < 3e-3 * scale
    print(f"Eshelby: interior sigma_zz {stress[:, 2] / 1e6} MPa, exact {exact[2, 2] / 1e6:.4f}")


@pytest.mark.mpi
def test_polycrystal_misfit_stresses_balance():
    R = 5e-6
    geometry = ParticleGeometry.sphere_octant(MPI.COMM_WORLD, R, R / 6)
    polycrystal = random_polycrystal(20, R, seed=3, octant=True)
    problem = misfit_solve(geometry, c_axis_field(geometry.mesh, polycrystal.axis_at))
    msh = geometry.mesh

    def integral(expr):
        return msh.comm.allreduce(fem.assemble_scalar(fem.form(expr * ufl.dx)), op=MPI.SUM)

    # the equilibrium residual tested with v = x e_i (admissible with the rollers)
    sig = problem.stress_expression
    means = [integral(sig[i]) for i in range(3)]
    size = integral(ufl.sqrt(ufl.dot(sig, sig)))
    _, volume, principal = problem.cell_stresses()
    problem.close()
    scale = M.elastic.E * 0.5 * abs(LATTICE.alpha_c - LATTICE.alpha_a)
    rms = np.sqrt(msh.comm.allreduce(np.sum(volume * principal**2), op=MPI.SUM)
                  / msh.comm.allreduce(np.sum(volume), op=MPI.SUM))
    print(f"polycrystal: normal-stress means / size {np.array(means) / size}, max principal "
          f"RMS {rms / 1e6:.1f} MPa (E |da - dc| / 1 = {scale / 1e6:.0f} MPa)")
    assert max(abs(m) for m in means) < 1e-9 * size
    assert 0.05 * scale < rms < scale
    again = random_polycrystal(20, R, seed=3, octant=True)
    assert np.array_equal(again.axes, polycrystal.axes)
    assert np.array_equal(msh.comm.bcast(polycrystal.seeds, root=0), polycrystal.seeds)


@pytest.mark.mpi
def test_steps_of_one_length_under_a_current_keep_the_lu_factors():
    """A state-free Jacobian (constant D, no drift, linear lattice strain) under a current:
    the steps after the first of each length and BDF weights reuse the factorisation, with
    the same result as factorising at every step; a held potential factorises every time."""
    R = 5e-6
    geometry = ParticleGeometry.sphere_octant(MPI.COMM_WORLD, R, R / 3)
    axis = c_axis_field(geometry.mesh, random_polycrystal(8, R, 1, octant=True).axis_at)
    dt = 0.02 * R ** 2 / M.diffusivity
    results = {}
    for reuse in (True, False):
        problem = ParticleProblem(geometry, M, KINETICS, initial_concentration=C_MAX, degree=1,
                                  mechanics=True, lattice=LATTICE, c_axis=axis,
                                  options_prefix=f"reuse_{reuse}_")
        problem._state_free_jacobian = reuse  # False: factorise at every step
        problem.apply_current_density(-5.0)
        for _ in range(4):  # backward Euler, then BDF2 at the same length
            problem.step(dt)
        problem.step(0.5 * dt)
        problem.step(0.5 * dt)
        results[reuse] = (problem.w.x.array.copy(), problem.factorisations)
        problem.hold_potential(4.0)
        before = problem.factorisations
        problem.step(0.5 * dt)
        held = problem.factorisations - before
        problem.close()
    assert results[True][1] == 4  # BE; BDF2 at dt; BDF2 at dt / 2 (new weights); dt / 2
    assert results[False][1] == 6
    kept, fresh = results[True][0], results[False][0]
    if MPI.COMM_WORLD.size == 1:
        assert np.array_equal(kept, fresh)  # the same factors: the same bits
    else:  # MUMPS's parallel factorisations may differ in the last bits from run to run
        np.testing.assert_allclose(kept, fresh, rtol=1e-10, atol=1e-12 * np.abs(fresh).max())
    assert held >= 1


def test_a_potential_step_with_linear_kinetics_keeps_the_lu_factors():
    """Held potential, linearised kinetics, a straight OCV, constant j0: the Jacobian is
    state-free, so steps of one length share a factorisation (bitwise the same result);
    Butler-Volmer proper or a tabulated OCV of three points factorise at every step."""
    R = 5e-6
    geometry = ParticleGeometry.sphere_meridian(MPI.COMM_WORLD, R, R / 6, surface_size=R / 30)
    linear = SurfaceKinetics(1e-2, linear_ocv(4.0, 0.5 * C_MAX, -1e-5), linearised=True)
    dt = 1e-3 * R ** 2 / M.diffusivity
    results = {}
    for reuse in (True, False):
        problem = ParticleProblem(geometry, M, linear, initial_concentration=0.5 * C_MAX,
                                  degree=2, mechanics=False,
                                  options_prefix=f"pitt_reuse_{reuse}_")
        problem._state_free_jacobian = reuse
        problem.hold_potential(3.99)
        for _ in range(5):
            problem.step(dt)
        results[reuse] = (problem.w.x.array.copy(), problem.factorisations)
        problem.close()
    assert results[True][1] == 2 and results[False][1] == 5
    assert np.array_equal(results[True][0], results[False][0])
    assert linear.linear_in_concentration
    assert not SurfaceKinetics(1e-2, linear_ocv(4.0, C_MAX, -1e-5)).linear_in_concentration
    table = TabulatedOCV((0.2, 0.5, 1.0), (4.2, 4.0, 3.9), C_MAX)
    assert not SurfaceKinetics(1e-2, table, linearised=True).linear_in_concentration
    two = TabulatedOCV((0.2, 1.0), (4.2, 3.9), C_MAX)
    assert SurfaceKinetics(1e-2, two, linearised=True).linear_in_concentration
