"""Void size against Zκ under stripping: whether stripping grows an interfacial void narrower
than ~100 µm when Zκ ≈ 20 µm.

Claim examined (2020 roadmap on solid-state batteries, Pasta et al., J. Phys. Energy 2, 032008
(2020), doi:10.1088/2515-7655/ab95f4, §3.2; quote in
``benchmarks/data/zkappa_void_reference.json``):
"Preliminary models suggest that void growth occurs during the stripping of Li from the
electrode, and is associated with a high concentration of Li flux ... at the periphery of the
void. ... Typically, Zκ ≈ 20 μm, and it is unclear why small voids (smaller than, say, 100 μm)
are able to concentrate the Li flux and thereby induce void growth." The roadmap does *not* say
that voids below 100 µm do not grow: it takes their growth (observed) as given and calls it
unexplained by the Zκ argument. Its statement is generic (Li electrode / ceramic electrolyte);
this benchmark uses Li6PS5Cl.

Where :mod:`ssbx.benchmarks.reproductions.zkappa_void` measures the flux concentration alone, this
one runs
the coupled stripping / contact / Li creep model (:mod:`ssbx.problems.stripping.problem`) and asks
what
the void does. Set-up: planar Li | Li6PS5Cl cell, κ = 1 mS/cm, Z = 2 Ω cm² (Zκ = 20 µm),
Butler–Volmer kinetics (α = 0.5/0.5, i0 from Z: same small-overpotential resistance), stress
coupling on; Masias et al. 2019 power-law Li creep at 25 °C; rigid electrolyte; stack pressure on
the Li current collector (3 and 7 MPa). One elliptical void of width w = 10, 20, 50, 100, 200 µm,
1 µm deep, in the middle of a cell of width max(2.5 w, 100 µm) (rollers on the sides: a
periodic array of voids), Li 20 µm, electrolyte max(100 µm, w) thick. Strip at 1 mA/cm² for
0.5 mAh/cm² (2.4 µm of Li), stopping early once the void has closed (every interface node in
contact, or void volume below 1e-4 of its initial value). Mesh: uniform interface columns of
min(2.5 µm, w/10) (quick: 5 µm), rows graded to 10 µm.

Kinematics of this model (stated because it decides the answer): Li that carries no current
moves with the Li body. The body follows the receding contact, so the Li surface under a void
rises by the stripped thickness of the contact and a void shallower than that thickness closes
(for a 1 µm void after 0.21 mAh/cm² at most) unless the edge current, which strips the void rim
faster than the contact mean, outpaces the creep that refills it.

Checks: the roadmap's expectation "a void of width w grows during stripping" (its largest void
volume exceeds the initial one by ≥ 1 %) for each width and pressure (headline: the largest
growth over the voids narrower than 100 µm); and the model's own consistency: Li inventory,
no penetration, every void that does not grow closes before the capacity that would close it by
the rigid-body motion alone, no solver failure.
"""

from __future__ import annotations

import json
import math
import time
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
from ssbx.units import (
    from_mA_per_cm2,
    from_mAh_per_cm2,
    to_mA_per_cm2,
    to_mAh_per_cm2,
    to_mS_per_cm,
    to_ohm_cm2,
)

UM = 1e-6
REFERENCE_FILE = DATA_DIR / "zkappa_void_reference.json"

FULL_WIDTHS_UM = (10.0, 20.0, 50.0, 100.0, 200.0)
FULL_PRESSURES_MPA = (3.0, 7.0)
QUICK_WIDTHS_UM = (50.0,)
QUICK_PRESSURES_MPA = (7.0,)
PROFILE_WIDTH_UM = 100.0
"""The width whose gap profiles are plotted (the first width when it is not run); in the full
run it is also run at zero current (a rest of the same length): the closure by creep alone."""
SMALL_VOID_UM = 100.0
"""The roadmap's "small voids (smaller than, say, 100 μm)"."""

VOID_DEPTH = 1e-6
H_LI = 20e-6
CURRENT_DENSITY = from_mA_per_cm2(1.0)  # A/m^2
CAPACITY = from_mAh_per_cm2(0.5)  # C/m^2
GROWTH_TOL = 0.01
"""A void "grows" when its volume exceeds the initial one by at least this fraction."""
CLOSED_FRACTION = 1e-4
"""The run stops when the void volume falls below this fraction of its initial value (or every
interface node is in contact)."""
NEARLY_CLOSED = 0.01
"""Closure capacity/time: the void volume first below this fraction of its initial value."""
INVENTORY_TOL = 1e-9
PENETRATION_TOL = 1e-3 * VOID_DEPTH

BASE_CASE: dict[str, Any] = {
    "name": "void_size_stripping",
    "description": "Li | Li6PS5Cl, Zκ = 20 um, one 1 um deep void, strip 1 mA/cm^2, creep",
    "problem": "stripping",
    "geometry": {"kind": "planar", "h_li": H_LI, "h_se": 100e-6, "width": 250e-6,
                 "voids": [{"center": 125e-6, "width": 100e-6, "height": VOID_DEPTH,
                            "shape": "ellipse"}]},
    "mesh": {"size_fine": 2.5e-6, "size_coarse": 10e-6},
    "electrolyte": {"material": "Li6PS5Cl", "conductivity": "1 mS/cm"},
    "interface": {"kinetics": "butler_volmer", "asr": "2 ohm cm^2", "alpha_a": 0.5,
                  "alpha_c": 0.5},
    "operation": {"temperature": "25 degC"},
    "mechanics": {"li_model": "power_law", "electrolyte_preset": "Li6PS5Cl"},
    "fixture": {"type": "pressure", "pressure": "3 MPa"},
    "protocol": {"steps": ["Strip at 1 mA/cm^2 for 0.5 mAh/cm^2"]},
    "contact": {"electrolyte": "rigid", "stress_coupling": True,
                "max_thickness_change": "0.05 um", "profile_interval": 1},
    # the first creep steps after the elastic contact are microseconds long (stress
    # concentration at the void edge, power-law creep): start small, allow tiny steps
    "time": {"initial_step": "1e-10 s", "min_step": "1e-15 s", "max_step": "60 s",
             "max_plastic_strain_increment": 0.01},
    "output": {"fields": False},
}


def load_quote() -> str:
    """The roadmap quote of ``zkappa_void_reference.json``."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))["quote"]


def case_geometry(width: float, pressure: float, quick: bool,
                  mode: str = "strip") -> dict[str, Any]:
    """Overrides (SI) for a void of width ``width`` [m] at stack pressure ``pressure`` [Pa];
    ``mode`` ``strip`` (1 mA/cm^2 for the capacity) or ``rest`` (zero current, same time)."""
    cell = max(2.5 * width, 100e-6)
    fine = 5e-6 if quick else min(2.5e-6, width / 10.0)
    steps = (["Strip at 1 mA/cm^2 for 0.5 mAh/cm^2"] if mode == "strip"
             else [f"Rest for {CAPACITY / CURRENT_DENSITY:g} s"])
    return {
        "name": f"void_size_w{width / UM:g}um_p{pressure / 1e6:g}MPa_{mode}",
        "protocol.steps": steps,
        "geometry.width": cell,
        "geometry.h_se": max(100e-6, width),
        "geometry.voids": [{"center": 0.5 * cell, "width": width, "height": VOID_DEPTH,
                            "shape": "ellipse"}],
        "mesh.size_fine": fine,
        "fixture.pressure": pressure,
    }


def kinematic_capacity(depth: float) -> float:
    """Areal capacity [mAh/cm^2] whose stripped thickness equals ``depth`` [m]."""
    from ssbx.physics.contact import THICKNESS_PER_CHARGE

    return to_mAh_per_cm2(depth / THICKNESS_PER_CHARGE)


HISTORY_COLUMNS = [
    "mode", "width_um", "pressure_MPa", "step", "time_s", "capacity_mAh_per_cm2", "void_volume_rel",
    "void_volume_per_area_nm", "void_depth_max_um", "contact_fraction",
    "current_density_peak_mA_per_cm2", "current_density_contact_mean_mA_per_cm2",
    "peak_to_contact_mean", "cell_voltage_mV", "removed_thickness_mean_um",
    "li_inventory_error", "penetration_max_m", "dt_s", "newton_iterations", "stagger_passes",
]
PROFILE_COLUMNS = ["mode", "width_um", "pressure_MPa", "step", "time_s", "capacity_mAh_per_cm2",
                   "x_um", "initial_gap_um", "gap_um", "removed_um",
                   "current_density_mA_per_cm2", "contact_pressure_MPa", "contact"]


PROFILE_LEVELS = (0.5, 0.1, 0.03, 0.01, 1e-3)
"""Profiles are kept at the start, at the first step where V/V(0) falls to each of these
levels, and at the end."""


def profile_steps(history: list[dict[str, Any]]) -> list[int]:
    """The history steps whose interface profiles are kept (see :data:`PROFILE_LEVELS`)."""
    steps = [h["step"] for h in history]
    picks = [steps[0]]
    for level in PROFILE_LEVELS:
        s = next((h["step"] for h in history if h["void_volume_rel"] <= level), None)
        if s is not None and s not in picks:
            picks.append(s)
    if steps[-1] not in picks:
        picks.append(steps[-1])
    return picks


def run_case(case: Case, comm: MPI.Comm, keep_profiles: bool, mode: str = "strip"
             ) -> dict[str, Any]:
    """Strip one case until the capacity is reached or the void has closed. Returns the summary
    row, the history rows and (``keep_profiles``) the interface profiles; a solver failure is
    reported in the row (``status``, ``error``), not raised."""
    from ssbx.errors import StrippingError
    from ssbx.physics.contact import THICKNESS_PER_CHARGE
    from ssbx.problems.stripping.stepping import advance
    from ssbx.runs.stripping import Recorder, build_problem, load_of, step_control

    t0 = time.perf_counter()
    width = case.geometry.voids[0].width
    pressure = case.fixture.pressure
    problem = build_problem(case, comm)
    t_setup = time.perf_counter() - t0
    A = problem.area
    s0 = problem.scalars()
    v0 = s0["void_volume"]
    recorder = Recorder(problem, 1 if keep_profiles else 10**9)
    recorder.record(None, None)
    history: list[dict[str, Any]] = []
    first: dict[str, float] = {}

    def add(s: dict[str, float]) -> None:
        cf = s["contact_fraction"]
        mean = s["current_density_mean"]
        history.append({
            "mode": mode, "width_um": width / UM, "pressure_MPa": pressure / 1e6,
            "step": len(history),
            "time_s": s["time"], "capacity_mAh_per_cm2": to_mAh_per_cm2(s["charge_density"]),
            "void_volume_rel": s["void_volume"] / v0 if v0 > 0 else math.nan,
            "void_volume_per_area_nm": s["void_volume"] / A / 1e-9,
            "void_depth_max_um": s["void_depth_max"] / UM, "contact_fraction": cf,
            "current_density_peak_mA_per_cm2": to_mA_per_cm2(s["current_density_peak"]),
            "current_density_contact_mean_mA_per_cm2": (to_mA_per_cm2(mean / cf) if cf > 0
                                                        else math.nan),
            "peak_to_contact_mean": s["peak_to_mean_ratio"],
            "cell_voltage_mV": s.get("cell_voltage", math.nan) * 1e3,
            "removed_thickness_mean_um": s["removed_thickness_mean"] / UM,
            "li_inventory_error": s["li_inventory_error"],
            "penetration_max_m": s["penetration_max"], "dt_s": s.get("dt", math.nan),
            "newton_iterations": s.get("newton_iterations", math.nan),
            "stagger_passes": s.get("stagger_passes", math.nan)})

    add(s0)
    closed: list[bool] = []

    def on_step(report: Any, previous: Any) -> bool:
        recorder.step_index = len(history)  # the history row this profile belongs to
        recorder.record(report, previous)
        s = problem.scalars(previous, report)
        add(s)
        if not first and mode == "strip":
            first.update(peak_to_contact_mean=s["peak_to_mean_ratio"],
                         peak=s["current_density_peak"])
        if bool(np.all(problem.state.contact)) or s["void_volume"] <= CLOSED_FRACTION * v0:
            closed.append(True)
            return True
        return False

    (step,) = case.protocol.parsed()
    load, duration = load_of(step)
    status, error, accepted, rejected = "capacity reached", "", 0, 0
    try:
        res = advance(problem, load, duration, step_control(case), on_step=on_step)
        accepted, rejected = res.accepted, res.rejected
        if closed:
            status = "closed"
    except StrippingError as err:
        status, error = "solver failed", str(err)
    wall = time.perf_counter() - t0

    rel = np.array([h["void_volume_rel"] for h in history])
    q = np.array([h["capacity_mAh_per_cm2"] for h in history])
    t = np.array([h["time_s"] for h in history])
    cf = np.array([h["contact_fraction"] for h in history])
    p2m = np.array([h["peak_to_contact_mean"] for h in history], dtype=float)
    half = np.flatnonzero(rel <= 0.5)
    near = np.flatnonzero(rel <= NEARLY_CLOSED)
    q_kin = kinematic_capacity(s0["void_depth_max"])
    t_near = float(t[near[0]]) if near.size else math.nan
    t_half = float(t[half[0]]) if half.size else math.nan
    rim_rate = first.get("peak", math.nan) * THICKNESS_PER_CHARGE
    row = {
        "mode": mode, "width_um": width / UM, "pressure_MPa": pressure / 1e6,
        "l_over_zkappa": width / (case.asr * case.conductivity),
        "cell_width_um": case.geometry.width / UM, "h_se_um": case.geometry.h_se / UM,
        "size_fine_um": case.mesh.size_fine / UM,
        "num_dofs_potential": problem.num_dofs()["potential"],
        "num_dofs_displacement": problem.num_dofs()["displacement"],
        "status": status,
        "void_volume_initial_per_area_nm": v0 / A / 1e-9,
        "void_depth_initial_um": s0["void_depth_max"] / UM,
        "contact_fraction_initial": float(cf[0]),
        "void_growth_max": float(np.nanmax(rel[1:]) - 1.0) if rel.size > 1 else math.nan,
        "void_volume_rel_final": float(rel[-1]),
        "contact_fraction_min": float(np.nanmin(cf)),
        "contact_loss_max": float(cf[0] - np.nanmin(cf)),
        "contact_fraction_final": float(cf[-1]),
        "time_half_closed_s": t_half,
        "capacity_nearly_closed_mAh_per_cm2": float(q[near[0]]) if near.size else math.nan,
        "time_nearly_closed_s": t_near,
        "capacity_closed_mAh_per_cm2": float(q[-1]) if closed else math.nan,
        "time_closed_s": float(t[-1]) if closed else math.nan,
        "capacity_end_mAh_per_cm2": float(q[-1]),
        "time_end_s": float(t[-1]),
        "kinematic_capacity_mAh_per_cm2": q_kin,
        "kinematic_time_s": from_mAh_per_cm2(q_kin) / CURRENT_DENSITY,
        "peak_to_contact_mean_first_step": first.get("peak_to_contact_mean", math.nan),
        "peak_to_applied_first_step": first.get("peak", math.nan) / CURRENT_DENSITY,
        "closure_rate_um_per_s": 0.5 * s0["void_depth_max"] / t_half / UM if t_half > 0
        else math.nan,
        "rim_stripping_rate_um_per_s": rim_rate / UM,
        "closure_to_rim_stripping_rate": (0.5 * s0["void_depth_max"] / t_half / rim_rate
                                          if t_half > 0 and rim_rate > 0 else math.nan),
        "peak_to_contact_mean_max": float(np.nanmax(p2m)) if np.isfinite(p2m).any()
        and mode == "strip" else math.nan,
        "current_density_peak_max_mA_per_cm2": float(np.nanmax(
            [h["current_density_peak_mA_per_cm2"] for h in history])),
        "li_inventory_error_max": float(np.nanmax(np.abs(
            [h["li_inventory_error"] for h in history]))),
        "penetration_max_m": float(np.nanmax([h["penetration_max_m"] for h in history])),
        "steps_accepted": accepted if not error else len(history) - 1,
        "steps_rejected": rejected,
        "newton_iterations_total": float(np.nansum([h["newton_iterations"] for h in history])),
        "time_setup_s": t_setup,
        "wall_time_s": wall,
        "error": error.splitlines()[0] if error else "",
        "warnings": "; ".join(problem.warnings),
    }
    profiles = []
    rate = CURRENT_DENSITY if mode == "strip" else 0.0
    if keep_profiles:
        keep = set(profile_steps(history))
        for p in recorder.profiles:
            t_p, step_p, _, x, g0, g, r, i, pc, c = p
            if int(step_p) not in keep:
                continue
            profiles.append({"mode": mode, "width_um": width / UM, "pressure_MPa": pressure / 1e6,
                             "step": int(step_p), "time_s": t_p, "capacity_mAh_per_cm2":
                             to_mAh_per_cm2(t_p * rate), "x_um": x / UM,
                             "initial_gap_um": g0 / UM, "gap_um": g / UM, "removed_um": r / UM,
                             "current_density_mA_per_cm2": to_mA_per_cm2(i),
                             "contact_pressure_MPa": pc / 1e6, "contact": int(c)})
    return {"row": row, "history": history, "profiles": profiles, "error": error}


@register
class VoidSizeStripping(Benchmark):
    """Benchmark ``void_size_stripping``: does stripping grow an interfacial void narrower than
    ~100 um when Zκ ≈ 20 um (void widths 10-200 um at 3 and 7 MPa)."""

    name = "void_size_stripping"
    title = "Does stripping grow an interfacial void narrower than ~100 µm when Zκ ≈ 20 µm?"
    source = (
        "M. Pasta et al., \"2020 roadmap on solid-state batteries\", J. Phys. Energy 2, 032008 "
        "(2020), doi:10.1088/2515-7655/ab95f4, §3.2 (Fleck, Deshpande, Cocks): \"Typically, "
        "Zκ ≈ 20 μm, and it is unclear why small voids (smaller than, say, 100 μm) are able to "
        "concentrate the Li flux and thereby induce void growth\"; Li creep: Masias et al., "
        "J. Mater. Sci. 54 (2019) 2585"
    )
    reference = (
        "benchmarks/data/zkappa_void_reference.json (the roadmap quote): voids grow during "
        "stripping, including voids below ~100 um (the roadmap takes this as observed and asks "
        "why); no numbers to compare with, so the expectation is qualitative: the void volume "
        "increases during stripping"
    )
    metric = (
        "void growth = max over the stripping history of V(t)/V(0) - 1 (V: void volume, V(0) "
        "after the elastic contact at the stack pressure) for void widths 10-200 um at 3 and "
        "7 MPa, stripping 1 mA/cm^2 up to 0.5 mAh/cm^2; headline: the largest growth over the "
        "widths below 100 um"
    )
    tolerance = (
        f"roadmap expectation: growth >= {GROWTH_TOL:g} (1 %) for every width and pressure; "
        f"model consistency: Li inventory error <= {INVENTORY_TOL:g}, penetration <= "
        f"{PENETRATION_TOL * 1e9:g} nm, a void that does not grow closes (full contact or V <= "
        f"{CLOSED_FRACTION:g} V(0)) before the capacity that strips its depth, no solver "
        "failure"
    )

    def base_case(self) -> Any:
        """The resolved :data:`BASE_CASE` (Li | Li6PS5Cl, one 1 um deep void)."""
        from ssbx.case import resolve_case

        return resolve_case(BASE_CASE, name_default=self.name)

    @staticmethod
    def grid(quick: bool) -> list[tuple[float, float, str]]:
        """(width [m], pressure [Pa], mode) of every case: the stripping runs pressure-major,
        then (full run) the zero-current references of :data:`PROFILE_WIDTH_UM`."""
        widths = QUICK_WIDTHS_UM if quick else FULL_WIDTHS_UM
        pressures = QUICK_PRESSURES_MPA if quick else FULL_PRESSURES_MPA
        runs = [(w * UM, p * 1e6, "strip") for p in pressures for w in widths]
        if not quick and PROFILE_WIDTH_UM in widths:
            runs += [(PROFILE_WIDTH_UM * UM, p * 1e6, "rest") for p in pressures]
        return runs

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """The overrides of every case of :meth:`grid` (:func:`case_geometry`)."""
        return [case_geometry(w, p, quick, mode) for w, p, mode in self.grid(quick)]

    def reference_data(self) -> dict[str, Any]:
        """The roadmap quote, Zκ [um] and the small-void width [um]."""
        return {"quote": load_quote(), "zkappa_um": 20.0, "small_void_um": SMALL_VOID_UM}

    # -- computation --------------------------------------------------------------------------
    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Strip every void (or rest it, for the reference runs) and measure its growth, the
        Li inventory, penetration and closure."""
        grid = self.grid(quick)
        cases = self.cases(quick)
        widths = sorted({w for w, _, _ in grid})
        profile_width = PROFILE_WIDTH_UM * UM if any(
            math.isclose(w, PROFILE_WIDTH_UM * UM) for w in widths) else widths[0]
        zk = cases[0].asr * cases[0].conductivity
        say(comm, console, f"  Zκ = {zk / UM:g} um (κ = {to_mS_per_cm(cases[0].conductivity):g} "
                           f"mS/cm, Z = {to_ohm_cm2(cases[0].asr):g} ohm cm^2, Butler-Volmer); "
                           f"{len(cases)} cases; strip 1 mA/cm^2 for "
                           f"{to_mAh_per_cm2(CAPACITY):g} mAh/cm^2 or until the void closes")
        rows, history, profiles = [], [], []
        for k, ((w, p, mode), case) in enumerate(zip(grid, cases, strict=True)):
            out = run_case(case, comm, mode=mode,
                           keep_profiles=mode == "strip" and math.isclose(w, profile_width))
            row = out["row"]
            rows.append(row)
            history += out["history"]
            profiles += out["profiles"]
            say(comm, console,
                f"  [{k + 1}/{len(cases)}] {mode} w = {w / UM:g} um, {p / 1e6:g} MPa: "
                f"{row['status']}; contact {row['contact_fraction_initial']:.3f} -> "
                f"{row['contact_fraction_final']:.3f}, V/V0 max {1 + row['void_growth_max']:.4f}"
                f", half closed at t = {row['time_half_closed_s']:.3g} s, 99 % at "
                f"{row['time_nearly_closed_s']:.3g} s, closed at {row['time_closed_s']:.3g} s "
                f"({row['capacity_closed_mAh_per_cm2']:.3g} mAh/cm^2; kinematic "
                f"{row['kinematic_capacity_mAh_per_cm2']:.3g} mAh/cm^2), edge/mean "
                f"{row['peak_to_contact_mean_first_step']:.2f}; {row['steps_accepted']} steps "
                f"({row['steps_rejected']} rejected), {row['wall_time_s']:.1f} s")
            if out["error"]:
                say(comm, console, f"    solver failed: {out['error']}")
        return self._evaluate(rows, history, profiles, zk, profile_width, quick)

    def _evaluate(self, rows: list[dict[str, Any]], history: list[dict[str, Any]],
                  profiles: list[dict[str, Any]], zk: float, profile_width: float,
                  quick: bool) -> Outcome:
        def nan_max(values: list[float]) -> float:
            arr = np.array(values, dtype=float)
            return float(np.max(arr)) if arr.size and np.all(np.isfinite(arr)) else math.nan

        strip = [r for r in rows if r["mode"] == "strip"]
        small = [r for r in strip if r["width_um"] < SMALL_VOID_UM]
        checks = [Check(
            "small_void_growth",
            "largest relative growth of the void volume during stripping over the voids "
            f"narrower than {SMALL_VOID_UM:g} um ({', '.join(f'{r['width_um']:g}' for r in small)}"
            " um) and the pressures run; roadmap §3.2: such voids grow (and it calls this "
            "unexplained by Zκ ≈ 20 um)",
            nan_max([r["void_growth_max"] for r in small]), GROWTH_TOL, "min")]
        for r in strip:
            checks.append(Check(
                f"grows_w{r['width_um']:g}um_{r['pressure_MPa']:g}MPa",
                f"void {r['width_um']:g} um wide (l/Zκ = {r['l_over_zkappa']:g}) at "
                f"{r['pressure_MPa']:g} MPa: max V(t)/V(0) - 1 while stripping 1 mA/cm^2 "
                f"(roadmap: grows; model: {r['status']})",
                r["void_growth_max"], GROWTH_TOL, "min"))
        not_growing = [r for r in strip if not r["void_growth_max"] >= GROWTH_TOL]
        ratios = [r["capacity_closed_mAh_per_cm2"] / r["kinematic_capacity_mAh_per_cm2"]
                  for r in not_growing]
        failed = [r for r in rows if r["status"] == "solver failed"]
        checks += [
            Check("kinematic_closure",
                  "voids that do not grow: largest (capacity at which the void has closed: "
                  f"every interface node in contact or V <= {CLOSED_FRACTION:g} V(0)) / "
                  "(capacity that strips the initial void depth); <= 1: they close before the "
                  "rigid-body motion of the Li alone would close them (NaN: one did not close)",
                  nan_max(ratios) if ratios else 0.0, 1.0, "max"),
            Check("li_inventory",
                  "largest |removed Li - Omega Q/F| / (Omega ∫|I|dt/F) over every step and case",
                  nan_max([r["li_inventory_error_max"] for r in strip]), INVENTORY_TOL, "max"),
            Check("no_penetration",
                  "largest penetration of the Li into the electrolyte over every step and case "
                  "[m]", nan_max([r["penetration_max_m"] for r in rows]), PENETRATION_TOL, "max",
                  unit="m"),
            Check("solver_failures", "number of cases (stripping and rest) whose time stepping "
                  "failed", float(len(failed)), 0.0, "max"),
        ]
        findings = self._findings(rows, zk, quick)
        return Outcome(
            rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
            extra_files={f"{self.name}_history.csv": csv_text(history, HISTORY_COLUMNS),
                         f"{self.name}_profiles.csv": csv_text(profiles, PROFILE_COLUMNS)},
            plot_data={"history": history, "profiles": profiles,
                       "profile_width_um": profile_width / UM})

    @staticmethod
    def _findings(rows: list[dict[str, Any]], zk: float, quick: bool) -> dict[str, Any]:
        strip = [r for r in rows if r["mode"] == "strip"]
        grows = [r for r in strip if r["void_growth_max"] >= GROWTH_TOL]
        done = [r for r in strip if r["status"] != "solver failed"]
        t_half = [r["time_half_closed_s"] for r in done]
        t_close = [r["time_closed_s"] for r in done]
        q_close = [r["capacity_closed_mAh_per_cm2"] for r in done]
        p2m = [r["peak_to_contact_mean_first_step"] for r in done]
        ratio = [r["closure_to_rim_stripping_rate"] for r in done]
        widen = max(done, key=lambda r: r["contact_loss_max"]) if done else None
        if grows:
            verdict = ("some voids grow: " + ", ".join(
                f"{r['width_um']:g} um at {r['pressure_MPa']:g} MPa" for r in grows))
        elif done:
            verdict = (
                "no void grows. Li creep halves every void's volume within "
                f"{np.nanmin(t_half):.2g}-{np.nanmax(t_half):.2g} s of stripping at 1 mA/cm^2 "
                "and closes it (every interface node in contact or V <= "
                f"{CLOSED_FRACTION:g} V(0); narrow pockets at the rim close last) within "
                f"{np.nanmin(t_close):.2g}-{np.nanmax(t_close):.2g} s, i.e. after "
                f"{np.nanmin(q_close):.2g}-{np.nanmax(q_close):.2g} mAh/cm^2, against "
                f"{rows[0]['kinematic_capacity_mAh_per_cm2']:.2g} mAh/cm^2 for the rigid-body "
                "motion alone; the current at the void rim is "
                f"{np.nanmin(p2m):.2g}-{np.nanmax(p2m):.2g} times the contact mean at the "
                "first step, but the creep closure rate (half the initial depth / half-closure "
                f"time) is {np.nanmin(ratio):.2g}-{np.nanmax(ratio):.2g} times the rate at "
                "which that peak current strips the rim"
                + (f". The largest transient widening (fall of the contact fraction below its "
                   f"initial value while the volume falls) is {widen['contact_loss_max']:.3f} "
                   f"({widen['width_um']:g} um, {widen['pressure_MPa']:g} MPa): the Li under "
                   "the void centre rises first and leaves two rim pockets"
                   if widen is not None else ""))
        else:
            verdict = "every case failed"
        rest = []
        for r in rows:
            if r["mode"] != "rest":
                continue
            s = next((x for x in strip if x["width_um"] == r["width_um"]
                      and x["pressure_MPa"] == r["pressure_MPa"]), None)
            rest.append({
                "width_um": r["width_um"], "pressure_MPa": r["pressure_MPa"],
                **{f"{k}_{m}_s": x[f"{k}_s"] if x else math.nan
                   for k in ("time_half_closed", "time_nearly_closed", "time_closed")
                   for m, x in (("rest", r), ("strip", s))},
                "ratio_strip_to_rest_half": (s["time_half_closed_s"] / r["time_half_closed_s"]
                                             if s and r["time_half_closed_s"] > 0 else math.nan),
                "ratio_strip_to_rest_closed": (s["time_closed_s"] / r["time_closed_s"]
                                               if s and r["time_closed_s"] > 0 else math.nan)})
        widths = ", ".join(f"{w:g}" for w in sorted({r["width_um"] for r in strip}))
        pressures = " and ".join(f"{p:g}" for p in sorted({r["pressure_MPa"] for r in strip}))
        if grows:
            statement = "Stripping grows some voids (see verdict)."
        else:
            statement = (
                f"With Zκ = {zk / UM:g} um, Li creep after Masias 2019, a rigid Li6PS5Cl "
                "electrolyte and the stack pressure applied as a uniform traction on the Li "
                f"current collector, stripping at 1 mA/cm^2 does not grow 1 um deep voids of "
                f"width {widths} um at {pressures} MPa: they close by creep in fractions of a "
                "second to seconds, long before the stripped thickness matters"
                + (f"; for the {rest[0]['width_um']:g} um void the half-closure and closure "
                   "times with stripping over those at zero current are "
                   + ", ".join(f"{x['ratio_strip_to_rest_half']:.3g} and "
                               f"{x['ratio_strip_to_rest_closed']:.3g} ({x['pressure_MPa']:g} "
                               "MPa)" for x in rest) if rest else "")
                + ". So this model does not reproduce the void growth the roadmap takes as "
                "observed, for small voids nor for large ones: the edge current concentration "
                "(the Zκ argument) exists but is irrelevant against creep at these pressures. "
                "In this model Li that carries no current moves with the Li body, so a void "
                "shallower than the stripped thickness closes kinematically unless the rim is "
                "stripped faster than creep refills it; a mechanism that removes Li under the "
                "void or slows the refill (vacancy accumulation, size-dependent Li strength, a "
                "rigid current collector instead of a uniform traction, interface "
                "heterogeneity) is missing (candidates: vacancy transport, Krauskopf et al., "
                "ACS Appl. Mater. Interfaces 11 (2019) 14463; size-dependent strength, Xu et "
                "al., PNAS 114 (2017) 57; rough initial contact, Zhang et al., Cell Rep. Phys. "
                "Sci. 1 (2020) 100012).")
        return {
            "quote": load_quote(),
            "roadmap_claim": (
                "the roadmap does not say that voids below ~100 um do not grow; it says their "
                "growth (taken as observed, driven by flux concentration at the void periphery) "
                "is unclear given Zκ ≈ 20 um"),
            "parameters": {
                "zkappa_um": zk / UM, "conductivity_mS_per_cm": 1.0, "asr_ohm_cm2": 2.0,
                "kinetics": "Butler-Volmer, alpha_a = alpha_c = 0.5, i0 from Z "
                            "(R T / (F Z (alpha_a + alpha_c)))",
                "electrolyte": "Li6PS5Cl, rigid", "li": "Masias 2019 power-law creep, 25 C",
                "fixture": "uniform traction (stack pressure) on the Li current collector",
                "stress_coupling": True, "void_depth_um": VOID_DEPTH / UM, "h_li_um": H_LI / UM,
                "current_density_mA_per_cm2": to_mA_per_cm2(CURRENT_DENSITY),
                "capacity_mAh_per_cm2": to_mAh_per_cm2(CAPACITY),
                "cell_width": "max(2.5 w, 100 um)", "h_se": "max(100 um, w)",
                "size_fine": "5 um" if quick else "min(2.5 um, w/10)", "size_coarse_um": 10.0},
            "kinematics": (
                "Li not under current moves with the Li body: the body follows the receding "
                "contact, so the Li surface under the void rises by the stripped thickness and "
                "a void shallower than that closes (1 um: 0.206 mAh/cm^2) unless the edge "
                "current crowding strips the rim faster than creep refills it"),
            "verdict": verdict,
            "statement": statement,
            "rest_reference": rest,
            "per_case": [{k: r[k] for k in (
                "mode", "width_um", "pressure_MPa", "status", "void_growth_max",
                "contact_fraction_initial", "time_half_closed_s", "time_nearly_closed_s",
                "time_closed_s", "capacity_closed_mAh_per_cm2", "kinematic_capacity_mAh_per_cm2",
                "peak_to_contact_mean_first_step", "closure_to_rim_stripping_rate",
                "wall_time_s", "error")} for r in rows],
        }

    # -- figure ---------------------------------------------------------------------------------
    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Void volume and gap profiles while stripping per pressure, and the contact fraction
        and the current concentration at the void rim."""
        plt = pyplot()
        rows, hist = outcome.rows, outcome.plot_data["history"]
        profiles = outcome.plot_data["profiles"]
        pw = outcome.plot_data["profile_width_um"]
        strip = [r for r in rows if r["mode"] == "strip"]
        pressures = sorted({r["pressure_MPa"] for r in strip})
        widths = sorted({r["width_um"] for r in strip})
        npanel = len(pressures)
        fig, axes = plt.subplots(2, npanel + 1, figsize=(5.6 * (npanel + 1), 9.4),
                                 squeeze=False)
        colors = {w: f"C{k}" for k, w in enumerate(widths)}
        styles = {p: ls for p, ls in zip(pressures, ("-", "--", ":", "-."), strict=False)}
        t_kin = from_mAh_per_cm2(kinematic_capacity(VOID_DEPTH)) / CURRENT_DENSITY
        to_q = (lambda t: to_mAh_per_cm2(t * CURRENT_DENSITY),
                lambda q: from_mAh_per_cm2(q) / CURRENT_DENSITY)

        def series(w: float, p: float, key: str, mode: str = "strip"
                   ) -> tuple[np.ndarray, np.ndarray]:
            sel = [h for h in hist if h["width_um"] == w and h["pressure_MPa"] == p
                   and h["mode"] == mode and h["time_s"] > 0.0]
            return (np.array([h["time_s"] for h in sel]),
                    np.array([h[key] for h in sel], dtype=float))

        for j, p in enumerate(pressures):
            ax = axes[0, j]
            for w in widths:
                t, v = series(w, p, "void_volume_rel")
                if t.size:
                    ax.plot(t, np.maximum(v, 1e-6), ".-", ms=2.5, lw=1.2, color=colors[w],
                            label=f"w = {w:g} µm (w/Zκ = {w / 20:g})")
            t, v = series(pw, p, "void_volume_rel", "rest")
            if t.size:
                ax.plot(t, np.maximum(v, 1e-6), color="k", ls="--", lw=1.0,
                        label=f"w = {pw:g} µm, no current")
            ax.axhline(1.0, color="0.4", ls=":", lw=1.0)
            ax.axvline(t_kin, color="k", ls="-.", lw=1.0,
                       label=f"stripped thickness = depth as cut ({t_kin:.3g} s)")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_ylim(1e-6, 3.0)
            ax.set_xlabel("time  (s)")
            ax.set_ylabel("void volume / initial  (–)")
            top = ax.secondary_xaxis("top", functions=to_q)
            top.set_xlabel("stripped capacity  (mAh/cm²)", fontsize=8)
            ax.set_title(f"{p:g} MPa: void volume, stripping 1 mA/cm²", fontsize=10)
            ax.grid(True, which="both", alpha=0.25)
            ax.legend(fontsize=7.5, loc="lower left")

            bx = axes[1, j]
            sel = [r for r in profiles if r["pressure_MPa"] == p and r["width_um"] == pw
                   and r["mode"] == "strip"]
            if sel:
                picks = sorted({r["step"] for r in sel})
                rel = {h["step"]: h["void_volume_rel"] for h in hist
                       if h["width_um"] == pw and h["pressure_MPa"] == p
                       and h["mode"] == "strip"}
                cmap = plt.get_cmap("viridis")
                for n, s in enumerate(picks):
                    pr = sorted((r for r in sel if r["step"] == s), key=lambda r: r["x_um"])
                    bx.plot([r["x_um"] for r in pr], [-r["gap_um"] * 1e3 for r in pr],
                            color=cmap(n / max(len(picks) - 1, 1)), lw=1.3,
                            label=f"t = {pr[0]['time_s']:.3g} s, V/V0 = "
                                  f"{rel.get(s, math.nan):.3g}")
                pr = sorted((r for r in sel if r["step"] == picks[0]), key=lambda r: r["x_um"])
                bx.plot([r["x_um"] for r in pr], [-r["initial_gap_um"] * 1e3 for r in pr],
                        color="0.6", ls=":", lw=1.0, label="void as cut (unloaded)")
            bx.set_xlabel("x  (µm)")
            bx.set_ylabel("Li surface below the electrolyte, −gap  (nm)")
            bx.set_title(f"{p:g} MPa: gap profile of the {pw:g} µm void while stripping",
                         fontsize=10)
            bx.grid(True, alpha=0.25)
            bx.legend(fontsize=7)

        cx, dx = axes[0, -1], axes[1, -1]
        for p in pressures:
            for w in widths:
                t, cf = series(w, p, "contact_fraction")
                if t.size:
                    cx.plot(t, cf, ls=styles[p], color=colors[w], lw=1.2,
                            label=f"{w:g} µm, {p:g} MPa")
                t, r = series(w, p, "peak_to_contact_mean")
                if t.size:
                    dx.plot(t, r, ls=styles[p], color=colors[w], lw=1.2)
        for ax, label in ((cx, "contact fraction  (–)"),
                          (dx, "peak / contact-mean current density  (–)")):
            ax.set_xscale("log")
            ax.set_xlabel("time  (s)")
            ax.set_ylabel(label)
            ax.grid(True, which="both", alpha=0.25)
        legend = ", ".join(f"{p:g} MPa {styles[p]}" for p in pressures)
        cx.set_title(f"contact fraction (line style: {legend})", fontsize=10)
        dx.set_title("current concentration at the void rim", fontsize=10)
        cx.legend(fontsize=7, ncol=2)

        head = outcome.checks[0]
        n_ok = sum(c.passed for c in outcome.checks)
        fig.suptitle(
            f"Void size vs Zκ = 20 µm under stripping{' (quick)' if quick else ''}: Li | "
            "Li6PS5Cl, BV, Masias creep, rigid SE, 1 µm deep voids, 1 mA/cm²\n"
            f"roadmap: voids < 100 µm grow; model: largest growth {head.value:+.3g} "
            f"(needs ≥ {head.tolerance:g}); {n_ok}/{len(outcome.checks)} checks pass",
            fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 0.94))
        save_figure(fig, path)
