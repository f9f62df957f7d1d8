"""A particle embedded in a solid-electrolyte matrix with frictionless unilateral contact
(:mod:`ssbx.physics.particle_contact`, :mod:`ssbx.problems.embedded_particle`): the concentric-
sphere closed forms, the FE shell against them (bonded, closed and open contact, convergence),
the unit cell on 1 and 2 ranks, bad input, and the quick ``cathode_contact_loss`` benchmark."""

from __future__ import annotations

import math
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.particle_contact import (
    concentric_sphere,
    contact_loss_pressure,
    contact_loss_volume_strain,
    linear_strain,
)

R = 5e-6
OUTER = 3.0 * R
PARTICLE = ElasticMaterial("particle", 199e9, 0.25)
MATRIX = ElasticMaterial("matrix", 22e9, 0.30)
VOLUME_CHANGE = -0.02
EPS = linear_strain(VOLUME_CHANGE)


def test_linear_strain_of_a_volume_change():
    assert (1.0 + linear_strain(-0.078)) ** 3 == pytest.approx(1.0 - 0.078, rel=1e-14)
    with pytest.raises(ValueError, match="-1"):
        linear_strain(-1.0)


def test_dilute_limit_is_independent_of_the_particle():
    """b -> infinity: the closing pressure tends to 12 K mu |eps| / (3K + 4 mu) of the matrix,
    whatever the particle's moduli."""
    dilute = contact_loss_pressure(EPS, MATRIX)
    for particle in (PARTICLE, ElasticMaterial("soft", 5e9, 0.35)):
        far = concentric_sphere(R, 1e4 * R, particle, MATRIX, EPS, 0.0)
        assert far.closing_pressure == pytest.approx(dilute, rel=1e-9)
    assert contact_loss_pressure(-EPS, MATRIX) == 0.0  # a swelling particle stays in contact
    p = 25e6
    k, mu = MATRIX.bulk_modulus, MATRIX.shear_modulus
    shrink = contact_loss_volume_strain(p, MATRIX)
    assert contact_loss_pressure(linear_strain(-shrink), MATRIX) == pytest.approx(p, rel=1e-12)
    assert shrink == pytest.approx(p * (3 * k + 4 * mu) / (4 * k * mu), rel=1e-2)  # small eps


def test_concentric_sphere_satisfies_its_equations():
    """Closed: continuous displacement and radial stress at a, -p at b; open: a free particle,
    a traction-free inner surface, and a positive gap; the closing pressure separates them."""
    closing = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, 0.0).closing_pressure
    km, mum, kp = MATRIX.bulk_modulus, MATRIX.shear_modulus, PARTICLE.bulk_modulus
    for p in (0.5 * closing, 1.5 * closing):
        s = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, p)
        a = s.matrix_displacement  # u_m(R) = A R + B / R^2; with u_m(b) solve for A, B
        big_b = (a - s.outer_displacement * R / OUTER) / (1.0 / R**2 - R / OUTER**3)
        big_a = (a - big_b / R**2) / R
        assert 3 * km * big_a - 4 * mum * big_b / OUTER**3 == pytest.approx(-p, rel=1e-9)
        inner = 3 * km * big_a - 4 * mum * big_b / R**3
        assert inner == pytest.approx(s.interface_stress, abs=1e-9 * p)
        if s.in_contact:
            assert p > closing and s.interface_stress < 0.0 and s.gap == 0.0
            assert s.matrix_displacement == pytest.approx(s.particle_strain * R, rel=1e-12)
            assert 3 * kp * (s.particle_strain - EPS) == pytest.approx(inner, rel=1e-9)
        else:
            assert p < closing and s.interface_stress == 0.0 and s.particle_strain == EPS
            assert s.gap == pytest.approx(s.matrix_displacement - EPS * R, rel=1e-12)
            assert s.gap > 0.0
    bonded = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, 0.0, bonded=True)
    assert bonded.in_contact and bonded.interface_stress > 0.0  # tension: it would open


@pytest.fixture(scope="module")
def shell():
    from ssbx.problems.embedded_particle import EmbeddedGeometry

    return EmbeddedGeometry.shell(MPI.COMM_WORLD, R, OUTER, R / 4, interface_size=R / 8)


@pytest.mark.mpi
def test_bonded_shell_matches_lame(shell):
    from ssbx.problems.embedded_particle import EmbeddedParticleProblem

    problem = EmbeddedParticleProblem(shell, PARTICLE, MATRIX, interface="bonded")
    problem.set_volume_change(VOLUME_CHANGE)
    state = problem.solve()
    exact = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, 0.0, bonded=True)
    # the traction n.sigma.n = -(contact pressure), tensile here
    assert -state.mean_contact_pressure == pytest.approx(exact.interface_stress, rel=1e-3)
    assert state.particle_strain == pytest.approx(exact.particle_strain, rel=1e-4)
    assert state.contact_fraction == 1.0 and abs(state.mean_gap) < 1e-4 * abs(EPS) * R  # penalty


@pytest.mark.mpi
def test_contact_closes_above_and_opens_below_the_closing_pressure(shell):
    from ssbx.problems.embedded_particle import EmbeddedParticleProblem

    problem = EmbeddedParticleProblem(shell, PARTICLE, MATRIX)
    problem.set_volume_change(VOLUME_CHANGE)
    closing = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, 0.0).closing_pressure
    for factor in (0.5, 1.5, 0.5):  # open, closed, and open again from the closed state
        problem.set_pressure(factor * closing)
        state = problem.solve()
        exact = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, factor * closing)
        assert state.newton_iterations <= 8
        if factor > 1.0:
            assert state.contact_fraction == 1.0
            assert state.mean_contact_pressure == pytest.approx(-exact.interface_stress,
                                                                rel=2e-3)
            assert state.particle_strain == pytest.approx(exact.particle_strain, rel=1e-4)
        else:
            assert state.contact_fraction == 0.0 and state.mean_contact_pressure == 0.0
            assert state.mean_gap == pytest.approx(exact.gap, rel=1e-3)
            assert state.max_gap == pytest.approx(exact.gap, rel=1e-3)
            assert state.particle_strain == pytest.approx(EPS, rel=1e-9)  # a free particle
        assert state.matrix_displacement == pytest.approx(exact.matrix_displacement, rel=1e-3)


def test_contact_pressure_converges_under_refinement():
    """Closed contact at 1.5x the closing pressure, h = R/2, R/4, R/8 (P2, curved): the
    contact pressure's error falls at least as h^2."""
    from ssbx.problems.embedded_particle import EmbeddedGeometry, EmbeddedParticleProblem

    exact0 = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, 0.0)
    p = 1.5 * exact0.closing_pressure
    exact = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, p)
    errors = []
    for k in (2, 4, 8):
        geometry = EmbeddedGeometry.shell(MPI.COMM_WORLD, R, OUTER, R / k,
                                          interface_size=R / (2 * k))
        problem = EmbeddedParticleProblem(geometry, PARTICLE, MATRIX)
        problem.set_pressure(p)
        problem.set_volume_change(VOLUME_CHANGE)
        state = problem.solve()
        errors.append(abs(state.mean_contact_pressure + exact.interface_stress)
                      / abs(exact.interface_stress))
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert errors[-1] < 1e-4
    assert np.all(rates > 2.0), (errors, rates)


@pytest.mark.mpi
def test_three_dimensional_shell_converges_to_lame():
    """The octant of the shell in 3-D (P1 tetrahedra, nodal contact on their faces), h = R/2
    and R/4: closed at 1.5x and open at 0.5x the closing pressure; the errors of the contact
    pressure and of the gap fall (measured: 9.5 % -> 3.1 % and 6.7 % -> 2.4 %, 0.8 % and
    0.7 % at R/8)."""
    from ssbx.problems.embedded_particle import EmbeddedGeometry, EmbeddedParticleProblem

    closing = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, 0.0).closing_pressure
    errors = []
    for k in (2, 4):
        geometry = EmbeddedGeometry.shell_3d(MPI.COMM_WORLD, R, OUTER, R / k,
                                             interface_size=R / (2 * k))
        problem = EmbeddedParticleProblem(geometry, PARTICLE, MATRIX)
        assert problem.degree == 1 and problem.kind == "3d"
        problem.set_volume_change(VOLUME_CHANGE)
        problem.set_pressure(1.5 * closing)
        closed = problem.solve()
        exact = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, 1.5 * closing)
        assert closed.contact_fraction == 1.0
        problem.set_pressure(0.5 * closing)
        opened = problem.solve()
        gap = concentric_sphere(R, OUTER, PARTICLE, MATRIX, EPS, 0.5 * closing).gap
        assert opened.contact_fraction == 0.0
        errors.append((abs(closed.mean_contact_pressure + exact.interface_stress) / closing,
                       abs(opened.mean_gap - gap) / gap))
    assert errors[1][0] < 0.05 and errors[1][1] < 0.04, errors
    assert errors[1][0] < 0.5 * errors[0][0] and errors[1][1] < 0.5 * errors[0][1], errors
    with pytest.raises(ValueError, match="degree must be 1"):
        EmbeddedParticleProblem(geometry, PARTICLE, MATRIX, degree=2)


def _cell_states(comm: MPI.Comm) -> list:
    from ssbx.problems.embedded_particle import EmbeddedGeometry, EmbeddedParticleProblem

    geometry = EmbeddedGeometry.cell(comm, R, 1.2 * R, 1.2 * R, R / 3, interface_size=R / 12)
    problem = EmbeddedParticleProblem(geometry, PARTICLE, MATRIX)
    problem.set_pressure(50e6)
    return problem.run([0.0, -0.01, -0.03, -0.01])


@pytest.mark.mpi
def test_unit_cell_partial_contact_is_the_same_on_every_rank_count():
    """The unit cell at 50 MPa through partial contact and back: the states on the world
    communicator equal those of a serial solve (COMM_SELF) on each rank."""
    world = _cell_states(MPI.COMM_WORLD)
    serial = _cell_states(MPI.COMM_SELF)
    fractions = [s.contact_fraction for s in world]
    assert fractions[0] == 1.0 and 0.0 < fractions[1] < 1.0 and fractions[2] < fractions[1]
    assert fractions[3] == pytest.approx(fractions[1], abs=1e-12)  # elastic: no memory
    for a, b in zip(world, serial, strict=True):
        for key in ("contact_fraction", "mean_gap", "max_gap", "mean_contact_pressure",
                    "particle_strain", "cell_volume_change", "particle_volume_change"):
            x, y = getattr(a, key), getattr(b, key)
            assert x == pytest.approx(y, rel=1e-8, abs=1e-12 * max(abs(y), 1e-30)), key


def test_bad_input_is_refused_before_meshing():
    from ssbx.meshes.embedded_particle import build_particle_in_cell, build_particle_in_shell
    from ssbx.problems.embedded_particle import EmbeddedParticleProblem

    with pytest.raises(ValueError, match="enclose the particle"):
        build_particle_in_shell(MPI.COMM_WORLD, R, R, R / 4)
    with pytest.raises(ValueError, match="width"):
        build_particle_in_cell(MPI.COMM_WORLD, R, 0.5 * R, 2 * R, R / 4)
    with pytest.raises(ValueError, match="positive"):
        build_particle_in_shell(MPI.COMM_WORLD, R, 2 * R, -1.0)
    with pytest.raises(ValueError, match="interface must be one of"):
        EmbeddedParticleProblem(None, PARTICLE, MATRIX, interface="glued")  # type: ignore


@pytest.mark.mpi
@pytest.mark.slow
def test_cathode_contact_loss_quick(shared_tmp_path):
    """The quick benchmark on 1 or 2 ranks: FE vs the closed form, reversibility."""
    from ssbx.benchmarks.framework import run_benchmark

    result = run_benchmark("cathode_contact_loss", MPI.COMM_WORLD, None, True,
                           Path(shared_tmp_path) / "bench")
    assert all(c.passed for c in result.checks), [c.to_dict() for c in result.checks]
    assert math.isfinite(result.findings["pressures"]["100 MPa"]["end_thickness_fraction"])
