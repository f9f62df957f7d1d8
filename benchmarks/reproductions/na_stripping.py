"""Na | Na-β″-alumina | Na: stable stripping at 2.5 mA/cm² needs more than ~9 MPa (Spencer Jolly
et al. 2020), with Na parameters: a check that nothing in the three-flux model was tuned to Li.

The cell, the search and the model are those of :mod:`ssbx.benchmarks.reproductions.vacancy_ccs`
(the
stripping_ccs geometry: a 40 µm wide, 1 µm deep void per 100 µm standing for the imperfect
initial contact; vacancies + creep, nucleation criterion, the `ssbx ccs` default). Only the
metal changes, by one key: ``anode.metal = "Na"`` (molar volume 23.7 cm³/mol in the contact
kinematics and the stress term, Na creep and elasticity of Wang et al. 2020, Na vacancy data of
Feder & Charbnau 1966 and Na tracer diffusion; sources in :mod:`ssbx.physics.anode_metals`),
plus the electrolyte: Na-β″-alumina, 1.5 mS/cm at 25 °C *(check: polycrystalline β″-alumina
1-2 mS/cm at room temperature)*, elastic preset ``Na-beta-alumina`` (the rigid-electrolyte
contact model does not use it). The interface resistance stays at the Li cell's 2 Ω cm² (no Na
value at hand; with Z κ = 30 µm the current crowds at the contact edges as in the Li cell).

Points: the CCS (bracketing search) at 1, 3, 6, 9 and 12 MPa, the same at 3 MPa for Li (the
direct comparison), creep only at 1 MPa (vacancies off), and a flat Na interface at ~0 pressure
(the closed-form uniform critical current ``(S - 1) F D_self sqrt(rho) / (f Omega)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpi4py import MPI

from ssbx.benchmarks.framework import (
    Benchmark,
    Check,
    Outcome,
    csv_text,
    pyplot,
    register,
    save_figure,
)
from ssbx.benchmarks.reproductions.vacancy_ccs import (
    PRESSURE_MESH,
    ZERO_PRESSURE_CASE,
    estimate,
    plot_ccs_curve,
    search_point,
    stripping_cell,
)

#: Spencer Jolly et al. 2020 (ACS AMI 12, 678) as quoted in the 2020 roadmap on solid-state
#: batteries (Pasta et al. 2020, J. Phys. Energy 2, 032008, §2.3.1):
#: "pressures of > 9 MPa enabled morphologically stable stripping at ... 2.5 mA cm^-2".
SPENCER_JOLLY_PRESSURE = 9.0
SPENCER_JOLLY_CURRENT = 2.5

#: What makes the Li cell a Na cell (overrides of the stripping_ccs base case).
NA_OVERRIDES: dict[str, Any] = {
    "anode.metal": "Na",
    "electrolyte.material": "Na-beta''-alumina",
    "electrolyte.conductivity": "1.5 mS/cm",
    "mechanics.electrolyte_preset": "Na-beta-alumina",
}


@dataclass(frozen=True)
class Point:
    """One CCS search: key, metal, model variant, stack pressure [MPa] and case overrides."""

    key: str
    metal: str
    variant: str
    pressure_MPa: float
    overrides: dict[str, Any]


def points(quick: bool) -> list[Point]:
    """The searches, in order (quick: the flat closed-form check and Na at 9 MPa)."""
    out = [Point("flat_Na", "Na", "flat", 0.0, {"anode.metal": "Na"})]
    pressures = (9.0,) if quick else (1.0, 3.0, 6.0, 9.0, 12.0)
    for p in pressures:
        out.append(Point(f"Na_{p:g}MPa", "Na", "vacancy", p,
                         NA_OVERRIDES | {"vacancy.enabled": True,
                                         "fixture.pressure": f"{p:g} MPa"}))
    if not quick:
        out.append(Point("Li_3MPa", "Li", "vacancy", 3.0,
                         {"vacancy.enabled": True, "fixture.pressure": "3 MPa"}))
        out.append(Point("Na_creep_only_1MPa", "Na", "creep_only", 1.0,
                         NA_OVERRIDES | {"vacancy.enabled": False,
                                         "fixture.pressure": "1 MPa"}))
    return out


def threshold_pressure(rows: list[dict[str, Any]], current: float) -> float:
    """Lowest pressure [MPa] of the Na default searches from which on every higher pressure
    strips ``current`` stably (CCS lower bound >= current); nan when none does, 0 when all do
    (the lowest pressure searched is then an upper bound)."""
    sel = sorted((r for r in rows if r["metal"] == "Na" and r["variant"] == "vacancy"),
                 key=lambda r: r["pressure_MPa"])
    stable = [r["ccs_lower_mA_per_cm2"] >= current for r in sel]
    if stable and all(stable):
        return 0.0
    for k in range(len(sel)):
        if all(stable[k:]):
            return sel[k]["pressure_MPa"]
    return math.nan


@register
class NaStripping(Benchmark):
    """Benchmark ``na_stripping``: the stack pressure needed for stable stripping of Na at
    2.5 mA/cm² (Spencer Jolly et al. 2020), with Na parameters."""

    name = "na_stripping"
    title = "Na | Na-β″-alumina: stack pressure for stable stripping at 2.5 mA/cm² (Na parameters)"
    source = (
        "D. Spencer Jolly, Z. Ning, J. E. Darnbrough, J. Kasemchainan, G. O. Hartley, "
        "P. Adamson, D. E. Armstrong, J. Marrow, P. G. Bruce, ACS Appl. Mater. Interfaces 12, "
        "678-685 (2020): 'pressures of > 9 MPa enabled morphologically stable stripping at a "
        "high current density of 2.5 mA cm^-2' (as quoted in the 2020 roadmap on solid-state "
        "batteries, Pasta et al., J. Phys. Energy 2, 032008 (2020), §2.3.1)"
    )
    reference = "values in code (SPENCER_JOLLY_PRESSURE, SPENCER_JOLLY_CURRENT) with the quote"
    metric = (
        "CCS searches of the stripping_ccs cell made of Na (anode.metal = \"Na\", "
        "β″-alumina) at 1-12 MPa; headline: the lowest stack pressure from which ssbx strips "
        "2.5 mA/cm² stably, against > 9 MPa; also Na/Li at 3 MPa (the roadmap: faster diffusion "
        "and creep give Na the higher CCS) and the flat-interface closed form"
    )
    tolerance = (
        "fixed before the runs, nothing tuned: threshold pressure within a factor 2 of 9 MPa "
        "(4.5-18 MPa); stable/unstable at 2.5 mA/cm² agrees with the measurement (stable iff "
        "p > 9 MPa) at >= 80 % of the pressures; CCS(Na)/CCS(Li) at 3 MPa > 1; the flat search "
        "brackets the closed form; quick run: the closed-form bracket"
    )
    x_label = "stack pressure [MPa]"

    def base_case(self) -> Any:
        """The stripping_ccs cell as run here (Li; each point adds its overrides)."""
        return stripping_cell(self.name)

    def cases(self, quick: bool = False) -> list[Any]:
        """The resolved cases of :func:`points`: the flat closed-form case, and the stripping_ccs
        cell made of Na (or Li) with the search settings of the full or the quick run."""
        from ssbx.case import resolve_case, with_overrides

        cell = self.base_case()
        flat = resolve_case(ZERO_PRESSURE_CASE, name_default=self.name)
        search = {"ccs.lower": "0.3 mA/cm^2", "ccs.upper": "30 mA/cm^2",
                  "ccs.bracket_ratio": 1.5 if quick else 1.2,
                  "ccs.capacity": "0.05 mAh/cm^2" if quick else "0.25 mAh/cm^2"}
        if not quick:  # the vacancy boundary layer (see vacancy_ccs.PRESSURE_MESH)
            search["mesh.size_fine"] = f"{PRESSURE_MESH:g} um"
        flat_search = {"ccs.lower": "1 mA/cm^2", "ccs.upper": "100 mA/cm^2"}
        return [with_overrides(flat, p.overrides | flat_search | {"name": p.key})
                if p.variant == "flat" else
                with_overrides(cell, p.overrides | search | {"name": p.key})
                for p in points(quick)]

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """The overrides of every point (:func:`points`)."""
        return [p.overrides for p in points(quick)]

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Search the CCS of every point and compare the threshold pressure, the stable/unstable
        verdicts at 2.5 mA/cm² and Na/Li at 3 MPa with the measurement and the roadmap's
        claim (Pasta et al. 2020, §2.3.1)."""
        rows: list[dict[str, Any]] = []
        trial_rows: list[dict[str, Any]] = []
        pts = points(quick)
        for k, (pt, case) in enumerate(zip(pts, self.cases(quick), strict=True)):
            row, trials = search_point(case, comm, console, pt.key, f"[{k + 1}/{len(pts)}]")
            row = {"key": pt.key, "variant": pt.variant} | row
            row["stable_at_2.5"] = bool(row["ccs_lower_mA_per_cm2"] >= SPENCER_JOLLY_CURRENT)
            rows.append(row)
            trial_rows += trials
        return self._evaluate(rows, trial_rows, quick)

    def _evaluate(self, rows: list[dict[str, Any]], trial_rows: list[dict[str, Any]],
                  quick: bool) -> Outcome:
        by = {r["key"]: r for r in rows}
        flat = by["flat_Na"]
        cf = flat["closed_form_uniform_mA_per_cm2"]
        inside = (flat["status"] == "bracketed"
                  and flat["ccs_lower_mA_per_cm2"] <= cf <= flat["ccs_upper_mA_per_cm2"])
        checks = [Check("closed_form_bracketed",
                        f"the flat Na search brackets the closed-form critical current {cf:.4g} "
                        "mA/cm² (1 = yes)", float(inside), 1.0, "min")]
        findings: dict[str, Any] = {"flat_closed_form_mA_per_cm2": cf}
        extra = {"ccs_trials.csv": csv_text(trial_rows)}
        if quick:
            return Outcome(rows=rows, checks=checks, findings=findings, extra_files=extra)
        p_c = threshold_pressure(rows, SPENCER_JOLLY_CURRENT)
        f_p = (max(p_c / SPENCER_JOLLY_PRESSURE, SPENCER_JOLLY_PRESSURE / p_c)
               if p_c > 0 else math.inf)
        checks.insert(0, Check(
            "threshold_pressure_factor",
            "max(pred/meas, meas/pred) of the lowest stack pressure from which ssbx strips "
            f"{SPENCER_JOLLY_CURRENT} mA/cm² stably, against {SPENCER_JOLLY_PRESSURE} MPa "
            "(inf: stable at every pressure searched)", f_p, 2.0, "max"))
        na = [r for r in rows if r["metal"] == "Na" and r["variant"] == "vacancy"]
        agree = [bool(r["stable_at_2.5"]) == (r["pressure_MPa"] > SPENCER_JOLLY_PRESSURE)
                 for r in na]
        checks.append(Check("stability_agreement",
                            f"fraction of pressures where stable/unstable at "
                            f"{SPENCER_JOLLY_CURRENT} mA/cm² agrees with the measurement",
                            sum(agree) / len(agree), 0.8, "min"))
        ratio = estimate(by["Na_3MPa"]) / estimate(by["Li_3MPa"])
        checks.append(Check("na_over_li_3MPa",
                            "CCS(Na) / CCS(Li) at 3 MPa (roadmap: Na diffuses and creeps faster, "
                            "so its CCS is higher; > 1 passes)", ratio, 1.0, "min"))
        findings |= {
            "threshold_pressure_MPa": p_c, "measured_threshold_MPa": SPENCER_JOLLY_PRESSURE,
            "na_over_li_3MPa": ratio,
            "na_ccs_mA_per_cm2": {f"{r['pressure_MPa']:g} MPa": {
                "status": r["status"], "lower": r["ccs_lower_mA_per_cm2"],
                "upper": r["ccs_upper_mA_per_cm2"]} for r in na},
            "creep_only_1MPa": {k: by["Na_creep_only_1MPa"][k] for k in (
                "status", "ccs_lower_mA_per_cm2", "ccs_upper_mA_per_cm2")},
        }
        return Outcome(rows=rows, checks=checks, findings=findings, extra_files=extra)

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """CCS against stack pressure for Na and Li, with the closed form and the measurement."""
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(7.5, 5.2))
        groups = (("Na", "vacancy", "C0", "ssbx Na: vacancies + creep (ssbx ccs default)"),
                  ("Na", "creep_only", "C2", "ssbx Na: creep only"),
                  ("Li", "vacancy", "C1", "ssbx Li (same cell): vacancies + creep"))
        for metal, variant, color, label in groups:
            sel = sorted((r for r in outcome.rows if r["metal"] == metal
                          and r["variant"] == variant), key=lambda r: r["pressure_MPa"])
            if not sel:
                continue
            plot_ccs_curve(ax, sel, color, label, brackets=True)
        flat = [r for r in outcome.rows if r["variant"] == "flat"]
        for r in flat:
            ax.axhline(r["closed_form_uniform_mA_per_cm2"], color="C0", ls=":",
                       label="Na closed form, flat interface (S = 1.1, ρ = 1e12 m⁻²)")
        ax.axhline(SPENCER_JOLLY_CURRENT, color="k", ls="--", lw=1)
        ax.axvspan(SPENCER_JOLLY_PRESSURE, 13.0, color="k", alpha=0.08,
                   label=f"measured: stable at {SPENCER_JOLLY_CURRENT} mA/cm² above "
                         f"{SPENCER_JOLLY_PRESSURE:g} MPa (Spencer Jolly 2020)")
        ax.plot([SPENCER_JOLLY_PRESSURE], [SPENCER_JOLLY_CURRENT], "ks", ms=8)
        ax.set_yscale("log")
        ax.set_xlim(0, 13)
        ax.set_xlabel(self.x_label)
        ax.set_ylabel("critical stripping current [mA/cm²]")
        ax.set_title("Na | Na-β″-alumina, 40 µm void per 100 µm (^ v: bounds)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["NA_OVERRIDES", "SPENCER_JOLLY_CURRENT", "SPENCER_JOLLY_PRESSURE", "NaStripping",
           "points", "threshold_pressure"]
