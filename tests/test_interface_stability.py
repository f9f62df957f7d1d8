"""Interface stability (ssbx.physics.interface_stability): MN's elastic problem against its
closed forms and dolfinx P2 elasticity, AV's stability parameter (neutral curve, regimes,
limits), the Mullins–Sekerka limit, the electrolytes of the map."""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.benchmarks.reproductions.interface_stability import fe_interface
from ssbx.physics import interface_stability as st
from ssbx.physics.constants import FARADAY, LI_MOLAR_VOLUME
from ssbx.physics.creep_laws import LI_ELASTIC_MASIAS_2019

NU_LI = LI_ELASTIC_MASIAS_2019.nu
AV = (st.AV_LI_POISSON, st.MN_POLYMER_POISSON)


# --------------------------------------------------------------------------- elasticity


def test_solver_equals_the_closed_forms_of_av_terms() -> None:
    """The 4x4 interface solve gives p_se + p_Li and tau_se - tau_Li equal to the closed forms
    (AV's pressure and deviatoric factors) to round-off, for random materials."""
    rng = np.random.default_rng(7)
    for _ in range(40):
        g_se, g_li = 10 ** rng.uniform(-3, 3, 2)
        nu_se, nu_li = rng.uniform(-0.2, 0.49, 2)
        s = st.interface_stress(g_se, nu_se, g_li, nu_li)
        scale = max(g_se, g_li)
        assert s.pressure_se + s.pressure_li == pytest.approx(
            st.pressure_sum(g_se, nu_se, g_li, nu_li), abs=1e-12 * scale)
        assert s.tau_se - s.tau_li == pytest.approx(
            st.deviatoric_jump(g_se, nu_se, g_li, nu_li), abs=1e-12 * scale)


@pytest.mark.parametrize("poisson", [0.0, 0.25, 0.42])
def test_identical_half_planes_are_antisymmetric(poisson: float) -> None:
    """Same material on both sides: the stresses are mirror images with opposite sign
    (p_se = -p_Li: no pressure term), no tangential displacement, and the normal stress of a
    bonded half-plane pushed by A (u_x = 0): -4 (1 - nu) G k A / (3 - 4 nu)."""
    s = st.interface_stress(2.0, poisson, 2.0, poisson)
    assert s.pressure_se == pytest.approx(-s.pressure_li, abs=1e-14)
    assert abs(s.u_x) < 1e-14
    assert s.sigma_yy_se == pytest.approx(-8 * (1 - poisson) / (3 - 4 * poisson), rel=1e-13)
    assert st.pressure_sum(2.0, poisson, 2.0, poisson) == pytest.approx(0.0, abs=1e-14)


def test_electrolyte_is_compressed_and_li_stretched_at_the_peak() -> None:
    """The peak pushes into the electrolyte (compression) and pulls the Li out (tension)."""
    for ratio in (0.01, 1.0, 20.0):
        s = st.interface_stress(ratio, 0.3, 1.0, NU_LI)
        assert s.sigma_yy_se < 0.0 < s.sigma_yy_li


# --------------------------------------------------------------------------- stability


def test_neutral_ratio_is_the_root_of_the_elastic_chi() -> None:
    """r_c(nu) from the quadratic against a bisection of the elastic chi; the sign on each side
    (stable below r_c for nu < 1, above for nu > 1); none at nu = 1."""
    for nu in (0.0, 0.085, 0.5, 0.95, 1.05, 1.81, 3.0, 50.0):
        r_c = st.neutral_modulus_ratio(nu, *AV)
        assert r_c is not None and r_c > 0.0
        lo, hi = math.log(1e-6), math.log(1e6)
        f_lo = st.stability_function(math.exp(lo), nu, *AV)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if f_lo * st.stability_function(math.exp(mid), nu, *AV) <= 0.0:
                hi = mid
            else:
                lo = mid
        assert r_c == pytest.approx(math.exp(lo), rel=1e-10)
        below = st.stability_function(0.9 * r_c, nu, *AV)
        above = st.stability_function(1.1 * r_c, nu, *AV)
        assert (below < 0.0 < above) if nu < 1.0 else (above < 0.0 < below)
    assert st.neutral_modulus_ratio(1.0, *AV) is None
    assert all(st.stability_function(r, 1.0, *AV) > 0.0 for r in (1e-3, 1.0, 1e3))


def test_limits_of_the_neutral_curve() -> None:
    """Closed-form ends (ssbx's reduction: a b - 4 c = 1 for all Poisson ratios, so the
    discriminant is a square there): nu = 0 gives r_c = 1 / (3 - 4 nu_Li) = 0.7576 for Li's
    0.42 (soft electrolytes stable); nu -> infinity gives r_c = 3 - 4 nu_se = 1.68 for 0.33 —
    MN's 'about twice' (stiff electrolytes stable); monotone in between on each branch."""
    for nu_li, nu_se in (AV, (0.38, 0.257), (0.3, 0.45)):
        a, b = 3 - 4 * nu_li, 3 - 4 * nu_se
        c = 2 - 3 * nu_se - 3 * nu_li + 4 * nu_li * nu_se
        assert a * b - 4 * c == pytest.approx(1.0, abs=1e-14)
        assert st.neutral_modulus_ratio(0.0, nu_li, nu_se) == pytest.approx(1 / a, rel=1e-13)
        assert st.neutral_modulus_ratio_limit(nu_li, nu_se) == pytest.approx(b, rel=1e-13)
        assert st.neutral_modulus_ratio(1e9, nu_li, nu_se) == pytest.approx(b, rel=1e-7)
    assert st.neutral_modulus_ratio(0.0, *AV) == pytest.approx(0.7576, abs=5e-5)
    assert st.neutral_modulus_ratio_limit(*AV) == pytest.approx(1.68, abs=1e-12)
    low = [st.neutral_modulus_ratio(v, *AV) for v in np.linspace(0.0, 0.99, 12)]
    high = [st.neutral_modulus_ratio(v, *AV) for v in np.linspace(1.01, 20.0, 12)]
    assert np.all(np.diff(low) < 0.0) and np.all(np.diff(high) < 0.0)


def test_regimes_and_the_inorganic_electrolytes() -> None:
    """With AV's ionic-radius nu (~0.04-0.09), LLZO, Li6PS5Cl and the LPS glass are elastically
    unstable and a stiffer electrolyte is worse; the density-driven (soft, nu < 1) and
    pressure-driven (stiff, nu > 1) regimes exist."""
    assert st.regime(0.1, 0.085, *AV) == "density-driven stable"
    assert st.regime(5.0, 2.0, *AV) == "pressure-driven stable"
    assert st.regime(5.0, 0.085, *AV) == "unstable"
    assert st.regime(0.1, 2.0, *AV) == "unstable"
    g_li = LI_ELASTIC_MASIAS_2019.shear_modulus
    points = st.stability_points()
    for name in ("LLZO", "Li6PS5Cl", "70Li2S-30P2S5"):
        p = points[name]
        r = p.G / g_li
        assert 0.03 < p.volume_ratio < 0.09
        assert st.regime(r, p.volume_ratio, NU_LI, p.poisson) == "unstable"
        assert (st.stability_function(2 * r, p.volume_ratio, NU_LI, p.poisson)
                > st.stability_function(r, p.volume_ratio, NU_LI, p.poisson) > 0.0)
    assert points["LLZO"].G == pytest.approx(59.7e9, rel=2e-3)  # Ni et al. 2012: 59.6 GPa
    assert points["LLZO"].volume_ratio_upper == pytest.approx(1.81, abs=0.01)


def test_volume_estimates() -> None:
    """Pure Li at 534 kg/m^3 has its molar volume per Li; the Shannon radius of Li+ at
    coordination 6 gives nu = 0.0852 against AV's V_Li = 1.3e-5 m^3/mol."""
    assert st.volume_per_li({"Li": 1}, 534.0) == pytest.approx(LI_MOLAR_VOLUME, rel=1e-12)
    assert st.ionic_volume_ratio(6, st.AV_LI_MOLAR_VOLUME) == pytest.approx(0.08518, abs=1e-5)


def test_surface_tension_only_is_mullins_sekerka() -> None:
    """No elastic terms: long waves grow, short ones decay, neutral exactly at
    k_c = sqrt(2 F i / (kappa (V_M + V_+) gamma)); long waves grow at V_M i k / (F (1 + k kappa
    Z))."""
    i, kappa, z, gamma = 10.0, 0.05, 2e-4, st.AV_LI_SURFACE_TENSION
    k_c = st.capillary_critical_wavenumber(i, kappa, gamma)

    def rate(k: float) -> float:
        t = st.stability_terms(k, 1.0, 0.3, 1.0, NU_LI, 1.0, gamma)
        return st.growth_rate(k, i, kappa, z, t.surface)

    assert rate(0.5 * k_c) > 0.0 > rate(2.0 * k_c)
    assert abs(rate(k_c)) < 1e-12 * abs(rate(0.5 * k_c))
    k = 1e-3 * k_c
    assert rate(k) == pytest.approx(LI_MOLAR_VOLUME * i * k / FARADAY / (1 + k * kappa * z),
                                    rel=1e-5)


def test_critical_wavenumber_zeroes_chi() -> None:
    """Where the elastic terms destabilise, chi(k_crit) = 0 and shorter waves are stable."""
    g_li = st.AV_LI_SHEAR_MODULUS
    args = (60e9, 0.257, g_li, st.AV_LI_POISSON, 0.085)
    k_c = st.critical_wavenumber(*args, st.AV_LI_SURFACE_TENSION)
    assert k_c is not None
    total = st.stability_terms(k_c, *args, st.AV_LI_SURFACE_TENSION).total
    scale = st.stability_terms(k_c, *args, 0.0).mechanical
    assert abs(total) < 1e-12 * scale
    assert st.stability_terms(2 * k_c, *args, st.AV_LI_SURFACE_TENSION).total < 0.0
    assert st.critical_wavenumber(0.1 * g_li, 0.33, g_li, 0.42, 0.085, 0.5) is None


# --------------------------------------------------------------------------- dolfinx check


@pytest.mark.mpi
def test_interface_stresses_against_dolfinx(comm: MPI.Comm) -> None:
    """MN's bonded-interface problem: the closed form's normal stress on each side, shear stress
    and tangential displacement against P2 elasticity (``fe_interface`` of the benchmark: u_y =
    A cos kx imposed on the interface line, rollers at x = 0 and pi/k, far ends fixed,
    variationally consistent tractions of each layer) of two layers thick compared with 1/k
    (e^{-4 pi} ~ 3e-6), for three wavenumbers with the LLZO, Li6PS5Cl and a soft-polymer
    modulus against ssbx's Li. Errors at 16 P2 cells per half wave: normal stresses <= 3e-5,
    shear <= 1.2e-4 (relative), u_x <= 7e-6 (per A); same on 2 ranks."""
    g_li = LI_ELASTIC_MASIAS_2019.shear_modulus
    pts = st.stability_points()
    cases = [(2 * math.pi / 1e-6, pts["LLZO"].G, pts["LLZO"].poisson),
             (2 * math.pi / 0.3e-6, pts["Li6PS5Cl"].G, pts["Li6PS5Cl"].poisson),
             (2 * math.pi / 3e-6, 0.2 * g_li, 0.33)]
    for k, g_se, nu_se in cases:
        exact = st.interface_stress(g_se, nu_se, g_li, NU_LI)
        fe = fe_interface(comm, k, g_se, nu_se, g_li, NU_LI)
        assert fe["sigma_yy_se"] == pytest.approx(exact.sigma_yy_se, rel=1e-4), (k, g_se)
        assert fe["sigma_yy_li"] == pytest.approx(exact.sigma_yy_li, rel=1e-4), (k, g_se)
        for side in ("li", "se"):
            assert fe[f"sigma_xy_{side}"] == pytest.approx(exact.sigma_xy, rel=3e-4)
        assert fe["u_x"] == pytest.approx(exact.u_x, abs=2e-5)


def test_quick_benchmark_runs_and_passes(tmp_path) -> None:
    """The quick variant of the benchmark (one FE wavelength): all checks pass and it writes the
    CSV, the figure and result.json."""
    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "interface_stability"
    result = run_benchmark("interface_stability", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    assert {"interface_stability.csv", "interface_stability.png", "result.json"} <= {
        p.name for p in out.iterdir()}
    assert result.findings["mn_stiff_threshold_nu_inf"] == pytest.approx(1.68, abs=1e-12)
