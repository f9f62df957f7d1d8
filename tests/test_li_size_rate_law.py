"""The size- and rate-dependent Li flow law (ssbx.physics.creep_laws.SizeDependentLiCreep) and
its return map (ssbx.physics.viscoplastic_kernels.power_law_linear_update).

Kernel: exact backward Euler of the summed law at a constant uniaxial stress, the consistent
tangent by central differences, bit-for-bit equality with ``power_law_update`` when the linear
coefficient is 0. Law: bulk limit (Masias 2019), the Xu et al. 2017 pillar point, and the
Herbert et al. 2018 nanoindentation points, which the law is checked against, never fitted to
(the diffusional branch takes B = 14 from Frost & Ashby and D_self, Omega from the Li vacancy
data). The computed ratios model/measured are asserted in the band they fall in.
"""

from __future__ import annotations

import numpy as np
import pytest

from ssbx.physics import viscoplastic_kernels as vk
from ssbx.physics.creep_laws import (
    HERBERT_2018_DEPTH,
    HERBERT_2018_POINTS,
    HERBERT_2018_TEMPERATURE,
    LI_ELASTIC,
    MASIAS_2019,
    NABARRO_HERRING_B,
    XU_2017_REFERENCE_SIZE,
    XU_2017_STRAIN_RATE,
    XU_2017_STRENGTH,
    PowerLawCreep,
    SizeDependentLiCreep,
    indentation_flow_point,
    xu_2017_strength,
)
from ssbx.physics.vacancy import LITHIUM

E, NU = LI_ELASTIC
K = E / (3.0 * (1.0 - 2.0 * NU))
G = E / (2.0 * (1.0 + NU))
MPA = 1.0e6
ROOM = 298.15
M_VEC = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
C_ELASTIC = K * np.outer(M_VEC, M_VEC) + 2.0 * G * (np.eye(6) - np.outer(M_VEC, M_VEC) / 3.0)


def _outputs(npts: int) -> list[np.ndarray]:
    return [np.empty((npts, 6)), np.empty((npts, 6, 6)), np.empty((npts, 6)), np.empty(npts)]


def _update(strain, eps_p, p, dt, args, kernel=vk.power_law_linear_update):
    out = _outputs(strain.shape[0])
    failed = kernel(np.ascontiguousarray(strain), eps_p, p, dt, E, NU, *args, *out)
    assert failed == 0
    return out


# --------------------------------------------------------------------------------------------
# kernel
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size, sigma, dt", [
    (1.39e-6, 20.0 * MPA, 1.0e-3),   # diffusion-dominated, mild step
    (1.39e-6, 20.0 * MPA, 10.0),     # diffusion-dominated, stiff step
    (20.0e-6, 30.0 * MPA, 1.0e-2),   # both branches of the same order
    (1.0e-3, 2.0 * MPA, 1.0),        # dislocation-dominated, stiff
])
def test_uniaxial_constant_stress_rate_is_the_closed_form(size, sigma, dt):
    """A uniaxial stress state held over one step (the elastic strain of ``sigma`` plus the
    plastic strain of the closed-form rate, ``eps = eps_e + rate dt (1, -1/2, -1/2)``): the
    kernel returns exactly that stress, i.e. its plastic strain rate is the closed-form steady
    rate ``A_d sigma^n + L sigma`` of the summed law (relative error < 1e-8)."""
    law = SizeDependentLiCreep(size)
    args = law.kernel_args(ROOM)
    rate = law.rate(sigma, ROOM)
    assert rate == pytest.approx(args[0] * sigma ** args[1] + args[3] * sigma, rel=1e-14)
    dp = rate * dt
    strain = np.zeros((1, 6))
    strain[0, 0] = sigma / E + dp
    strain[0, 1] = strain[0, 2] = -NU * sigma / E - 0.5 * dp
    out = _update(strain, np.zeros((1, 6)), np.zeros(1), dt, args)
    stress = out[0][0]
    assert abs(stress[0] / sigma - 1.0) < 1e-8, stress[0] / sigma - 1.0
    assert np.all(np.abs(stress[1:]) < 1e-8 * sigma)
    assert abs(out[3][0] / dp - 1.0) < 1e-8
    assert abs(out[3][0] / dt / law.rate(stress[0], ROOM) - 1.0) < 1e-8


def test_tangent_matches_finite_differences():
    """Central differences of the stress at random states, sizes 0.2 um - 1 mm, steps 1e-4 -
    1e3 s, with and without a threshold on the dislocation branch: relative 1e-6 of the
    tangent and 1e-5 of its plastic part."""
    rng = np.random.default_rng(11)
    worst = worst_plastic = 0.0
    for trial in range(40):
        size = 10.0 ** rng.uniform(-6.7, -3.0)
        law = SizeDependentLiCreep(size)
        args = list(law.kernel_args(ROOM))
        if trial % 3 == 0:
            args[2] = 0.3 * law.stress_for_rate(1e-4, ROOM)  # a threshold: both regimes
        scale = float(rng.choice([2e-4, 1e-3, 5e-3]))
        strain = rng.normal(size=(1, 6)) * scale
        eps_p = rng.normal(size=(1, 6)) * 0.3 * scale
        eps_p[:, :3] -= eps_p[:, :3].sum(axis=1, keepdims=True) / 3.0
        p = np.zeros(1)
        dt = 10.0 ** rng.uniform(-4.0, 3.0)
        out = _update(strain, eps_p, p, dt, args)
        C = out[1][0].copy()
        assert out[3][0] > 0.0
        h = 1e-5 * scale
        C_fd = np.empty((6, 6))
        for j in range(6):
            plus, minus = strain.copy(), strain.copy()
            plus[0, j] += h
            minus[0, j] -= h
            C_fd[:, j] = (_update(plus, eps_p, p, dt, args)[0][0]
                          - _update(minus, eps_p, p, dt, args)[0][0]) / (2 * h)
        worst = max(worst, np.linalg.norm(C_fd - C) / np.linalg.norm(C))
        worst_plastic = max(worst_plastic,
                            np.linalg.norm(C_fd - C) / np.linalg.norm(C_ELASTIC - C))
        assert np.allclose(C, C.T, rtol=0, atol=1e-6 * np.abs(C).max())
    assert worst <= 1e-6, worst
    assert worst_plastic <= 1e-5, worst_plastic


def test_zero_linear_coefficient_is_power_law_update_bit_for_bit():
    rng = np.random.default_rng(5)
    npts = 200
    strain = rng.normal(size=(npts, 6)) * 1e-3
    eps_p = rng.normal(size=(npts, 6)) * 3e-4
    eps_p[:, :3] -= eps_p[:, :3].sum(axis=1, keepdims=True) / 3.0
    p = rng.uniform(0.0, 1.0, npts)
    for sigma_y in (0.0, 0.5 * MPA):
        for dt in (0.0, 1e-3, 1.0, 1e3):
            args = (*MASIAS_2019.kernel_args(ROOM)[:2], sigma_y)
            a = _update(strain, eps_p, p, dt, args, vk.power_law_update)
            b = _update(strain, eps_p, p, dt, (*args, 0.0))
            for x, y in zip(a, b, strict=True):
                assert np.array_equal(x, y)
            # and both equal the independent NumPy return map
            c = _outputs(npts)
            assert vk.power_law_update_numpy(strain, eps_p, p, dt, E, NU, *args, *c) == 0
            for x, y in zip(b, c, strict=True):
                assert np.max(np.abs(x - y)) <= 1e-12 * max(np.max(np.abs(x)), 1e-300)


def test_linear_branch_flows_below_the_threshold():
    """Below the threshold of the dislocation branch only the linear branch flows: one step
    at fixed strain relaxes ``q`` as ``q_tr / (1 + 3G dt L)`` (backward Euler, exact)."""
    L = 1.0e-9
    strain = np.zeros((1, 6))
    strain[0, 0] = 1e-4
    strain[0, 1] = strain[0, 2] = -0.5e-4
    q_tr = 3.0 * G * 1e-4
    dt = 0.3
    out = _update(strain, np.zeros((1, 6)), np.zeros(1), dt, (1e-40, 6.56, 2.0 * q_tr, L))
    q = out[0][0, 0] - out[0][0, 1]
    assert q == pytest.approx(q_tr / (1.0 + 3.0 * G * dt * L), rel=1e-13)


# --------------------------------------------------------------------------------------------
# the law against the data
# --------------------------------------------------------------------------------------------
def test_large_sizes_recover_the_masias_bulk_law():
    """For d >= d_c (2.04 mm) the dislocation branch is Masias 2019 itself, and the
    diffusional branch is negligible: at 5 mm and 1e-5 - 1e-2 1/s the summed law's stress is
    within 1e-3 of the bulk law's (the diffusional share of the rate is 1e-6 - 1e-4)."""
    law = SizeDependentLiCreep(5.0e-3)
    assert law.critical_size() == pytest.approx(2.039e-3, rel=1e-3)
    # d_c is where Xu's strength meets the bulk stress at Xu's rate
    assert xu_2017_strength(law.critical_size()) == pytest.approx(
        MASIAS_2019.stress_for_rate(XU_2017_STRAIN_RATE, ROOM), rel=1e-9)
    assert law.size_factor() == 1.0
    assert law.dislocation_A_eff(ROOM) == MASIAS_2019.A_eff(ROOM)
    for rate in (1e-5, 1e-3, 1e-2):
        bulk = MASIAS_2019.stress_for_rate(rate, ROOM)
        assert law.stress_for_rate(rate, ROOM) == pytest.approx(bulk, rel=1e-3)
    # between 2 um and d_c the size factor follows Xu's power law
    assert SizeDependentLiCreep(0.1e-3).size_factor() == pytest.approx(
        xu_2017_strength(0.1e-3) / MASIAS_2019.stress_for_rate(1e-3, ROOM), rel=1e-12)


def test_xu_pillar_point():
    """Xu et al. 2017: 105 MPa at d = 1.39 um and 1e-3 1/s. The dislocation branch reproduces
    it by construction (that datum calibrates the size factor). The summed law does not: with
    the literature Nabarro-Herring branch (B = 14, D_self = 6e-15 m^2/s) a 1.39 um feature
    flows diffusionally at 0.024 1/s at 105 MPa, and the summed law's flow stress at 1e-3 1/s
    is 4.4 MPa, 1/24 of the measured strength. Asserted as computed (a known inconsistency
    of the pillar data with lattice-diffusion flow, not tuned away)."""
    law = SizeDependentLiCreep(XU_2017_REFERENCE_SIZE)
    assert XU_2017_REFERENCE_SIZE == 1.39e-6
    assert law.dislocation_rate(XU_2017_STRENGTH, ROOM) == pytest.approx(XU_2017_STRAIN_RATE,
                                                                         rel=1e-12)
    assert law.diffusional_rate(XU_2017_STRENGTH, ROOM) == pytest.approx(0.0239, rel=0.01)
    ratio = law.stress_for_rate(XU_2017_STRAIN_RATE, ROOM) / XU_2017_STRENGTH
    assert 0.040 < ratio < 0.044, ratio  # 0.0418: the summed law is 24 x too soft here
    # the diffusional coefficient is the literature one
    L = NABARRO_HERRING_B * LITHIUM.d_self(ROOM) * LITHIUM.molar_volume / (
        8.314462618 * ROOM * XU_2017_REFERENCE_SIZE**2)
    assert law.diffusional_coefficient(ROOM) == pytest.approx(L, rel=1e-9)


def test_herbert_nanoindentation_points():
    """Herbert et al. 2018 at 40 nm depth, 31 C: mean pressure 23 MPa at 0.195 1/s and
    175 MPa at 1.364 1/s. Converted with Tabor's C = 3 and d = the Berkovich contact diameter
    5.58 h = 0.223 um: 7.67 and 58.3 MPa. The summed law (Nabarro-Herring dominates, the
    dislocation branch would need ~0.8-1 GPa) gives 14.9 and 104 MPa: model/measured stress
    1.94 and 1.79, i.e. within a factor of 2 (the measured rate sensitivity, d ln p / d ln rate
    = 1.04, against the model's ~1.0). Asserted to 0.1 %."""
    ratios, models = [], []
    T = HERBERT_2018_TEMPERATURE
    for rate, pressure in HERBERT_2018_POINTS:
        d, sigma, eps_dot = indentation_flow_point(HERBERT_2018_DEPTH, pressure, rate)
        assert d == pytest.approx(0.2234e-6, rel=1e-3)
        law = SizeDependentLiCreep(d)
        model = law.stress_for_rate(eps_dot, T)
        assert law.rate(model, T) == pytest.approx(eps_dot, rel=1e-12)
        assert law.diffusional_rate(model, T) > 0.99 * eps_dot
        # Nabarro-Herring alone, from the literature constants: sigma = rate R T d^2 / (B D Omega)
        nh = eps_dot * 8.314462618 * T * d**2 / (
            NABARRO_HERRING_B * LITHIUM.d_self(T) * LITHIUM.molar_volume)
        assert model == pytest.approx(nh, rel=1e-3)
        ratios.append(model / sigma)
        models.append(model)
    low, high = ratios
    assert low == pytest.approx(1.942, rel=1e-3), ratios   # at 0.195 1/s
    assert high == pytest.approx(1.786, rel=1e-3), ratios  # at 1.364 1/s
    # model and data agree on near-linear rate sensitivity
    (r1, p1), (r2, p2) = HERBERT_2018_POINTS
    slope_data = np.log(p2 / p1) / np.log(r2 / r1)
    assert slope_data == pytest.approx(1.04, abs=0.005)  # the quoted data (Herbert 2018)
    slope_model = np.log(models[1] / models[0]) / np.log(r2 / r1)
    assert abs(slope_model - 1.0) < 1e-3  # linear: the diffusional branch
    assert abs(slope_data - slope_model) < 0.1


def test_law_validation_and_records():
    with pytest.raises(ValueError, match="feature size"):
        SizeDependentLiCreep(0.0)
    with pytest.raises(ValueError, match="room-temperature"):
        xu_2017_strength(1e-6, temperature=363.15)
    law = SizeDependentLiCreep(1e-6)
    names = {p.name for p in law.parameters}
    assert {"A", "n", "Q", "reference_size", "diffusional_constant", "self_diffusion_ref",
            "molar_volume", "size"} <= names
    # a bulk law with a threshold: the threshold scales with the size factor
    bulk = PowerLawCreep(A=MASIAS_2019.A, n=MASIAS_2019.n, Q=MASIAS_2019.Q, yield_stress=1e5)
    law = SizeDependentLiCreep(1e-5, bulk=bulk)
    assert law.kernel_args(ROOM)[2] == pytest.approx(law.size_factor() * 1e5)
