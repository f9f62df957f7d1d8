"""Critical stripping current (CCS) against stack pressure: Kasemchainan et al. 2019.

Claim compared with (``benchmarks/data/kasemchainan2019_ccs.json``): the CCS of Li | Li6PS5Cl | Li
at room temperature rises with stack pressure, ~0.2 mA/cm² at 3 MPa and ~1.0 mA/cm² at 7 MPa
(Kasemchainan et al., Nat. Mater. 18, 1105 (2019), doi:10.1038/s41563-019-0438-9; these two
numbers come from secondary notes, marked *(check)*: the sources at hand, the 2020 roadmap on
solid-state batteries (Pasta et al., J. Phys. Energy 2, 032008) and Ham's thesis (UC San Diego,
2024), cite the paper but do not print them, see the JSON). Those sources confirm only the trend
(the critical current rises with stack pressure over 0.4-7 MPa, voids still accumulate at 3 MPa).

Model (ssbx ``problem = "stripping"``: current in the electrolyte with Butler-Volmer kinetics on
the contacting interface and the contact pressure in the overpotential, Li removed where it
conducts, Li power-law creep (Masias et al. 2019) with unilateral contact against a rigid flat
electrolyte, evolving contact): planar unit cell 100 um wide (one period of a periodic array of
voids), Li 20 um under a constant stack pressure on its current collector, Li6PS5Cl 50 um (2 mS/cm,
typical: Li6PS5Cl 1-3 mS/cm), Z = 2 ohm cm² (assumed: 1-10 ohm cm² after good processing,
*(check)*; not fitted). Interface geometry (ASSUMED, not from the paper): one elliptical void 40 um
wide and 1 um deep in the middle of each period, i.e. an interface with 40 % of its area out of
contact. Temperature: the creep law's Arrhenius term (Q = 37 kJ/mol) and RT/F in the kinetics; the
conductivity and Z have no activation energy (the same at 25 and 40 C).

Search: each trial strips ``ccs.capacity`` at one current density from the elastic contact under
the stack pressure and is unstable when the contact fraction falls more than 0.05 below its start
(a void grows) or the voltage doubles (:func:`ssbx.runs.ccs.strip_trial`); the CCS is
bracketed from [0.1, 100] mA/cm² (widened once by 10 each way: currents up to 1000 mA/cm²) and
bisected geometrically to a bracket ratio of 1.5 (:func:`ssbx.runs.ccs.critical_current`).
A CCS above the searched range is a lower bound ("> X").

Points: 0.25 (added: a fitted slope needs two bracketed pressures, and above 0.5 MPa the CCS
leaves the searched range), 0.5, 1, 2, 3, 5, 7, 10 MPa at 25 C; 0.5, 1, 2, 3 MPa at 40 C; at
1 MPa and 25 C also Z = 0.5 and 8 ohm cm² and void widths 20 and 80 um (depth 1 um).

Reduced (cost): the full run uses size_fine 5 um instead of the 2.5 um of the base case (see
:data:`FULL_SETTINGS` and :data:`REDUCTION_NOTES`); the CCS is not mesh-converged (the
instability starts at the contact edge, resolved by a few interface nodes).

Checks (fixed before the runs; nothing is tuned): the CCS at 3 and 7 MPa within a factor 2 of 0.2
and 1.0 mA/cm² (expected to FAIL: creep driven by the nominal stack pressure gives far larger
values: the measured CCS needs a mechanism creep alone lacks); CCS(7)/CCS(3) against the measured
~5 and the naive creep scaling (7/3)^6.56 = 259; the CCS does not decrease with pressure or
temperature; no solver failures and no contradictions of monotonicity inside a search. The fitted
slope d ln CCS / d ln p of the bracketed points (and bounds on it from the others) is reported.

Quick (CI): one pressure (0.25 MPa, where every trial is cheap), size_fine 5 um, capacity
0.05 mAh/cm², bracket ratio 3; its checks: the CCS is bracketed to the ratio, no solver failure,
no monotonicity contradiction (no literature comparison).
"""

from __future__ import annotations

import json
import math
import time
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
from ssbx.case import Case
from ssbx.units import (
    from_mA_per_cm2,
    from_mAh_per_cm2,
    from_ohm_cm2,
    to_mA_per_cm2,
    to_mAh_per_cm2,
)

UM = 1e-6
MPA = 1e6
KELVIN = 273.15
REFERENCE_FILE = DATA_DIR / "kasemchainan2019_ccs.json"

BASE_CASE: dict[str, Any] = {
    "name": "stripping_ccs",
    "description": "CCS of Li | Li6PS5Cl with a 40 um wide, 1 um deep void per 100 um (creep only)",
    "problem": "stripping",
    "geometry": {
        "kind": "planar", "h_se": "50 um", "h_li": "20 um", "width": "100 um",
        "voids": [{"center": "50 um", "width": "40 um", "height": "1 um", "shape": "ellipse"}],
    },
    "mesh": {"size_fine": "2.5 um", "size_coarse": "10 um"},
    "electrolyte": {"material": "Li6PS5Cl", "conductivity": "2 mS/cm"},
    "interface": {"kinetics": "butler_volmer", "asr": "2 ohm cm^2", "alpha_a": 0.5,
                  "alpha_c": 0.5},
    "operation": {"temperature": "25 degC"},
    "mechanics": {"li_model": "power_law", "electrolyte_preset": "Li6PS5Cl"},
    "fixture": {"type": "pressure", "pressure": "1 MPa"},
    "contact": {"electrolyte": "rigid"},
    # the creep-only contact model (this benchmark predates vacancy transport, which
    # `ssbx ccs` turns on by default; see benchmarks/vacancy_ccs.py)
    "vacancy": {"enabled": False},
    "ccs": {"capacity": "0.25 mAh/cm^2", "lower": "0.1 mA/cm^2", "upper": "100 mA/cm^2",
            "bracket_ratio": 1.5, "max_expansions": 1, "expansion_factor": 10.0,
            "contact_loss": 0.05, "voltage_rise": 2.0},
    "time": {"initial_step": "1e-4 s", "max_step": "10 min", "min_step": "1e-9 s",
             "max_plastic_strain_increment": 0.01},
    "output": {"fields": False},
}
"""The base case (resolved with :func:`ssbx.case.resolve_case`). Capacity 0.25 mAh/cm² per
trial (1.2 um of Li, more than the 1 um void depth): a trial that keeps its contact over that
charge has refilled (or out-crept) the void at least once."""

QUICK_SETTINGS: dict[str, Any] = {
    "mesh.size_fine": 5.0 * UM,
    "ccs.capacity": from_mAh_per_cm2(0.05),
    "ccs.bracket_ratio": 3.0,
}
"""Quick run: coarse mesh, 0.05 mAh/cm² per trial, bracket ratio 3."""
FULL_SETTINGS: dict[str, Any] = {
    "mesh.size_fine": 5.0 * UM,
}
"""Full run: the base case's search settings on the coarser mesh (size_fine 5 um instead of
2.5 um): near the CCS a trial takes ~1000 time steps (the plastic strain increment at the
contact edge limits them), 150-600 s on the 2.5 um mesh, and a full search of one point took
more than 10 min there (0.25 MPa; not completed) against ~3 min on the 5 um mesh."""


REDUCTION_NOTES = (
    "Full run reduced for cost: size_fine 5 um instead of 2.5 um (capacity 0.25 mAh/cm², "
    "bracket ratio 1.5, max_plastic_strain_increment 0.01 kept). Measured while setting the "
    "benchmark up (2 shared cores): on the 2.5 um mesh single trials near the CCS took 332 s "
    "(0.5 MPa, 100 mA/cm², 1407 steps) and 558 s (1 MPa, 1000 mA/cm², 1551 steps), and one "
    "full search (0.25 MPa) had not finished after 13 min; on the 5 um mesh the 1 MPa search "
    "took 182 s. The step count near the CCS is set by the plastic strain increment limit at "
    "the contact edge (a stress singularity), not by the stripped thickness. The mesh "
    "dependence of the CCS is not measured; contact_loss 0.05 is 5 um of the 100 um "
    "interface, one 5 um element (2.5 um per void edge) on this mesh."
)


VOID_CLOSURE_CURRENT = 100.0
"""mA/cm²: a current every search tries (the initial upper bound); the time its trial took to
close the void (complete contact) is reported per point."""


@dataclass(frozen=True)
class Point:
    """One CCS search: the base case at a stack pressure, temperature, Z and void width."""

    key: str
    pressure_MPa: float
    temperature_C: float = 25.0
    z_ohm_cm2: float = 2.0
    void_width_um: float = 40.0
    role: str = "pressure"
    """``pressure`` (25 C sweep), ``temperature`` (40 C sweep) or ``parameter`` (Z, width)."""


def _p(pressure: float, temperature: float = 25.0, **kw: Any) -> Point:
    key = f"p{pressure:g}MPa_{temperature:g}C"
    for name, short in (("z_ohm_cm2", "Z"), ("void_width_um", "w")):
        if name in kw:
            key += f"_{short}{kw[name]:g}"
    role = kw.pop("role", "pressure" if temperature == 25.0 else "temperature")
    return Point(key, pressure, temperature, role=role, **kw)


FULL_POINTS: tuple[Point, ...] = (
    *(_p(p) for p in (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0)),
    *(_p(p, 40.0) for p in (0.5, 1.0, 2.0, 3.0)),
    _p(1.0, z_ohm_cm2=0.5, role="parameter"),
    _p(1.0, z_ohm_cm2=8.0, role="parameter"),
    _p(1.0, void_width_um=20.0, role="parameter"),
    _p(1.0, void_width_um=80.0, role="parameter"),
)
QUICK_POINTS: tuple[Point, ...] = (_p(0.25),)
"""Quick: 0.25 MPa, where the CCS lies inside the searched range and every trial is cheap."""

MAP_COLUMNS = [
    "key", "role", "pressure_MPa", "temperature_C", "Z_ohm_cm2", "void_width_um",
    "ccs_lower_mA_per_cm2", "ccs_upper_mA_per_cm2", "ccs_estimate_mA_per_cm2", "status",
    "n_trials", "wall_time_s",
]


# --------------------------------------------------------------------------------------------
# reference and cases
# --------------------------------------------------------------------------------------------
def load_reference() -> dict[str, Any]:
    """The reference points, their (non-)confirmation by the sources at hand, quotes and
    assumptions."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def point_overrides(point: Point, quick: bool) -> dict[str, Any]:
    """Case overrides (SI) of one search point."""
    return {
        "name": f"stripping_ccs_{point.key}",
        "fixture.pressure": point.pressure_MPa * MPA,
        "operation.temperature": point.temperature_C + KELVIN,
        "interface.asr": from_ohm_cm2(point.z_ohm_cm2),
        "geometry.voids.0.width": point.void_width_um * UM,
    } | (QUICK_SETTINGS if quick else FULL_SETTINGS)


def points(quick: bool) -> tuple[Point, ...]:
    """The points of the full or the quick run."""
    return QUICK_POINTS if quick else FULL_POINTS


def creep_arrhenius_factor(t_from_c: float, t_to_c: float) -> float:
    """Ratio of the Li creep rates at ``t_to_c`` and ``t_from_c`` [C] (Masias law's Q)."""
    from ssbx.physics.creep_laws import LI_ACTIVATION_ENERGY

    r = 8.314462618
    return math.exp(LI_ACTIVATION_ENERGY / r * (1.0 / (t_from_c + KELVIN)
                                                - 1.0 / (t_to_c + KELVIN)))


# --------------------------------------------------------------------------------------------
# evaluation helpers
# --------------------------------------------------------------------------------------------
def bound_text(row: dict[str, Any]) -> str:
    """The CCS as text: ``"1.2-1.8"`` (bracketed), ``"> 1000"`` or ``"< 0.01"`` [mA/cm²]."""
    lo, hi = row["ccs_lower_mA_per_cm2"], row["ccs_upper_mA_per_cm2"]
    if row["status"] == "bracketed":
        return f"{lo:.4g}-{hi:.4g}"
    if row["status"] == "above_range":
        return f"> {lo:.4g}"
    return f"< {hi:.4g}"


def factor_to_reference(row: dict[str, Any], ref: float) -> tuple[float, str]:
    """``max(pred/ref, ref/pred)`` and how it was obtained: from the estimate when bracketed;
    from the bound otherwise, where the bound makes it a lower bound of the factor (CCS above
    the range and the bound above ref, or below the range and the bound below ref); NaN when
    the bound leaves the factor open."""
    st = row["status"]
    if st == "bracketed":
        est = row["ccs_estimate_mA_per_cm2"]
        return max(est / ref, ref / est), f"estimate {est:.3g} mA/cm²"
    if st == "above_range":
        lo = row["ccs_lower_mA_per_cm2"]
        if lo >= ref:
            return lo / ref, f"CCS > {lo:.4g} mA/cm² (above the searched range)"
        return math.nan, f"CCS > {lo:.4g} mA/cm²: factor not determined"
    hi = row["ccs_upper_mA_per_cm2"]
    if hi <= ref:
        return ref / hi, f"CCS < {hi:.4g} mA/cm² (below the searched range)"
    return math.nan, f"CCS < {hi:.4g} mA/cm²: factor not determined"


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ln y against ln x (NaN for fewer than two distinct x)."""
    if len(set(xs)) < 2:
        return math.nan
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def slope_bounds(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Bounds on d ln CCS / d ln p from pairs of points (p1 < p2) of one temperature: the CCS at
    p2 is at least its lower bound and the CCS at p1 at most its upper bound, so the mean slope
    between them is at least ``ln(lower2 / upper1) / ln(p2 / p1)``; the largest such bound."""
    best: dict[str, Any] = {"slope_at_least": math.nan, "between_MPa": None}
    for a in rows:
        for b in rows:
            if a["pressure_MPa"] >= b["pressure_MPa"]:
                continue
            hi1, lo2 = a["ccs_upper_mA_per_cm2"], b["ccs_lower_mA_per_cm2"]
            if not (math.isfinite(hi1) and math.isfinite(lo2)):
                continue
            s = math.log(lo2 / hi1) / math.log(b["pressure_MPa"] / a["pressure_MPa"])
            if not math.isfinite(best["slope_at_least"]) or s > best["slope_at_least"]:
                best = {"slope_at_least": s, "between_MPa": [a["pressure_MPa"],
                                                             b["pressure_MPa"]]}
    return best


def contradictions(rows: list[dict[str, Any]], key: str) -> list[str]:
    """Pairs of points (different ``key`` value, otherwise comparable) whose brackets say the
    CCS *decreases* as ``key`` increases: lower bound at the smaller value above the upper bound
    at the larger one."""
    out = []
    for a in rows:
        for b in rows:
            if a[key] >= b[key]:
                continue
            lo1, hi2 = a["ccs_lower_mA_per_cm2"], b["ccs_upper_mA_per_cm2"]
            if math.isfinite(lo1) and math.isfinite(hi2) and lo1 > hi2:
                out.append(f"{a['key']} (CCS > {lo1:.3g}) vs {b['key']} (CCS <= {hi2:.3g})")
    return out


# --------------------------------------------------------------------------------------------
# benchmark
# --------------------------------------------------------------------------------------------
@register
class StrippingCcs(Benchmark):
    """Benchmark ``stripping_ccs``: the critical stripping current against stack pressure
    (and temperature, Z, void width) against Kasemchainan et al. (2019)."""

    name = "stripping_ccs"
    title = "Critical stripping current vs stack pressure: Kasemchainan et al. 2019"
    source = (
        "J. Kasemchainan et al., \"Critical stripping current leads to dendrite formation on "
        "plating in lithium anode solid electrolyte cells\", Nat. Mater. 18, 1105-1111 (2019), "
        "doi:10.1038/s41563-019-0438-9: Li | Li6PS5Cl | Li at room temperature, CCS ~0.2 mA/cm² "
        "at 3 MPa and ~1.0 mA/cm² at 7 MPa (values from secondary notes, marked (check): not "
        "printed in the sources at hand)"
    )
    reference = (
        "benchmarks/data/kasemchainan2019_ccs.json: CCS 0.2 mA/cm² at 3 MPa and 1.0 mA/cm² at "
        "7 MPa (unconfirmed in a primary source, quotes there), measured ratio ~5, naive creep "
        "scaling "
        "(7/3)^6.56 = 259; model assumptions (40 % voided interface, Z = 2 ohm cm², 2 mS/cm)"
    )
    metric = (
        "critical stripping current from a bracketing/bisection search of stripping trials "
        "(0.25 mAh/cm² each, contact loss > 0.05 or voltage x2 = unstable) at 0.5-10 MPa (25 C) "
        "and 0.5-3 MPa (40 C), and at 1 MPa for Z = 0.5/8 ohm cm² and void widths 20/80 um; "
        "headline: max(pred/meas, meas/pred) at 3 MPa (a lower bound when the CCS is above the "
        "searched range)"
    )
    tolerance = (
        "factor 2 on the CCS at 3 and 7 MPa and on CCS(7)/CCS(3) against the measured 5 and "
        "against (7/3)^6.56 (fixed before the runs; nothing tuned); no decrease of the CCS with "
        "pressure or temperature; no solver failure; no monotonicity contradiction in a search; "
        "quick run: bracketed to the ratio 3"
    )
    x_label = "stack pressure [MPa]"

    def base_case(self) -> Any:
        """The resolved :data:`BASE_CASE` (40 um void per 100 um, Li | Li6PS5Cl)."""
        from ssbx.case import resolve_case

        return resolve_case(BASE_CASE, name_default=self.name)

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """The overrides of every point (:func:`point_overrides`)."""
        return [point_overrides(p, quick) for p in points(quick)]

    def reference_data(self) -> dict[str, Any]:
        """The reference (:func:`load_reference`)."""
        return load_reference()

    # -- computation --------------------------------------------------------------------------
    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Search the CCS of every point and compare with the measured values and the trends."""
        from ssbx.runs.ccs import critical_current

        pts = points(quick)
        cases = self.cases(quick)
        c0 = cases[0]
        say(comm, console,
            f"  {len(pts)} CCS searches; per trial {to_mAh_per_cm2(c0.ccs.capacity):g} mAh/cm², "
            f"bracket {to_mA_per_cm2(c0.ccs.lower):g}-{to_mA_per_cm2(c0.ccs.upper):g} mA/cm² (x"
            f"{c0.ccs.expansion_factor:g} {c0.ccs.max_expansions}x each way), ratio "
            f"{c0.ccs.bracket_ratio:g}, size_fine {c0.mesh.size_fine / UM:g} um")
        rows: list[dict[str, Any]] = []
        trial_rows: list[dict[str, Any]] = []
        for k, (pt, case) in enumerate(zip(pts, cases, strict=True)):
            t0 = time.perf_counter()
            res = critical_current(case, comm, None)
            wall = comm.bcast(time.perf_counter() - t0 if comm.rank == 0 else None, root=0)
            row = self._row(pt, case, res, wall)
            rows.append(row)
            for n, tr in enumerate(res.trials):
                m = tr.metrics
                trial_rows.append({
                    "key": pt.key, "pressure_MPa": pt.pressure_MPa,
                    "temperature_C": pt.temperature_C, "Z_ohm_cm2": pt.z_ohm_cm2,
                    "void_width_um": pt.void_width_um, "trial": n + 1,
                    "current_density_mA_per_cm2": to_mA_per_cm2(tr.current_density),
                    "stable": bool(tr.stable), "reason": " ".join(str(tr.reason).split()),
                    "contact_fraction_initial": m.get("contact_fraction_initial", math.nan),
                    "contact_fraction_min": m.get("contact_fraction_min", math.nan),
                    "cell_voltage_max_V": m.get("cell_voltage_max_V", math.nan),
                    "capacity_reached_mAh_per_cm2": m.get("capacity_reached_mAh_per_cm2",
                                                          math.nan),
                    "steps": m.get("steps", math.nan),
                    "newton_iterations": m.get("newton_iterations", math.nan),
                    "wall_time_s": m.get("wall_time_s", math.nan),
                })
            say(comm, console,
                f"  [{k + 1}/{len(pts)}] {pt.key}: CCS {bound_text(row)} mA/cm² ({row['status']}"
                f", {row['n_trials']} trials, {wall:.0f} s)")
        return self._evaluate(rows, trial_rows, quick)

    @staticmethod
    def _row(pt: Point, case: Case, res: Any, wall: float) -> dict[str, Any]:
        d = res.as_dict()

        def val(x: float | None) -> float:
            return math.nan if x is None else float(x)

        trials = res.trials
        failed = [t for t in trials if str(t.reason).startswith("solver failed")]
        return {
            "key": pt.key,
            "role": pt.role,
            "pressure_MPa": pt.pressure_MPa,
            "temperature_C": pt.temperature_C,
            "Z_ohm_cm2": pt.z_ohm_cm2,
            "void_width_um": pt.void_width_um,
            "ccs_lower_mA_per_cm2": val(d["lower_mA_per_cm2"]),
            "ccs_upper_mA_per_cm2": val(d["upper_mA_per_cm2"]),
            "ccs_estimate_mA_per_cm2": val(d["estimate_mA_per_cm2"]),
            "status": res.status,
            "n_trials": len(trials),
            "wall_time_s": wall,
            "ccs_text_mA_per_cm2": "",
            "bracket_ratio": val(d["bracket_ratio"]),
            "n_solver_failures": len(failed),
            "n_search_warnings": len(res.warnings),
            "search_warnings": " | ".join(res.warnings),
            "contact_fraction_initial": float(trials[0].metrics.get("contact_fraction_initial",
                                                                    math.nan)),
            "trial_steps_total": float(sum(t.metrics.get("steps", 0.0) for t in trials)),
            "trial_wall_max_s": float(max(t.metrics.get("wall_time_s", 0.0) for t in trials)),
            "zkappa_um": case.asr * case.conductivity / UM,
            "size_fine_um": case.mesh.size_fine / UM,
            "capacity_mAh_per_cm2": to_mAh_per_cm2(case.ccs.capacity),
            "search_lower_mA_per_cm2": to_mA_per_cm2(case.ccs.lower),
            "search_upper_mA_per_cm2": to_mA_per_cm2(case.ccs.upper),
            "searched_max_mA_per_cm2": to_mA_per_cm2(max(t.current_density for t in trials)),
            "searched_min_mA_per_cm2": to_mA_per_cm2(min(t.current_density for t in trials)),
            "reference_ccs_mA_per_cm2": math.nan,
        }

    def _evaluate(self, rows: list[dict[str, Any]], trial_rows: list[dict[str, Any]],
                  quick: bool) -> Outcome:
        ref = load_reference()
        tol = float(ref["tolerance_factor"])
        refs = {(r["pressure_MPa"], r["temperature_C"]): r["ccs_mA_per_cm2"]
                for r in ref["reference_points"]}
        for r in rows:
            hi = r["ccs_upper_mA_per_cm2"]
            r["upper_from_solver_failure"] = bool(math.isfinite(hi) and any(
                t["key"] == r["key"] and math.isclose(t["current_density_mA_per_cm2"], hi)
                and str(t["reason"]).startswith("solver failed") for t in trial_rows))
            r["ccs_text_mA_per_cm2"] = bound_text(r) + (
                " (upper bound from a failed solve)" if r["upper_from_solver_failure"] else "")
            if r["role"] == "pressure":
                r["reference_ccs_mA_per_cm2"] = refs.get((r["pressure_MPa"], r["temperature_C"]),
                                                         math.nan)

        def at(p: float, t: float = 25.0) -> dict[str, Any] | None:
            return next((r for r in rows if r["role"] in ("pressure", "temperature")
                         and r["pressure_MPa"] == p and r["temperature_C"] == t), None)

        checks: list[Check] = []
        lit: dict[str, Any] = {}
        if not quick:
            for p in (3.0, 7.0):
                r = at(p)
                meas = refs[(p, 25.0)]
                if r is None:
                    f, how = math.nan, "not computed"
                else:
                    f, how = factor_to_reference(r, meas)
                lit[f"{p:g}MPa"] = {"reference_mA_per_cm2": meas, "factor": f, "how": how,
                                    "factor_is_lower_bound": bool(
                                        r is not None and r["status"] != "bracketed"),
                                    "ccs": r["ccs_text_mA_per_cm2"] if r else None}
                checks.append(Check(
                    f"ccs_{p:g}MPa_factor",
                    f"CCS at {p:g} MPa, 25 C: {how}, against {meas:g} mA/cm² (Kasemchainan 2019,"
                    " unconfirmed in a primary source); value = max(pred/meas, meas/pred)"
                    + (" (a lower bound of the factor: the CCS lies outside the searched range)"
                       if lit[f"{p:g}MPa"]["factor_is_lower_bound"] else ""),
                    f, tol, "max"))
            r3, r7 = at(3.0), at(7.0)
            ratio, ratio_how = math.nan, "not computed"
            if r3 is not None and r7 is not None:
                if r3["status"] == r7["status"] == "bracketed":
                    ratio = r7["ccs_estimate_mA_per_cm2"] / r3["ccs_estimate_mA_per_cm2"]
                    ratio_how = (f"{r7['ccs_estimate_mA_per_cm2']:.3g} / "
                                 f"{r3['ccs_estimate_mA_per_cm2']:.3g} mA/cm²")
                else:
                    ratio_how = (f"not determined: CCS(3 MPa) {r3['ccs_text_mA_per_cm2']}, "
                                 f"CCS(7 MPa) {r7['ccs_text_mA_per_cm2']} mA/cm²")
            meas_ratio = float(ref["measured_ratio_7_to_3"])
            naive = (7.0 / 3.0) ** float(ref["naive_creep_exponent"])
            lit["ratio_7_to_3"] = {"value": ratio, "how": ratio_how, "measured": meas_ratio,
                                   "naive_creep": naive}
            for name, target, what in (("ratio_7_to_3_vs_measured", meas_ratio,
                                        "the measured ~5 (1.0/0.2, unconfirmed)"),
                                       ("ratio_7_to_3_vs_creep", naive,
                                        "the naive creep scaling (7/3)^"
                                        f"{ref['naive_creep_exponent']} = {naive:.3g}")):
                checks.append(Check(
                    name, f"CCS(7 MPa)/CCS(3 MPa) = {ratio_how}, against {what}; value = "
                    "max(ratio/target, target/ratio) (NaN: not determined)",
                    max(ratio / target, target / ratio) if math.isfinite(ratio) else math.nan,
                    tol, "max"))
            sweep = [r for r in rows if r["role"] in ("pressure", "temperature")]
            bad_p = [c for t in sorted({r["temperature_C"] for r in sweep})
                     for c in contradictions([r for r in sweep if r["temperature_C"] == t],
                                             "pressure_MPa")]
            checks.append(Check(
                "pressure_monotonic",
                "pairs of pressures (same temperature) whose brackets say the CCS decreases with "
                "stack pressure (creep refills voids faster at higher pressure)"
                + (f": {'; '.join(bad_p)}" if bad_p else ""), float(len(bad_p)), 0.0, "max"))
            bad_t = [c for p in sorted({r["pressure_MPa"] for r in sweep})
                     for c in contradictions([r for r in sweep if r["pressure_MPa"] == p],
                                             "temperature_C")]
            checks.append(Check(
                "temperature_monotonic",
                "pairs of temperatures (same pressure) whose brackets say the CCS decreases from "
                "25 to 40 C (Li creeps faster when warmer)"
                + (f": {'; '.join(bad_t)}" if bad_t else ""), float(len(bad_t)), 0.0, "max"))
        else:
            r = rows[0]
            target_ratio = QUICK_SETTINGS["ccs.bracket_ratio"]
            ratio = r["bracket_ratio"] if r["status"] == "bracketed" else math.nan
            checks.append(Check(
                "quick_bracket_ratio",
                f"(quick run only) {r['key']}: the CCS is bracketed ({r['status']}: "
                f"{r['ccs_text_mA_per_cm2']} mA/cm²) to upper/lower <= {target_ratio:g}",
                ratio, target_ratio, "max"))
        failed = [f"{t['key']} at {t['current_density_mA_per_cm2']:.4g} mA/cm² "
                  f"({t['reason']})" for t in trial_rows
                  if str(t["reason"]).startswith("solver failed")]
        n_warn = sum(r["n_search_warnings"] for r in rows)
        checks += [
            Check("solver_failures", "trials whose solve failed (counted as unstable by the "
                  "search: an upper bound set by one is biased low)"
                  + (f": {'; '.join(failed)}" if failed else ""), float(len(failed)), 0.0,
                  "max"),
            Check("search_contradictions", "monotonicity contradictions inside the searches "
                  "(stable above an unstable current)"
                  + (f": {'; '.join(r['search_warnings'] for r in rows if r['search_warnings'])}"
                     if n_warn else ""), float(n_warn), 0.0, "max"),
        ]
        findings = self._findings(rows, lit, ref, quick, trial_rows)
        map_rows = [{k: r[k] for k in MAP_COLUMNS} for r in rows]
        trial_cols = list(trial_rows[0]) if trial_rows else None
        extra = {"ccs_map.csv": csv_text(map_rows, MAP_COLUMNS),
                 "ccs_trials.csv": csv_text(trial_rows, trial_cols)}
        return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                       extra_files=extra, plot_data={"reference": ref, "findings": findings})

    @staticmethod
    def _findings(rows: list[dict[str, Any]], lit: dict[str, Any], ref: dict[str, Any],
                  quick: bool, trial_rows: list[dict[str, Any]]) -> dict[str, Any]:
        n = float(ref["naive_creep_exponent"])
        for r in rows:
            closed = {t["current_density_mA_per_cm2"]: t["capacity_reached_mAh_per_cm2"]
                      for t in trial_rows
                      if t["key"] == r["key"] and "contact complete" in str(t["reason"])}
            r["void_closed_trials"] = len(closed)
            q = next((v for i, v in closed.items() if math.isclose(i, VOID_CLOSURE_CURRENT)),
                     math.nan)
            r["void_closure_time_at_100_mA_per_cm2_s"] = (
                from_mAh_per_cm2(q) / from_mA_per_cm2(VOID_CLOSURE_CURRENT))
        slopes: dict[str, Any] = {}
        for t in sorted({r["temperature_C"] for r in rows
                         if r["role"] in ("pressure", "temperature")}):
            sweep = sorted((r for r in rows if r["role"] in ("pressure", "temperature")
                            and r["temperature_C"] == t), key=lambda r: r["pressure_MPa"])
            br = [r for r in sweep if r["status"] == "bracketed"]
            slope = loglog_slope([r["pressure_MPa"] for r in br],
                                 [r["ccs_estimate_mA_per_cm2"] for r in br])
            slopes[f"{t:g}C"] = {
                "bracketed_pressures_MPa": [r["pressure_MPa"] for r in br],
                "fitted_slope": slope,
                "fitted_slope_note": "least squares of ln(estimate) vs ln(p) over the bracketed "
                                     "points (NaN: fewer than two)",
                "bound": slope_bounds(sweep),
                "creep_rate_exponent": slope / n,
                "ratio_7_to_3_if_extrapolated": (7.0 / 3.0) ** slope,
                "ratio_7_to_3_if_extrapolated_note": "(7/3)^slope: the low-pressure slope "
                                                     "carried to 3-7 MPa (an extrapolation, "
                                                     "not a computed ratio)",
                "creep_rate_exponent_note": "m in CCS ~ (Li creep rate)^m implied by the slope, "
                                            "the nominal-pressure creep rate scaling as p^n",
                "ccs_mA_per_cm2": {f"{r['pressure_MPa']:g}MPa": r["ccs_text_mA_per_cm2"]
                                   for r in sweep},
            }
        arr = creep_arrhenius_factor(25.0, 40.0)
        temp: dict[str, Any] = {}
        for p in sorted({r["pressure_MPa"] for r in rows if r["role"] == "temperature"}):
            a = next((r for r in rows if r["role"] == "pressure" and r["pressure_MPa"] == p),
                     None)
            b = next(r for r in rows if r["role"] == "temperature" and r["pressure_MPa"] == p)
            ratio = (b["ccs_estimate_mA_per_cm2"] / a["ccs_estimate_mA_per_cm2"]
                     if a is not None and a["status"] == b["status"] == "bracketed" else math.nan)
            temp[f"{p:g}MPa"] = {
                "25C": a["ccs_text_mA_per_cm2"] if a else None,
                "40C": b["ccs_text_mA_per_cm2"], "ratio_40_to_25": ratio,
                "creep_rate_exponent": math.log(ratio) / math.log(arr) if ratio > 0 else math.nan,
                "creep_rate_exponent_note": "m in CCS ~ (Li creep rate)^m implied by 25 -> 40 C "
                                            "(only the creep rate changes, by the Arrhenius "
                                            "factor): ln(ratio) / ln(factor)"}
        params = {r["key"]: {"Z_ohm_cm2": r["Z_ohm_cm2"], "void_width_um": r["void_width_um"],
                             "ccs_mA_per_cm2": r["ccs_text_mA_per_cm2"], "status": r["status"]}
                  for r in rows if r["role"] == "parameter" or (
                      r["pressure_MPa"] == 1.0 and r["temperature_C"] == 25.0)}
        out: dict[str, Any] = {
            "per_point": {r["key"]: {k: r[k] for k in (
                "pressure_MPa", "temperature_C", "Z_ohm_cm2", "void_width_um",
                "ccs_lower_mA_per_cm2", "ccs_upper_mA_per_cm2", "ccs_estimate_mA_per_cm2",
                "ccs_text_mA_per_cm2", "status", "n_trials", "wall_time_s",
                "contact_fraction_initial", "n_solver_failures", "upper_from_solver_failure",
                "void_closed_trials", "void_closure_time_at_100_mA_per_cm2_s", "search_warnings")}
                for r in rows},
            "literature": lit,
            "pressure_slope": slopes,
            "naive_creep_exponent": n,
            "temperature": {"creep_arrhenius_factor_40_to_25": arr, "per_pressure": temp},
            "parameters_at_1MPa": params,
            "reference_confirmation": {k: ref["seed_confirmation"][k]
                                       for k in ("status", "summary")},
            "assumptions": ref["model_assumptions"],
            "notes": REDUCTION_NOTES if not quick else "quick run (CI): see QUICK_SETTINGS",
            "settings": {"quick": quick, "points": [asdict(p) for p in points(quick)],
                         "overrides": QUICK_SETTINGS if quick else FULL_SETTINGS},
            "figures": ["stripping_ccs.png", "ccs_vs_pressure.png", "ccs_vs_parameters.png"],
            "wall_time_searches_s": float(sum(r["wall_time_s"] for r in rows)),
        }
        out["statement"] = _statement(rows, out, quick)
        return out

    # -- figures ----------------------------------------------------------------------------------
    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Write ``ccs_vs_pressure.png`` and ``ccs_vs_parameters.png`` next to ``path`` and the
        summary (CCS against pressure with the measured points) at ``path``."""
        from ssbx.runs.ccs_search import plot_ccs_map

        rows = outcome.rows
        ref = outcome.plot_data["reference"]
        stars = [(p["pressure_MPa"], p["ccs_mA_per_cm2"], "Kasemchainan 2019")
                 for p in ref["reference_points"]]
        sweep = [r for r in rows if r["role"] in ("pressure", "temperature")]
        plot_ccs_map(sweep, "pressure_MPa", path.parent / "ccs_vs_pressure.png",
                     group_key="temperature_C", x_label="stack pressure [MPa]",
                     reference=stars, x_log=True)
        self._plot_parameters(rows, path.parent / "ccs_vs_parameters.png")
        self._plot_summary(outcome, path, stars, quick)

    @staticmethod
    def _draw(ax: Any, pts: list[tuple[float, dict[str, Any]]], color: str, label: str,
              line: bool = True, ms: float = 9.0, filled: bool = False) -> None:
        """Bracketed points as error bars (joined by a line), bounds as ^ (CCS above) / v;
        an upper bound set by a failed solve is marked with an x."""
        both = sorted((x, r) for x, r in pts if r["status"] == "bracketed")
        if both:
            xs = [x for x, _ in both]
            mid = [r["ccs_estimate_mA_per_cm2"] for _, r in both]
            err = [[m - r["ccs_lower_mA_per_cm2"] for m, (_, r) in zip(mid, both, strict=True)],
                   [r["ccs_upper_mA_per_cm2"] - m for m, (_, r) in zip(mid, both, strict=True)]]
            ax.errorbar(xs, mid, yerr=err, fmt="o-" if line else "o", color=color, capsize=3,
                        label=label)
            label = None
            bad = [(x, r["ccs_upper_mA_per_cm2"]) for x, r in both
                   if r.get("upper_from_solver_failure")]
            if bad:
                ax.plot([b[0] for b in bad], [b[1] for b in bad], "x", color="r", ms=10,
                        label="upper bound from a failed solve")
        above = [(x, r["ccs_lower_mA_per_cm2"]) for x, r in pts if r["status"] == "above_range"]
        below = [(x, r["ccs_upper_mA_per_cm2"]) for x, r in pts if r["status"] == "below_range"]
        for data, marker, what in ((above, "^", "CCS above"), (below, "v", "CCS below")):
            if data:
                ax.plot([d[0] for d in data], [d[1] for d in data], ls="none", marker=marker,
                        ms=ms, color=color, mfc=color if filled else "white",
                        label=(label + f" ({what} the searched range)") if label else None)
                label = None

    def _plot_parameters(self, rows: list[dict[str, Any]], path: Path) -> None:
        import matplotlib.ticker as mticker

        plt = pyplot()
        base = [r for r in rows if r["pressure_MPa"] == 1.0 and r["temperature_C"] == 25.0]
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
        for ax, key, xl in ((axes[0], "Z_ohm_cm2", "interface resistance Z [Ω cm²]"),
                            (axes[1], "void_width_um", "void width [µm] (depth 1 µm)")):
            other = "void_width_um" if key == "Z_ohm_cm2" else "Z_ohm_cm2"
            default = 40.0 if key == "Z_ohm_cm2" else 2.0
            pts = [(r[key], r) for r in base if r[other] == default]
            if pts:
                self._draw(ax, pts, "C0", "1 MPa, 25 °C", line=False)
            ax.set_xscale("log")
            ax.set_xticks(sorted({x for x, _ in pts}))
            ax.xaxis.set_major_formatter(mticker.FormatStrFormatter("%g"))
            ax.xaxis.set_minor_formatter(mticker.NullFormatter())
            ax.set_yscale("log")
            ax.set_xlabel(xl)
            ax.set_ylabel("critical stripping current [mA/cm²]")
            ax.grid(True, which="both", alpha=0.3)
            if pts:
                ax.legend(fontsize=8)
        fig.suptitle("CCS at 1 MPa, 25 °C against the interface resistance and the void width "
                     "(others: Z = 2 Ω cm², 40 µm void per 100 µm)", fontsize=10)
        fig.tight_layout()
        save_figure(fig, path)

    def _plot_summary(self, outcome: Outcome, path: Path, stars: list[tuple[float, float, str]],
                      quick: bool) -> None:
        plt = pyplot()
        rows = outcome.rows
        fig, ax = plt.subplots(figsize=(8.5, 6.0))
        for n, t in enumerate(sorted({r["temperature_C"] for r in rows
                                      if r["role"] in ("pressure", "temperature")})):
            pts = [(r["pressure_MPa"], r) for r in rows
                   if r["role"] in ("pressure", "temperature") and r["temperature_C"] == t]
            self._draw(ax, pts, f"C{n}", f"ssbx, {t:g} °C", ms=11.0 - 4.0 * n, filled=n > 0)
        for k, (x, y, text) in enumerate(stars):
            ax.plot([x], [y], "k*", ms=13, label=f"{text} (unconfirmed)" if k == 0 else None)
        pr = np.geomspace(0.25, 10.0, 50)
        slope = math.log(stars[1][1] / stars[0][1]) / math.log(stars[1][0] / stars[0][0])
        ax.plot(pr, stars[0][1] * (pr / stars[0][0]) ** slope, color="k", lw=0.8, ls=":",
                label=f"power law through the reference points (slope {slope:.2g})")
        marked: set[float] = set()
        for r in rows:
            if r["role"] in ("pressure", "temperature") and r["status"] == "above_range" \
                    and r["pressure_MPa"] not in marked:
                marked.add(r["pressure_MPa"])
                ax.annotate(f"> {r['ccs_lower_mA_per_cm2']:.4g}",
                            (r["pressure_MPa"], r["ccs_lower_mA_per_cm2"]),
                            textcoords="offset points", xytext=(4, 6), fontsize=7)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("stack pressure [MPa]")
        ax.set_ylabel("critical stripping current [mA/cm²]")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_xlim(0.2, 12.0)
        ax.legend(fontsize=8, loc="lower right")
        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        ax.set_title(
            f"stripping_ccs{' (quick)' if quick else ''} — {status}: {head.name} = "
            f"{head.value:.3g} (tolerance {head.tolerance:g})\nLi | Li6PS5Cl, 40 µm × 1 µm void "
            "per 100 µm, Z = 2 Ω cm², κ = 2 mS/cm, Masias creep; ^ = CCS above the searched "
            "range", fontsize=9)
        fig.tight_layout()
        save_figure(fig, path)


def _factor(entry: dict[str, Any]) -> str:
    v = entry["factor"]
    if not math.isfinite(v):
        return "not determined"
    return f"{'> ' if entry['factor_is_lower_bound'] else ''}{v:.3g}"


def _statement(rows: list[dict[str, Any]], f: dict[str, Any], quick: bool) -> str:
    """The result in words (from the numbers)."""
    text = []
    sweep = sorted((r for r in rows if r["role"] == "pressure"), key=lambda r: r["pressure_MPa"])
    if sweep:
        text.append("CCS at 25 C: " + ", ".join(
            f"{r['pressure_MPa']:g} MPa: {r['ccs_text_mA_per_cm2']} mA/cm²" for r in sweep) + ".")
    if not quick:
        lit = f["literature"]
        text.append(
            f"Against Kasemchainan 2019 (0.2 mA/cm² at 3 MPa, 1.0 mA/cm² at 7 MPa, unconfirmed "
            f"in a primary source): 3 MPa {lit['3MPa']['how']}, factor {_factor(lit['3MPa'])}; "
            f"7 MPa {lit['7MPa']['how']}, factor {_factor(lit['7MPa'])}. From 1 MPa up, creep "
            "of Li driven by the nominal stack pressure closes the 1 um deep void within a few "
            "hundredths of a mAh/cm² even at 1000 mA/cm² (stable trials end with complete "
            "contact), so the model misses by orders of magnitude "
            "(a known result of the flat-reference formulation: the measured CCS needs a "
            "mechanism creep alone lacks, e.g. vacancy transport (Krauskopf et al. 2019), "
            "size-dependent Li strength (Xu et al. 2017), rough contact (Zhang et al. 2020)).")
        s = f["pressure_slope"].get("25C", {})
        if s:
            b = s["bound"]
            part = (f"d ln CCS / d ln p fitted over the bracketed points "
                    f"{s['bracketed_pressures_MPa']} MPa: {s['fitted_slope']:.3g}"
                    if math.isfinite(s["fitted_slope"]) else
                    "fewer than two bracketed pressures: no fitted slope")
            if math.isfinite(b["slope_at_least"]):
                part += (f"; the brackets and bounds between {b['between_MPa'][0]:g} and "
                         f"{b['between_MPa'][1]:g} MPa give a mean slope of at least "
                         f"{b['slope_at_least']:.3g}")
            if math.isfinite(s["fitted_slope"]):
                part += (f", i.e. CCS ~ (creep rate)^{s['creep_rate_exponent']:.2g} if the Li "
                         "creep rate scales as p^n")
            text.append(part + f" (naive creep scaling: slope n = "
                        f"{f['naive_creep_exponent']:g}; measured 3 -> 7 MPa: ln 5 / ln(7/3) = "
                        "1.9).")
        temp = f["temperature"]
        arr = temp["creep_arrhenius_factor_40_to_25"]
        text.append(f"40 C: the Li creep rate rises by {arr:.3g} (Q = 37 kJ/mol); " + ", ".join(
                        f"{p}: {v['25C']} -> {v['40C']} mA/cm²"
                        + (f" (ratio {v['ratio_40_to_25']:.3g}: CCS ~ (creep rate)^"
                           f"{v['creep_rate_exponent']:.2g})"
                           if math.isfinite(v["ratio_40_to_25"]) else "")
                        for p, v in temp["per_pressure"].items()) + ".")
        par = f["parameters_at_1MPa"]
        if par:
            text.append("1 MPa, 25 C: " + ", ".join(
                f"Z = {v['Z_ohm_cm2']:g} ohm cm², void {v['void_width_um']:g} um: "
                f"{v['ccs_mA_per_cm2']}" for v in par.values()) + " mA/cm².")
            pp = f["per_point"]
            key = "void_closure_time_at_100_mA_per_cm2_s"
            closed = [(pp[k]["void_width_um"], pp[k][key]) for k in par
                      if pp[k]["Z_ohm_cm2"] == 2.0 and math.isfinite(pp[k][key])]
            if closed:
                text.append("Stripping at 100 mA/cm² at 1 MPa, the void closed after "
                            + ", ".join(f"{q:.3g} s ({w:g} um wide)" for w, q in sorted(closed))
                            + ": a void of the same 1 um depth closes more slowly by creep the "
                            "narrower it is, which is why the narrow void has the lowest CCS; "
                            "Z (0.5-8 ohm cm²) does not move the CCS out of > 1000 mA/cm².")
    else:
        text.append("(Quick run: one pressure on a coarse mesh with 0.05 mAh/cm² per trial; no "
                    "literature comparison.)")
    return " ".join(text)


__all__ = [
    "BASE_CASE",
    "FULL_POINTS",
    "QUICK_POINTS",
    "Point",
    "StrippingCcs",
    "load_reference",
    "point_overrides",
]
