"""Stack-pressure relaxation of a Li | Li6PS5Cl | Li cell in a 25 MPa fixed-gap hold (Ham 2024).

**Redone on the cell-scale model** (headline, :mod:`ssbx.benchmarks.reproductions.die_cell_hold`):
each Li foil fills the die bore and extrudes into the plunger clearance, solved as the
finite-element die cell (:mod:`ssbx.problems.die_cell`), in the stack model with the load train
calibrated on the empty cell (one Prony term per temperature); the reduced die law runs beside it
(verification at the cell scale) and a symmetric cycle checks that the two electrodes cancel.
Metric: the same 30 min -> 24 h drop, factor 2, for the base clearance 25 µm (assumed, fixed
before the runs); 10 and 50 µm show how the unknown clearance moves it. The earlier models below
(Li confined without any clearance, or free at its edge, by the FE mechanics solver) remain as
the bounds of the lateral boundary condition.

Claim reproduced (Ham, PhD dissertation UCSD 2024, ch. 2, Fig. 2.4): a Li symmetric cell loaded to
25 MPa and then held at a fixed gap relaxes to 23 MPa within 30 min and to 21.1 MPa after 24 h at
room temperature; in the first 30 min it loses 2.2 MPa at RT and 5.6 MPa at 40 C, but the empty
plunger cell loses pressure in that period too (``benchmarks/data/ham_pressure_hold.csv``, with
the quotes and caveats).

Model: ``examples/pressure_hold.toml``: half of the symmetric stack (the electrolyte mid-plane is a
symmetry plane) as an axisymmetric disc, Li foil 100 um (ASSUMED: not given), electrolyte
half-thickness 300 um (assumed; 75 mg of LPSCl in a 10 mm die is ~0.6 mm), Li6PS5Cl elastic preset,
Li power-law creep of Masias et al. 2019 (not fitted), 25 C. Loading: the plate (Li current
collector) is moved over ``fixture.loading_time`` = 10 s; its amplitude is found by a secant
iteration so that the stack pressure at the end of the ramp is 25 MPa (the experimenter loads to
the 25 MPa reading; the Li already creeps while it is loaded, so the elastic gap of
``ssbx.runs.mechanics`` would only reach ~22 MPa), then held. The fixture either holds the gap
(ideal fixed gap) or is a frame of finite stiffness k: a rigid, flat plate with
``p = k (d_set - d)`` (:class:`FramedPlate`; the set point ``d_set`` is ramped and calibrated the
same way). One model-check run uses ssbx's Winkler ``Spring`` fixture instead (local pressure,
the plate is not flat where a free foil squeezes out). Runs not loaded to 25 MPa within a plate
travel of 2 % of h_li (10 % with a frame) and runs whose Li thins by more than 10 % (small
strain no longer holds) are flagged and left out of the ranking of the assumptions.

Assumptions swept, one at a time, from two references:

- base (the case as written): Li confined by the die (roller sides), ideal fixed gap, 100 um,
  Masias power law, 25 C (and 40 C);
- free: Li free to flow out at the edge of the foil (``fixture.sides = "free"``) with the real
  foil radius R = 5 mm (R/h = 50), Li bonded to the electrolyte and to the plunger (no slip);
  meshed with a structured mesh graded towards the foil edge (elements h_li/4 there, 2 h_li
  inside), since the ssbx mesher refines only at voids;

(a) lateral confinement: confined vs free, and (free) a frictionless plunger; (b) fixture: ideal
fixed gap vs a stiff frame k_f = 1 MPa/um per area of the whole cell (e.g. 0.8e8 N/m on
0.785 cm2: load cell + plungers + bolted frame; the half-stack model sees 2 k_f since the frame
acts on two Li foils and the whole pellet) and a frame ten times softer; (c) Li thickness 50, 100,
250 um; (d) Masias power law vs the Anand model of Narayan & Anand 2018; (e) 25 vs 40 C.

Metric (fixed before the runs): the pressure drop from 30 min to 24 h of the base case against the
measured 23 - 21.1 = 1.9 MPa, which the empty fixture's early relaxation does not contain;
tolerance: a factor of 2. The 0 -> 30 min drops (RT and 40 C) are compared as upper bounds
(the fixture relaxes too). Verification: the confined stack's elastic stiffness and its fully
relaxed (hydrostatic Li) limit in closed form; full run: mesh and time-step convergence of the
free-foil case. Parameters are never tuned: a miss is reported with the assumption that dominates.

MPI: the variants are independent serial runs; on a communicator of several ranks they are
distributed over the ranks (each rank runs its share on its own communicator).
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.framework import (
    DATA_DIR,
    Benchmark,
    Check,
    Outcome,
    csv_text,
    pyplot,
    register,
    save_figure,
    say,
)
from ssbx.benchmarks.reproductions.die_cell_hold import (
    FE_REDUCED_TOLERANCE,
    INTERPOLATION_TOLERANCE,
    SYMMETRIC_TOLERANCE,
    drop_factor,
    run_die_cell_hold,
)
from ssbx.case import Case

UM = 1e-6
MPA = 1e6
HOUR = 3600.0
REFERENCE_FILE = DATA_DIR / "ham_pressure_hold.csv"
CASE_FILE = Path(__file__).resolve().parents[2] / "examples" / "pressure_hold.toml"

T_30MIN = 1800.0
T_24H = 86400.0
P_TARGET = 25.0e6
"""Stack pressure at the end of loading [Pa] (the calibration target)."""
FOIL_RADIUS = 5.0e-3
"""Real Li foil radius [m]: 0.785 cm2 punched (10 mm diameter)."""
FRAME_STIFF = 1.0e12
"""Stiff fixture [Pa/m] per area of the whole cell: 1 MPa/um (0.785e8 N/m on 0.785 cm2)."""
FRAME_SOFT = 1.0e11
"""An order of magnitude softer fixture [Pa/m]."""
FIXTURES = {"fixed_gap": None, "stiff": FRAME_STIFF, "soft": FRAME_SOFT}
MAX_DP = 1.0
"""Plastic-increment limit of the time stepper. Large on purpose: the increment peaks at the
singular corner where the bonded Li foil edge meets the electrolyte (small-strain corner
singularity), which would otherwise dictate the step; the step then grows by 1.5 per step
(``run_quasistatic`` defaults). The full run checks this against max_dp = 0.01 and growth 1.2."""
CALIBRATION_TOL = 2e-3
"""Relative tolerance of the pressure at the end of loading (25 MPa +- 0.05 MPa)."""
CALIBRATION_MAX_ITER = 10
LOAD_CAP = 0.02
"""Largest plate displacement during loading as a fraction of the Li thickness (fixed gap; five
times this for a frame, whose plate also follows the Li squeezed out while the screw is turned):
a free foil that flows out faster than it can be loaded is reported as "target not reached"."""
THINNING_LIMIT = 0.10
"""Plate travel (Li thinning) beyond this fraction of the Li thickness: the small-strain result
is only qualitative (flagged)."""
FACTOR_TOL = 2.0
"""Headline tolerance: predicted / measured drop (30 min -> 24 h) within a factor of 2."""
LIMIT_TOL = 2e-3
"""Confined fixed-gap / spring runs: relative distance of p(24 h) from the hydrostatic limit."""
STIFFNESS_TOL = 1e-8
CONVERGENCE_TOL = 0.05
"""Full run: relative change of p(30 min) and of the 30 min -> 24 h drop of the free foil when the
mesh is refined twice / the time step is cut (max_dp 0.01, growth 1.2)."""
T_PLOT_START = 8.0
"""Plots start at 8 s (the loading ramp ends at 10 s)."""
DROP_FLOOR = 1e-4
"""Drops below this [MPa] are treated as this value in ratios (log effects)."""
DIE_BASE = "die_fe_25um_25C"
"""The headline run of the cell-scale model (FE die cell, 25 µm clearance, RT)."""
P30_TOL = 1.0
"""|p(30 min) - 23 MPa| [MPa] and |40 C 30-min loss - 5.6 MPa| accepted (fixed before the run)."""


# --------------------------------------------------------------------------------------------
# reference data
# --------------------------------------------------------------------------------------------
def load_reference() -> dict[str, dict[str, Any]]:
    """Rows of ``benchmarks/data/ham_pressure_hold.csv`` by id (numbers as floats)."""
    lines = [ln for ln in REFERENCE_FILE.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    out: dict[str, dict[str, Any]] = {}
    for r in csv.DictReader(io.StringIO("\n".join(lines))):
        out[r["id"]] = {
            "temperature_C": float(r["temperature_C"]), "kind": r["kind"],
            "time_from_s": float(r["time_from_s"]), "time_s": float(r["time_s"]),
            "value_MPa": float(r["value_MPa"]), "cell": r["cell"], "used_as": r["used_as"],
            "quote_line": r["quote_line"],
        }
    return out


# --------------------------------------------------------------------------------------------
# variants
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One run: the base case with one (or two) assumptions changed.

    lateral: ``confined`` (roller sides, the case's 500 um slice) or ``free`` (foil of radius
    R = 5 mm with a free edge, graded mesh); plunger: ``bonded`` (no slip of the Li on the plate)
    or ``slip``; fixture: ``fixed_gap``, ``stiff`` or ``soft``; refine: graded-mesh refinement
    (Li layers = 4 refine); cost: rough relative cost (distribution over ranks).
    """

    key: str
    label: str
    lateral: str = "confined"
    fixture: str = "fixed_gap"
    h_li_um: float = 100.0
    law: str = "power_law"
    temperature_C: float = 25.0
    plunger: str = "bonded"
    winkler: bool = False
    refine: int = 1
    max_dp: float = MAX_DP
    grow: float = 1.5
    role: str = "sweep"
    cost: float = 1.0

    @property
    def reference(self) -> str:
        """The variant this one is compared with (``base`` or ``free``)."""
        return "base" if self.lateral == "confined" else "free"


def _v(key: str, label: str, **kw: Any) -> Variant:
    return Variant(key, label, **kw)


VARIANTS: tuple[Variant, ...] = (
    _v("base", "confined, fixed gap, 100 um, Masias, 25 C (base)", role="base"),
    _v("base_40C", "confined, 40 C", temperature_C=40.0),
    _v("stiff", "confined, stiff frame 1 MPa/um", fixture="stiff"),
    _v("soft", "confined, soft frame 0.1 MPa/um", fixture="soft"),
    _v("h50", "confined, Li 50 um", h_li_um=50.0),
    _v("h250", "confined, Li 250 um", h_li_um=250.0),
    _v("anand", "confined, Anand", law="anand"),
    _v("free", "free foil R = 5 mm, fixed gap, 100 um, Masias, 25 C", lateral="free",
       role="base", cost=5.0),
    _v("free_40C", "free, 40 C", lateral="free", temperature_C=40.0, cost=5.0),
    _v("free_stiff", "free, stiff frame 1 MPa/um", lateral="free", fixture="stiff", cost=6.0),
    _v("free_soft", "free, soft frame 0.1 MPa/um", lateral="free", fixture="soft", cost=6.0),
    _v("free_h50", "free, Li 50 um", lateral="free", h_li_um=50.0, cost=6.0),
    _v("free_h250", "free, Li 250 um", lateral="free", h_li_um=250.0, cost=5.0),
    _v("free_anand", "free, Anand", lateral="free", law="anand", cost=5.0),
    _v("free_slip", "free, frictionless plunger", lateral="free", plunger="slip", cost=5.0),
    _v("free_stiff_winkler", "free, stiff frame as ssbx Winkler springs (model check)",
       lateral="free", fixture="stiff", winkler=True, role="model", cost=6.0),
    _v("free_fine", "free, mesh refined x2 (numerics)", lateral="free", refine=2,
       role="numerics", cost=15.0),
    _v("free_dt", "free, max_dp 0.01, growth 1.2 (numerics)", lateral="free", max_dp=0.01,
       grow=1.2, role="numerics", cost=12.0),
)
QUICK_KEYS = ("base", "base_40C", "free")


def variants(quick: bool) -> list[Variant]:
    """The variants of the full run, or the quick subset :data:`QUICK_KEYS`."""
    return [v for v in VARIANTS if not quick or v.key in QUICK_KEYS]


def variant_overrides(v: Variant) -> dict[str, Any]:
    """Case overrides (SI) of a variant, on top of ``examples/pressure_hold.toml``."""
    h = v.h_li_um * UM
    size = min(25e-6, h / 4.0)  # the case's effective size (h_li / 4 for 100 um)
    o: dict[str, Any] = {
        "name": f"pressure_relaxation_{v.key}",
        "geometry.h_li": h,
        "mesh.size_fine": size,
        "mesh.size_coarse": size,
        "operation.temperature": v.temperature_C + 273.15,
        "mechanics.li_model": v.law,
        "time.end": T_24H,
        "time.max_plastic_strain_increment": v.max_dp,
        "output.fields": False,
    }
    if v.lateral == "free":
        o |= {"fixture.sides": "free", "geometry.width": FOIL_RADIUS}
    stiffness = FIXTURES[v.fixture]
    if stiffness is not None:
        # the frame acts on the whole stack (two foils + pellet): 2 k_f on the half-stack model
        o |= {"fixture.type": "spring", "fixture.stiffness": 2.0 * stiffness}
    return o


# --------------------------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------------------------
_PREFIX_COUNTER = [0]


def _prefix() -> str:
    _PREFIX_COUNTER[0] += 1
    return f"ssbx_prelax{_PREFIX_COUNTER[0]}_"


def build_problem(case: Case, cell_mesh: Any, plate_load: Any, bonded: bool) -> Any:
    """The mechanics problem of an axisymmetric pressure-hold case with ``plate_load`` on the Li
    current collector; ``bonded``: the Li also sticks to the plate (``u_r = 0`` there).

    :func:`ssbx.setup.build_mechanics_problem` with this benchmark's solver prefix.
    """
    from ssbx.setup import build_mechanics_problem

    if case.geometry.kind != "axisymmetric":
        raise ValueError("pressure_relaxation: axisymmetric cases only")
    return build_mechanics_problem(case, cell_mesh, prefix=_prefix(), plate_load=plate_load,
                                   bonded_plate=bonded)


def layer_moduli(case: Case) -> dict[str, float]:
    """Bulk and P-wave moduli [Pa] of the Li and the electrolyte of a case."""
    from ssbx.meshes.tags import CellTag
    from ssbx.setup import materials_of

    materials, _ = materials_of(case)
    out = {}
    for name, tag in (("li", CellTag.LITHIUM), ("se", CellTag.ELECTROLYTE)):
        m = materials[int(tag)]
        out[f"K_{name}"] = m.bulk_modulus
        out[f"M_{name}"] = m.bulk_modulus + 4.0 * m.shear_modulus / 3.0
    return out


def confined_compliances(case: Case) -> tuple[float, float]:
    """Closed forms for the laterally confined half stack (uniaxial strain in every layer)
    [m/Pa]: elastic ``h_li/M_li + h_se/M_se`` and relaxed (deviatoric stress of the Li fully
    relaxed, its volume change elastic) ``h_li/K_li + h_se/M_se``; M = K + 4G/3."""
    m = layer_moduli(case)
    g = case.geometry
    return (g.h_li / m["M_li"] + g.h_se / m["M_se"], g.h_li / m["K_li"] + g.h_se / m["M_se"])


def _ramp(amplitude: float, duration: float) -> Callable[[float], float]:
    return lambda t: amplitude * min(max(t / duration, 0.0), 1.0)


class FramedPlate:
    """A rigid plate (uniform displacement ``d`` into the cell) held by a frame of stiffness
    ``k`` [Pa/m]: the stack pressure obeys ``p = k (d_set(t) - d)``, ``d_set`` being the frame's
    set point (the screw). ssbx has no global plate unknown, so every time step solves
    ``P(d) = k (d_set - d)`` by a secant iteration on ``d`` (``P``: the stack pressure of the
    creeping cell at plate displacement ``d``, one mechanics solve per iterate). Unlike the
    Winkler :class:`ssbx.problems.mechanics.Spring` (local pressure = preload + k u_n), the plate
    stays flat where the Li squeezes out at a free foil edge.

    Time stepping as :func:`ssbx.problems.mechanics.run_quasistatic`: elastic step first, step
    growth ``grow`` after a step with at most 4 Newton iterations per solve, halving on failure,
    the plastic-increment limit ``max_dp``.
    """

    TOL = 1e-8
    """|P(d) - k (d_set - d)| <= TOL * 25 MPa (0.25 Pa)."""

    def __init__(self, problem: Any, holder: dict[str, float], d_set: Any, k: float,
                 k_elastic: float) -> None:
        self.problem, self.holder, self.d_set, self.k = problem, holder, d_set, k
        self.slope = k_elastic  # dP/dd estimate (elastic stack stiffness first)
        self.d = 0.0
        self.rate = 0.0

    def _solve(self, dt: float) -> Any:
        """One frame-coupled step (uncommitted on success, None on failure)."""
        pb = self.problem
        t_new = pb.time + dt
        target = self.d_set(t_new)
        d = self.d + self.rate * dt
        prev: tuple[float, float] | None = None
        its = 0
        for _ in range(12):
            self.holder["d"] = d
            res = pb.solve_step(dt)
            its = max(its, res.iterations)
            if not res.converged:
                return None
            g = res.plate_pressure - self.k * (target - d)
            if abs(g) <= self.TOL * P_TARGET:
                res.iterations = its
                return res
            pb.reject()
            if prev is not None and d != prev[0]:
                s = (g - prev[1]) / (d - prev[0]) - self.k  # dP/dd
                if math.isfinite(s) and s > 0.0:
                    self.slope = s
            prev = (d, g)
            d = d - g / (self.slope + self.k)
        return None

    def run(self, t_end: float, dt0: float, *, dt_max: float, max_dp: float, grow: float,
            callback: Any) -> None:
        """Advance to ``t_end`` [s] from a first step ``dt0`` [s] (elastic step first), calling
        ``callback`` with every accepted step's result; raises ``TimeSteppingError`` when the
        elastic step fails or after more than 10 successive cut-backs."""
        from ssbx.errors import TimeSteppingError

        pb = self.problem
        if pb.steps == 0:
            self.holder["d"] = 0.0
            res = pb.solve_step(0.0)
            if not res.converged:
                raise TimeSteppingError("framed plate: elastic step failed", [])
            pb.commit()
            callback(res)
        dt_next, cutbacks = min(dt0, dt_max), 0
        eps = 1e-12 * max(t_end, dt0)
        while pb.time < t_end - eps:
            remaining = t_end - pb.time
            dt = min(dt_next, remaining)
            if remaining - dt < 1e-3 * dt:
                dt = remaining
            res = self._solve(dt)
            if res is not None and res.max_dp <= max_dp:
                pb.commit()
                self.rate = (self.holder["d"] - self.d) / dt
                self.d = self.holder["d"]
                callback(res)
                cutbacks = 0
                if res.iterations <= 4:
                    dt_next = max(dt_next, dt) * grow
                if res.max_dp > 0.0:
                    dt_next = min(dt_next, dt * 0.9 * max_dp / res.max_dp)
                dt_next = min(dt_next, dt_max)
                continue
            if res is not None:
                pb.reject()
            cutbacks += 1
            dt_next = 0.5 * dt
            if cutbacks > 10:
                raise TimeSteppingError(f"framed plate: time stepping stopped at t = "
                                        f"{pb.time:g} s after 10 cut-backs", [])


def run_variant(v: Variant, comm: MPI.Comm) -> dict[str, Any]:
    """Mesh, calibrate the loading to 25 MPa, hold for 24 h; the row and the history."""
    from ssbx.case import load_case, with_overrides
    from ssbx.meshes.cell import build_cell_mesh
    from ssbx.meshes.tags import FacetTag
    from ssbx.problems.mechanics import Displacement, Spring, run_quasistatic

    t_start = time.perf_counter()
    case = with_overrides(load_case(CASE_FILE), variant_overrides(v))
    g = case.geometry
    plate = int(FacetTag.LI_BOTTOM)
    bonded = v.plunger == "bonded"
    if v.lateral == "free":
        from ssbx.meshes.foil import graded_foil_mesh

        cell_mesh = graded_foil_mesh(comm, g.width, g.h_li, g.h_se, refine=v.refine)
        mesh_name = f"graded, R = {g.width / UM:g} um, Li layers {4 * v.refine}"
    else:
        cell_mesh = build_cell_mesh(comm, g, case.mesh)
        mesh_name = (f"ssbx mesher, {g.width / UM:g} um slice, size "
                     f"{case.mesh.size_coarse / UM:g} um")

    # elastic stack stiffness [Pa/m] (plate displacement into the cell)
    unit = 1e-6
    probe = build_problem(case, cell_mesh, Displacement(plate, 1, unit), bonded)
    res = probe.solve_step(0.0)
    if not res.converged:
        raise RuntimeError(f"{v.key}: elastic probe did not converge")
    stiffness = res.plate_pressure / unit
    num_dofs = probe.num_dofs()
    del probe

    t_load = case.fixture.loading_time
    k = case.fixture.stiffness if case.fixture.type == "spring" else None
    mode = "gap" if k is None else ("winkler" if v.winkler else "frame")
    d_max = (1.0 if mode == "gap" else 5.0) * LOAD_CAP * g.h_li
    if mode == "gap":
        amp, amp_max = P_TARGET / stiffness, d_max
    else:  # the set point (frame) or preload (Winkler) for 25 MPa on the elastic stack
        amp = P_TARGET / k + P_TARGET / stiffness if mode == "frame" else \
            P_TARGET * (1.0 + k / stiffness)
        amp_max = math.inf
    step = {"dt_max": case.time.max_step, "max_dp": case.time.max_plastic_strain_increment,
            "grow": v.grow}

    def attempt(amplitude: float) -> tuple[Any, Any, list[Any]]:
        hist: list[Any] = []
        if mode == "frame":
            holder = {"d": 0.0}
            problem = build_problem(case, cell_mesh, Displacement(plate, 1, lambda t: holder["d"]),
                                    bonded)
            driver = FramedPlate(problem, holder, _ramp(amplitude, t_load), k, stiffness)
            driver.run(t_load, case.time.initial_step, callback=hist.append, **step)
            return problem, driver, hist
        load = (Displacement(plate, 1, _ramp(amplitude, t_load)) if mode == "gap"
                else Spring(plate, _ramp(amplitude, t_load), k))
        problem = build_problem(case, cell_mesh, load, bonded)
        run_quasistatic(problem, t_load, case.time.initial_step, callback=hist.append, **step)
        return problem, None, hist

    trials: list[tuple[float, float]] = []
    reached = False
    problem, driver, hist = None, None, []
    for _ in range(CALIBRATION_MAX_ITER):
        problem, driver, hist = attempt(amp)
        p_end = hist[-1].plate_pressure
        trials.append((amp, p_end))
        if abs(p_end / P_TARGET - 1.0) <= CALIBRATION_TOL:
            reached = True
            break
        if p_end < P_TARGET and (amp >= amp_max * (1.0 - 1e-12)
                                 or -hist[-1].plate_displacement >= d_max):
            break  # the foil flows out faster than it can be loaded within the cap
        if len(trials) == 1:
            new = amp * P_TARGET / p_end
        else:
            (a0, p0), (a1, p1) = trials[-2], trials[-1]
            slope = math.log(p1 / p0) / math.log(a1 / a0) if a1 != a0 else 1.0
            slope = min(max(slope, 0.05), 2.0) if math.isfinite(slope) else 1.0
            new = a1 * (P_TARGET / p1) ** (1.0 / slope)
        amp = float(min(max(new, amp / 10.0), amp * 10.0, amp_max))
    assert problem is not None
    n_load = len(hist)
    for t_end in (T_30MIN, T_24H):
        dt0 = max(hist[-1].dt, case.time.initial_step)
        if driver is not None:
            driver.run(t_end, dt0, callback=hist.append, **step)
        else:
            run_quasistatic(problem, t_end, dt0, callback=hist.append, **step)

    times = np.array([h.time for h in hist])
    p = np.array([h.plate_pressure for h in hist])
    u = np.array([h.plate_displacement for h in hist])
    its = np.array([h.iterations for h in hist])
    k30 = int(np.argmin(np.abs(times - T_30MIN)))
    p_load, p30, p24 = float(p[n_load - 1]), float(p[k30]), float(p[-1])
    c_el, c_rel = confined_compliances(case)
    row: dict[str, Any] = {
        "key": v.key,
        "label": v.label,
        "role": v.role,
        "reference_variant": v.reference,
        "lateral": v.lateral,
        "plunger": v.plunger,
        "fixture": v.fixture,
        "frame_stiffness_MPa_per_um": (FIXTURES[v.fixture] or math.inf) / 1e12,
        "h_li_um": g.h_li / UM,
        "h_se_um": g.h_se / UM,
        "radius_um": g.width / UM,
        "li_model": v.law,
        "temperature_C": v.temperature_C,
        "mesh": mesh_name,
        "num_dofs": num_dofs,
        "max_dp": v.max_dp,
        "grow": v.grow,
        "stack_stiffness_MPa_per_um": stiffness / 1e12,
        "stack_stiffness_confined_closed_form_MPa_per_um": 1.0 / c_el / 1e12,
        "load_amplitude": amp,
        "load_amplitude_unit": "Pa" if mode == "winkler" else "m",
        "fixture_model": {"gap": "rigid plate, fixed gap", "frame": "rigid plate on a frame",
                          "winkler": "ssbx Spring (Winkler)"}[mode],
        "calibration_iterations": len(trials),
        "p_load_elastic_gap_MPa": trials[0][1] / MPA if mode == "gap" else math.nan,
        "target_reached": reached,
        "p_load_MPa": p_load / MPA,
        "p_30min_MPa": p30 / MPA,
        "p_24h_MPa": p24 / MPA,
        "drop_load_30min_MPa": (p_load - p30) / MPA,
        "drop_30min_24h_MPa": (p30 - p24) / MPA,
        "plate_displacement_load_um": float(u[n_load - 1]) / UM,
        "plate_displacement_24h_um": float(u[-1]) / UM,
        "plate_travel_hold_um": float(u[n_load - 1] - u[-1]) / UM,
        "li_thinning_fraction": float(-u[-1]) / g.h_li,
        "beyond_small_strain": bool(float(-u[-1]) > THINNING_LIMIT * g.h_li),
        "p_hydrostatic_limit_MPa": (abs(float(u[-1])) / c_rel / MPA if v.lateral == "confined"
                                    else math.nan),
        "steps": len(hist) - 1,
        "newton_iterations": int(np.sum(its)),
        "wall_s": time.perf_counter() - t_start,
    }
    history = {"time_s": times.tolist(), "pressure_MPa": (p / MPA).tolist(),
               "plate_displacement_um": (u / UM).tolist()}
    return {"row": row, "history": history}


def _distribute(vs: list[Variant], size: int) -> list[list[int]]:
    """Greedy assignment of variant indices to ranks by cost (largest first)."""
    load = [0.0] * size
    out: list[list[int]] = [[] for _ in range(size)]
    for i in sorted(range(len(vs)), key=lambda i: -vs[i].cost):
        r = int(np.argmin(load))
        out[r].append(i)
        load[r] += vs[i].cost
    return out


def run_variants(vs: list[Variant], comm: MPI.Comm, console: Any) -> list[dict[str, Any]]:
    """Every variant (serially on a one-rank comm, else distributed over the ranks); the results
    in the order of ``vs`` on rank 0 (empty on the others)."""
    mine = _distribute(vs, comm.size)[comm.rank]
    sub = comm.Split(comm.rank, 0) if comm.size > 1 else comm
    results: dict[int, dict[str, Any]] = {}
    error = ""
    try:
        for i in mine:
            results[i] = run_variant(vs[i], sub)
            r = results[i]["row"]
            if comm.rank == 0:
                say(comm, console,
                    f"  {vs[i].key}: {r['p_load_MPa']:.2f} MPa after loading -> "
                    f"{r['p_30min_MPa']:.3f} MPa at 30 min -> {r['p_24h_MPa']:.3f} MPa at 24 h; "
                    f"{r['num_dofs']} dofs, {r['steps']} steps, {r['wall_s']:.1f} s")
    except Exception as err:  # reported on every rank below
        error = f"rank {comm.rank}: {type(err).__name__}: {err}"
    finally:
        if sub is not comm:
            sub.Free()
    gathered = comm.gather((results, error), root=0)
    errors = comm.bcast([e for _, e in gathered if e] if comm.rank == 0 else None, root=0)
    if errors:
        raise RuntimeError("pressure_relaxation: " + "; ".join(errors))
    if comm.rank != 0:
        return []
    merged: dict[int, dict[str, Any]] = {}
    for res, _ in gathered:
        merged |= res
    return [merged[i] for i in range(len(vs))]


# --------------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------------
def _effect(drop: float, ref: float) -> float:
    """log10 of the ratio of two drops (floored at DROP_FLOOR MPa)."""
    return math.log10(max(drop, DROP_FLOOR) / max(ref, DROP_FLOOR))


ASSUMPTION_OF = {
    "base_40C": "temperature", "stiff": "fixture", "soft": "fixture", "h50": "Li thickness",
    "h250": "Li thickness", "anand": "creep law", "free": "lateral confinement",
    "free_40C": "temperature", "free_stiff": "fixture", "free_soft": "fixture",
    "free_h50": "Li thickness", "free_h250": "Li thickness", "free_anand": "creep law",
    "free_slip": "plunger friction",
}


def dominance(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per reference (base, free): how far each assumption moves the pressure curve.

    effect of an option: ``max(|p_30min - p_30min,ref|, |p_24h - p_24h,ref|)`` [MPa] (the drop
    30 min -> 24 h alone is not monotonic in the relaxation speed: a foil that relaxes faster has
    less left to lose after 30 min); per assumption the largest effect over its valid options
    (loaded to 25 MPa, Li thinning below 10 %; ``largest_shift_all_MPa`` includes the others),
    which ranks the assumptions; also the log10 ratio of the 30 min -> 24 h drops and the flags
    of each option.
    """
    out: dict[str, Any] = {}
    for ref_key in ("base", "free"):
        if ref_key not in rows:
            continue
        ref = rows[ref_key]
        effects: dict[str, dict[str, Any]] = {}
        for key, r in rows.items():
            a = ASSUMPTION_OF.get(key)
            belongs = r["reference_variant"] == ref_key or (ref_key == "base" and key == "free")
            if a is None or key == ref_key or not belongs:
                continue
            shift = max(abs(r["p_30min_MPa"] - ref["p_30min_MPa"]),
                        abs(r["p_24h_MPa"] - ref["p_24h_MPa"]))
            valid = r["target_reached"] and not r["beyond_small_strain"]
            cur = effects.setdefault(a, {"largest_shift_MPa": math.nan,
                                         "largest_shift_all_MPa": 0.0, "options": {}})
            cur["options"][key] = {
                "p_30min_MPa": r["p_30min_MPa"], "p_24h_MPa": r["p_24h_MPa"],
                "shift_MPa": shift,
                "drop_30min_24h_MPa": r["drop_30min_24h_MPa"],
                "log10_drop_ratio_to_reference": _effect(r["drop_30min_24h_MPa"],
                                                         ref["drop_30min_24h_MPa"]),
                "target_reached": r["target_reached"],
                "beyond_small_strain": r["beyond_small_strain"]}
            cur["largest_shift_all_MPa"] = max(cur["largest_shift_all_MPa"], shift)
            if valid:
                cur["largest_shift_MPa"] = (shift if math.isnan(cur["largest_shift_MPa"])
                                            else max(cur["largest_shift_MPa"], shift))
        if effects:
            ranking = sorted(effects, key=lambda a: -(
                effects[a]["largest_shift_MPa"] if math.isfinite(effects[a]["largest_shift_MPa"])
                else -1.0))
            out[ref_key] = {"reference": {k: ref[k] for k in ("p_30min_MPa", "p_24h_MPa",
                                                              "drop_30min_24h_MPa")},
                            "effects": effects, "ranking": ranking, "dominant": ranking[0]}
    return out


def die_cell_checks(die: dict[str, Any], ref: dict[str, dict[str, Any]]) -> list[Check]:
    """The cell-scale model's checks (headline first): the base drop 30 min -> 24 h, p(30 min)
    at RT, the 40 C 30-min loss, FE vs reduced, the FE table's interpolation (full run) and the
    symmetric cycle."""
    by = {r["key"]: r for r in die["rows"]}
    base, hot = by[DIE_BASE], by[DIE_BASE.replace("25C", "40C")]
    meas_drop = ref["rt_drop_30min_24h"]["value_MPa"]
    p30 = ref["rt_p30min"]["value_MPa"]
    loss40 = ref["c40_drop_0_30min_both"]["value_MPa"]
    checks = [
        Check("die_cell_drop_30min_24h_factor",
              "cell-scale model (Li in the die, FE die cell, clearance 25 um, calibrated load "
              f"train, RT): predicted drop 30 min -> 24 h {base['drop_30min_24h_MPa']:.3g} MPa vs "
              f"measured {meas_drop:g} MPa; value = max(pred/meas, meas/pred)",
              drop_factor(base["drop_30min_24h_MPa"], meas_drop), FACTOR_TOL, "max"),
        Check("die_cell_p30min_rt", f"cell-scale model, RT: |p(30 min) - {p30:g} MPa|",
              abs(base["p_30min_MPa"] - p30), P30_TOL, "max", unit="MPa"),
        Check("die_cell_40C_loss_0_30min",
              f"cell-scale model, 40 C: |30-min loss - {loss40:g} MPa| (the load train is "
              "calibrated on the empty cell's loss, so this tests that the Li adds little)",
              abs(hot["drop_0_30min_MPa"] - loss40), P30_TOL, "max", unit="MPa"),
        Check("die_cell_fe_vs_reduced",
              "reduced die law (film + clearance in series) vs the FE die cell in the same "
              "stack: largest |p| difference at 30 min and 24 h over the clearances and "
              "temperatures", die["fe_vs_reduced_Pa"] / 1e6, FE_REDUCED_TOLERANCE / 1e6, "max",
              unit="MPa"),
        Check("die_cell_symmetric_cycle",
              "symmetric cell in the die (FE law, 25 MPa, RT): plating 1 h and stripping 1 h at "
              "1 mA/cm2 against a 2 h rest, largest |p difference|",
              die["symmetric"]["largest_difference_MPa"], SYMMETRIC_TOLERANCE / 1e6, "max",
              unit="MPa"),
    ]
    if die["interpolation_error"] is not None:
        checks.append(Check("die_cell_table_interpolation",
                            "FE table: P* interpolated in ln h at 0.95 h vs a direct solve "
                            "(relative)", die["interpolation_error"], INTERPOLATION_TOLERANCE,
                            "max"))
    return checks


def evaluate(results: list[dict[str, Any]], quick: bool, die: dict[str, Any]) -> Outcome:
    """The outcome from the results of :func:`run_variants` and of the cell-scale model
    (rank 0): the drops against the measured ones, the closed-form confined limits and (full
    run) the convergence checks."""
    ref = load_reference()
    rows = [r["row"] for r in results]
    by = {r["key"]: r for r in rows}
    meas_drop = ref["rt_drop_30min_24h"]["value_MPa"]
    meas_30_rt = P_TARGET / MPA - ref["rt_p30min"]["value_MPa"]
    meas_30_40 = ref["c40_drop_0_30min_both"]["value_MPa"]
    for r in rows:
        rt = r["temperature_C"] == 25.0
        r["measured_drop_30min_24h_MPa"] = meas_drop if rt else math.nan
        r["ratio_drop_30min_24h_to_measured"] = (
            max(r["drop_30min_24h_MPa"], 0.0) / meas_drop if rt else math.nan)
        r["measured_drop_0_30min_bound_MPa"] = meas_30_rt if rt else meas_30_40

    base = by["base"]
    pred = base["drop_30min_24h_MPa"]
    factor = (max(pred / meas_drop, meas_drop / pred) if pred > 0.0 else math.inf)
    checks = [
        *die_cell_checks(die, ref),
        Check("drop_30min_24h_factor",
              f"earlier model, Li confined without clearance (fixed gap, Li 100 um, Masias, "
              f"25 C): predicted pressure drop "
              f"30 min -> 24 h {pred:.3g} MPa vs measured {meas_drop:g} MPa (23 -> 21.1 MPa); "
              "value = max(pred/meas, meas/pred)", factor, FACTOR_TOL, "max"),
        Check("drop_0_30min_rt_bound",
              "base case: predicted drop from the end of loading (25 MPa) to 30 min [MPa], at "
              f"most the measured {meas_30_rt:g} MPa (25 -> 23; an upper bound: the empty "
              "fixture also loses pressure in the first 30 min)",
              base["drop_load_30min_MPa"], meas_30_rt, "max", unit="MPa"),
    ]
    if "base_40C" in by:
        checks.append(Check(
            "drop_0_30min_40C_bound",
            "base case at 40 C: predicted drop end of loading -> 30 min [MPa], at most the "
            f"measured {meas_30_40:g} MPa ('both cells': upper bound)",
            by["base_40C"]["drop_load_30min_MPa"], meas_30_40, "max", unit="MPa"))
    confined = [r for r in rows if r["lateral"] == "confined"]
    stiff_err = max(abs(r["stack_stiffness_MPa_per_um"]
                        / r["stack_stiffness_confined_closed_form_MPa_per_um"] - 1.0)
                    for r in confined)
    lim_err = max(abs(r["p_24h_MPa"] / r["p_hydrostatic_limit_MPa"] - 1.0) for r in confined)
    checks += [
        Check("confined_elastic_stiffness",
              "confined runs: elastic stack stiffness vs 1/(h_li/M_li + h_se/M_se), M = K + 4G/3 "
              "(uniaxial strain); largest relative difference", stiff_err, STIFFNESS_TOL, "max"),
        Check("confined_hydrostatic_limit",
              "confined runs: p(24 h) vs the fully relaxed limit |u_plate| / (h_li/K_li + "
              "h_se/M_se) (Li deviatoric stress relaxed, volume change elastic); largest "
              "relative difference", lim_err, LIMIT_TOL, "max"),
    ]
    reached = [r["key"] for r in rows if not r["target_reached"]]
    for key, what in (("free_fine", "mesh refined twice (Li layers 8)"),
                      ("free_dt", "max_dp 0.01 and step growth 1.2")):
        if key in by and "free" in by:
            a, b = by["free"], by[key]
            change = max(abs(b["p_30min_MPa"] / a["p_30min_MPa"] - 1.0),
                         abs(b["drop_30min_24h_MPa"] / a["drop_30min_24h_MPa"] - 1.0))
            checks.append(Check(f"free_convergence_{key.split('_')[1]}",
                                f"free foil: relative change of p(30 min) and of the 30 min -> "
                                f"24 h drop with the {what}", change, CONVERGENCE_TOL, "max"))

    dom = dominance({k: r for k, r in by.items() if r["role"] in ("base", "sweep")})
    findings = {
        "measured": {k: v for k, v in ref.items()},
        "base": {k: base[k] for k in ("p_load_MPa", "p_30min_MPa", "p_24h_MPa",
                                      "drop_load_30min_MPa", "drop_30min_24h_MPa",
                                      "p_hydrostatic_limit_MPa")},
        "per_variant": {r["key"]: {k: r[k] for k in (
            "label", "p_load_MPa", "p_30min_MPa", "p_24h_MPa", "drop_load_30min_MPa",
            "drop_30min_24h_MPa", "ratio_drop_30min_24h_to_measured", "plate_travel_hold_um",
            "li_thinning_fraction", "beyond_small_strain", "target_reached", "num_dofs",
            "steps", "wall_s")} for r in rows},
        "loading_target_not_reached": reached,
        "beyond_small_strain": [r["key"] for r in rows if r["beyond_small_strain"]],
        "dominance": dom,
        "assumptions": {
            "li_foil_thickness_um": 100.0, "electrolyte_half_thickness_um": 300.0,
            "loading": "plate ramped over 10 s, amplitude calibrated to 25 MPa at the end",
            "frame_stiffness_stiff_MPa_per_um": FRAME_STIFF / 1e12,
            "frame_stiffness_soft_MPa_per_um": FRAME_SOFT / 1e12,
            "half_stack_spring": "2 k_f (the frame compresses two foils and the whole pellet)",
            "free_foil_radius_mm": FOIL_RADIUS * 1e3,
            "squeeze_flow_scaling": "thin-film squeeze flow of a power-law (exponent n) foil: "
                                    "time scales as (R/h)^(n+1), i.e. x 1.9e2 for R/h 50 -> 100 "
                                    "with n = 6.56: the foil radius and thickness matter only "
                                    "through R/h, which is why the real radius is meshed",
        },
        "statement": _die_statement(die, meas_drop) + " " + _statement(by, dom, meas_drop,
                                                                       quick),
        "die_cell": {k: die[k] for k in ("rows", "timings", "fe_vs_reduced_Pa",
                                         "interpolation_error", "symmetric")},
    }
    history_rows = []
    for res in results:
        h = res["history"]
        for t, pr, uu in zip(h["time_s"], h["pressure_MPa"], h["plate_displacement_um"],
                             strict=True):
            history_rows.append({"key": res["row"]["key"], "time_s": t, "pressure_MPa": pr,
                                 "plate_displacement_um": uu})
    extra = {"pressure_relaxation_history.csv": csv_text(history_rows),
             "pressure_relaxation_die_cell.csv": csv_text(die["rows"])}
    return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                   extra_files=extra,
                   plot_data={"histories": {r["row"]["key"]: r["history"] for r in results},
                              "reference": ref, "die": die})


def _die_statement(die: dict[str, Any], meas: float) -> str:
    """The cell-scale model's findings, in words."""
    by = {r["key"]: r for r in die["rows"]}
    b = by[DIE_BASE]
    text = (
        "Cell-scale model (each Li foil fills the die bore and extrudes into the plunger "
        "clearance, FE die cell; load train calibrated on the empty cell): with the base "
        f"clearance 25 um the RT hold reads {b['p_30min_MPa']:.2f} MPa at 30 min and "
        f"{b['p_24h_MPa']:.2f} MPa at 24 h (measured 23 and 21.1): the 30-min loss is the "
        f"fixture's, and the 30 min -> 24 h drop {b['drop_30min_24h_MPa']:.2g} MPa misses the "
        f"measured {meas:g} MPa by x{drop_factor(b['drop_30min_24h_MPa'], meas):.1f}.")
    others = [by[k] for k in (f"die_fe_{g}um_25C" for g in ("10", "50")) if k in by]
    if others:
        text += (" The clearance decides: " + ", ".join(
            f"{r['clearance_um']:g} um gives {r['p_30min_MPa']:.2f} / {r['p_24h_MPa']:.2f} MPa "
            f"(drop {r['drop_30min_24h_MPa']:.2g} MPa)" for r in others)
            + "; a clearance near 50 um would match the measured drop, but it is not measured "
            "and was not chosen as the base.")
    hot = by[DIE_BASE.replace("25C", "40C")]
    text += (
        f" At 40 C the cell loses {hot['drop_0_30min_MPa']:.2f} MPa in 30 min (measured 5.6 "
        "MPa, as the empty cell): the fixture, not the Li. The reduced die law (film and "
        "clearance in series) stays within "
        f"{die['fe_vs_reduced_Pa'] / 1e6:.2f} MPa of the FE die cell in every hold (it "
        "needs ~3 % less pressure for the same rate than the FE, which adds the flow's turn "
        "into the clearance). A symmetric plate/strip hour at 25 MPa changes the pressure by "
        f"{die['symmetric']['largest_difference_MPa']:.1e} MPa against a rest. Cost: the FE "
        f"table (3 die-cell solves of {b['fe_dofs']} DOFs) "
        f"{die['timings'].get('fe_table_25um_s', math.nan):.0f} s, then a 24-h hold "
        f"{b['wall_s']:.2f} s and a cycle {die['timings']['fe_symmetric_cycle_s']:.2f} s.")
    return text


def _statement(by: dict[str, dict[str, Any]], dom: dict[str, Any], meas: float,
               quick: bool) -> str:
    b = by["base"]
    text = (
        "Earlier model, base case (Li confined by the die without clearance, ideal fixed gap, "
        f"100 um, Masias, 25 C): 25 MPa -> "
        f"{b['p_30min_MPa']:.2f} MPa at 30 min -> {b['p_24h_MPa']:.2f} MPa at 24 h; the drop from "
        f"30 min to 24 h is {b['drop_30min_24h_MPa']:.2g} MPa against the measured {meas:g} MPa "
        f"(ratio {max(b['drop_30min_24h_MPa'], 0.0) / meas:.2g}): a miss. A Li layer confined "
        "by the die can relax only its deviatoric stress, and with the Masias law it does so "
        "within the 10 s of loading (2e4 1/s at the ~10 MPa von Mises stress of elastic "
        "uniaxial strain): after loading the stack is already at its hydrostatic limit "
        f"({b['p_hydrostatic_limit_MPa']:.2f} MPa) and nothing is left to relax (the elastic "
        f"gap that ssbx's fixed_gap fixture sets reaches only {b['p_load_elastic_gap_MPa']:.1f} "
        "MPa at the end of the same ramp). The predicted loss in the first 30 min "
        f"({b['drop_load_30min_MPa']:.2g} MPa at 25 C"
        + (f", {by['base_40C']['drop_load_30min_MPa']:.2g} MPa at 40 C" if "base_40C" in by
           else "")
        + ") is far below the measured 2.0 MPa (5.6 MPa at 40 C), which the empty plunger cell "
        "loses as well (2.2 MPa at RT): in the confined model the early loss is all fixture. "
        "The empty cell's later drift is given only in Fig. 2.4c (the text: both cells "
        "decrease gradually after one hour); if it is of the same order, the 1.9 MPa is not "
        "all Li and the confined model is less wrong than the factor says.")
    if "free" in by:
        f = by["free"]
        text += (
            f" A free foil (R = 5 mm, bonded to electrolyte and plunger) squeezes out at its "
            f"edge and keeps relaxing: {f['p_30min_MPa']:.2f} MPa at 30 min, {f['p_24h_MPa']:.2f} "
            f"MPa at 24 h, a 30 min -> 24 h drop of {f['drop_30min_24h_MPa']:.3g} MPa (ratio "
            f"{f['drop_30min_24h_MPa'] / meas:.2g}), but it loses "
            f"{f['drop_load_30min_MPa']:.3g} MPa in the first 30 min where the Li cell lost "
            "2 MPa. The measurement lies between the two bounds of the lateral boundary "
            "condition (a Li foil as wide as the 10 mm die, partly confined by the PEEK wall "
            "and extruding into the plunger clearance).")
    for ref_key, what in (("base", "From the base case"), ("free", "For the free foil")):
        if ref_key not in dom:
            continue
        d = dom[ref_key]
        parts = []
        for a in d["ranking"]:
            e = d["effects"][a]
            flags = [f"{k}: {'not loaded to 25 MPa' if not o['target_reached'] else ''}"
                     f"{'thinning > 10 %' if o['beyond_small_strain'] else ''}"
                     for k, o in e["options"].items()
                     if not o["target_reached"] or o["beyond_small_strain"]]
            shift = e["largest_shift_MPa"]
            parts.append(f"{a} " + (f"{shift:.2g} MPa" if math.isfinite(shift) else "no valid run")
                         + (f" ({'; '.join(flags)}: {e['largest_shift_all_MPa']:.2g} MPa)"
                            if flags else ""))
        text += (f" {what}, the assumptions move p(30 min) or p(24 h) by at most (valid "
                 "runs; flagged runs in brackets): "
                 + ", ".join(parts) + f"; {d['dominant']} dominates.")
    if quick:
        text += " (Quick run: only the base case at 25 and 40 C and the free foil.)"
    return text


# --------------------------------------------------------------------------------------------
# benchmark
# --------------------------------------------------------------------------------------------
@register
class PressureRelaxation(Benchmark):
    """Benchmark ``pressure_relaxation``: stack-pressure relaxation in a 25 MPa fixed-gap
    hold against Ham (2023), sweeping the modelling assumptions one at a time."""

    name = "pressure_relaxation"
    title = "Stack-pressure relaxation of Li | Li6PS5Cl | Li in a 25 MPa fixed-gap hold"
    source = (
        "S.-Y. Ham, \"Anode Study for Achieving Higher Energy Density in All-Solid-State "
        "Batteries\", PhD dissertation, UC San Diego (2024), ch. 2 (= Energy Storage Materials "
        "55 (2023) 455-462), Fig. 2.4b-d: 25 MPa -> 23 MPa within 30 min -> 21.1 MPa after 24 h "
        "(RT); 2.2 MPa (RT) and 5.6 MPa (40 C) lost in the first 30 min by both the empty "
        "plunger cell and the Li cell"
    )
    reference = (
        "benchmarks/data/ham_pressure_hold.csv (quotes, caveats): pressures 25, 23 (30 min), "
        "21.1 MPa (24 h) at RT; 30-min losses 2.2 MPa (RT) and 5.6 MPa (40 C) shared with the "
        "empty fixture"
    )
    metric = (
        "pressure drop from 30 min to 24 h of the cell-scale model (Li 100 um in the die, FE die "
        "cell with a 25 um plunger clearance, load train calibrated on the empty cell, Masias "
        "power law, RT) against the measured 1.9 MPa; p(30 min) at RT and the 40 C 30-min loss; "
        "the reduced die law against the FE cell; a symmetric cycle. Earlier models (FE "
        "mechanics, examples/pressure_hold.toml: Li confined without clearance, or free) with "
        "sweeps of confinement, fixture stiffness, Li thickness, creep law and temperature"
    )
    tolerance = (
        f"factor {FACTOR_TOL:g} on the 30 min -> 24 h drop (fixed before the runs, no parameter "
        f"tuned); p(30 min) and the 40 C loss within {P30_TOL:g} MPa; reduced vs FE within "
        f"{FE_REDUCED_TOLERANCE / 1e6:g} MPa; symmetric cycle within "
        f"{SYMMETRIC_TOLERANCE / 1e6:g} MPa of the rest; earlier models: 0 -> 30 min drops at "
        "most the measured ones; closed-form confined limits to "
        f"{STIFFNESS_TOL:g} (elastic) and {LIMIT_TOL:g} (relaxed); full run: free-foil result "
        f"within {CONVERGENCE_TOL:g} under mesh and time-step refinement"
    )

    def base_case(self) -> Any:
        """``examples/pressure_hold.toml``."""
        from ssbx.case import load_case

        return load_case(CASE_FILE)

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """The overrides of every variant (:func:`variant_overrides`)."""
        return [variant_overrides(v) for v in variants(quick)]

    def reference_data(self) -> dict[str, dict[str, Any]]:
        """The reference rows by id (:func:`load_reference`)."""
        return load_reference()

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Run every variant (distributed over the ranks) and evaluate them on rank 0."""
        vs = variants(quick)
        say(comm, console, f"  {len(vs)} runs ({', '.join(v.key for v in vs)}) on "
                           f"{comm.size} rank(s)")
        results = run_variants(vs, comm, console)
        say(comm, console, "  cell-scale model: FE die cell in the calibrated stack")
        die = run_die_cell_hold(comm, quick)
        if comm.rank != 0:
            return Outcome(rows=[], checks=[])
        return evaluate(results, quick, die)

    # -- figure ---------------------------------------------------------------------------------
    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Stack pressure against time per assumption swept, and the 30 min -> 24 h drops
        against the measured one."""
        plt = pyplot()
        hist = outcome.plot_data["histories"]
        ref = outcome.plot_data["reference"]
        rows = {r["key"]: r for r in outcome.rows}
        panels = [
            ("(a) lateral confinement, plunger friction", ["base", "free", "free_slip"]),
            ("(b) fixture: fixed gap vs frame stiffness", ["base", "stiff", "soft", "free",
                                                           "free_stiff", "free_soft",
                                                           "free_stiff_winkler"]),
            ("(c) Li foil thickness", ["base", "h50", "h250", "free", "free_h50", "free_h250"]),
            ("(d) creep law", ["base", "anand", "free", "free_anand"]),
            ("(e) temperature", ["base", "base_40C", "free", "free_40C"]),
        ]
        style = {
            "base": ("k", "base: confined, fixed gap, 100 µm, Masias, 25 °C"),
            "free": ("tab:blue", "free foil R = 5 mm (bonded)"),
            "free_slip": ("tab:cyan", "free, frictionless plunger"),
            "stiff": ("tab:orange", "confined, frame 1 MPa/µm"),
            "soft": ("tab:red", "confined, frame 0.1 MPa/µm"),
            "free_stiff": ("tab:orange", "free, frame 1 MPa/µm"),
            "free_soft": ("tab:red", "free, frame 0.1 MPa/µm"),
            "free_stiff_winkler": ("tab:olive", "free, frame 1 MPa/µm as Winkler springs"),
            "h50": ("tab:green", "confined, Li 50 µm"),
            "h250": ("tab:purple", "confined, Li 250 µm"),
            "free_h50": ("tab:green", "free, Li 50 µm"),
            "free_h250": ("tab:purple", "free, Li 250 µm"),
            "anand": ("tab:brown", "confined, Anand"),
            "free_anand": ("tab:brown", "free, Anand"),
            "base_40C": ("tab:red", "confined, 40 °C"),
            "free_40C": ("tab:red", "free, 40 °C"),
        }
        fig, axes = plt.subplots(2, 4, figsize=(22, 10))
        t_meas = np.array([ref["rt_p30min"]["time_s"], ref["rt_p24h"]["time_s"]]) / HOUR
        p_meas = [ref["rt_p30min"]["value_MPa"], ref["rt_p24h"]["value_MPa"]]
        self._plot_die_cell(axes.ravel()[5], axes.ravel()[6], outcome.plot_data["die"], ref)
        for ax, (title, keys) in zip(axes.ravel(), panels, strict=False):
            for key in keys:
                if key not in hist:
                    continue
                h = hist[key]
                t = np.array(h["time_s"])
                keep = t >= T_PLOT_START
                color, label = style[key]
                free = rows[key]["lateral"] == "free"
                if not rows[key]["target_reached"]:
                    label += f" (loaded to {rows[key]['p_load_MPa']:.1f} MPa only)"
                if rows[key]["beyond_small_strain"]:
                    label += f" (thinning {100 * rows[key]['li_thinning_fraction']:.0f} %!)"
                ax.plot(t[keep] / HOUR, np.array(h["pressure_MPa"])[keep], color=color,
                        ls="--" if free else "-", lw=1.8 if key in ("base", "free") else 1.4,
                        label=label)
            ax.plot(t_meas, p_meas, "ks", ms=8, mfc="gold", zorder=5,
                    label="measured, RT: 23 MPa (30 min), 21.1 MPa (24 h)")
            ax.plot([10.0 / HOUR], [25.0], "k>", ms=7, zorder=5,
                    label="25 MPa reached at the end of loading (10 s)")
            if "base_40C" in keys:
                p40 = 25.0 - ref["c40_drop_0_30min_both"]["value_MPa"]
                ax.plot([T_30MIN / HOUR], [p40], "D", color="tab:red", ms=7, mfc="white",
                        zorder=5, label="40 °C: 25 − 5.6 MPa at 30 min (empty cell too)")
            ax.axvline(T_30MIN / HOUR, color="0.6", lw=0.8, ls=":")
            ax.set_xscale("log")
            ax.set_xlim(T_PLOT_START / HOUR, 30.0)
            ax.set_ylim(0.0, 26.5)
            ax.set_xlabel("time since the start of loading  (h)")
            ax.set_ylabel("stack pressure  (MPa)")
            ax.set_title(title, fontsize=10.5)
            ax.grid(True, which="both", alpha=0.25)
            ax.legend(fontsize=7.3, loc="lower left", framealpha=0.9)

        bx = axes.ravel()[-1]
        order = [v.key for v in VARIANTS if v.key in rows and v.role in ("base", "sweep", "model")
                 and rows[v.key]["temperature_C"] == 25.0]
        vals = [max(rows[k]["drop_30min_24h_MPa"], DROP_FLOOR) for k in order]
        meas = ref["rt_drop_30min_24h"]["value_MPa"]
        colors = ["0.35" if rows[k]["lateral"] == "confined" else "tab:blue" for k in order]
        y = np.arange(len(order))
        bx.barh(y, vals, color=colors)
        for yy, val in zip(y, vals, strict=True):
            bx.text(val * 1.15, yy, f"{val:.2g}", va="center", fontsize=7.5)
        bx.axvspan(meas / FACTOR_TOL, meas * FACTOR_TOL, color="gold", alpha=0.3)
        bx.axvline(meas, color="k", lw=1.2)
        bx.set_yticks(y, [k + ("" if rows[k]["target_reached"] else " *")
                          + (" !" if rows[k]["beyond_small_strain"] else "") for k in order],
                      fontsize=8)
        bx.invert_yaxis()
        bx.set_xscale("log")
        bx.set_xlim(DROP_FLOOR / 2, 50.0)
        bx.set_xlabel("pressure drop 30 min → 24 h at 25 °C  (MPa)")
        bx.set_title(f"(h) earlier models: drop 30 min → 24 h; line: measured {meas:g} MPa, "
                     f"band: factor {FACTOR_TOL:g}\ngrey: confined, blue: free; * not loaded to "
                     "25 MPa, ! Li thinning > 10 %", fontsize=9.5)
        bx.set_axisbelow(True)
        bx.grid(True, axis="x", which="both", alpha=0.25)

        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        b = {r["key"]: r for r in outcome.plot_data["die"]["rows"]}[DIE_BASE]
        fig.suptitle(
            f"Pressure relaxation in a 25 MPa fixed-gap hold{' (quick)' if quick else ''} — "
            f"{status}: cell-scale model (Li in the die, 25 µm clearance) drop 30 min → 24 h "
            f"{b['drop_30min_24h_MPa']:.3g} MPa vs measured {meas:g} MPa (factor "
            f"{head.value:.3g}, tolerance {head.tolerance:g})\n"
            "source: S.-Y. Ham, PhD dissertation UCSD 2024, ch. 2, Fig. 2.4. "
            "(a)–(e) earlier FE mechanics models: axisymmetric half stack, Li6PS5Cl half-pellet "
            "300 µm, Li foil 100 µm (assumed),\nMasias 2019 power law unless noted, loaded to "
            "25 MPa in 10 s; solid: Li confined without clearance, dashed: free foil edge "
            "(R = 5 mm); (f), (g): the cell-scale model",
            fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 0.935))
        fig.subplots_adjust(top=0.885)
        save_figure(fig, path)


    @staticmethod
    def _plot_die_cell(ax: Any, cx: Any, die: dict[str, Any], ref: dict[str, Any]) -> None:
        """(f) the cell-scale holds (FE solid, reduced dotted) per clearance and temperature;
        (g) the symmetric cycle against the rest."""
        colors = {10.0: "tab:green", 25.0: "k", 50.0: "tab:purple"}
        for r in die["rows"]:
            t, p = die["curves"][r["key"]]
            keep = t >= 1.0
            fe = r["model"] == "fe"
            ax.plot(t[keep] / HOUR, p[keep] / 1e6, color=colors[r["clearance_um"]],
                    ls=("-" if fe else ":") if r["temperature_C"] == 25.0 else
                    ("--" if fe else (0, (1, 3))), lw=1.6 if fe else 1.2,
                    label=f"{'FE' if fe else 'reduced'}, clearance {r['clearance_um']:g} µm, "
                          f"{r['temperature_C']:g} °C")
        ax.plot([T_30MIN / HOUR, T_24H / HOUR],
                [ref["rt_p30min"]["value_MPa"], ref["rt_p24h"]["value_MPa"]], "ks", ms=8,
                mfc="gold", zorder=5, label="measured, RT")
        ax.plot([T_30MIN / HOUR], [25.0 - ref["c40_drop_0_30min_both"]["value_MPa"]], "D",
                color="tab:red", ms=7, mfc="white", zorder=5, label="measured, 40 °C (30 min)")
        ax.set_xscale("log")
        ax.set_xlim(1.0 / HOUR, 30.0)
        ax.set_ylim(15.0, 25.5)
        ax.set_xlabel("time since the start of the hold  (h)")
        ax.set_ylabel("stack pressure  (MPa)")
        ax.set_title("(f) cell-scale model: Li in the die, FE die cell (solid/dashed) and the\n"
                     "reduced law (dotted), load train calibrated on the empty cell",
                     fontsize=10)
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=6.8, loc="lower left", framealpha=0.9)
        for key, style in (("rest", ("0.5", "-", "2 h rest")),
                           ("cycle", ("tab:blue", "--", "plate 1 h, strip 1 h at 1 mA/cm²"))):
            t, p = die["symmetric_curves"][key]
            cx.plot(np.asarray(t) / HOUR, np.asarray(p) / 1e6, color=style[0], ls=style[1],
                    label=style[2])
        cx.set_xlabel("time  (h)")
        cx.set_ylabel("stack pressure  (MPa)")
        cx.set_title("(g) symmetric cell in the die (FE law, RT): the electrodes cancel",
                     fontsize=10)
        cx.grid(True, alpha=0.25)
        cx.legend(fontsize=8)


def variant_table() -> list[dict[str, Any]]:
    """The variants as dicts (documentation, tests)."""
    return [asdict(v) for v in VARIANTS]


__all__ = [
    "VARIANTS",
    "PressureRelaxation",
    "Variant",
    "build_problem",
    "confined_compliances",
    "load_reference",
    "run_variant",
    "variant_overrides",
]
