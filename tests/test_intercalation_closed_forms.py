"""Closed forms of :mod:`ssbx.physics.intercalation`: the exact PITT series of a sphere with
finite kinetics, where the short-time form of Li et al. (Electrochim. Acta 75 (2012) 56; Tsai
et al., Energy Environ. Sci. 11 (2018) 860, eq. 5) holds and where it fails, the limits
B -> 0 and B -> infinity, the Cheng–Verbrugge (J. Power Sources 190 (2009) 453) stresses, and
the rate limits of Tsai et al. (eqs. 4, 6, 8)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbx.physics import intercalation as ic
from ssbx.physics.particle import LIMN2O4

BIOTS = (0.1, 0.5, 2.0, 5.0, 10.0, 50.0)


def _short_time_error(tau, biot):
    return ic.pitt_current_short_time(tau, biot) / ic.pitt_current_series(tau, biot) - 1.0


def test_eigenvalues_solve_their_equation_one_per_interval():
    for biot in (1e-3, 0.5, 1.0, 7.0, 1e4):
        b = ic.pitt_eigenvalues(biot, 50)
        n = np.arange(1, 51)
        assert np.all((b > (n - 1) * math.pi) & (b < n * math.pi))
        residual = b * np.cos(b) - (1.0 - biot) * np.sin(b)
        assert np.max(np.abs(residual)) < 1e-13 * b[-1] * max(biot, 1)
    lam = ic.galvanostatic_eigenvalues(20)
    assert np.max(np.abs(np.tan(lam) - lam) / lam) < 1e-10
    assert lam[0] == pytest.approx(4.493409457909064, rel=1e-13)


@pytest.mark.parametrize("biot", (*BIOTS, 1.0))
def test_short_time_form_equals_the_series_up_to_tau_0_05(biot):
    for tau in (1e-4, 1e-3, 1e-2, 0.05):
        assert abs(_short_time_error(tau, biot)) < (1e-9), tau


def test_short_time_form_drifts_from_tau_0_1_and_fails_beyond_0_3():
    at_01 = [abs(_short_time_error(0.1, b)) for b in BIOTS]
    assert max(at_01) < 1e-4 and min(at_01) > 1e-6  # 3e-6 .. 5e-5: close, not exact
    at_02 = [abs(_short_time_error(0.2, b)) for b in BIOTS]
    assert 1e-3 <= min(at_02) and max(at_02) <= 1.8e-2  # 0.1 % to 1.7 %
    assert max(abs(_short_time_error(0.3, b)) for b in BIOTS) > 0.15  # -19 % at B = 50
    assert all(ic.pitt_current_short_time(0.5, b) < 0.0 for b in (10.0, 50.0))  # negative
    assert ic.pitt_current_series(0.5, 50.0) > 0.0


@pytest.mark.parametrize("biot", BIOTS)
def test_current_starts_at_the_linearised_kinetic_current(biot):
    """At tau -> 0 the surface is still at c_0: I / (3 D Q / R^2) = B, falling as
    B (1 - 2 B sqrt(tau / pi))."""
    tau = 1e-12
    first_order = 2.0 * biot * math.sqrt(tau / math.pi)
    assert ic.pitt_current_short_time(tau, biot) == pytest.approx(biot * (1 - first_order),
                                                                  rel=1e-3 * first_order)
    assert ic.pitt_current_series(1e-9, biot) == pytest.approx(biot, rel=2e-3 * biot)


def test_interface_limited_limit():
    """B << 1: a well-mixed particle, I = B exp(-3 B tau) (to O(B))."""
    biot = 1e-3
    for tau in (1e-3, 0.1, 1.0, 10.0):
        assert ic.pitt_current_series(tau, biot) == pytest.approx(
            biot * math.exp(-3.0 * biot * tau), rel=5e-4)


def test_diffusion_limited_limit():
    """B -> infinity: the Dirichlet sphere, I = 2 sum exp(-n^2 pi^2 tau), whose short-time form
    is 1 / sqrt(pi tau) - 1."""
    biot = 1e6
    for tau in (1e-3, 1e-2, 0.1, 0.5):
        n = np.arange(1, 2000)
        dirichlet = 2.0 * np.sum(np.exp(-(n * math.pi) ** 2 * tau))
        assert ic.pitt_current_series(tau, biot) == pytest.approx(dirichlet, rel=1e-4)
    for tau in (1e-4, 1e-3):
        assert ic.pitt_current_series(tau, biot) == pytest.approx(
            1.0 / math.sqrt(math.pi * tau) - 1.0, rel=1e-3)


def test_concentration_series_is_consistent_with_the_current():
    """B (1 - u(1)) is the current; the particle mean grows by the integral of 3 x current."""
    biot, tau = 3.0, 0.07
    u_surface = ic.pitt_concentration(np.array([1.0]), tau, biot)[0]
    assert biot * (1.0 - u_surface) == pytest.approx(ic.pitt_current_series(tau, biot),
                                                     rel=1e-10)
    taus = np.linspace(1e-7, tau, 20001)
    current = np.array([ic.pitt_current_series(t, biot) for t in taus[::200]])
    charge = np.trapezoid(current, taus[::200])
    mean = ic.pitt_mean_concentration(np.array([1.0]), tau, biot)[0]
    assert 3.0 * charge == pytest.approx(mean, rel=2e-3)
    profile_mean = ic.pitt_mean_concentration(np.array([0.0, 1e-9, 0.4]), tau, biot)
    centre = ic.pitt_concentration(np.array([0.0]), tau, biot)[0]
    assert profile_mean[0] == pytest.approx(centre, rel=1e-10)
    assert profile_mean[1] == pytest.approx(centre, rel=1e-10)


def test_galvanostatic_concentration_balances_the_influx_and_reaches_the_parabola():
    x = np.array([0.0, 0.3, 0.7, 1.0])
    for tau in (1e-3, 0.05, 0.3):
        c, cbar = ic.galvanostatic_concentration(x, tau)
        assert cbar[-1] == pytest.approx(3.0 * tau, rel=1e-10)  # mean rise 3 J t / R
        assert cbar[0] == pytest.approx(c[0], abs=1e-12)
    c, _ = ic.galvanostatic_concentration(x, 3.0)
    assert np.allclose(c - 9.0, 0.5 * x**2 - 0.3, atol=1e-12)


def test_cheng_verbrugge_stresses():
    """The stresses of a profile: traction-free surface, the surface hoop and centre radial
    forms, mean hydrostatic stress zero, and the galvanostatic steady state."""
    f = LIMN2O4.stress_factor
    x = np.linspace(0.0, 1.0, 2001)
    c, cbar = ic.galvanostatic_concentration(x, 0.02)
    radial, hoop, hydro = ic.sphere_stresses(c, cbar, cbar[-1], f)
    assert radial[-1] == pytest.approx(0.0, abs=1e-12 * f)
    assert hoop[-1] == pytest.approx(3.0 * f * (cbar[-1] - c[-1]), rel=1e-12)
    assert radial[0] == pytest.approx(2.0 * f * (cbar[-1] - c[0]), rel=1e-10)
    assert np.trapezoid(hydro * x**2, x) == pytest.approx(0.0, abs=1e-6 * f)
    influx, radius, d = 1e-5, 5e-6, LIMN2O4.diffusivity
    scale = influx * radius / d
    c, cbar = ic.galvanostatic_concentration(x, 2.0)
    radial, hoop, _ = ic.sphere_stresses(scale * c, scale * cbar, scale * cbar[-1], f)
    steady_r, steady_t = ic.galvanostatic_steady_stresses(x, influx, radius, d, f)
    assert np.allclose(radial, steady_r, rtol=0, atol=1e-9 * abs(steady_r[0]))
    assert np.allclose(hoop, steady_t, rtol=0, atol=1e-9 * abs(steady_r[0]))
    e, nu, omega = LIMN2O4.elastic.E, LIMN2O4.elastic.nu, LIMN2O4.molar_volume
    assert steady_r[0] == pytest.approx(omega * e * influx * radius / (15 * (1 - nu) * d))


def test_effective_diffusivity_and_rate_limits():
    m = LIMN2O4
    d_eff = ic.effective_diffusivity(m.diffusivity, 1e4, m.molar_volume, m.elastic.E,
                                     m.elastic.nu, 298.15)
    theta = 2 * m.molar_volume**2 * m.elastic.E / (9 * (1 - m.elastic.nu) * 8.314462618
                                                   * 298.15)
    assert d_eff == pytest.approx(m.diffusivity * (1 + theta * 1e4), rel=1e-14)
    assert d_eff / m.diffusivity == pytest.approx(1.157, abs=1e-3)
    # B scales with the radius; C_D with 1/R^2; the Biot number is 1 where the two meet
    b5 = ic.biot_number(5e-6, 1.0, -1e-5, 1e-14, 298.15)
    assert ic.biot_number(10e-6, 1.0, -1e-5, 1e-14, 298.15) == pytest.approx(2 * b5)
    assert ic.diffusion_limited_c_rate(5e-6, 1e-14) == pytest.approx(3600 * 1e-14 / 25e-12)
    # C_j: 1 mA/cm^2 at j0 with 2 sinh(F eta / 2RT) = 1, R = 5 um, C_p = 1097 mAh/cm^3
    eta = 2 * 298.15 * 8.314462618 / 96485.33212 * math.asinh(0.5)
    c_j = ic.interface_limited_c_rate(5e-6, 10.0, eta, 1097 * 3.6e6, 298.15)
    # in cm: (3 / 5e-4 cm) 1e-3 A/cm^2 / (1097 x 3.6 C/cm^3) x 3600 s/h = 5.47 per hour
    assert c_j == pytest.approx(3 / 5e-4 * 1e-3 / (1097 * 3.6) * 3600, rel=1e-12)
    assert c_j == pytest.approx(5.47, abs=0.01)
