"""Settings, loads and the replicated interface state of the stripping problem (SI units).

:class:`StrippingSettings` is everything the coupled problem needs (built from a case by
:func:`ssbx.setup.stripping_settings`); :class:`Load` the electrical load of a step;
:class:`InterfaceState` the interface fields on the replicated interface nodes;
:class:`StepReport` what one (trial) time step did.
"""


from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ssbx.meshes.spec import VoidSpec
from ssbx.physics.elasticity import ElasticMaterial
from ssbx.problems.current import CurrentSettings

Fixture = Literal["pressure", "rigid_plate", "spring", "fixed_gap"]



# --------------------------------------------------------------------------------------------
# Settings and loads
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StrippingSettings:
    """Everything the coupled problem needs, SI units.

    current: the electrolyte/kinetics settings (degree 2 recommended: nodal GLL contact);
    li, creep: Li elastic constants and creep law (``None``: elastic Li); electrolyte: its
    elastic constants (used when ``electrolyte_mechanics == "elastic"``); temperature [K];
    fixture: ``pressure`` (constant stack pressure on the Li collector), ``rigid_plate`` (a
    rigid collector pressed with a constant force: the mean pressure), ``spring`` (pressure
    = preload + stiffness x collector displacement) or ``fixed_gap`` (collector held where the
    elastic stack pressure put it); pressure [Pa]; stiffness [Pa/m]; voids: initial gaps;
    stress_coupling: the contact pressure enters the overpotential (``+ Omega p / F``, Omega the
    anode metal's molar volume);
    contact_tolerance [m]: gap below which a node enters the contact (and conducts); it leaves
    the contact beyond 10 times this gap (hysteresis against chatter at the contact front);
    max_stagger_iterations: passes per
    step; line_search: of the contact solve, ``"l2"`` or ``"basic"``; contact_solver:
    ``"active_set"`` (semismooth Newton of fixed sparsity, its LU lagged:
    :mod:`ssbx.problems.active_set`) or ``"reduced_space"`` (PETSc ``vinewtonrsls``);
    contact_factorization: ``"fresh"`` (an LU per Newton iteration) or ``"lagged"`` (with
    ``active_set``: an LU kept as GMRES's preconditioner, :mod:`ssbx.problems.factor_reuse`);
    mechanics_rtol /
    mechanics_atol: SNES tolerances of the contact solve (atol relative to
    the stack force).
    """

    current: CurrentSettings
    li: ElasticMaterial
    creep: Any
    electrolyte: ElasticMaterial
    temperature: float = 298.15
    fixture: Fixture = "pressure"
    pressure: float = 5e6
    stiffness: float = 0.935e9
    voids: tuple[VoidSpec, ...] = ()
    electrolyte_mechanics: Literal["rigid", "elastic"] = "rigid"
    stress_coupling: bool = True
    contact_tolerance: float = 1e-10
    max_stagger_iterations: int = 8
    line_search: Literal["l2", "basic"] = "l2"
    contact_solver: Literal["active_set", "reduced_space"] = "reduced_space"
    contact_factorization: Literal["fresh", "lagged"] = "fresh"
    mechanics_rtol: float = 1e-9
    mechanics_atol: float = 1e-9
    vacancy: Any = None
    asr_variation: float = 0.0
    asr_wavelength: float = 2e-5

@dataclass(frozen=True)
class Load:
    """Electrical load of a step: ``galvanostatic`` with a mean current density [A/m^2]
    (> 0 stripping, < 0 plating, 0 rest) or ``potentiostatic`` with a cell voltage [V]."""

    mode: Literal["galvanostatic", "potentiostatic"]
    value: float

    @classmethod
    def current(cls, current_density: float) -> Load:
        """A galvanostatic load: mean current density [A/m^2] (> 0 stripping)."""
        return cls("galvanostatic", float(current_density))

    @classmethod
    def voltage(cls, voltage: float) -> Load:
        """A potentiostatic load: cell voltage [V]."""
        return cls("potentiostatic", float(voltage))


@dataclass
class InterfaceState:
    """Replicated interface arrays at one time (node order of :class:`InterfaceNodes`).

    removed: stripped thickness r [m]; deflection: electrolyte deflection w [m]; uy: Li surface
    displacement [m]; gap [m]; pressure: contact pressure [Pa] (compressive +); contact: bool;
    current: anodic current density [A/m^2]; opened: gap opened by void nucleation and by
    vacancy condensation on void surfaces [m] (negative: closed by emission; part of the
    obstacle, see :mod:`ssbx.problems.stripping.vacancy_coupling`).
    """

    removed: np.ndarray
    deflection: np.ndarray
    uy: np.ndarray
    gap: np.ndarray
    pressure: np.ndarray
    contact: np.ndarray
    current: np.ndarray
    opened: np.ndarray

    def copy(self) -> InterfaceState:
        """A copy with every array copied."""
        return InterfaceState(*(np.array(getattr(self, f.name)) for f in
                                dataclasses.fields(self)))


@dataclass
class StepReport:
    """An attempted step. converged: every pass solved and the contact set settled;
    why: reason when not; passes: stagger passes; newton: mechanics Newton iterations (sum);
    max_dp: largest plastic-strain increment; voltage [V]; total_current [A] (per m depth in
    plane); timings [s]."""

    dt: float
    load: Load
    converged: bool
    why: str = ""
    passes: int = 0
    newton: int = 0
    max_dp: float = 0.0
    voltage: float = math.nan
    total_current: float = 0.0
    state: InterfaceState | None = None
    plate_displacement: float = math.nan
    plate_displacement_before: float = math.nan
    plate_pressure: float = math.nan
    time_current: float = 0.0
    time_mechanics: float = 0.0
    time_electrolyte: float = 0.0
    time_vacancy: float = 0.0
    nucleated: int = 0
