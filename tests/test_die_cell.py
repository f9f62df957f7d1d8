"""The finite-element die cell (:mod:`ssbx.problems.die_cell`): a power-law Li foil squeezed by
the plunger of a pellet die and extruded into the plunger clearance.

Verifies the reduced die law of the stack model (the foil's bonded squeeze film in series with
the clearance's slot flow, :func:`ssbx.physics.squeeze_flow.die_extrusion_thinning_rate`), the
FE's mass balance, its power-law homogeneity, serial = 2 ranks, and the FE thinning law driving
the stack model (the rigid-gap relaxation closed form).
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.meshes.die_cell import DieCellGeometry, die_cell_grid
from ssbx.physics import squeeze_flow as sf
from ssbx.physics.creep_laws import MASIAS_2019
from ssbx.physics.stack_elements import FixedGap, MetalFoil
from ssbx.physics.stack_model import Segment, StackModel
from ssbx.problems.die_cell import DieCellThinning, die_cell_flow

N, A = MASIAS_2019.n, 1e-45
GEOMETRY = DieCellGeometry(radius=2e-3, thickness=100e-6, clearance=25e-6,
                           clearance_length=1e-3)
"""A small die (R/h = 20, δ/h = 0.25, L/δ = 40): film and clearance resist comparably."""
SERIES_TOLERANCE = 0.04
"""|p̄_reduced / p̄_FE - 1| accepted (the reduced law ignores the flow's turn into the
clearance; measured -2.6 %, and -2.9 % at R/h = 50, mesh-converged to 0.3 %)."""


@pytest.fixture(scope="module")
def solved():
    """The FE die cell at one plunger speed (shared by the tests)."""
    return die_cell_flow(MPI.COMM_WORLD, GEOMETRY, 1e-10, A, N)


def test_the_grid_fits_the_section():
    """The tensor grid starts on the axis and the pellet, ends on the die wall and the
    clearance's top, and puts nodes on the plunger's radius and face."""
    r, z = die_cell_grid(GEOMETRY)
    g = GEOMETRY
    assert (r[0], r[-1], z[0], z[-1]) == (0.0, g.radius, 0.0, g.top)
    assert np.min(np.abs(r - g.plunger_radius)) < 1e-12 * g.radius
    assert np.min(np.abs(z - g.thickness)) < 1e-12 * g.radius
    assert np.all(np.diff(r) > 0.0) and np.all(np.diff(z) > 0.0)
    with pytest.raises(ValueError, match="clearance < radius"):
        DieCellGeometry(1e-3, 1e-4, 2e-3, 1e-3)


@pytest.mark.mpi
def test_fe_die_cell_verifies_the_series_die_law(solved):
    """The plunger pressure of the FE cell against the reduced laws at the same rate: the series
    of the bonded film and the clearance within SERIES_TOLERANCE (the clearance alone is ~12 %
    low, the film alone ~90 %); the metal leaving the clearance equals the volume the plunger
    displaces (to 1e-9)."""
    g, V = GEOMETRY, 1e-10
    p = solved.mean_pressure

    def pressure_for(rate_at_p):  # the reduced law's pressure at the rate V (homogeneity)
        return p * (V / rate_at_p) ** (1.0 / N)

    series = pressure_for(sf.power_law_die_extrusion_thinning_rate(
        p, g.radius, g.clearance, g.clearance_length, A, N, thickness=g.thickness))
    slot = pressure_for(sf.power_law_die_extrusion_thinning_rate(
        p, g.radius, g.clearance, g.clearance_length, A, N))
    film = pressure_for(sf.power_law_bonded_thinning_rate(p, g.radius, g.thickness, A, N))
    assert abs(series / p - 1.0) < SERIES_TOLERANCE
    assert series < p  # the turn into the clearance costs some pressure
    assert slot / p < 0.92 and film / p < 0.2
    assert solved.exit_flux_ratio == pytest.approx(1.0, abs=1e-9)
    assert solved.newton_iterations <= 6


@pytest.mark.mpi
def test_fe_die_cell_pressure_is_homogeneous_in_the_rate(comm, solved):
    """A power law: ten times the speed needs 10^(1/n) times the pressure (the scaled pressure
    P* is one number of the geometry), on 1 or 2 ranks alike (to 1e-8)."""
    faster = die_cell_flow(comm, GEOMETRY, 1e-9, A, N)
    assert faster.scaled_pressure == pytest.approx(solved.scaled_pressure, rel=1e-8)
    assert faster.mean_pressure / solved.mean_pressure == pytest.approx(10 ** (1 / N), rel=1e-8)
    assert solved.scaled_pressure == pytest.approx(SERIAL_SCALED_PRESSURE, rel=1e-8)


SERIAL_SCALED_PRESSURE = 160.8873377
"""P* of GEOMETRY on one rank (the serial run of this module); 2 ranks must agree."""


def test_fe_thinning_law_drives_the_stack_model(comm):
    """The FE die law in the stack model: one Li layer at a rigid gap relaxes as
    dp/dt = -M A (p / P*)^n, i.e. p = [p0^(1-n) + (n-1) c t]^(1/(1-n)), c = M A P*^-n, to the
    first-order error of backward Euler; the foil's rate is the FE law's."""
    law = DieCellThinning(comm, MASIAS_2019, GEOMETRY.radius, GEOMETRY.clearance,
                          GEOMETRY.clearance_length, [GEOMETRY.thickness])
    T, M, p0 = 298.15, 10e9, 25e6
    foil = MetalFoil("Li", GEOMETRY.thickness, M, creep=MASIAS_2019, thinning_law=law)
    A_T = MASIAS_2019.A_eff(T)
    P = law.scaled_pressure(GEOMETRY.thickness)
    assert foil.creep_strain_rate(p0, 90e-6, T) == pytest.approx(A_T * (p0 / P) ** N, rel=1e-12)
    c = M * A_T * P ** (-N)
    t_end = 100.0 * p0 ** (1 - N) / ((N - 1) * c)
    h = StackModel([foil], FixedGap(), temperature=T).run([Segment(t_end, 0.0, 400)], p0)
    exact = (p0 ** (1 - N) + (N - 1) * c * t_end) ** (1 / (1 - N))
    assert h.pressure[-1] == pytest.approx(exact, rel=2e-3)
    assert math.isclose(exact / p0, 0.44, abs_tol=0.01)
