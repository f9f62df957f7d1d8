"""The 25 MPa hold of Li | Li6PS5Cl | Li on the cell-scale model: each Li foil in the die, solved
as the finite-element die cell (:mod:`ssbx.problems.die_cell`), in the stack model with the
calibrated load train. The part of the ``pressure_relaxation`` benchmark that redoes it on the
new model (that module states the claim and the data).

Model (every assumed number is the ``stack_pressure`` benchmark's, named there):

- Li foils 100 µm filling the 10 mm die bore (R = 5 mm), each extruding into the plunger
  clearance δ (ASSUMED 10 / 25 / 50 µm, base 25 µm — the value fixed for the full-cell
  calibration before any run — 1 mm long), Masias et al. 2019 power law, bonded to pellet and
  plunger; the LPSCl pellet (0.58 mm) elastic.
- Load train: fixed gap behind the series compliance 1 µm/MPa (ASSUMED) and the one-term Prony
  series calibrated on the empty cell's 30-min loss at each temperature (2.2 MPa at RT, 5.6 MPa
  at 40 °C).
- The FE gives the foil's scaled pressure ``P*`` at three thicknesses (0.9, 1, 1.1 h); the law
  ``V = h A(T) (p / P*)^n`` is then exact at every pressure and temperature (power-law
  homogeneity), interpolated in ``ln h`` (checked against a fourth solve, full run). The reduced
  die law (film + clearance in series) runs beside it: the verification of the reduced model
  against the FE cell at the cell scale.
- The symmetric-cell consistency check: from 25 MPa at RT, 1 h plating one foil at 1 mA/cm² and
  1 h stripping it, against a 2 h rest: the two electrodes cancel up to the difference of their
  laws at the two thicknesses.
"""

from __future__ import annotations

import math
import time
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.reproductions.stack_pressure import (
    CALIBRATION_CLEARANCE,
    DIE_CLEARANCE_LENGTH,
    DIE_CLEARANCES,
    FIXTURE_COMPLIANCE,
    FOIL_RADIUS,
    LI_THICKNESS,
    SEPARATOR_THICKNESS,
    empty_fixture_prony,
    hold_summary,
    log_segments,
)
from ssbx.meshes.die_cell import DieCellGeometry
from ssbx.physics.creep_laws import LI_ELASTIC_MASIAS_2019, MASIAS_2019
from ssbx.physics.elasticity import LI6PS5CL
from ssbx.physics.stack_elements import ElasticLayer, FixedGap, MetalFoil, layer_modulus
from ssbx.physics.stack_model import Segment, StackModel
from ssbx.problems.die_cell import DieCellThinning, die_cell_flow
from ssbx.units import from_mA_per_cm2

MPA = 1.0e6
UM = 1.0e-6
CELSIUS = 273.15
HOUR = 3600.0
HOLD_PRESSURE = 25.0 * MPA
TABLE_THICKNESSES = (0.9, 1.0, 1.1)
"""Foil thicknesses of the FE table, in units of the initial 100 µm."""
CYCLE_PRESSURE = 25.0 * MPA
"""Initial pressure of the symmetric-cell cycle [Pa] (the hold's: there the Li creeps)."""
CYCLE_CURRENT = from_mA_per_cm2(1.0)
FE_REDUCED_TOLERANCE = 0.3 * MPA
"""|p_FE - p_reduced| accepted at 30 min and 24 h (fixed before the run)."""
INTERPOLATION_TOLERANCE = 2e-3
"""Relative error of the ln-h interpolated P* against a direct solve."""
SYMMETRIC_TOLERANCE = 0.05 * MPA
"""|p(cycle) - p(rest)| accepted at the end of the symmetric cycle."""


def die_foil(name: str, clearance: float, side: int = 0,
             law: DieCellThinning | None = None) -> MetalFoil:
    """A 100 µm Li foil in the die with the ``clearance`` [m]; ``law``: the FE thinning law
    (``None``: the reduced film + clearance law)."""
    return MetalFoil(name, LI_THICKNESS, layer_modulus(LI_ELASTIC_MASIAS_2019), side=side,
                     creep=MASIAS_2019, friction="die", radius=FOIL_RADIUS, clearance=clearance,
                     clearance_length=DIE_CLEARANCE_LENGTH, thinning_law=law)


def die_stack(clearance: float, temperature_c: float,
              law: DieCellThinning | None) -> StackModel:
    """Li | LPSCl | Li in the die and the calibrated load train at ``temperature_c``."""
    layers = [die_foil("li_bottom", clearance, -1, law),
              ElasticLayer.from_material("separator", SEPARATOR_THICKNESS, LI6PS5CL),
              die_foil("li_top", clearance, 1, law)]
    return StackModel(layers, FixedGap(FIXTURE_COMPLIANCE, empty_fixture_prony(temperature_c)),
                      temperature_c + CELSIUS)


def fe_law(comm: MPI.Comm, clearance: float) -> DieCellThinning:
    """The FE die law of a 100 µm foil at the table thicknesses."""
    return DieCellThinning(comm, MASIAS_2019, FOIL_RADIUS, clearance, DIE_CLEARANCE_LENGTH,
                           [f * LI_THICKNESS for f in TABLE_THICKNESSES])


def symmetric_cycle(stack: StackModel, steps: int) -> tuple[Any, Any]:
    """One plate/strip hour each way from CYCLE_PRESSURE, and the same time at rest."""
    cycle = [Segment(HOUR, CYCLE_CURRENT, steps), Segment(HOUR, -CYCLE_CURRENT, steps)]
    rest = [Segment(HOUR, 0.0, steps), Segment(HOUR, 0.0, steps)]
    return stack.run(cycle, CYCLE_PRESSURE), stack.run(rest, CYCLE_PRESSURE)


def run_die_cell_hold(comm: MPI.Comm, quick: bool) -> dict[str, Any]:
    """Every run of the module docstring (collective: the FE solves use ``comm``; the stack
    model runs on every rank alike). Returns rows, curves, timings and the check values."""
    steps = 60 if quick else 240
    clearances = (CALIBRATION_CLEARANCE,) if quick else DIE_CLEARANCES
    rows: list[dict[str, Any]] = []
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    laws: dict[float, DieCellThinning] = {}
    timings: dict[str, float] = {}
    for gap in clearances:
        start = time.perf_counter()
        laws[gap] = fe_law(comm, gap * UM)
        timings[f"fe_table_{gap:g}um_s"] = time.perf_counter() - start
        res = laws[gap].results[TABLE_THICKNESSES.index(1.0)]  # the 100 um foil
        for tc in (25.0, 40.0):
            for model, law in (("fe", laws[gap]), ("reduced", None)):
                start = time.perf_counter()
                h = die_stack(gap * UM, tc, law).run(log_segments(86400.0, steps),
                                                     HOLD_PRESSURE)
                key = f"die_{model}_{gap:g}um_{tc:g}C"
                rows.append({"key": key, "model": model, "clearance_um": gap,
                             "temperature_C": tc, **hold_summary(h),
                             "li_thinning_um": (LI_THICKNESS - h.thickness["li_top"][-1]) / UM,
                             "scaled_pressure": laws[gap].scaled_pressure(LI_THICKNESS),
                             "fe_cells": res.cells, "fe_dofs": res.dofs,
                             "wall_s": time.perf_counter() - start})
                curves[key] = (h.time.copy(), h.pressure.copy())
    base = laws[CALIBRATION_CLEARANCE]
    start = time.perf_counter()
    cycled, rested = symmetric_cycle(die_stack(CALIBRATION_CLEARANCE * UM, 25.0, base),
                                     20 if quick else 60)
    timings["fe_symmetric_cycle_s"] = time.perf_counter() - start
    by = {r["key"]: r for r in rows}
    pairs = [(by[f"die_fe_{g:g}um_{tc:g}C"], by[f"die_reduced_{g:g}um_{tc:g}C"])
             for g in clearances for tc in (25.0, 40.0)]
    fe_vs_reduced = max(max(abs(a["p_30min_MPa"] - b["p_30min_MPa"]),
                            abs(a["p_24h_MPa"] - b["p_24h_MPa"])) for a, b in pairs) * MPA
    return {
        "rows": rows, "curves": curves, "timings": timings,
        "fe_vs_reduced_Pa": fe_vs_reduced,
        "interpolation_error": None if quick else _interpolation_error(comm, base),
        "symmetric": {"p_end_cycle_MPa": float(cycled.pressure[-1]) / MPA,
                      "p_end_rest_MPa": float(rested.pressure[-1]) / MPA,
                      "largest_difference_MPa": float(np.max(np.abs(cycled.pressure
                                                                    - rested.pressure))) / MPA,
                      "li_top_change_um": float(np.ptp(cycled.thickness["li_top"])) / UM},
        "symmetric_curves": {"cycle": (cycled.time, cycled.pressure),
                             "rest": (rested.time, rested.pressure)},
    }


def _interpolation_error(comm: MPI.Comm, law: DieCellThinning) -> float:
    """Relative error of ``P*`` interpolated at 0.95 h against a direct FE solve there."""
    h = 0.95 * LI_THICKNESS
    direct = die_cell_flow(comm, DieCellGeometry(FOIL_RADIUS, h, CALIBRATION_CLEARANCE * UM,
                                                 DIE_CLEARANCE_LENGTH),
                           1e-9, 1.0, MASIAS_2019.n).scaled_pressure
    return abs(law.scaled_pressure(h) / direct - 1.0)


def drop_factor(pred: float, meas: float) -> float:
    """``max(pred/meas, meas/pred)`` (inf for a non-positive prediction)."""
    return math.inf if pred <= 0.0 else max(pred / meas, meas / pred)


__all__ = ["die_foil", "die_stack", "drop_factor", "fe_law", "run_die_cell_hold",
           "symmetric_cycle"]
