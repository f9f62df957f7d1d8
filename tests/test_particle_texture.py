"""Whole spheres, textured grains and grain-boundary tractions of cathode particles:

- the whole sphere (no mirror planes) held by isostatic point supports: a uniform chemical
  strain leaves it stress-free, and a random polycrystal's misfit stresses have zero volume
  means (the supports carry no load), the same on 1 and 2 ranks;
- a sphere whose c-axes point along the radius, against the closed form of a radially textured
  sphere (``ssbx.physics.intercalation.radially_textured_sphere``: stresses ∝ ln r), with the
  error falling under refinement;
- grain-boundary tractions: the staircase of facets between two hemispherical grains projects
  onto the bisector plane with the area of the disc, and a polycrystal whose grains all share
  one c-axis has no traction on any boundary;
- textures: the seeds do not depend on the texture; radial and tangential axes are radial and
  tangential;
- the iterative solver (FGMRES around an AMG field split) gives the direct solution, in the
  octant and the whole sphere, on 1 and 2 ranks.
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from lattice_particles import C_MAX, KINETICS, LATTICE, M, misfit_solve

from ssbx.meshes.grains import Polycrystal, random_polycrystal
from ssbx.meshes.sphere import sphere_supports
from ssbx.physics.intercalation import radially_textured_sphere
from ssbx.physics.particle import LatticeStrain
from ssbx.problems.particle import (
    ParticleGeometry,
    ParticleProblem,
    c_axis_field,
    radial_points,
)

R = 5e-6


@pytest.fixture(scope="module")
def whole_sphere():
    return ParticleGeometry.sphere(MPI.COMM_WORLD, R, 0.2 * R)


def mean_stress(problem):
    comm = problem.comm
    sigma = problem.stress_expression
    volume = comm.allreduce(fem.assemble_scalar(fem.form(1.0 * ufl.dx(
        domain=problem.geometry.mesh))), op=MPI.SUM)
    return np.array([comm.allreduce(fem.assemble_scalar(fem.form(sigma[i] * ufl.dx)),
                                    op=MPI.SUM) for i in range(6)]) / volume


@pytest.mark.mpi
def test_whole_sphere_supports_carry_no_load(whole_sphere):
    """One grain strains freely (zero stress); 30 random grains have misfit stresses of order
    E Delta eps whose volume means vanish (a self-equilibrated body on isostatic supports)."""
    single = misfit_solve(whole_sphere, c_axis_field(whole_sphere.mesh, (0.0, 0.6, 0.8)),
                    prefix="texture_single_")
    _, _, principal = single.cell_stresses()
    scale = M.elastic.E * 0.5 * abs(LATTICE.alpha_c)
    top = MPI.COMM_WORLD.allreduce(float(np.max(np.abs(principal))), op=MPI.MAX)
    assert top < 1e-8 * scale
    u = single.displacement()
    assert np.max(np.abs(u.x.array)) > 1e-3 * R * 0.5 * abs(LATTICE.alpha_c)  # it moved
    single.close()

    poly = random_polycrystal(30, R, 4)
    problem = misfit_solve(whole_sphere, c_axis_field(whole_sphere.mesh, poly.axis_at),
                     prefix="texture_poly_")
    value, _ = problem.largest_principal_stress()
    assert value > 0.05 * scale
    assert np.max(np.abs(mean_stress(problem))) < 1e-10 * value
    problem.close()


def test_support_points_are_isostatic():
    """Six components: three at the centre, two and one on the x and y axes."""
    supports = sphere_supports(R)
    assert sum(len(components) for _, components in supports) == 6
    assert supports[0] == ((0.0, 0.0, 0.0), (0, 1, 2))
    with pytest.raises(ValueError, match="radius > 0"):
        ParticleGeometry.sphere(MPI.COMM_WORLD, 0.0, 1e-6)


def radial_errors(size):
    """Errors of the FE sphere with c-axes along the radius (exact directions, P2
    displacement) against the closed form, relative to the stress scale k and the strain
    difference: (u_r / r at r/R = 0.3-0.99, sigma_r and sigma_t at r/R = 0.5-0.99)."""
    geometry = ParticleGeometry.sphere_octant(MPI.COMM_WORLD, R, size)
    x = ufl.SpatialCoordinate(geometry.mesh)
    axis = x / ufl.sqrt(ufl.dot(x, x) + (1e-12 * R) ** 2)
    lattice = LatticeStrain(0.0, -0.02)  # on delithiation by 0.5: +1 % along the radius
    problem = misfit_solve(geometry, axis, lattice=lattice, prefix=f"texture_radial_{size:g}_")
    d = -0.02 * (0.5 - 1.0)
    E, nu = M.elastic.E, M.elastic.nu
    k = 2.0 * E * d / (3.0 * (1.0 - nu))
    xs = np.array([0.3, 0.5, 0.7, 0.9, 0.99])
    e = np.ones(3) / np.sqrt(3.0)
    t = np.array([1.0, -1.0, 0.0]) / np.sqrt(2.0)
    points = radial_points((0.0, 0.0, 0.0), e, R, xs)
    m = problem.stress_at(points)
    s = 1.0 / np.sqrt(2.0)
    tensors = np.stack([np.stack([m[:, 0], s * m[:, 3], s * m[:, 5]], 1),
                        np.stack([s * m[:, 3], m[:, 1], s * m[:, 4]], 1),
                        np.stack([s * m[:, 5], s * m[:, 4], m[:, 2]], 1)], 1)
    radial = np.einsum("i,nij,j->n", e, tensors, e)
    hoop = np.einsum("i,nij,j->n", t, tensors, t)
    from ssbx.problems.particle import _values_at

    problem._ensure_tree()
    u = _values_at(problem.displacement(), points, problem._tree) @ e
    exact_r, exact_t, exact_u = radially_textured_sphere(xs, d, E, nu)
    problem.close()
    return (np.max(np.abs(u / (xs * R) - exact_u)) / d,
            np.max(np.abs(radial - exact_r)[1:]) / k, np.max(np.abs(hoop - exact_t)[1:]) / k)


def test_radially_textured_sphere_against_the_closed_form():
    """Measured: u_r / r 1.9e-3 -> 3.5e-4 of the strain difference, sigma_r 1.7e-2 -> 8.8e-3
    of k, sigma_t 2.9e-2 -> 7.6e-3 (h = R/8 -> R/16)."""
    coarse = radial_errors(R / 8)
    fine = radial_errors(R / 16)
    print("radial texture errors (u, sigma_r, sigma_t):", coarse, fine)
    assert fine[0] < 1e-3 and fine[1] < 1.5e-2 and fine[2] < 1.5e-2
    assert fine[0] < 0.5 * coarse[0] and fine[2] < 0.5 * coarse[2]


def test_closed_form_of_the_textured_sphere():
    """Surface traction-free, equilibrium d(r^2 sigma_r)/dr = 2 r sigma_t, and the shell strain
    at the surface the mean strain (alpha + 2 beta) / 3 (beta = 0)."""
    x = np.linspace(0.05, 1.0, 2001)
    radial, hoop, shell = radially_textured_sphere(x, 0.01, 100e9, 0.3)
    assert radial[-1] == pytest.approx(0.0, abs=1e-6)
    lhs = np.gradient(x ** 2 * radial, x)
    assert np.max(np.abs(lhs - 2 * x * hoop)[5:-5]) < 1e-5 * np.max(np.abs(hoop))
    assert shell[-1] == pytest.approx(0.01 / 3.0)
    assert radial[0] < 0.0 < hoop[-1]  # alpha > beta: centre compressed, surface hoop tension


@pytest.mark.mpi
def test_grain_boundary_tractions(whole_sphere):
    """Two hemispherical grains: the boundary facets project onto the plane x = 0 with the
    disc's area pi R^2 (to the polyhedral surface's error); one shared c-axis: no traction."""
    halves = Polycrystal(np.array([[-0.5 * R, 0.0, 0.0], [0.5 * R, 0.0, 0.0]]),
                         np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]))
    problem = misfit_solve(whole_sphere, c_axis_field(whole_sphere.mesh, halves.axis_at),
                     prefix="texture_halves_")
    radius, area, traction = problem.grain_boundary_tractions(halves)
    comm = MPI.COMM_WORLD
    total = comm.allreduce(float(np.sum(area)), op=MPI.SUM)
    assert total == pytest.approx(np.pi * R ** 2, rel=0.03)
    assert comm.allreduce(int(radius.size), op=MPI.SUM) > 50
    assert comm.allreduce(float(np.max(radius, initial=0.0)), op=MPI.MAX) <= R * (1 + 1e-9)
    assert comm.allreduce(float(np.max(np.abs(traction), initial=0.0)), op=MPI.MAX) < \
        1e-6 * M.elastic.E * 0.01
    problem.close()

    crossed = Polycrystal(halves.seeds, np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]))
    problem = misfit_solve(whole_sphere, c_axis_field(whole_sphere.mesh, crossed.axis_at),
                     prefix="texture_crossed_")
    _, area2, traction2 = problem.grain_boundary_tractions(crossed)
    mean = comm.allreduce(float(np.sum(area2 * traction2)), op=MPI.SUM) / total
    # the boundary carries self-equilibrated tractions: normal force ~0, local values not
    assert comm.allreduce(float(np.max(np.abs(traction2), initial=0.0)), op=MPI.MAX) > \
        1e-3 * M.elastic.E * 0.01
    assert abs(mean) < 0.2 * comm.allreduce(float(np.max(np.abs(traction2), initial=0.0)),
                                            op=MPI.MAX)
    problem.close()


def test_textures():
    """Same seeds for every texture; radial axes along the seed, tangential ones across it."""
    random = random_polycrystal(40, R, 3)
    radial = random_polycrystal(40, R, 3, texture="radial")
    tangential = random_polycrystal(40, R, 3, texture="tangential")
    assert np.array_equal(random.seeds, radial.seeds)
    assert np.array_equal(random.seeds, tangential.seeds)
    direction = radial.seeds / np.linalg.norm(radial.seeds, axis=1)[:, None]
    assert np.allclose(np.abs(np.sum(radial.axes * direction, axis=1)), 1.0)
    assert np.allclose(np.sum(tangential.axes * direction, axis=1), 0.0, atol=1e-12)
    assert np.allclose(np.linalg.norm(tangential.axes, axis=1), 1.0)
    with pytest.raises(ValueError, match="texture must be one of"):
        random_polycrystal(4, R, 0, texture="fibre")


@pytest.mark.mpi
@pytest.mark.parametrize("body", ["octant", "whole"])
def test_iterative_solver_gives_the_direct_solution(body):
    """A charge of a 24-grain particle, 3 steps: the iterative solver (FGMRES, AMG field
    split) gives LU's fields to 1e-9 with one Newton iteration per step and keeps its AMG
    set-up as LU keeps its factors (two set-ups: backward Euler, then BDF2)."""
    comm = MPI.COMM_WORLD
    geometry = (ParticleGeometry.sphere_octant(comm, R, 0.25 * R) if body == "octant"
                else ParticleGeometry.sphere(comm, R, 0.3 * R))
    poly = random_polycrystal(24, R, 1, octant=body == "octant")
    fields = {}
    for solver in ("direct", "iterative"):
        problem = ParticleProblem(geometry, M, KINETICS, initial_concentration=0.9 * C_MAX,
                                  degree=1, lattice=LATTICE,
                                  c_axis=c_axis_field(geometry.mesh, poly.axis_at),
                                  linear_solver=solver, options_prefix=f"texture_{solver}_")
        problem.apply_current_density(-2.0)
        states = [problem.step(60.0) for _ in range(3)]
        assert all(s.newton_iterations == 1 for s in states)
        assert problem.factorisations == 2
        fields[solver] = problem.w.x.array.copy()
        problem.close()
    scale = np.max(np.abs(fields["direct"]))
    assert np.max(np.abs(fields["iterative"] - fields["direct"])) < 1e-9 * scale


def test_iterative_solver_refuses_what_it_cannot_solve():
    geometry = ParticleGeometry.sphere_meridian(MPI.COMM_WORLD, R, R / 4)
    with pytest.raises(ValueError, match="iterative solver needs a 3-D particle"):
        ParticleProblem(geometry, M, KINETICS, initial_concentration=C_MAX,
                        linear_solver="iterative")
    with pytest.raises(ValueError, match="linear_solver must be one of"):
        ParticleProblem(geometry, M, KINETICS, initial_concentration=C_MAX,
                        linear_solver="cg")
