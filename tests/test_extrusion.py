"""Extrusion of Li from a crack: the lubrication flux of a J2 creeping solid through a slot
(closed form, quadrature, and a Taylor–Hood finite-element solution of the slot flow)."""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.physics.creep_laws import MASIAS_2019, SizeDependentLiCreep
from ssbx.physics.extrusion import (
    extrusion_limited_pressure,
    plated_volume_rate,
    power_law_slot_flux,
    slot_flux,
)

T = 298.15
A_LI, N_LI = MASIAS_2019.A_eff(T), MASIAS_2019.n


def test_power_law_flux_closed_form_and_newtonian_limit():
    """The quadrature of q = 2 sqrt3 ∫ y g(sqrt3 G y) dy is the closed form; n = 1 with
    A = 1/(3 mu) is plane Poiseuille flow G delta^3 / (12 mu)."""
    G, gap = 5e12, 20e-9  # 500 MPa over 100 nm, a 20 nm opening
    closed = power_law_slot_flux(G, gap, A_LI, N_LI)
    assert slot_flux(G, gap, lambda s: A_LI * s ** N_LI) == pytest.approx(closed, rel=1e-9)
    mu = 1e9
    assert power_law_slot_flux(G, gap, 1.0 / (3.0 * mu), 1.0) == pytest.approx(
        G * gap ** 3 / (12.0 * mu), rel=1e-12)


def test_branches_add_their_fluxes():
    """The size-dependent Li law (dislocation + diffusional branches) moves the sum of the
    fluxes of its branches (the shear stress across the slot does not depend on the law)."""
    law = SizeDependentLiCreep(size=50e-9)
    G, gap = 1e13, 50e-9
    total = slot_flux(G, gap, lambda s: law.rate(s, T))
    parts = (slot_flux(G, gap, lambda s: law.dislocation_rate(s, T))
             + slot_flux(G, gap, lambda s: law.diffusional_rate(s, T)))
    assert total == pytest.approx(parts, rel=1e-9)
    assert total > 0.0


def test_extrusion_limited_pressure_solves_the_balance():
    """The steady pressure balances plating and extrusion (Newtonian check by substitution);
    no plating leaves the mouth pressure; a stiffer Li holds a higher pressure."""
    mu, b, c_delta, p0 = 0.05, 1e-6, 2e-17, 5e6  # p ~ 100 MPa
    volume_rate = plated_volume_rate(1e-2, 12.998e-6)  # 10 mA per m of crack depth

    def newtonian(s: float) -> float:
        return s / (3.0 * mu)

    p = extrusion_limited_pressure(volume_rate, b, c_delta, newtonian, mouth_pressure=p0)
    flux = (p - p0) / b * (c_delta * p) ** 3 / (12.0 * mu)
    assert flux == pytest.approx(volume_rate, rel=1e-5)
    assert extrusion_limited_pressure(0.0, b, c_delta, newtonian, mouth_pressure=p0) == p0
    stiffer = extrusion_limited_pressure(volume_rate, b, c_delta, lambda s: newtonian(s) / 10,
                                         mouth_pressure=p0)
    assert stiffer > p
    assert extrusion_limited_pressure(volume_rate, b, c_delta, lambda s: newtonian(s) * 1e-40,
                                      mouth_pressure=p0, ceiling=1e10) == 1e10


def test_slot_flow_newtonian_is_exact():
    """Plane Poiseuille flow lies in the P2 velocity space: the finite-element flux is the
    closed form to round-off on a 4-cell-wide slot."""
    from ssbx.problems.slot_flow import slot_flow

    result = slot_flow(MPI.COMM_WORLD, 10e-6, 1e-6, 5e6, 1e-9, 1.0, cells_across=4,
                       cells_along=20)
    assert result.flux == pytest.approx(power_law_slot_flux(5e11, 1e-6, 1e-9, 1.0), rel=1e-10)


@pytest.mark.slow
def test_slot_flow_power_law_converges_to_the_lubrication_flux():
    """Masias Li (n = 6.56) through a 1 um slot under 5 MPa over 10 um: the finite-element
    flux converges to the closed form (error < 1 % on 8 cells across, < 0.1 % on 16, falling
    by > 4x per refinement)."""
    from ssbx.problems.slot_flow import slot_flow

    closed = power_law_slot_flux(5e11, 1e-6, A_LI, N_LI)
    errors = [abs(slot_flow(MPI.COMM_WORLD, 10e-6, 1e-6, 5e6, A_LI, N_LI, cells_across=k,
                            cells_along=3 * k).flux / closed - 1.0) for k in (8, 16)]
    assert errors[0] < 0.01
    assert errors[1] < 1e-3
    assert errors[1] < errors[0] / 4
    assert math.isfinite(np.sum(errors))


def test_filament_ohmic_drop_of_a_uniform_slot_and_of_no_current():
    """Uniform opening delta: dV = rho I b / (2 delta); the part beyond the filling carries
    nothing; no current, no drop; a closed segment inside the filling cannot carry it."""
    from ssbx.physics.extrusion import filament_ohmic_drop

    s = np.linspace(0.0, 2e-6, 401)
    delta = np.full_like(s, 50e-9)
    rho, current, b = 92.8e-9, 1e-3, 1e-6
    assert filament_ohmic_drop(s, delta, current, rho, b) == pytest.approx(
        rho * current * b / (2 * 50e-9), rel=1e-9)
    assert filament_ohmic_drop(s, delta, -current, rho, b) == filament_ohmic_drop(
        s, delta, current, rho, b)
    assert filament_ohmic_drop(s, delta, 0.0, rho, b) == 0.0
    closed = delta.copy()
    closed[10:12] = 0.0
    assert filament_ohmic_drop(s, closed, current, rho, b) == math.inf
