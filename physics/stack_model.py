"""The reduced (0-D) stack-pressure model of a cell in its fixture: layers in series under one
uniform stack pressure, integrated in time over a current protocol, numpy only (fast enough for
sweeps: a cycle of a few hundred steps in well under a second).

The elements (layers, fixtures, the Prony fit of an empty-cell relaxation) are in
:mod:`ssbx.physics.stack_elements`. At every step the height of the stack under the trial
pressure ``p``,

    H(p) = Σ_i h_i(p),   h_i = h_s,i exp(-p/M_i)   (Hencky elasticity),

must equal the height the fixture allows, ``H_allow(p)`` (fixed gap + load-train opening,
springs with stick–slip friction); a constant force sets ``p`` directly. The stress-free
thicknesses ``h_s`` move with

- the cell charge ``q = ∫ i dt`` [C/m²] (``i > 0``: charge): a metal foil gains ``side Ω q/F``
  (plated Li is added stress-free), a composite cathode follows its eigenstrain table at the
  state of charge ``x = x_0 + q/Q`` (``Q`` the cell's areal capacity);
- the creep of the metal foils: ``d ln h_s/dt = -ε̇(p, h)``, ``ε̇ = V/h`` the squeeze-flow
  thinning rate of :mod:`ssbx.physics.squeeze_flow` over the thickness.

Time integration, per step ``dt``: plating first (``h_s* = h_s + side Ω i dt/F``), then
backward Euler on the creep, ``ln h_s = ln h_s* - dt ε̇(p_new, h*)`` (the friction factor and
the bonded film law at the explicit thickness ``h* = h_s* exp(-p_old/M)``), and the fixture's
own update (exact exponential recursion of its Prony branches). ``H(p) - H_allow(p)`` decreases
strictly in ``p`` (elasticity, creep and a non-softening fixture all make it so), so the one
scalar equation has a unique root: it is bracketed and solved by the Illinois variant of
regula falsi with bisection safeguards; if even ``p = 0`` leaves the stack shorter than the
fixture allows, the plates lose contact and ``p = 0``.

Consequences the tests check in closed form: at a rigid fixed gap the pressure of a single
Li layer of modulus ``M`` that creeps between frictionless plates (``ε̇ = A p^n``) follows the
exact ODE ``dp/dt = -M A p^n`` (``ln H = ln h_s - p/M`` is constant), so
``p(t) = [p_0^(1-n) + (n-1) M A t]^(1/(1-n))``, and the scheme is backward Euler on it; a
stress-free height change ``ΔH`` (plating, eigenstrain) raises the pressure by
``ΔH / (Σ h_i/M_i + C)`` to first order (``C`` the fixture's compliance, ``1/k`` added for
springs), exactly ``M ln(h_s,new/h_s,old)`` for one layer at a rigid gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ssbx.physics.constants import FARADAY
from ssbx.physics.stack_elements import (
    CompositeCathode,
    ConstantForce,
    ElasticLayer,
    FixedGap,
    Fixture,
    Layer,
    MetalFoil,
    Springs,
)


@dataclass(frozen=True)
class Segment:
    """One protocol segment: ``duration`` [s] at the cell current density
    ``current_density`` [A/m²] (``> 0`` charge, ``< 0`` discharge, ``0`` rest) in ``steps``
    equal time steps."""

    duration: float
    current_density: float = 0.0
    steps: int = 100

    def __post_init__(self) -> None:
        if not self.duration > 0.0:
            raise ValueError(f"segment duration must be > 0 (got {self.duration!r} s)")
        if not (isinstance(self.steps, int) and self.steps >= 1):
            raise ValueError(f"segment steps must be a positive integer (got {self.steps!r})")
        if not math.isfinite(self.current_density):
            raise ValueError("segment current density must be finite")


def rest(duration: float, steps: int = 100) -> Segment:
    """A rest of ``duration`` [s]."""
    return Segment(duration, 0.0, steps)


@dataclass(frozen=True)
class StackHistory:
    """What a run gives, one entry per instant (the initial state first): time [s], stack
    pressure [Pa], every layer's thickness [m] (``thickness[name]``), the stack height [m],
    the cell charge passed [C/m²] (``capacity``), the state of charge [-] (``nan`` without a
    cell capacity), the current density [A/m²] of the step that ended there, the fixture's
    opening since the start [m] and whether the plates touch the stack (``contact``)."""

    time: np.ndarray
    pressure: np.ndarray
    thickness: dict[str, np.ndarray]
    height: np.ndarray
    capacity: np.ndarray
    soc: np.ndarray
    current_density: np.ndarray
    fixture_displacement: np.ndarray
    contact: np.ndarray


class StackModel:
    """A cell stack in its fixture.

    layers: the layers, bottom to top (names unique); fixture: :class:`FixedGap`,
    :class:`Springs` or :class:`ConstantForce`; temperature [K] of the creep laws;
    capacity: the cell's areal capacity [C/m²] that maps the charge to the state of charge
    (needed with a :class:`CompositeCathode`); initial_soc: the state of charge at the start.
    """

    def __init__(self, layers: Sequence[Layer], fixture: Fixture, temperature: float = 298.15,
                 capacity: float | None = None, initial_soc: float = 0.0) -> None:
        self.layers = tuple(layers)
        if not self.layers:
            raise ValueError("a stack needs at least one layer")
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique (got {names})")
        if not isinstance(fixture, FixedGap | Springs | ConstantForce):
            raise TypeError(f"unknown fixture {fixture!r}")
        if any(isinstance(layer, CompositeCathode) for layer in self.layers) and not (
                capacity is not None and capacity > 0.0):
            raise ValueError("a composite cathode needs the cell's capacity (> 0) for its "
                             "state of charge")
        if not temperature > 0.0:
            raise ValueError(f"temperature must be > 0 K (got {temperature!r})")
        self.fixture = fixture
        self.temperature = temperature
        self.capacity = capacity
        self.initial_soc = initial_soc

    def soc(self, charge: float) -> float:
        """State of charge [-] after the cell charge ``charge`` [C/m²] (``nan`` without a
        capacity)."""
        if self.capacity is None:
            return math.nan
        return self.initial_soc + charge / self.capacity

    def height(self, pressure: float, charge: float = 0.0) -> float:
        """The stack height [m] of the fresh stack (no creep yet) under ``pressure`` [Pa]
        after the charge ``charge`` [C/m²]."""
        x = self.soc(charge)
        total = 0.0
        for layer in self.layers:
            if isinstance(layer, MetalFoil):
                total += ((layer.thickness + layer.plated_thickness(charge))
                          * math.exp(-pressure / layer.modulus))
            else:
                total += layer.height(pressure, x)
        return total

    def run(self, protocol: Sequence[Segment], initial_pressure: float | None = None
            ) -> StackHistory:
        """Integrate the stack over ``protocol`` from the assembly at ``initial_pressure`` [Pa]
        (the fixture's closing pressure or the springs' preload; a constant force sets it)."""
        fixture = self.fixture
        if isinstance(fixture, ConstantForce):
            p = fixture.pressure
            state = None
        else:
            if initial_pressure is None or not initial_pressure >= 0.0:
                raise ValueError("a fixed gap or springs need the initial pressure (>= 0 Pa)")
            p = initial_pressure
        foils = [(k, layer) for k, layer in enumerate(self.layers) if isinstance(layer, MetalFoil)]
        others = [layer for layer in self.layers if not isinstance(layer, MetalFoil)]
        foil_hs = np.array([layer.thickness for _, layer in foils], dtype=float)
        foil_M = np.array([layer.modulus for _, layer in foils], dtype=float)
        foil_omega = np.array([layer.side * layer.molar_volume for _, layer in foils])
        creeping = [layer.creep is not None or layer.thinning_law is not None
                    for _, layer in foils]
        T = self.temperature
        charge = 0.0
        t = 0.0
        if not isinstance(fixture, ConstantForce):
            state = fixture.start(p, self._stack_height(p, foil_hs, foil_M, others,
                                                        self.soc(charge)))

        n_steps = sum(seg.steps for seg in protocol)
        out_t = np.empty(n_steps + 1)
        out_p = np.empty(n_steps + 1)
        out_h = np.empty((n_steps + 1, len(self.layers)))
        out_q = np.empty(n_steps + 1)
        out_i = np.zeros(n_steps + 1)
        out_u = np.zeros(n_steps + 1)
        out_c = np.ones(n_steps + 1, dtype=bool)

        def record(j: int, pressure: float, current: float) -> None:
            x = self.soc(charge)
            out_t[j], out_p[j], out_q[j], out_i[j] = t, pressure, charge, current
            for k, layer in enumerate(self.layers):
                if not isinstance(layer, MetalFoil):
                    out_h[j, k] = layer.height(pressure, x)
            for m, (k, _) in enumerate(foils):
                out_h[j, k] = foil_hs[m] * math.exp(-pressure / foil_M[m])
            out_u[j] = 0.0 if state is None else state.displacement()

        record(0, p, 0.0)
        j = 0
        for seg in protocol:
            dt = seg.duration / seg.steps
            i = seg.current_density
            for _ in range(seg.steps):
                charge += i * dt
                x = self.soc(charge)
                hs_star = foil_hs + foil_omega * i * dt / FARADAY
                if np.any(hs_star <= 0.0):
                    name = foils[int(np.argmin(hs_star))][1].name
                    raise ValueError(f"foil {name!r} stripped through at t = {t + dt:g} s")
                h_star = hs_star * np.exp(-p / foil_M)

                def foil_hs_at(pressure: float, hs_star: np.ndarray = hs_star,
                               h_star: np.ndarray = h_star, dt: float = dt) -> np.ndarray:
                    hs = hs_star.copy()
                    for m, (_, layer) in enumerate(foils):
                        if creeping[m]:
                            rate = layer.creep_strain_rate(pressure, h_star[m], T)
                            hs[m] *= math.exp(-dt * rate)
                    return hs

                def stack(pressure: float, x: float = x,
                          foil_hs_at: Callable[[float], np.ndarray] = foil_hs_at) -> float:
                    hs = foil_hs_at(pressure)
                    total = float(np.sum(hs * np.exp(-pressure / foil_M)))
                    for layer in others:
                        total += layer.height(pressure, x)
                    return total

                if state is None:
                    contact = True
                else:
                    state.begin(dt)

                    def residual(pressure: float, stack: Callable[[float], float] = stack
                                 ) -> float:
                        return stack(pressure) - state.height(pressure)

                    p, contact = _solve_pressure(residual, p)
                    state.accept(p)
                foil_hs = foil_hs_at(p)
                t += dt
                j += 1
                record(j, p, i)
                out_c[j] = contact
        thickness = {layer.name: out_h[:, k].copy() for k, layer in enumerate(self.layers)}
        soc = (self.initial_soc + out_q / self.capacity if self.capacity is not None
               else np.full_like(out_q, math.nan))
        return StackHistory(time=out_t, pressure=out_p, thickness=thickness,
                            height=out_h.sum(axis=1), capacity=out_q, soc=soc,
                            current_density=out_i, fixture_displacement=out_u, contact=out_c)

    @staticmethod
    def _stack_height(p: float, foil_hs: np.ndarray, foil_M: np.ndarray,
                      others: Sequence[ElasticLayer | CompositeCathode], soc: float) -> float:
        total = float(np.sum(foil_hs * np.exp(-p / foil_M)))
        for layer in others:
            total += layer.height(p, soc)
        return total


def _solve_pressure(residual: Callable[[float], float], guess: float,
                    rtol: float = 1e-13) -> tuple[float, bool]:
    """The root ``p >= 0`` of the strictly decreasing ``residual`` (``(0, False)`` if
    ``residual(0) <= 0``: the plates lose contact), bracketed from ``guess``."""
    f0 = residual(0.0)
    if f0 <= 0.0:
        return 0.0, False
    lo, flo = 0.0, f0
    hi = max(guess, 1.0)
    fhi = residual(hi)
    while fhi > 0.0:
        lo, flo = hi, fhi
        hi *= 2.0
        if hi > 1e15:
            raise ValueError("no stack pressure below 1e15 Pa balances the fixture")
        fhi = residual(hi)
    if fhi == 0.0:
        return hi, True
    # a tighter bracket around the guess first (the pressure moves little in a step)
    if lo < guess < hi:
        for trial in (guess * (1.0 - 1e-3), guess * (1.0 + 1e-3)):
            if lo < trial < hi:
                ft = residual(trial)
                if ft > 0.0:
                    lo, flo = trial, ft
                elif ft < 0.0:
                    hi, fhi = trial, ft
                else:
                    return trial, True
    side = 0
    for _ in range(200):
        width = hi - lo
        c = hi - fhi * (hi - lo) / (fhi - flo)
        if not lo < c < hi:
            c = 0.5 * (lo + hi)
        fc = residual(c)
        if fc == 0.0:
            return c, True
        if fc > 0.0:
            lo, flo = c, fc
            if side == 1:
                fhi *= 0.5
            side = 1
        else:
            hi, fhi = c, fc
            if side == -1:
                flo *= 0.5
            side = -1
        if hi - lo <= rtol * hi or hi - lo <= 1e-12:
            break
        if hi - lo > 0.5 * width:  # slow progress: bisect once
            mid = 0.5 * (lo + hi)
            fm = residual(mid)
            if fm == 0.0:
                return mid, True
            if fm > 0.0:
                lo, flo = mid, fm
            else:
                hi, fhi = mid, fm
            side = 0
    return (lo * fhi - hi * flo) / (fhi - flo) if fhi != flo else 0.5 * (lo + hi), True


__all__ = ["Segment", "StackHistory", "StackModel", "rest"]
