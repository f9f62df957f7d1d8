"""The reduced (0-D) stack-pressure model (ssbx.physics.stack_model, stack_elements): layers in
series in a fixture, checked against closed forms — plating and eigenstrain at a fixed gap,
the symmetric cell, power-law creep relaxation (three friction modes), the Prony load train and
its fit, springs with stick–slip friction, constant force."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from ssbx.physics.constants import FARADAY, LI_MOLAR_VOLUME
from ssbx.physics.creep_laws import LI_ELASTIC_MASIAS_2019, MASIAS_2019
from ssbx.physics.electrolytes import ELECTROLYTES
from ssbx.physics.squeeze_flow import (
    power_law_bonded_thinning_rate,
    power_law_die_extrusion_thinning_rate,
    slab_friction_factor,
)
from ssbx.physics.stack_elements import (
    CompositeCathode,
    ConstantForce,
    ElasticLayer,
    FixedGap,
    MetalFoil,
    Prony,
    Springs,
    fit_prony,
    fit_prony_grid,
    layer_modulus,
)
from ssbx.physics.stack_model import Segment, StackModel, rest
from ssbx.units import from_mA_per_cm2, from_mAh_per_cm2

T = 298.15
M_LI = layer_modulus(LI_ELASTIC_MASIAS_2019)  # confined modulus of Li (Masias 2019 E, nu)
SE = ELECTROLYTES["Li6PS5Cl"].elastic
M_SE = layer_modulus(SE)
M_CATHODE = 20e9  # a test value of a composite cathode's modulus [Pa] (no physical claim)
HOUR = 3600.0


def _li(name: str = "Li", thickness: float = 100e-6, **kw) -> MetalFoil:
    return MetalFoil(name, thickness, M_LI, **kw)


def _separator(thickness: float = 600e-6) -> ElasticLayer:
    return ElasticLayer.from_material("SE", thickness, SE)


def test_layer_modulus_confined_and_free():
    """The confined modulus E(1-ν)/((1+ν)(1-2ν)) and, unconfined, E."""
    E, nu = LI_ELASTIC_MASIAS_2019.E, LI_ELASTIC_MASIAS_2019.nu
    assert M_LI == pytest.approx(E * (1 - nu) / ((1 + nu) * (1 - 2 * nu)), rel=1e-15)
    assert M_LI == pytest.approx(14.64e9, rel=1e-3)
    assert layer_modulus(LI_ELASTIC_MASIAS_2019, confined=False) == E
    layer = ElasticLayer.from_material("SE", 1e-3, SE, confined=False)
    assert layer.height(1e6, 0.0) == pytest.approx(1e-3 * math.exp(-1e6 / SE.E), rel=1e-15)


@pytest.mark.parametrize("compliance", [0.0, 5e-12])
def test_plating_at_a_fixed_gap_raises_the_pressure_by_the_series_compliance(compliance):
    """Plating q on one Li electrode of Li | SE at a fixed gap: Δp = Ω q/F (1 - p/M_Li) /
    (Σ h_i/M_i + C_f) to first order (the plated Li is compressed too, hence 1 - p/M_Li); at
    every step the pressure is linear in q to that order. Rigid gap: the second-order terms
    grow with Δp/M, so the check uses a smaller charge there."""
    p0 = 5e6
    i = from_mA_per_cm2(1.0)
    hours = 0.1 if compliance > 0 else 0.002
    stack = StackModel([_li(), _separator()], FixedGap(compliance))
    h = stack.run([Segment(hours * HOUR, i, 10)], p0)
    S = h.thickness["Li"][0] / M_LI + h.thickness["SE"][0] / M_SE
    dp_lin = LI_MOLAR_VOLUME * h.capacity / FARADAY * math.exp(-p0 / M_LI) / (S + compliance)
    assert h.capacity[-1] == pytest.approx(from_mAh_per_cm2(hours), rel=1e-14)
    np.testing.assert_allclose(h.pressure - p0, dp_lin, rtol=3e-5, atol=1e-9)
    assert h.pressure[-1] - p0 > (5e4 if compliance > 0 else 3e5)  # a visible rise
    # the gap: the stack height equals the closed gap plus the load train's opening
    np.testing.assert_allclose(h.height - h.height[0], compliance * (h.pressure - p0),
                               rtol=1e-9, atol=1e-17)


def test_plating_one_rigidly_held_layer_is_exact():
    """One Li layer at a rigid gap: h_s exp(-p/M) constant, so p = p0 + M ln(1 + Ω q/(F h_s))
    exactly, whatever the step."""
    p0, h0 = 2e6, 50e-6
    i = from_mA_per_cm2(0.5)
    h = StackModel([_li(thickness=h0)], FixedGap()).run([Segment(0.2 * HOUR, i, 7)], p0)
    exact = p0 + M_LI * np.log1p(LI_MOLAR_VOLUME * h.capacity / (FARADAY * h0))
    np.testing.assert_allclose(h.pressure, exact, rtol=1e-12)
    np.testing.assert_allclose(h.thickness["Li"], h.thickness["Li"][0], rtol=1e-12)


@pytest.mark.parametrize("creep", [None, MASIAS_2019])
def test_symmetric_cell_cycle_leaves_the_pressure_unchanged(creep):
    """Li | SE | Li, plate on one, strip on the other (2 h each way at 1 mA/cm²), fixed gap:
    the two electrodes cancel — elastic Li, elastic load train: the pressure stays at its
    initial value to round-off; Li creeping between frictionless plates (same strain rate in
    both) and a viscoelastic load train: the pressure history is the rest history to round-off.
    The foils exchange 2 Ω q/F."""
    fixture = FixedGap(2e-12, None if creep is None else Prony((0.05,), (600.0,)))
    layers = [_li("Li-", 80e-6, side=1, creep=creep), _separator(),
              _li("Li+", 120e-6, side=-1, creep=creep)]
    i = from_mA_per_cm2(1.0)
    cycle = [Segment(2 * HOUR, i, 50), Segment(2 * HOUR, -i, 50)]
    stack = StackModel(layers, fixture, temperature=T)
    h = stack.run(cycle, 5e6)
    still = stack.run([rest(2 * HOUR, 50), rest(2 * HOUR, 50)], 5e6)
    if creep is None:
        np.testing.assert_allclose(h.pressure, 5e6, rtol=1e-13)
    else:
        assert still.pressure[-1] < 0.5 * 5e6  # it does relax
    np.testing.assert_allclose(h.pressure, still.pressure, rtol=1e-12)
    total = h.thickness["Li-"] + h.thickness["Li+"]
    np.testing.assert_allclose(total, still.thickness["Li-"] + still.thickness["Li+"],
                               rtol=1e-12)
    if creep is None:
        moved = LI_MOLAR_VOLUME * from_mAh_per_cm2(2.0) / FARADAY
        assert h.thickness["Li-"][50] - h.thickness["Li+"][50] == pytest.approx(
            (80e-6 - 120e-6 + 2 * moved) * math.exp(-5e6 / M_LI), rel=1e-12)
    assert h.capacity[-1] == pytest.approx(0.0, abs=1e-9)


def _relaxation_stack(friction: str) -> tuple[StackModel, float]:
    """A single creeping Li layer at a rigid gap, and the rate constant c of dp/dt = -c p^n."""
    h0, R, mu = 100e-6, 5e-3, 0.05
    A, n = MASIAS_2019.A_eff(T), MASIAS_2019.n
    die = {"clearance": 400e-6, "clearance_length": 1e-3} if friction == "die" else {}
    foil = _li(thickness=h0, creep=MASIAS_2019, friction=friction, friction_coefficient=mu,
               radius=R, **die)
    if friction == "frictionless":
        c = M_LI * A
    elif friction == "coulomb":
        c = M_LI * A * slab_friction_factor(R, h0 * math.exp(-P0 / M_LI), mu) ** (-n)
    elif friction == "die":
        h = h0 * math.exp(-P0 / M_LI)
        c = M_LI * power_law_die_extrusion_thinning_rate(1.0, R, 400e-6, 1e-3, A, n,
                                                         thickness=h) / h
    else:
        h = h0 * math.exp(-P0 / M_LI)
        c = M_LI * power_law_bonded_thinning_rate(1.0, R, h, A, n) / h
    return StackModel([foil], FixedGap(), temperature=T), c


P0 = 1e6


@pytest.mark.parametrize("friction", ["frictionless", "coulomb", "bonded", "die"])
def test_creep_relaxation_at_a_rigid_gap_follows_the_power_law_closed_form(friction):
    """One Li layer creeping (Masias 2019 law) at a rigid gap: ln(h_s) - p/M is constant, so
    dp/dt = -M ε̇(p) = -c p^n with c = M A (frictionless), M A F^-n (Coulomb slab, F at the
    fixed thickness), M V(1 Pa)/h (bonded film; a die: extrusion into its clearance):
    p = [p0^(1-n) + (n-1) c t]^(1/(1-n)). The model is backward Euler on it: equal to the
    scalar recursion to 1e-10, first-order convergent to the closed form (error ratio 2 ± 0.1
    per halving)."""
    stack, c = _relaxation_stack(friction)
    n = MASIAS_2019.n
    t_end = 100.0 * P0 ** (1 - n) / ((n - 1) * c)  # the pressure falls to ~0.44 p0

    def exact(t):
        return (P0 ** (1 - n) + (n - 1) * c * t) ** (1 / (1 - n))

    errors = []
    for steps in (100, 200, 400):
        h = stack.run([rest(t_end, steps)], P0)
        dt = t_end / steps
        p = [P0]
        for _ in range(steps):  # backward Euler: p + dt c p^n = p_old, by bisection
            lo, hi = 0.0, p[-1]
            for _ in range(200):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if mid + dt * c * mid ** n < p[-1] else (lo, mid)
            p.append(0.5 * (lo + hi))
        np.testing.assert_allclose(h.pressure, p, rtol=1e-10)
        errors.append(abs(h.pressure[-1] / exact(t_end) - 1.0))
    assert exact(t_end) / P0 == pytest.approx(0.44, abs=0.01)
    assert errors[0] / errors[1] == pytest.approx(2.0, abs=0.1)
    assert errors[1] / errors[2] == pytest.approx(2.0, abs=0.1)
    assert errors[2] < 2e-3


def test_empty_fixture_relaxes_as_its_prony_series():
    """A rigid (empty) cell at a fixed gap with a two-term Prony load train: p(t) = p0 (1 -
    Σ g_k (1 - e^{-t/τ_k})) exactly (recursive exponential update), on uneven steps."""
    prony = Prony((0.05, 0.04), (120.0, 3600.0))
    stack = StackModel([ElasticLayer("die", 10e-3, math.inf)], FixedGap(1e-12, prony))
    h = stack.run([rest(600.0, 7), rest(23.5 * HOUR, 40)], 25e6)
    np.testing.assert_allclose(h.pressure, 25e6 * prony.relaxation(h.time), rtol=1e-12)
    assert h.pressure[-1] == pytest.approx(25e6 * 0.91, rel=1e-9)
    np.testing.assert_allclose(h.fixture_displacement, 0.0, atol=1e-16)  # u0 = 2.5e-5 m


def test_prony_fits_recover_known_parameters():
    """Synthetic relaxations: the least-squares fit at the right time constants recovers the
    weights and p0 to round-off; the log-grid search finds the time constants (on its grid)
    with one and two terms."""
    t = np.concatenate([[0.0], np.geomspace(1.0, 24 * HOUR, 200)])
    two = Prony((0.06, 0.03), (100.0, 10000.0))
    p = 25e6 * two.relaxation(t)
    fit = fit_prony(t, p, (100.0, 10000.0))
    np.testing.assert_allclose(fit.prony.weights, two.weights, rtol=1e-9)
    assert fit.initial_pressure == pytest.approx(25e6, rel=1e-12)
    grid = fit_prony_grid(t, p, terms=2)
    np.testing.assert_allclose(grid.prony.times, two.times, rtol=1e-12)
    np.testing.assert_allclose(grid.prony.weights, two.weights, rtol=1e-8)
    one = Prony((0.088,), (1000.0,))
    fit1 = fit_prony_grid(t, 5e6 * one.relaxation(t), terms=1, per_decade=20)
    assert fit1.prony.times == pytest.approx((1000.0,), rel=1e-12)
    assert fit1.prony.weights[0] == pytest.approx(0.088, rel=1e-9)
    assert fit1.rms_residual < 1e-6
    # a single term cannot fit two: the residual says so
    assert fit_prony_grid(t, p, terms=1).rms_residual > 1e3


def _cathode(h0: float = 60e-6, modulus: float = M_CATHODE) -> CompositeCathode:
    # a non-monotone test table (no physical claim): swells, then shrinks below its start
    return CompositeCathode("cathode", h0, modulus, (0.0, 0.3, 0.7, 1.0),
                            (0.0, 0.01, 0.004, -0.006))


def test_cathode_eigenstrain_at_a_rigid_gap():
    """One composite cathode at a rigid gap, charged from x = 0 to 1: p = p0 + M ln((1 +
    ε*(x))/(1 + ε*(0))) exactly at every step (the table interpolated linearly, non-monotone),
    the state of charge is q/Q and the thickness is held."""
    Q = from_mAh_per_cm2(3.0)
    i = from_mA_per_cm2(1.5)
    stack = StackModel([_cathode()], FixedGap(), capacity=Q)
    h = stack.run([Segment(2 * HOUR, i, 20)], 5e6)
    np.testing.assert_allclose(h.soc, np.linspace(0.0, 1.0, 21), rtol=1e-12, atol=1e-15)
    eps = np.interp(h.soc, (0.0, 0.3, 0.7, 1.0), (0.0, 0.01, 0.004, -0.006))
    exact = 5e6 + M_CATHODE * np.log1p(eps)
    np.testing.assert_allclose(h.pressure, np.maximum(exact, 0.0), rtol=1e-12)
    assert h.pressure.max() == pytest.approx(5e6 + M_CATHODE * math.log1p(0.01), rel=1e-12)
    # it shrinks below its start: the plates lose contact once p would go negative
    np.testing.assert_array_equal(h.contact, exact > 0.0)
    assert 0 < np.sum(exact <= 0.0) < 10


def test_cathode_eigenstrain_in_a_compliant_stack():
    """Cathode | SE | Li at a compliant fixed gap, charged by 0.1 of its capacity: Δp = h0 Δε*
    (1 - p/M_c) / (Σ h_i/M_i + C_f) to first order, and the Li (side +1) plates Ω q/F."""
    Q = from_mAh_per_cm2(4.0)
    Cf, p0 = 5e-12, 5e6
    i = from_mA_per_cm2(0.4)
    stack = StackModel([_cathode(), _separator(), _li(creep=None)], FixedGap(Cf), capacity=Q)
    h = stack.run([Segment(1.0 * HOUR, i, 10)], p0)
    S = sum(h.thickness[k][0] / M for k, M in (("cathode", M_CATHODE), ("SE", M_SE),
                                                ("Li", M_LI)))
    dH = (60e-6 * np.interp(h.soc, (0.0, 0.3), (0.0, 0.01)) * math.exp(-p0 / M_CATHODE)
          + LI_MOLAR_VOLUME * h.capacity / FARADAY * math.exp(-p0 / M_LI))
    np.testing.assert_allclose(h.pressure - p0, dH / (S + Cf), rtol=3e-5, atol=1e-9)


def test_springs_without_friction_share_the_height_change():
    """A rigid stack growing by ΔH (cathode eigenstrain) on springs k with a series load train
    C: Δp = k ΔH / (1 + k C) exactly, the plate travels ΔH - C Δp."""
    k, C = 5e10, 2e-12
    Q = from_mAh_per_cm2(2.0)
    stack = StackModel([_cathode(modulus=math.inf)], Springs(k, C), capacity=Q)
    h = stack.run([Segment(HOUR, from_mA_per_cm2(2.0), 12)], 5e6)
    dH = h.height - h.height[0]
    np.testing.assert_allclose(h.pressure - 5e6, k * dH / (1 + k * C), rtol=1e-12, atol=1e-8)
    np.testing.assert_allclose(h.fixture_displacement, dH, rtol=1e-12, atol=1e-20)


def test_springs_with_stick_slip_friction():
    """Springs k, load train C, guide friction f_c, a rigid stack growing by ΔH then shrinking
    back: it sticks (Δp = ΔH/C) until Δp = f_c, then slips (Δp = (k ΔH + f_c)/(1 + k C)); on
    the way back it sticks until the pressure has fallen by 2 f_c, then slips the other way
    (Δp = (k ΔH - f_c)/(1 + k C)). The pressure change exceeds k × the plate's travel."""
    k, C, fc, p0 = 5e10, 2e-12, 0.5e6, 5e6
    Q = from_mAh_per_cm2(2.0)
    layer = CompositeCathode("cathode", 60e-6, math.inf, (0.0, 1.0), (0.0, 0.05))
    stack = StackModel([layer], Springs(k, C, fc), capacity=Q)
    i = from_mA_per_cm2(2.0)
    h = stack.run([Segment(HOUR, i, 30), Segment(HOUR, -i, 30)], p0)
    dH = h.height - h.height[0]
    up = slice(0, 31)
    load = np.where(dH[up] <= C * fc, dH[up] / C, (k * dH[up] + fc) / (1 + k * C))
    np.testing.assert_allclose(h.pressure[up] - p0, load, rtol=1e-10, atol=1e-6)
    assert np.any(dH[1:31] < C * fc) and np.any(dH[1:31] > C * fc)  # both regimes
    dp_top = load[-1]
    down = slice(30, 61)
    stick = dp_top - (dH[30] - dH[down]) / C
    slip = (k * dH[down] - fc) / (1 + k * C)
    expected = np.where(stick >= dp_top - 2 * fc, stick, slip)
    np.testing.assert_allclose(h.pressure[down] - p0, expected, rtol=1e-10, atol=1e-6)
    assert np.any(stick[1:] < dp_top - 2 * fc) and np.any(stick[1:] > dp_top - 2 * fc)
    x_top = h.fixture_displacement[30] - C * dp_top
    assert dp_top > 2.0 * k * x_top  # friction makes the pressure change exceed k × travel


def test_constant_force_holds_the_pressure_and_the_thickness_follows():
    """A dead load: p constant; plating adds Ω q/F (compressed by exp(-p/M)) to the Li; Li
    creeping between frictionless plates thins as h0 exp(-A p^n t) (exact for constant p)."""
    p = 2.2e6
    i = from_mA_per_cm2(1.0)
    stack = StackModel([_li(), _separator()], ConstantForce(p))
    h = stack.run([Segment(HOUR, i, 9)], None)
    np.testing.assert_allclose(h.pressure, p, rtol=0)
    np.testing.assert_allclose(
        h.thickness["Li"],
        (100e-6 + LI_MOLAR_VOLUME * h.capacity / FARADAY) * math.exp(-p / M_LI), rtol=1e-13)
    np.testing.assert_allclose(h.thickness["SE"], 600e-6 * math.exp(-p / M_SE), rtol=1e-15)
    creeping = StackModel([_li(creep=MASIAS_2019)], ConstantForce(0.3e6), temperature=T)
    c = creeping.run([rest(HOUR, 5)], None)
    rate = MASIAS_2019.rate(0.3e6, T)
    np.testing.assert_allclose(c.thickness["Li"], 100e-6 * np.exp(-rate * c.time - 0.3e6 / M_LI),
                               rtol=1e-12)


def test_stripping_at_a_fixed_gap_loses_contact():
    """Stripping the Li of Li | SE at a rigid gap: the pressure falls linearly with q
    (to first order) and the plates lose contact once the Li has shrunk by its elastic
    compression; a foil stripped through raises."""
    stack = StackModel([_li(thickness=20e-6), _separator()], FixedGap())
    i = from_mA_per_cm2(-0.1)
    h = stack.run([Segment(0.5 * HOUR, i, 30)], 10e6)
    assert h.contact[0] and h.contact[1] and not h.contact[-1]
    assert h.pressure[-1] == 0.0 and np.all(np.diff(h.pressure) <= 0.0)
    S = h.thickness["Li"][0] / M_LI + h.thickness["SE"][0] / M_SE
    dp_lin = LI_MOLAR_VOLUME * h.capacity / FARADAY * math.exp(-10e6 / M_LI) / S
    np.testing.assert_allclose(h.pressure[h.contact] - 10e6, dp_lin[h.contact], rtol=1e-3)
    with pytest.raises(ValueError, match="stripped through"):
        stack.run([Segment(10 * HOUR, 10 * i, 10)], 10e6)


def test_invalid_inputs_are_refused():
    """Missing capacity for a cathode, a Prony load train without compliance, unsorted tables,
    unknown friction modes."""
    with pytest.raises(ValueError, match="capacity"):
        StackModel([_cathode()], FixedGap())
    with pytest.raises(ValueError, match="compliance"):
        FixedGap(0.0, Prony((0.1,), (10.0,)))
    with pytest.raises(ValueError, match="increase"):
        CompositeCathode("c", 1e-4, 1e10, (0.5, 0.2), (0.0, 0.01))
    with pytest.raises(ValueError, match="friction"):
        _li(friction="glued")
    with pytest.raises(ValueError, match="radius"):
        _li(friction="coulomb", friction_coefficient=0.1)


def test_a_full_cell_cycle_runs_in_well_under_a_second():
    """Cathode | SE | Li (Masias creep, Coulomb slab μ = 0.1, R = 5 mm) on springs with a
    Prony-free load train and guide friction: 2 h charge + 2 h discharge in 200 steps. The
    measured time is 0.04–0.07 s on one core; the bound is loose on purpose (< 2 s)."""
    Q = from_mAh_per_cm2(4.0)
    i = from_mA_per_cm2(2.0)
    foil = _li(thickness=50e-6, creep=MASIAS_2019, friction="coulomb",
               friction_coefficient=0.1, radius=5e-3)
    stack = StackModel([_cathode(), _separator(), foil], Springs(5e10, 2e-12, 0.3e6),
                       temperature=T, capacity=Q)
    start = time.perf_counter()
    h = stack.run([Segment(2 * HOUR, i, 100), Segment(2 * HOUR, -i, 100)], 5e6)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    assert h.time.size == 201 and np.all(np.isfinite(h.pressure))
