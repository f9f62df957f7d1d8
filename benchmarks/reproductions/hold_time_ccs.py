"""Critical stripping current after a 25 MPa contact hold of 1 min and 30 min (Ham et al. 2023).

Claim reproduced (Ham, PhD dissertation UCSD 2024, ch. 2 = Energy Storage Mater. 55 (2023) 455,
Fig. 2.7a,b): Li | Li6PS5Cl | Li symmetric cells pressed at 25 MPa for a "contact hold" and then
released to 5 MPa and cycled at 40 C reach a critical current density (CCD) of 0.88 mA/cm2 after a
1 min hold and 2.15 mA/cm2 after a 30 min hold (ratio 2.44); over all hold times the CCD spans
0.3-2.15 mA/cm2, rising up to 30 min and falling beyond. Cryo-FIB: the 1-min interface shows
"numerous voids", the 30-min one "has no pores" (quotes and caveats in
``benchmarks/data/ham2023_hold_time_ccd.json``).

Model (ssbx stripping problem, :mod:`ssbx.problems.stripping.problem`): a planar 100 um wide slice
of the
interface, Li 20 um, Li6PS5Cl 50 um (rigid), Butler-Volmer kinetics (ASR 2 ohm cm2) and 2 mS/cm
(the values of ``examples/ccs.toml``, not Ham's), Li power-law creep of Masias et al. 2019 (not
fitted), 40 C, pressure fixture. ROUGHNESS ASSUMPTION (the measured roughness of the Li foil and
the pellet is not given; nothing here is fitted): the rough as-assembled interface is a row of
``n`` elliptical initial gaps (asperity valleys), one per pitch ``width / n`` at a jittered
position, widths uniform in 40-80 % of the pitch, depths uniform in 0.5-2 um and at most
0.2 x width and 0.2 x h_li (small slopes), drawn from a seeded RNG (:func:`rough_voids`; full:
8 gaps, about 40 % initial contact).

Protocol, per CCS trial (a problem cannot be copied, so every trial rebuilds and re-holds; the
cost is measured): build at 25 MPa (elastic contact at t = 0), hold at zero current for the hold
time (advanced in log-spaced segments, the same in every trial and in the recorded hold, so the
30 min hold contains the 1 min state exactly), release to 5 MPa (``set_stack_pressure``) and rest
1 s, then strip ``ccs.capacity`` (0.1 mAh/cm2, 0.49 um of Li) at one current density with the
stability criteria of :func:`ssbx.runs.ccs.strip_trial`: unstable when the contact fraction
falls more than ``ccs.contact_loss`` (0.05) below its value at the start of stripping, when the
cell voltage exceeds ``ccs.voltage_rise`` (2x) its value after the first step, or when the
solver fails; stable at the capacity, or as soon as the contact is complete. The CCS is searched
by :func:`ssbx.runs.ccs_search.find_critical_current` in 0.1-100 mA/cm2 (no widening: a CCS
outside is
reported as a bound), bisected to a bracket ratio 1.5.

Time stepping: ``[time]`` starts at 1e-11 s with ``min_step`` 1e-14 s; with the 1e-4 s / 1e-9 s of
``examples/ccs.toml`` the first step at 25 MPa fails (the elastic contact on ~40 % of the area puts
~60-120 MPa on the asperities, where Masias' law gives plastic strain rates of 1e7-1e9 1/s).

Metric (fixed before the runs): CCS(30 min) / CCS(1 min) against the measured 2.44 (+-50 %);
absolute CCS after each hold within a factor 2 of 0.88 and 2.15 mA/cm2; sanity: the contact
fraction never decreases during the hold. Expected to miss: with creep alone at 25 MPa the gaps
close in milliseconds, long before 1 min, so both holds give the same fully contacting interface.

Quick variant (CI): 3 gaps, coarse mesh (2.5 um), holds of 1 s and 30 s, plastic increment
limit 0.05 instead of 0.01, bracket 10-100 mA/cm2 (2 trials per hold).

MPI: every trial runs on the communicator passed in (collective).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
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
from ssbx.case import Case
from ssbx.units import from_mA_per_cm2, to_mA_per_cm2, to_mAh_per_cm2

UM = 1e-6
MPA = 1e6
REFERENCE_FILE = DATA_DIR / "ham2023_hold_time_ccd.json"

HOLD_PRESSURE = 25e6
CYCLE_PRESSURE = 5e6
TEMPERATURE_C = 40.0
REST_AFTER_RELEASE = 1.0
"""Rest at 5 MPa and zero current after the release [s] (the release settles in ~0.1 s)."""
FIRST_SAMPLE = 1e-10
"""First sample of the hold history [s]; the samples are log-spaced from here to the hold time."""
RATIO_TOL = 0.5
FACTOR_TOL = 2.0
ROUGHNESS_SEED = 2023

BASE_CASE: dict[str, Any] = {
    "name": "hold_time_ccs",
    "description": "Li | Li6PS5Cl with a rough initial interface: 25 MPa contact hold, then the "
                   "critical stripping current at 5 MPa, 40 C (creep only)",
    "problem": "stripping",
    "geometry": {"kind": "planar", "h_se": "50 um", "h_li": "20 um", "width": "100 um"},
    "mesh": {"size_fine": "1 um", "size_coarse": "10 um"},
    "electrolyte": {"material": "Li6PS5Cl", "conductivity": "2 mS/cm"},
    "interface": {"kinetics": "butler_volmer", "asr": "2 ohm cm^2"},
    "mechanics": {"li_model": "power_law", "electrolyte_preset": "Li6PS5Cl"},
    "fixture": {"type": "pressure", "pressure": "25 MPa"},
    "operation": {"temperature": f"{TEMPERATURE_C:g} degC"},
    "contact": {"max_thickness_change": "0.05 um"},
    # the creep-only contact model (this benchmark predates vacancy transport, which
    # `ssbx ccs` turns on by default; see benchmarks/vacancy_ccs.py)
    "vacancy": {"enabled": False},
    "ccs": {"capacity": "0.1 mAh/cm^2", "lower": "0.1 mA/cm^2", "upper": "100 mA/cm^2",
            "bracket_ratio": 1.5, "max_expansions": 0, "contact_loss": 0.05,
            "voltage_rise": 2.0},
    "time": {"initial_step": "1e-11 s", "max_step": "10 min", "min_step": "1e-14 s",
             "max_plastic_strain_increment": 0.01},
    "output": {"fields": False},
}


@dataclass(frozen=True)
class Setup:
    """Sizes of a run: number of gaps, mesh, hold times [s], CCS bracket [A/m^2], time-step
    limit on the plastic strain increment, samples of the hold history per decade."""

    n_gaps: int
    size_fine: float
    holds: tuple[float, ...]
    labels: tuple[str, ...]
    lower: float
    upper: float
    max_dp: float = 0.01
    samples_per_decade: int = 4


FULL = Setup(n_gaps=8, size_fine=1.0 * UM, holds=(60.0, 1800.0), labels=("1 min", "30 min"),
             lower=from_mA_per_cm2(0.1), upper=from_mA_per_cm2(100.0))
QUICK = Setup(n_gaps=3, size_fine=2.5 * UM, holds=(1.0, 30.0), labels=("1 s", "30 s"),
              lower=from_mA_per_cm2(10.0), upper=from_mA_per_cm2(100.0), max_dp=0.05,
              samples_per_decade=2)


def setup(quick: bool) -> Setup:
    """The run settings: :data:`QUICK` or :data:`FULL`."""
    return QUICK if quick else FULL


def load_reference() -> dict[str, Any]:
    """Quotes, measured CCDs and conditions (``benchmarks/data/ham2023_hold_time_ccd.json``)."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# rough interface
# --------------------------------------------------------------------------------------------
def rough_voids(n: int, width: float, h_li: float, size_fine: float,
                seed: int = ROUGHNESS_SEED) -> list[dict[str, float]]:
    """``n`` elliptical initial gaps (SI dicts for ``geometry.voids``), one per pitch
    ``width / n``: width uniform in [0.4, 0.8] x pitch (at least 4 size_fine), depth uniform in
    [0.5 um, min(2 um, width / 5, h_li / 5)], centre jittered by up to a quarter of the free
    space around the gap. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    pitch = width / n
    voids = []
    for k in range(n):
        w = max(rng.uniform(0.4, 0.8) * pitch, 4.0 * size_fine)
        if w >= 0.9 * pitch:
            raise ValueError(f"gap width {w:g} m does not fit the pitch {pitch:g} m")
        d_max = min(2.0 * UM, 0.2 * w, 0.2 * h_li)
        d = rng.uniform(min(0.5 * UM, d_max), d_max)
        jitter = rng.uniform(-0.25, 0.25) * (pitch - w)
        voids.append({"center": (k + 0.5) * pitch + jitter, "width": w, "height": d,
                      "shape": "ellipse"})
    return voids


def sample_times(hold: float, per_decade: int, marks: tuple[float, ...] = ()) -> list[float]:
    """End times of the hold segments: log-spaced from :data:`FIRST_SAMPLE`, ``per_decade`` per
    decade, at fixed values, and the ``marks`` (the other hold times) below ``hold``, then
    ``hold``: every hold shares the segments of a shorter one, so it passes through its state."""
    k0 = math.floor(math.log10(FIRST_SAMPLE) * per_decade + 1e-9)
    times = set()
    k = k0
    while (t := 10.0 ** (k / per_decade)) < hold * (1 - 1e-9):
        times.add(t)
        k += 1
    times |= {m for m in marks if m < hold * (1 - 1e-9)}
    return [*sorted(times), hold]


# --------------------------------------------------------------------------------------------
# hold, release, trial
# --------------------------------------------------------------------------------------------
@dataclass
class HoldRecord:
    """What one hold did: sampled scalars (``samples``), the contact fraction after every
    accepted step (``steps``), the state after the hold and after the release, wall times [s]."""

    samples: list[dict[str, float]] = field(default_factory=list)
    steps: list[tuple[float, float]] = field(default_factory=list)
    after_hold: dict[str, float] = field(default_factory=dict)
    after_release: dict[str, float] = field(default_factory=dict)
    accepted: int = 0
    rejected: int = 0
    release_steps: int = 0
    wall_build: float = 0.0
    wall_hold: float = 0.0
    wall_release: float = 0.0


def _sample(problem: Any, steps: int) -> dict[str, float]:
    s = problem.scalars()
    return {"time_s": problem.time, "contact_fraction": s["contact_fraction"],
            "void_volume_per_area_nm": s["void_volume"] / problem.area / 1e-9,
            "void_depth_max_um": s["void_depth_max"] / UM,
            "mean_contact_pressure_MPa": s["stack_pressure"] / MPA,
            "contact_pressure_max_MPa": s["contact_pressure_max"] / MPA,
            "plate_displacement_um": s["plate_displacement"] / UM,
            "accepted_steps": steps}


def hold_and_release(problem: Any, case: Case, hold: float, per_decade: int,
                     marks: tuple[float, ...] = ()) -> HoldRecord:
    """Hold ``problem`` (built at the hold pressure) at zero current for ``hold`` seconds in the
    log-spaced segments of :func:`sample_times`, then release to 5 MPa and rest
    :data:`REST_AFTER_RELEASE`. Returns the record (the problem is left at the released state)."""
    from ssbx.problems.stripping.state import Load
    from ssbx.problems.stripping.stepping import advance
    from ssbx.runs.stripping import step_control

    rec = HoldRecord()
    control = step_control(case)
    rec.samples.append(_sample(problem, 0))
    rec.steps.append((problem.time, problem.scalars()["contact_fraction"]))
    last_dt = [control.dt_initial]

    def on_step(report: Any, previous: Any) -> bool:
        rec.steps.append((problem.time, problem.scalars()["contact_fraction"]))
        last_dt[0] = report.dt
        return False

    t0 = time.perf_counter()
    dt: float | None = None
    for t in sample_times(hold, per_decade, marks):
        duration = t - problem.time
        if duration > 0.0:
            res = advance(problem, Load.current(0.0), duration, control, dt=dt, on_step=on_step)
            rec.accepted += res.accepted
            rec.rejected += res.rejected
            # a segment ends with a truncated step: restart from the last full step size
            dt = max(res.dt_next, last_dt[0])
        rec.samples.append(_sample(problem, rec.accepted))
    rec.after_hold = dict(rec.samples[-1])
    rec.wall_hold = time.perf_counter() - t0

    t0 = time.perf_counter()
    problem.set_stack_pressure(CYCLE_PRESSURE)
    res = advance(problem, Load.current(0.0), REST_AFTER_RELEASE, control)
    rec.release_steps = res.accepted
    rec.after_release = _sample(problem, rec.accepted + res.accepted)
    rec.wall_release = time.perf_counter() - t0
    return rec


def held_trial(case: Case, hold: float, current_density: float, comm: MPI.Comm, *,
               cell_mesh: Any, per_decade: int, marks: tuple[float, ...] = (),
               records: list[HoldRecord] | None = None) -> Any:
    """One CCS trial after a hold: rebuild, hold, release, strip
    (:class:`ssbx.runs.ccs_search.Trial`).
    ``records`` collects the hold record. A solver failure during the hold or the release is
    an error (it is not a verdict on the current density)."""
    from ssbx.runs.ccs import strip_and_judge
    from ssbx.runs.ccs_search import Trial
    from ssbx.runs.stripping import build_problem

    t0 = time.perf_counter()
    problem = build_problem(case, comm, cell_mesh)
    t_build = time.perf_counter() - t0
    rec = hold_and_release(problem, case, hold, per_decade, marks)
    rec.wall_build = t_build
    if records is not None:
        records.append(rec)
    t1 = time.perf_counter()
    q0 = problem.scalars()["charge_density"]
    stable, reason, recorder = strip_and_judge(problem, case, current_density)
    t_strip = time.perf_counter() - t1
    cf = recorder.column("contact_fraction")
    volt = recorder.column("cell_voltage")
    s = problem.scalars()
    metrics = {
        "hold_time_s": hold,
        "contact_fraction_after_hold": rec.after_hold["contact_fraction"],
        "contact_fraction_initial": rec.after_release["contact_fraction"],
        "contact_fraction_min": float(np.nanmin(cf)),
        "cell_voltage_max_V": float(np.nanmax(np.abs(volt))) if np.isfinite(volt).any()
        else math.nan,
        "capacity_reached_mAh_per_cm2": to_mAh_per_cm2(s["charge_density"] - q0),
        "hold_steps": float(rec.accepted),
        "strip_steps": float(len(recorder.rows) - 1),
        "wall_time_build_s": t_build,
        "wall_time_hold_s": rec.wall_hold + rec.wall_release,
        "wall_time_strip_s": t_strip,
        "wall_time_s": time.perf_counter() - t0,
    }
    return Trial(current_density=current_density, stable=stable, reason=reason, metrics=metrics)


# --------------------------------------------------------------------------------------------
# benchmark
# --------------------------------------------------------------------------------------------
def _li_creep_law(case: Case) -> Any:
    """The Li creep law of a case (:class:`ssbx.physics.creep_laws.PowerLawCreep`)."""
    from ssbx.meshes.tags import CellTag
    from ssbx.setup import materials_of

    return materials_of(case)[1][int(CellTag.LITHIUM)]


def _factor(predicted: float | None, measured: float) -> float:
    """max(p/m, m/p), NaN when p is missing."""
    if predicted is None or not predicted > 0.0:
        return math.nan
    r = predicted / measured
    return max(r, 1.0 / r)


def ccs_point(result: Any) -> tuple[float | None, str]:
    """A single CCS value [mA/cm^2] for comparisons and how it was obtained: the geometric mean
    of a bracket, the lower bound when every trial was stable (the CCS is at least that), the
    upper bound when none was (at most that)."""
    if result.status == "bracketed":
        return to_mA_per_cm2(result.estimate), "bracket estimate"
    if result.status == "above_range" and result.lower is not None:
        return to_mA_per_cm2(result.lower), "lower bound (every trial stable)"
    if result.upper is not None:
        return to_mA_per_cm2(result.upper), "upper bound (every trial unstable)"
    return None, "none"


@register
class HoldTimeCcs(Benchmark):
    """Benchmark ``hold_time_ccs``: the critical stripping current after a 25 MPa contact hold
    of 1 min and 30 min of a rough interface, against Ham (2023)."""

    name = "hold_time_ccs"
    title = "Critical stripping current after a 25 MPa contact hold of 1 min and 30 min"
    source = (
        "S.-Y. Ham, \"Anode Study for Achieving Higher Energy Density in All-Solid-State "
        "Batteries\", PhD dissertation, UC San Diego (2024), ch. 2 (= S.-Y. Ham et al., Energy "
        "Storage Materials 55 (2023) 455-462), Fig. 2.7a,b: Li | Li6PS5Cl | Li held at 25 MPa, "
        "cycled at 5 MPa and 40 C: CCD 0.88 mA/cm2 after a 1 min hold, 2.15 mA/cm2 after 30 min"
    )
    reference = (
        "benchmarks/data/ham2023_hold_time_ccd.json (quotes with line numbers, transcribed rows "
        "53-55, "
        "conditions, what is not given, caveats): CCD 0.88 (1 min) and 2.15 mA/cm2 (30 min), "
        "ratio 2.44; range 0.3-2.15 mA/cm2 over all hold times"
    )
    metric = (
        "ratio CCS(30 min) / CCS(1 min) of the critical stripping current searched in "
        "0.1-100 mA/cm2 (strip 0.1 mAh/cm2 per trial, criteria of ssbx ccs) after a 25 MPa hold "
        "of a rough interface (8 elliptical gaps, ASSUMED roughness) and release to 5 MPa, 40 C; "
        "also each absolute CCS and the contact fraction during the hold"
    )
    tolerance = (
        f"ratio 2.44 +- {RATIO_TOL * 100:g} %; absolute CCS within a factor {FACTOR_TOL:g} of "
        "0.88 and 2.15 mA/cm2 (a CCS outside the bracket counts with its bound); contact "
        "fraction non-decreasing during the hold. Fixed before the runs, no parameter tuned"
    )

    def base_case(self) -> Any:
        """The resolved :data:`BASE_CASE` (flat interface; the gaps come with the overrides)."""
        from ssbx.case import resolve_case

        return resolve_case(BASE_CASE, name_default=self.name)

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """One override dict per hold: the rough gaps (:func:`rough_voids`), mesh size, CCS
        bracket and plastic-increment limit of :func:`setup`."""
        s = setup(quick)
        base = self.base_case()
        o: dict[str, Any] = {
            "geometry.voids": rough_voids(s.n_gaps, base.geometry.width, base.geometry.h_li,
                                          s.size_fine),
            "mesh.size_fine": s.size_fine,
            "ccs.lower": s.lower,
            "ccs.upper": s.upper,
            "time.max_plastic_strain_increment": s.max_dp,
        }
        return [o | {"name": f"hold_time_ccs_{lab.replace(' ', '')}"} for lab in s.labels]

    def reference_data(self) -> dict[str, Any]:
        """The reference (:func:`load_reference`)."""
        return load_reference()

    # -- computation --------------------------------------------------------------------------
    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Search the CCS after each hold (every trial re-holds, then strips at 5 MPa), record
        the contact during the hold and compare with the measured CCDs."""
        from ssbx.meshes.flat_cell import build_flat_cell_mesh
        from ssbx.runs.ccs_search import find_critical_current

        s = setup(quick)
        cases = self.cases(quick)
        geo = cases[0].geometry
        say(comm, console,
            f"  rough interface: {len(geo.voids)} gaps, widths "
            f"{min(v.width for v in geo.voids) / UM:.2g}-{max(v.width for v in geo.voids) / UM:.2g}"
            f" um, depths {min(v.height for v in geo.voids) / UM:.2g}-"
            f"{max(v.height for v in geo.voids) / UM:.2g} um; holds "
            f"{', '.join(s.labels)} at {HOLD_PRESSURE / MPA:g} MPa, then {CYCLE_PRESSURE / MPA:g}"
            f" MPa, {TEMPERATURE_C:g} C; CCS in {to_mA_per_cm2(s.lower):g}-"
            f"{to_mA_per_cm2(s.upper):g} mA/cm2")
        cell_mesh = build_flat_cell_mesh(comm, geo, cases[0].mesh)
        # longest hold first: its first trial's hold is the recorded contact history
        order = sorted(range(len(s.holds)), key=lambda k: -s.holds[k])
        results: dict[int, Any] = {}
        records: dict[int, list[HoldRecord]] = {}
        walls: dict[int, float] = {}
        for k in order:
            case, hold = cases[k], s.holds[k]
            cc = case.ccs
            recs: list[HoldRecord] = []
            t0 = time.perf_counter()

            def evaluate(i: float, case: Case = case, hold: float = hold,
                         recs: list[HoldRecord] = recs) -> Any:
                return held_trial(case, hold, i, comm, cell_mesh=cell_mesh,
                                  per_decade=s.samples_per_decade, marks=s.holds,
                                  records=recs)

            def progress(msg: str, label: str = s.labels[k]) -> None:
                say(comm, console, f"  [{label} hold] {msg}")

            results[k] = find_critical_current(
                evaluate, cc.lower, cc.upper, bracket_ratio=cc.bracket_ratio,
                max_expansions=cc.max_expansions, expansion_factor=cc.expansion_factor,
                progress=progress)
            records[k] = recs
            walls[k] = time.perf_counter() - t0
            r = recs[0]
            say(comm, console,
                f"  [{s.labels[k]} hold] contact {r.samples[0]['contact_fraction']:.3f} (t = 0) "
                f"-> {r.after_hold['contact_fraction']:.4f} after the hold "
                f"({r.accepted} steps, {r.wall_hold:.1f} s) -> "
                f"{r.after_release['contact_fraction']:.4f} at 5 MPa; CCS status "
                f"{results[k].status} ({walls[k]:.1f} s)")
        if comm.rank != 0:
            return Outcome(rows=[], checks=[])
        return self._evaluate(s, cases, results, records, walls, quick)

    def _evaluate(self, s: Setup, cases: list[Any], results: dict[int, Any],
                  records: dict[int, list[HoldRecord]], walls: dict[int, float],
                  quick: bool) -> Outcome:
        ref = load_reference()
        meas = ref["measured"]
        measured = (meas["ccd_1min_mA_per_cm2"], meas["ccd_30min_mA_per_cm2"])
        k_long = int(np.argmax(s.holds))
        history = records[k_long][0]

        rows: list[dict[str, Any]] = []
        trial_rows: list[dict[str, Any]] = []
        points: list[float | None] = []
        for k, hold in enumerate(s.holds):
            res, recs = results[k], records[k]
            point, how = ccs_point(res)
            points.append(point)
            trials = res.trials
            rows.append({
                "hold": s.labels[k],
                "hold_time_s": hold,
                "contact_fraction_t0": recs[0].samples[0]["contact_fraction"],
                "contact_fraction_after_hold": recs[0].after_hold["contact_fraction"],
                "void_volume_after_hold_nm": recs[0].after_hold["void_volume_per_area_nm"],
                "contact_fraction_at_5MPa": recs[0].after_release["contact_fraction"],
                "ccs_status": res.status,
                "ccs_lower_mA_per_cm2": to_mA_per_cm2(res.lower) if res.lower else math.nan,
                "ccs_upper_mA_per_cm2": to_mA_per_cm2(res.upper) if res.upper else math.nan,
                "ccs_value_mA_per_cm2": point if point is not None else math.nan,
                "ccs_value_is": how,
                "measured_ccd_mA_per_cm2": measured[k],
                "factor_vs_measured": _factor(point, measured[k]),
                "n_trials": len(trials),
                "hold_steps": recs[0].accepted,
                "trial_wall_time_mean_s": float(np.mean([t.metrics["wall_time_s"]
                                                         for t in trials])),
                "trial_hold_wall_time_mean_s": float(np.mean(
                    [t.metrics["wall_time_hold_s"] for t in trials])),
                "trial_strip_wall_time_mean_s": float(np.mean(
                    [t.metrics["wall_time_strip_s"] for t in trials])),
                "search_wall_time_s": walls[k],
            })
            for t in trials:
                trial_rows.append({
                    "hold": s.labels[k], "hold_time_s": hold,
                    "current_density_mA_per_cm2": to_mA_per_cm2(t.current_density),
                    "stable": bool(t.stable), "reason": " ".join(str(t.reason).split()),
                    **{key: t.metrics[key] for key in sorted(t.metrics)
                       if key != "hold_time_s"}})

        # checks
        ratio_meas = meas["ratio_30min_to_1min"]
        r0, r1 = results[0], results[1]
        if r0.status == "bracketed" and r1.status == "bracketed":
            ratio = r1.estimate / r0.estimate
            ratio_how = "ratio of the bracket estimates"
        else:
            ratio = math.nan
            ratio_how = (f"not determined: CCS {r0.status} after {s.labels[0]}, {r1.status} after "
                         f"{s.labels[1]}")
        steps = np.array(history.steps)
        drops = -np.diff(steps[:, 1]) if len(steps) > 1 else np.zeros(1)
        largest_drop = float(max(0.0, np.max(drops)))
        checks = [
            Check("ccs_ratio_30min_to_1min",
                  f"CCS after the {s.labels[1]} hold / CCS after the {s.labels[0]} hold "
                  f"({ratio_how}); measured 2.15 / 0.88 = {ratio_meas:.3g}",
                  ratio, RATIO_TOL, "rel", ratio_meas),
            Check("ccs_1min_factor",
                  f"CCS after the {s.labels[0]} hold vs the measured 0.88 mA/cm2 as max(p/m, m/p) "
                  f"(p = {ccs_point(r0)[1]})", _factor(points[0], measured[0]), FACTOR_TOL,
                  "max"),
            Check("ccs_30min_factor",
                  f"CCS after the {s.labels[1]} hold vs the measured 2.15 mA/cm2 as max(p/m, m/p) "
                  f"(p = {ccs_point(r1)[1]})", _factor(points[1], measured[1]), FACTOR_TOL,
                  "max"),
            Check("contact_monotonic_during_hold",
                  f"largest decrease of the contact fraction between accepted steps of the "
                  f"{s.labels[1]} hold at 25 MPa (must not decrease)",
                  largest_drop, 0.0, "max"),
        ]

        hist_rows = [dict(x) for x in history.samples]
        findings = self._findings(s, cases[0], results, records, history, points, measured,
                                  ratio, walls, quick)
        extra = {
            "contact_vs_hold_time.csv": csv_text(hist_rows),
            "ccs_after_hold.csv": csv_text(trial_rows),
        }
        return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                       extra_files=extra,
                       plot_data={"history": hist_rows, "steps": history.steps,
                                  "measured": measured, "labels": s.labels,
                                  "holds": s.holds, "ranges": (s.lower, s.upper)})

    @staticmethod
    def _findings(s: Setup, case: Case, results: dict[int, Any],
                  records: dict[int, list[HoldRecord]],
                  history: HoldRecord, points: list[float | None], measured: tuple[float, ...],
                  ratio: float, walls: dict[int, float], quick: bool) -> dict[str, Any]:
        steps = np.array(history.steps)

        def first_time(level: float) -> float | None:
            hit = np.nonzero(steps[:, 1] >= level - 1e-12)[0]
            return float(steps[hit[0], 0]) if hit.size else None

        t99, t100 = first_time(0.99), first_time(1.0)
        # the shorter hold's state must be the longer one's at the same time (same segments)
        k_short = int(np.argmin(s.holds))
        short = records[k_short][0].after_hold
        same = next((x for x in history.samples
                     if math.isclose(x["time_s"], short["time_s"], rel_tol=1e-12)), None)
        repro = (abs(same["contact_fraction"] - short["contact_fraction"])
                 if same is not None else math.nan)
        trials = [t for r in results.values() for t in r.trials]
        cost = {
            "trials": len(trials),
            "trial_wall_time_s": {s.labels[k]: [t.metrics["wall_time_s"] for t in r.trials]
                                  for k, r in results.items()},
            "build_wall_time_mean_s": float(np.mean([t.metrics["wall_time_build_s"]
                                                     for t in trials])),
            "hold_and_release_wall_time_mean_s": {
                s.labels[k]: float(np.mean([t.metrics["wall_time_hold_s"] for t in r.trials]))
                for k, r in results.items()},
            "strip_wall_time_mean_s": float(np.mean([t.metrics["wall_time_strip_s"]
                                                     for t in trials])),
            "hold_steps": {s.labels[k]: records[k][0].accepted for k in results},
            "hold_rejected_steps": {s.labels[k]: records[k][0].rejected for k in results},
            "search_wall_time_s": {s.labels[k]: walls[k] for k in results},
        }
        cf0 = history.samples[0]["contact_fraction"]
        p0 = history.samples[0]["contact_pressure_max_MPa"]
        law = _li_creep_law(case)
        temperature = case.operation.temperature
        rates = {f"{sig:g} MPa": law.rate(sig * MPA, temperature) for sig in (1.0, 5.0, 25.0)}
        text = (
            f"Rough interface ({s.n_gaps} elliptical gaps, assumed): the elastic contact at "
            f"25 MPa and t = 0 covers {cf0:.3f} of the interface, the largest nodal contact "
            f"pressure is {p0:.0f} MPa. With Li creep only (Masias 2019, 40 C: equivalent "
            f"plastic strain rate {rates['1 MPa']:.2g} 1/s at 1 MPa, {rates['5 MPa']:.2g} 1/s "
            f"at 5 MPa, {rates['25 MPa']:.2g} 1/s at 25 MPa) the gaps close within "
            + (f"{t99:.2g} s (contact 0.99) and {t100:.2g} s (complete)"
               if t99 is not None and t100 is not None else "more than the hold")
            + f": after {s.labels[0]} the contact fraction is "
            f"{records[k_short][0].after_hold['contact_fraction']:.4f}, after {s.labels[1]} "
            f"{history.after_hold['contact_fraction']:.4f}, and it stays "
            f"{history.after_release['contact_fraction']:.4f} after the release to 5 MPa. "
        )
        statuses = {results[k].status for k in results}
        if statuses == {"above_range"}:
            text += (
                f"Both holds leave a flat, fully contacting interface, on which the model has no "
                f"instability: every trial up to {to_mA_per_cm2(s.upper):g} mA/cm2 is stable (it "
                "stops at once, contact complete), so CCS > "
                f"{to_mA_per_cm2(s.upper):g} mA/cm2 after both holds, at least "
                f"{to_mA_per_cm2(s.upper) / measured[0]:.0f}x and "
                f"{to_mA_per_cm2(s.upper) / measured[1]:.0f}x"
                " the measured 0.88 and 2.15 mA/cm2, and the hold time makes no difference (the "
                "ratio 2.44 is not reproduced; it is undetermined, both being lower bounds). ")
        else:
            text += ("CCS: " + "; ".join(
                f"{s.labels[k]}: {results[k].status} "
                f"({ccs_point(results[k])[0]} mA/cm2, {ccs_point(results[k])[1]})"
                for k in sorted(results)) + f"; ratio {ratio:.3g}. ")
        text += (
            "What the model lacks (not tuned): the gaps close long before 1 min because "
            "Masias' power law (n = 6.56), extrapolated far beyond the ~1 MPa stresses of its "
            "fit to the tens of MPa that the asperities carry at 25 MPa, makes Li flow "
            "almost instantly; the measured slow contact growth (the "
            "1-min interface still shows 'numerous voids', impedance falls over ~20 min) needs a "
            "slower Li at small scales (size-dependent strength), rougher or deeper initial "
            "voids than the small-slope model allows, or a hold at lower effective pressure; and "
            "a CCS of order 1 mA/cm2 on a contacting interface needs a mechanism that opens "
            "voids there (vacancy accumulation) or a dendrite/short criterion, which the "
            "stripping-only contact-loss criterion does not have.")
        return {
            "roughness_assumption": (
                f"{s.n_gaps} elliptical initial gaps in a {BASE_CASE['geometry']['width']} wide "
                "planar slice, one per pitch, widths 40-80 % of the pitch, depths 0.5-2 um "
                f"(<= 0.2 width, <= 0.2 h_li), seeded RNG ({ROUGHNESS_SEED}); the measured "
                "roughness is not given: an assumption, not fitted"),
            "contact_fraction_t0": cf0,
            "contact_pressure_max_t0_MPa": p0,
            "li_creep_rate_1_per_s_at_40C": rates,
            "time_to_contact_0p99_s": t99,
            "time_to_complete_contact_s": t100,
            "contact_fraction_after_hold": {
                s.labels[k]: records[k][0].after_hold["contact_fraction"] for k in results},
            "contact_fraction_at_5MPa": {
                s.labels[k]: records[k][0].after_release["contact_fraction"] for k in results},
            "held_state_reproducible_abs_diff": repro,
            "ccs": {s.labels[k]: results[k].as_dict() | {"value_mA_per_cm2": points[k],
                                                         "value_is": ccs_point(results[k])[1]}
                    for k in results},
            "ratio_30min_to_1min": ratio,
            "measured_mA_per_cm2": {s.labels[0]: measured[0], s.labels[1]: measured[1]},
            "cost": cost,
            "statement": text,
            "quick_note": ("quick run: 3 gaps, holds of 1 s and 30 s (not 1 and 30 min), "
                           "max_dp 0.05, bracket 10-100 mA/cm2; compared with the 1 min / "
                           "30 min data only formally") if quick else "",
        }

    # -- figures --------------------------------------------------------------------------------
    @staticmethod
    def _contact_axes(ax: Any, data: dict[str, Any]) -> None:
        hist = data["history"]
        t = np.array([h["time_s"] for h in hist])
        cf = np.array([h["contact_fraction"] for h in hist])
        vv = np.array([h["void_volume_per_area_nm"] for h in hist])
        steps = np.array(data["steps"])
        keep = t > 0
        t_min = FIRST_SAMPLE / 3
        sk = steps[:, 0] > 0
        ax.plot(steps[sk, 0], steps[sk, 1], "-", color="tab:blue", lw=1.0, alpha=0.6,
                label="ssbx, every accepted step")
        ax.plot(t[keep], cf[keep], "o", color="tab:blue", ms=3.5,
                label="ssbx, log-spaced samples (contact_vs_hold_time.csv)")
        ax.plot([t_min], [cf[0]], ">", color="tab:blue", ms=7, label=f"t = 0 (elastic): "
                f"{cf[0]:.3f}")
        vv_t0 = (t_min, vv[0])
        for hold, lab in zip(data["holds"], data["labels"], strict=True):
            ax.axvline(hold, color="0.4", ls=":", lw=1.0)
            ax.text(hold, 0.03, f" {lab}", transform=ax.get_xaxis_transform(), fontsize=8,
                    color="0.3")
        ax.set_xscale("log")
        ax.set_xlim(t_min / 2, max(data["holds"]) * 2)
        ax.set_ylim(0.0, 1.05)
        ax.set_xlabel("hold time at 25 MPa, 40 °C  (s)")
        ax.set_ylabel("contact fraction  (–)")
        ax.grid(True, which="both", alpha=0.25)
        bx = ax.twinx()
        bx.plot(t[keep], vv[keep], "s--", color="tab:orange", ms=3, lw=1.0,
                label="mean gap (void volume / area)")
        bx.plot([vv_t0[0]], [vv_t0[1]], ">", color="tab:orange", ms=6)
        bx.set_ylabel("void volume / area  (nm)", color="tab:orange")
        bx.set_ylim(0.0, max(float(np.max(vv)), 1e-9) * 1.1)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = bx.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=7.5, loc="center right")

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Write ``contact_vs_hold_time.png`` (contact during the hold) next to ``path``, and
        at ``path`` the contact history with the CCS after each hold against Ham (2023)."""
        plt = pyplot()
        data = outcome.plot_data
        rows = outcome.rows
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        head = outcome.checks[0]

        # contact_vs_hold_time.png
        fig, ax = plt.subplots(figsize=(7.5, 5.0))
        self._contact_axes(ax, data)
        ax.set_title("Contact of a rough Li | Li6PS5Cl interface during a 25 MPa hold "
                     f"(ssbx, creep only){' (quick)' if quick else ''}\nmeasured (Ham 2023, "
                     "cryo-FIB): 1 min 'numerous voids', 30 min 'no pores'", fontsize=9.5)
        fig.tight_layout()
        save_figure(fig, path.with_name("contact_vs_hold_time.png"))

        # hold_time_ccs.png: contact history and CCS against the measured CCD
        fig, (ax, cx) = plt.subplots(1, 2, figsize=(14, 6.0))
        self._contact_axes(ax, data)
        ax.set_title("(a) contact fraction during the 25 MPa hold", fontsize=10)
        lo_rng, hi_rng = (to_mA_per_cm2(x) for x in data["ranges"])
        xs = np.arange(len(rows))
        for x, row in zip(xs, rows, strict=True):
            lo, hi = row["ccs_lower_mA_per_cm2"], row["ccs_upper_mA_per_cm2"]
            if row["ccs_status"] == "bracketed":
                mid = math.sqrt(lo * hi)
                cx.errorbar([x], [mid], yerr=[[mid - lo], [hi - mid]], fmt="o", color="tab:blue",
                            capsize=4, ms=7, label="ssbx CCS (bracket)" if x == 0 else None)
            elif row["ccs_status"] == "above_range":
                cx.plot([x], [lo], "^", color="tab:blue", ms=11,
                        label=f"ssbx: CCS > {lo:g} mA/cm² (all trials stable)" if x == 0
                        else None)
                cx.annotate(f"> {lo:g}", (x, lo), textcoords="offset points", xytext=(9, -4),
                            fontsize=9, color="tab:blue")
            else:
                cx.plot([x], [hi], "v", color="tab:blue", ms=11,
                        label=f"ssbx: CCS < {hi:g} mA/cm² (all trials unstable)" if x == 0
                        else None)
            cx.plot([x], [data["measured"][x]], "*", color="k", ms=14,
                    label="measured CCD (Ham 2023)" if x == 0 else None)
            cx.annotate(f"{data['measured'][x]:g}", (x, data["measured"][x]),
                        textcoords="offset points", xytext=(9, -4), fontsize=9)
            cx.fill_between([x - 0.15, x + 0.15], data["measured"][x] / FACTOR_TOL,
                            data["measured"][x] * FACTOR_TOL, color="gold", alpha=0.35,
                            label=f"factor {FACTOR_TOL:g} band" if x == 0 else None)
        cx.axhspan(lo_rng, hi_rng, color="0.9", zorder=0, label="searched range")
        cx.set_yscale("log")
        cx.set_ylim(min(lo_rng, 0.3) / 2, hi_rng * 100)
        cx.set_xlim(-0.6, len(rows) - 0.4)
        cx.set_xticks(xs, [f"{r['hold']} hold\ncontact {r['contact_fraction_after_hold']:.3f}"
                           for r in rows])
        cx.set_ylabel("critical current density  (mA/cm²)")
        cx.grid(True, axis="y", which="both", alpha=0.25)
        cx.legend(fontsize=8, loc="upper center", ncol=2)
        cx.set_title("(b) CCS at 5 MPa, 40 °C after the hold (strip 0.1 mAh/cm² per trial)",
                     fontsize=10)
        ratio_txt = f"{head.value:.3g}" if math.isfinite(head.value) else "undetermined"
        fig.suptitle(
            f"Contact hold time and critical current{' (quick)' if quick else ''} — {status}: "
            f"CCS ratio {ratio_txt} vs measured {head.target:.3g} (±{head.tolerance * 100:g} %)\n"
            "source: S.-Y. Ham, PhD UCSD 2024, ch. 2 = Energy Storage Mater. 55 (2023) 455, "
            "Fig. 2.7 (25 MPa hold, then 5 MPa, 40 °C)\nssbx: planar 100 µm slice, rough "
            "interface ASSUMED (elliptical gaps), Masias 2019 creep only, rigid Li6PS5Cl",
            fontsize=10.5)
        fig.tight_layout(rect=(0, 0, 1, 0.9))
        save_figure(fig, path)


__all__ = [
    "BASE_CASE",
    "FULL",
    "QUICK",
    "HoldRecord",
    "HoldTimeCcs",
    "ccs_point",
    "held_trial",
    "hold_and_release",
    "load_reference",
    "rough_voids",
    "sample_times",
]
