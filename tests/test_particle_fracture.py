"""Surface-crack stress intensity in a charging particle and the electrochemical-shock scalings
(:mod:`ssbx.physics.particle_fracture`), and the quick ``electrochemical_shock`` benchmark."""

from __future__ import annotations

import math
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.physics import particle_fracture as pf
from ssbx.physics.intercalation import galvanostatic_concentration


def test_uniform_tension_gives_the_edge_crack_value():
    depths = np.array([1e-3, 0.1, 0.4])
    k = pf.surface_crack_sif(lambda r: np.full_like(r, 2.0e6), 1.0, depths)
    assert k == pytest.approx(1.1215 * 2.0e6 * np.sqrt(math.pi * depths), rel=1e-12)


def test_linear_profile_matches_the_closed_form_integral():
    """sigma = s (1 - (R - r)/a0): int_0^1 (1 - xi a / a0) / sqrt(1 - xi^2) = pi/2 - a / a0."""
    s, a0 = 3.0e6, 0.8
    depths = np.array([0.05, 0.2, 0.5])
    k = pf.surface_crack_sif(lambda r: s * (1.0 - (1.0 - r) / a0), 1.0, depths)
    exact = 1.1215 * 2.0 * np.sqrt(depths / math.pi) * s * (math.pi / 2 - depths / a0)
    assert k == pytest.approx(exact, rel=1e-10)


def test_series_reaches_the_steady_state_and_k_ss():
    x = np.linspace(0.0, 1.0, 11)
    assert pf.galvanostatic_hoop(x, 5.0, 0.2) == pytest.approx(pf.steady_hoop(x, 0.2),
                                                               abs=1e-10)
    k_ss = pf.steady_driving_force()
    small = pf.shock_driving_force(1e-3)  # charge ends at tau = 333: the steady state
    assert small["F"] / 1e-3 == pytest.approx(k_ss, rel=1e-6)
    # the steady surface tension 3/5 Bi acts to a depth where sigma_t changes sign, 1 - 1/sqrt 2
    assert 0.0 < small["depth"] < 1.0 - 1.0 / math.sqrt(2.0)


def test_the_charge_ends_when_the_surface_is_empty():
    for biot in (0.5, 3.0, 30.0):
        tau = pf.surface_depletion_time(biot)
        surface = biot * galvanostatic_concentration(np.array([1.0]), tau)[0][0]
        assert surface == pytest.approx(1.0, rel=1e-9)
        assert pf.charge_end_time(biot) == min(1.0 / (3.0 * biot), tau)
    # small Bi: the surface leads the mean by 0.2 Bi (steady state, c_hat(1) = 3 tau + 1/5)
    assert pf.surface_depletion_time(0.01) == pytest.approx((1.0 / 0.01 - 0.2) / 3.0, rel=1e-9)
    assert pf.charge_end_time(0.01, change=0.5) == pytest.approx(0.5 / 0.03)


def test_map_exponent_and_critical_biot():
    biots = np.array([0.01, 0.02, 0.04])
    assert pf.rate_size_exponent(biots, 7.0 * biots) == pytest.approx([-2.5, -2.5])
    assert pf.rate_size_exponent(biots, np.sqrt(biots)) == pytest.approx([-3.0, -3.0])
    forces = 0.5 * biots
    assert pf.critical_biot(biots, forces, 1.0 / 0.0002 ** 2) == pytest.approx(0.0004)
    assert pf.critical_biot(biots, forces, 1.0 / 0.015 ** 2) == pytest.approx(0.03)
    assert math.isnan(pf.critical_biot(biots, forces, 1.0))
    assert pf.biot_of_c_rate(1.0, 5e-6, 1e-14) == pytest.approx(25e-12 / (10800 * 1e-14))


@pytest.mark.mpi
@pytest.mark.slow
def test_electrochemical_shock_quick(shared_tmp_path):
    """The quick benchmark on 1 or 2 ranks: FE vs series, the steady state, the -5/2 law."""
    from ssbx.benchmarks.framework import run_benchmark

    result = run_benchmark("electrochemical_shock", MPI.COMM_WORLD, None, True,
                           Path(shared_tmp_path) / "bench")
    assert all(c.passed for c in result.checks), [c.to_dict() for c in result.checks]
