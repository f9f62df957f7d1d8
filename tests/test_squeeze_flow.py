"""Squeeze flow of a creeping foil between plates (ssbx.physics.squeeze_flow): the slab
friction hill and the bonded thin-film law, checked against quadrature, Stefan's law and the
finite-element flow of the foil (ssbx.problems.squeeze_flow)."""

from __future__ import annotations

import itertools
import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.physics import squeeze_flow as sf
from ssbx.physics.creep_laws import MASIAS_2019

H = 100e-6  # foil thickness [m]
A_EFF = 1e-20  # power-law prefactor [1/(s Pa^n)] (any: the problems are scaled)


def _mean(profile: np.ndarray, r: np.ndarray, radius: float) -> float:
    """2/R² ∫ p r dr by the trapezoidal rule on a fine grid."""
    return float(2.0 / radius ** 2 * np.trapezoid(profile * r, r))


@pytest.mark.parametrize("friction", [0.0, 0.005, 0.02, 0.1, 0.3, 0.6])
def test_slab_factor_is_the_mean_of_the_friction_hill(friction):
    """The closed-form friction factor equals the quadrature of the hill p(r) in the sliding,
    mixed and sticking regimes (R/h = 50), and the hill is continuous at r_s."""
    R = 50 * H
    r = np.linspace(0.0, R, 400_001)
    p = sf.slab_pressure(r, R, H, friction)
    assert sf.slab_friction_factor(R, H, friction) == pytest.approx(_mean(p, r, R), rel=1e-8)
    r_s = sf.sticking_radius(R, H, friction)
    if 0.0 < r_s < R:
        left, right = sf.slab_pressure(np.array([r_s * (1 - 1e-12), r_s]), R, H, friction)
        assert left == pytest.approx(right, rel=1e-9)
        assert right == pytest.approx(1.0 / (math.sqrt(3.0) * friction), rel=1e-12)
    assert p[-1] == pytest.approx(1.0)  # the free edge is at the flow stress


def test_slab_limits():
    """No friction: F = 1; small β: F = 1 + β/3; pure sliding: 2 (e^β - 1 - β)/β²; sticking
    everywhere (√3 μ >= 1): F = 1 + 2R/(3√3 h); the factor grows with μ and R/h."""
    assert sf.slab_friction_factor(50 * H, H, 0.0) == 1.0
    beta = 2 * 1e-4 * 50
    assert sf.slab_friction_factor(50 * H, H, 1e-4) == pytest.approx(1 + beta / 3, rel=1e-5)
    beta = 2 * 0.02 * 50  # sliding everywhere: R - r_s = h/(2μ) ln(1/(√3 μ)) > R
    assert sf.sticking_radius(50 * H, H, 0.02) == 0.0
    assert sf.sticking_radius(50 * H, H, 0.05) == pytest.approx(
        50 * H - H / 0.1 * math.log(1 / (math.sqrt(3) * 0.05)), rel=1e-12)
    assert sf.slab_friction_factor(50 * H, H, 0.02) == pytest.approx(
        2 * (math.exp(beta) - 1 - beta) / beta ** 2, rel=1e-12)
    assert sf.slab_friction_factor(50 * H, H, 0.6) == pytest.approx(
        1 + 2 * 50 / (3 * math.sqrt(3)), rel=1e-12)
    mus = [0.0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6]
    factors = [sf.slab_friction_factor(50 * H, H, m) for m in mus]
    assert all(b > a for a, b in itertools.pairwise(factors))
    assert sf.slab_friction_factor(100 * H, H, 0.1) > sf.slab_friction_factor(50 * H, H, 0.1)


def test_friction_for_factor_inverts_the_factor_and_refuses_the_impossible():
    for mu in (0.003, 0.05, 0.2):
        assert sf.friction_for_factor(sf.slab_friction_factor(50.0, 1.0, mu), 50.0) == \
            pytest.approx(mu, rel=1e-9)
    with pytest.raises(ValueError, match="exceed"):
        sf.friction_for_factor(0.9, 50.0)
    with pytest.raises(ValueError, match="sticking limit"):
        sf.friction_for_factor(1e3, 50.0)
    with pytest.raises(ValueError, match="friction coefficient"):
        sf.sticking_radius(1.0, 1.0, -0.1)


def test_bonded_power_law_is_stefan_for_a_newtonian_fluid():
    """n = 1, A = 1/(3 η): V = 2 h³ p̄ / (3 η R²) (Stefan 1874)."""
    eta, p, R = 1e9, 1e6, 20 * H
    V = sf.power_law_bonded_thinning_rate(p, R, H, 1.0 / (3.0 * eta), 1.0)
    assert V == pytest.approx(2 * H ** 3 * p / (3 * eta * R ** 2), rel=1e-12)


@pytest.mark.parametrize("n", [1.0, 3.0, 6.56])
def test_bonded_general_law_matches_the_power_law_closed_form(n):
    """The general-law lubrication integral (slot flux inverted at each radius) reproduces
    the closed form, and the closed-form hill has the mean p̄."""
    R, p = 50 * H, 3e6
    def rate(s: float) -> float:
        return A_EFF * s ** n
    V = sf.power_law_bonded_thinning_rate(p, R, H, A_EFF, n)
    assert sf.bonded_mean_pressure(V, R, H, rate) == pytest.approx(p, rel=1e-6)
    assert sf.bonded_thinning_rate(p, R, H, rate) == pytest.approx(V, rel=1e-5)
    r = np.linspace(0.0, R, 200_001)
    hill = sf.power_law_bonded_pressure(r, V, R, H, A_EFF, n)
    assert _mean(hill, r, R) == pytest.approx(p, rel=1e-6)
    assert hill[-1] == 0.0


def test_a_thin_li_foil_creeps_at_a_small_fraction_of_the_stack_pressure():
    """Masias Li at 30 C, 100 um foil of radius 5 mm under 2.2 MPa: the uniaxial estimate
    σ = p thins it fastest; friction slows it; a bonded foil is slowest and its effective
    stress is a small fraction of p (what the uniaxial estimate misses)."""
    T, p, R = 303.15, 2.2e6, 5e-3
    def rate(s: float) -> float:
        return MASIAS_2019.rate(s, T)
    free = sf.frictionless_thinning_rate(p, H, rate)
    sliding = sf.slab_thinning_rate(p, R, H, 0.05, rate)
    bonded = sf.bonded_thinning_rate(p, R, H, rate)
    assert free > sliding > bonded > 0.0
    fraction = sf.effective_stress(bonded, H, lambda e: MASIAS_2019.stress_for_rate(e, T)) / p
    closed = sf.power_law_bonded_thinning_rate(p, R, H, MASIAS_2019.A_eff(T),
                                               MASIAS_2019.n)
    assert bonded == pytest.approx(closed, rel=1e-5)
    assert fraction == pytest.approx((bonded / free) ** (1 / MASIAS_2019.n), rel=1e-9)
    assert fraction < 0.05


# --------------------------------------------------------------------------------------------
# finite elements
# --------------------------------------------------------------------------------------------
def _fe(comm: MPI.Comm, aspect: float, n: float, bonded: bool) -> float:
    from ssbx.problems.squeeze_flow import squeeze_flow

    V = 1e-9
    res = squeeze_flow(comm, aspect * H, H, V, A_EFF, n, bonded=bonded, cells_across=4,
                       cells_per_thickness=1.0, stages=(1.0, 2.0, 4.0))
    return res.mean_pressure


def test_fe_frictionless_squeeze_is_uniaxial_compression():
    """Between frictionless plates the FE foil is in uniaxial compression: p̄ = (V/(h A))^(1/n)
    to the viscosity's regularisation (1e-4 of the rate)."""
    p = _fe(MPI.COMM_WORLD, 10.0, 6.56, bonded=False)
    assert p == pytest.approx((1e-9 / H / A_EFF) ** (1 / 6.56), rel=1e-6)


def test_fe_bonded_squeeze_converges_to_the_thin_film_law():
    """Bonded foil: the FE mean pressure approaches the lubrication closed form as R/h grows:
    Newtonian within 0.5 % at R/h = 20 (an edge correction ~ -0.2 h/R remains); n = 3 within
    14 / 4.6 / 1.5 % at R/h = 5 / 10 / 20 (the thin-film error falls ~3x per doubling;
    measured 13.7 / 4.5 / 1.4 %, and within 0.2 % of a mesh twice as fine)."""
    def closed(aspect: float, n: float) -> float:
        return (1e-9 / sf.power_law_bonded_thinning_rate(1.0, aspect * H, H, A_EFF, n)) ** (1 / n)

    assert _fe(MPI.COMM_WORLD, 20.0, 1.0, bonded=True) / closed(20.0, 1.0) == \
        pytest.approx(1.0, abs=5e-3)
    errors = [_fe(MPI.COMM_WORLD, a, 3.0, bonded=True) / closed(a, 3.0) - 1.0
              for a in (5.0, 10.0, 20.0)]
    assert errors == pytest.approx([0.137, 0.0451, 0.0142], abs=3e-3)
    assert errors[0] / errors[1] > 2.5 and errors[1] / errors[2] > 2.5


@pytest.mark.mpi
def test_fe_coulomb_squeeze_verifies_the_slab_friction_factor():
    """Coulomb plates (μ on the FE's own normal pressure): the mean pressure over the uniaxial
    flow stress is the slab method's friction factor F(μ, R/h) while the foil slides, to 0.2 %
    at μR/h = 0.25 and 1 % at 0.5 (the slab neglects the shear in the yield condition, an error
    that grows with μR/h; measured 0.11 % and 0.65 %, n = 6.56, R/h = 5); μ = 0 is uniaxial.
    Same on 2 ranks."""
    n, aspect = 6.56, 5.0
    flow_stress = (1e-9 / H / A_EFF) ** (1 / n)
    from ssbx.problems.squeeze_flow import squeeze_flow

    errors = []
    for mu in (0.05, 0.1):
        res = squeeze_flow(MPI.COMM_WORLD, aspect * H, H, 1e-9, A_EFF, n, friction=mu)
        errors.append(res.mean_pressure / flow_stress
                      / sf.slab_friction_factor(aspect * H, H, mu) - 1.0)
    assert abs(errors[0]) < 2e-3 and abs(errors[1]) < 1e-2
    assert abs(errors[0]) < abs(errors[1])
    with pytest.raises(ValueError, match="friction coefficient"):
        squeeze_flow(MPI.COMM_WORLD, aspect * H, H, 1e-9, A_EFF, n, friction=-0.1)


@pytest.mark.mpi
def test_fe_squeeze_two_ranks_equal_serial():
    comm = MPI.COMM_WORLD
    parallel = _fe(comm, 5.0, 3.0, bonded=True)
    serial = _fe(MPI.COMM_SELF, 5.0, 3.0, bonded=True)
    assert parallel == pytest.approx(serial, rel=1e-8)


def test_a_bonded_foil_with_a_yield_stress_needs_the_sticking_friction_hill():
    """With a threshold (ε̇ = A <σ - Y>^n) the bonded film shears only where τ_w = G h/2
    exceeds Y/√3: it does not flow below p̄ = 2 Y R / (3√3 h) (the rigid-plastic sticking hill;
    1.92 MPa for Y = 0.5 MPa, R/h = 10) and does above it."""
    Y, R = 0.5e6, 10 * H
    def rate(s: float) -> float:
        return 1e-40 * max(s - Y, 0.0) ** 6.56
    floor = 2 * Y * R / (3 * math.sqrt(3) * H)
    assert sf.bonded_thinning_rate(0.9 * floor, R, H, rate) == 0.0
    assert sf.bonded_thinning_rate(0.3 * Y, R, H, rate) == 0.0
    assert sf.bonded_thinning_rate(1.5 * floor, R, H, rate) > 0.0


def test_a_foil_in_a_die_thins_by_extrusion_into_the_clearance():
    """V = 2 q(p/L, δ)/R: the general slot-flux path equals the power-law closed form, the rate
    scales as δ^(n+2) and L^(-n), and vanishes without pressure; bad geometry is refused."""
    n, A, R, p = 6.56, 1e-45, 5e-3, 25e6
    def rate(s: float) -> float:
        return A * s ** n
    closed = sf.power_law_die_extrusion_thinning_rate(p, R, 25e-6, 1e-3, A, n)
    assert sf.die_extrusion_thinning_rate(p, R, 25e-6, 1e-3, rate) == pytest.approx(
        closed, rel=1e-6)
    q = 2 * 3 ** ((n + 1) / 2) * A * (p / 1e-3) ** n * (12.5e-6) ** (n + 2) / (n + 2)
    assert closed == pytest.approx(2 * q / R, rel=1e-12)
    assert sf.power_law_die_extrusion_thinning_rate(p, R, 50e-6, 1e-3, A, n) / closed == \
        pytest.approx(2 ** (n + 2), rel=1e-12)
    assert sf.power_law_die_extrusion_thinning_rate(p, R, 25e-6, 2e-3, A, n) / closed == \
        pytest.approx(2 ** (-n), rel=1e-12)
    assert sf.die_extrusion_thinning_rate(0.0, R, 25e-6, 1e-3, rate) == 0.0
    with pytest.raises(ValueError, match="clearance"):
        sf.die_extrusion_thinning_rate(p, R, 0.0, 1e-3, rate)


def test_the_foil_in_a_die_adds_its_own_squeeze_film_in_series():
    """With the foil's thickness the die rate is the series of the bonded film and the
    clearance: the pressures at one rate add (closed form and the general-law path, which
    inverts the lubrication integral plus the slot gradient, agree), the series rate lies below
    either alone, and a thin clearance or a thick foil tends to the clearance alone."""
    n, A, R, h, p = 6.56, 1e-45, 5e-3, 100e-6, 25e6
    def rate(s: float) -> float:
        return A * s ** n
    V = sf.power_law_die_extrusion_thinning_rate(p, R, 25e-6, 1e-3, A, n, thickness=h)
    film = sf.power_law_bonded_thinning_rate(p, R, h, A, n)
    slot = sf.power_law_die_extrusion_thinning_rate(p, R, 25e-6, 1e-3, A, n)
    assert V < min(film, slot)
    p_film = (V / film) ** (1 / n) * p   # the pressure each alone needs at the rate V
    p_slot = (V / slot) ** (1 / n) * p
    assert p_film + p_slot == pytest.approx(p, rel=1e-12)
    assert sf.die_extrusion_thinning_rate(p, R, 25e-6, 1e-3, rate, thickness=h) == \
        pytest.approx(V, rel=1e-5)
    assert sf.power_law_die_extrusion_thinning_rate(p, R, 5e-6, 1e-3, A, n, thickness=h) == \
        pytest.approx(sf.power_law_die_extrusion_thinning_rate(p, R, 5e-6, 1e-3, A, n),
                      rel=1e-3)
