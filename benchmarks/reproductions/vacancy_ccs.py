"""Critical stripping current with vacancy transport (the three-flux balance) against published
values: zero stack pressure (Krauskopf et al. 2019), Li-Mg (Krauskopf et al. 2019, AEM), the
pressure dependence of Li | Li6PS5Cl (Kasemchainan et al. 2019) with each mechanism switched off
in turn, and a performance line (cost per step of the vacancy field, of a search).

Nothing is fitted: the vacancy data are the presets of :mod:`ssbx.physics.vacancy` (sources
there), the critical supersaturation S = 1.1 and the dislocation density 1e12 m^-2 are the case
defaults (stated assumptions), the cell is the one of
:mod:`ssbx.benchmarks.reproductions.stripping_ccs`.

Groups of points (each a CCS search with :func:`ssbx.runs.ccs.critical_current`):

- ``zero_pressure``: a flat, void-free Li | LLZO interface (uniform current), criterion
  ``nucleation`` (with no stack pressure nothing closes a nucleated void). The stack pressure
  cannot be 0 in ssbx (the contact solve needs a load): 0.01 MPa, which enters the nucleation
  criterion only through exp(beta sigma_h) (5e-5 relative). Li and Li-Mg. The closed form
  ``i_c = (S - 1) F D_self sqrt(rho) / (f Omega)`` is checked against the search, and its band
  over the literature ranges of rho (1e10-1e12 m^-2) and S (1.05-1.2) is drawn.
- ``pressure``: the stripping_ccs cell (40 um void per 100 um, Z = 2 ohm cm^2) at 1-10 MPa with
  the model variants ``vacancy`` (the `ssbx ccs` default: vacancies + creep, nucleation
  criterion), ``creep_only`` (vacancies off: the contact-loss criterion), ``no_creep`` (elastic
  Li: vacancies alone), ``no_stress`` (vacancies without the stress terms), ``creep_sink`` (the
  sink raised by creep, v_ref = 1 um/s), ``varying_Z`` (interface resistance varying by +-50 %
  along the interface, wavelength 25 um), ``Li-Mg``, ``rough`` (a rough initial contact: four
  20 um wide, 0.5 um deep gaps per 100 um, 20 % initial contact, the asperity picture of Zhang
  et al. 2020, Cell Rep. Phys. Sci. 1, 100012, in the small-slope contact model) and
  ``size_strength`` (the size- and rate-dependent Li law, ``mechanics.strength_size`` at the
  void width, 40 um; the committed results used the former threshold reading of Xu et al. 2017,
  8.9 MPa), ``contact_criterion`` (nucleated voids are followed: they grow
  by vacancy condensation and by stripping around them and close by creep and the stack
  pressure; unstable when the contact fraction falls by 5 %).
- ``mesh``: the default at 3 MPa on size_fine 5, 2.5 (the pressure group's) and 1.25 um.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpi4py import MPI

from ssbx.benchmarks.framework import Benchmark, Check, Outcome, pyplot, register, save_figure, say
from ssbx.case import Case
from ssbx.physics.vacancy import LI_MG_DIFFUSION_RATIO
from ssbx.units import to_mA_per_cm2

#: Krauskopf et al. 2019 (ACS AMI 11, 14463), as quoted in the 2020 roadmap on solid-state
#: batteries (Pasta et al., J. Phys. Energy 2, 032008, §2.3.1).
KRAUSKOPF_ZERO_PRESSURE = 0.1
#: Kasemchainan et al. 2019 (Nat. Mater. 18, 1105), values from secondary notes *(check)*: not
#: printed in the sources at hand (see benchmarks/data/kasemchainan2019_ccs.json).
KASEMCHAINAN = {3.0: 0.2, 7.0: 1.0}

ZERO_PRESSURE_CASE: dict[str, Any] = {
    "name": "vacancy_ccs_zero_pressure",
    "problem": "stripping",
    "geometry": {"kind": "planar", "h_se": "50 um", "h_li": "20 um", "width": "20 um"},
    "mesh": {"size_fine": "1 um", "size_coarse": "5 um"},
    "electrolyte": {"material": "LLZO", "conductivity": "0.5 mS/cm"},
    "interface": {"kinetics": "butler_volmer", "asr": "2 ohm cm^2"},
    "operation": {"temperature": "25 degC"},
    "mechanics": {"li_model": "power_law", "electrolyte_preset": "LLZO"},
    "fixture": {"type": "pressure", "pressure": "0.01 MPa"},
    "vacancy": {"enabled": True},
    "ccs": {"capacity": "0.05 mAh/cm^2", "lower": "0.01 mA/cm^2", "upper": "10 mA/cm^2",
            "bracket_ratio": 1.05, "max_expansions": 1, "criterion": "nucleation"},
    "time": {"initial_step": "1e-4 s", "max_step": "10 s", "min_step": "1e-9 s",
             "max_plastic_strain_increment": 0.02},
    "output": {"fields": False},
}
"""Flat Li | LLZO, no void: the uniform-current limit (LLZO conductivity and Z do not matter
for a uniform interface)."""


@dataclass(frozen=True)
class Point:
    """One CCS search: key, group, model variant, stack pressure [MPa] and case overrides."""

    key: str
    group: str
    variant: str
    pressure_MPa: float
    overrides: dict[str, Any]


#: Model variants of the pressure group: overrides of the stripping_ccs base case.
VARIANTS: dict[str, dict[str, Any]] = {
    "vacancy": {"vacancy.enabled": True},
    "creep_only": {"vacancy.enabled": False},
    "no_creep": {"vacancy.enabled": True, "mechanics.li_model": "elastic"},
    "no_stress": {"vacancy.enabled": True, "vacancy.stress_drift": False},
    "creep_sink": {"vacancy.enabled": True, "vacancy.creep_velocity": "1 um/s"},
    "varying_Z": {"vacancy.enabled": True, "interface.asr_variation": 0.5,
                  "interface.asr_wavelength": "25 um"},
    "Li-Mg": {"vacancy.enabled": True, "anode.metal": "Li-Mg"},
    "rough": {"vacancy.enabled": True, "geometry.voids": [
        {"center": f"{c} um", "width": "20 um", "height": "0.5 um"}
        for c in (12.5, 37.5, 62.5, 87.5)]},
    "size_strength": {"vacancy.enabled": True, "mechanics.strength_size": "40 um"},
    "contact_criterion": {"vacancy.enabled": True, "ccs.criterion": "contact"},
}
VARIANT_TEXT = {
    "vacancy": "vacancies + creep (ssbx ccs default)",
    "creep_only": "creep only (vacancies off)",
    "no_creep": "vacancies, elastic Li (creep off)",
    "no_stress": "vacancies without the stress terms (drift, equilibrium exp(βσ_h))",
    "creep_sink": "vacancies, sink raised by creep (v_ref = 1 um/s)",
    "varying_Z": "vacancies, Z(x) = Z (1 + 0.5 cos(2πx / 25 µm))",
    "Li-Mg": "Li-Mg: vacancies + creep",
    "rough": "vacancies, rough contact: 4 voids 20 µm × 0.5 µm (contact 20 %)",
    "size_strength": "vacancies, size- and rate-dependent Li (mechanics.strength_size 40 µm)",
    "contact_criterion": "vacancies, nucleated voids followed (contact-loss criterion)",
}


#: size_fine [um] of the pressure group with vacancies: the vacancy boundary layer
#: 1/sqrt(rho) = 1 um at the contact edges needs it (5 um underestimates the CCS by ~25 %);
#: creep only keeps the 5 um of stripping_ccs (its trials take ~1000 steps, no boundary layer)
PRESSURE_MESH = 2.5
#: size_fine [um] of the mesh-convergence study at 3 MPa
MESH_STUDY = (5.0, 2.5, 1.25)


def points(quick: bool) -> list[Point]:
    """The searches, in order: zero pressure, the pressure group (per variant) and (full run)
    the mesh study at 3 MPa."""
    out = [Point("p0_Li", "zero_pressure", "Li", 0.0, {"anode.metal": "Li"})]
    if not quick:
        out.append(Point("p0_Li-Mg", "zero_pressure", "Li-Mg", 0.0,
                         {"anode.metal": "Li-Mg"}))
    pressures = (3.0,) if quick else (1.0, 3.0, 5.0, 7.0, 10.0)
    variants = ("vacancy",) if quick else tuple(VARIANTS)
    for v in variants:
        ps = pressures if v in ("vacancy", "creep_only") else (
            (3.0, 7.0) if not quick else pressures)
        for p in ps:
            out.append(Point(f"{v}_{p:g}MPa", "pressure", v, p,
                             VARIANTS[v] | {"fixture.pressure": f"{p:g} MPa"}))
    if not quick:  # mesh convergence of the default at 3 MPa (2.5 um is vacancy_3MPa)
        for size in MESH_STUDY:
            if size != PRESSURE_MESH:
                out.append(Point(f"mesh_{size:g}um", "mesh", "vacancy", 3.0,
                                 VARIANTS["vacancy"] | {"fixture.pressure": "3 MPa",
                                                        "mesh.size_fine": f"{size:g} um"}))
    return out


def closed_form_ccs(metal: str, S: float, rho: float, temperature: float = 298.15) -> float:
    """Uniform-interface critical current [mA/cm^2] (:func:`critical_current_density`)."""
    from ssbx.physics.vacancy import METALS, critical_current_density

    return to_mA_per_cm2(critical_current_density(METALS[metal].material, temperature, S,
                                                  dislocation_density=rho))


def closed_form_band(metal: str) -> tuple[float, float]:
    """Lowest and highest closed-form CCS [mA/cm^2] over rho 1e10-1e12 m^-2, S 1.05-1.2."""
    values = [closed_form_ccs(metal, S, rho) for S in (1.05, 1.2) for rho in (1e10, 1e12)]
    return min(values), max(values)


def _num(x: float | None) -> float:
    return math.nan if x is None else float(x)


def estimate(row: dict[str, Any]) -> float:
    """The CCS estimate, or the bound when the search left the range (nan if none)."""
    if row["status"] == "bracketed":
        return row["ccs_estimate_mA_per_cm2"]
    return row["ccs_lower_mA_per_cm2"] if row["status"] == "above_range" \
        else row["ccs_upper_mA_per_cm2"]


def factor(value: float, ref: float) -> float:
    """``max(value / ref, ref / value)``; inf when ``value`` is not positive and finite."""
    return max(value / ref, ref / value) if value > 0 and math.isfinite(value) else math.inf


@register
class VacancyCcs(Benchmark):
    """Benchmark ``vacancy_ccs``: the critical stripping current with vacancy transport at zero
    pressure (Li, Li-Mg) and against stack pressure, each mechanism switched off in turn."""

    name = "vacancy_ccs"
    title = ("Critical stripping current with vacancy transport: zero pressure (Krauskopf 2019), "
             "Li-Mg, Li | Li6PS5Cl vs pressure (Kasemchainan 2019)")
    source = (
        "T. Krauskopf, H. Hartmann, W. G. Zeier, J. Janek, ACS Appl. Mater. Interfaces 11, "
        "14463 (2019): ~0.1 mA/cm^2 maximum stripping current of Li | LLZO | Li without external "
        "pressure (as quoted in Pasta et al., 2020 roadmap on solid-state batteries, J. Phys. "
        "Energy 2, 032008, §2.3.1); T. Krauskopf et al., Adv. Energy Mater. 9, 1902568 "
        "(2019): Li-Mg raises the zero-pressure value, no effect under pressure (roadmap "
        "§2.3.1); J. Kasemchainan et al., Nat. Mater. 18, 1105 (2019): ~0.2 mA/cm^2 at 3 MPa, "
        "~1.0 mA/cm^2 at 7 MPa (from secondary notes, (check))"
    )
    reference = (
        "values in code with their sources (KRAUSKOPF_ZERO_PRESSURE, KASEMCHAINAN); the Li-Mg "
        "statements are qualitative (higher at zero pressure, no change under pressure)"
    )
    metric = (
        "CCS from bracketing/bisection searches: flat Li | LLZO at ~0 pressure (nucleation "
        "criterion) for Li and Li-Mg; the stripping_ccs cell at 1-10 MPa (size_fine 2.5 um) "
        "with the model variants of VARIANTS (each mechanism switched off or on in turn) and a "
        "mesh study at 3 MPa; headline: max(pred/meas, meas/pred) at zero pressure"
    )
    tolerance = (
        "fixed before the runs, nothing tuned: the search brackets the closed-form critical "
        "current (ratio 1.05); factor 3 at zero pressure; factor 2 at 3 and 7 MPa and on "
        "CCS(7)/CCS(3) against 5; Li-Mg/Li within 15 % of the diffusion ratio at zero "
        "pressure (consistency) and > 1 (the roadmap's claim), within 1/1.5-1.5 at 7 MPa; no "
        "solver failure in the default variant; quick run: the closed-form bracket"
    )
    x_label = "stack pressure [MPa]"

    def base_case(self) -> Any:
        """The stripping_ccs cell (:func:`stripping_cell`)."""
        return stripping_cell(self.name)

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """The overrides of every point (:func:`points`)."""
        return [p.overrides for p in points(quick)]

    def cases(self, quick: bool = False) -> list[Any]:
        """The resolved cases of :func:`points`: the flat Li | LLZO case at zero pressure, the
        stripping_ccs cell with the search settings of the full or the quick run otherwise."""
        from ssbx.case import resolve_case, with_overrides

        base = self.base_case()
        flat = resolve_case(ZERO_PRESSURE_CASE, name_default=self.name)
        out = []
        for p in points(quick):
            extra: dict[str, Any] = {}
            if p.group != "zero_pressure":
                extra = {"ccs.bracket_ratio": 1.5 if quick else 1.2,
                         "ccs.capacity": "0.05 mAh/cm^2" if quick else "0.25 mAh/cm^2",
                         "ccs.lower": "0.03 mA/cm^2", "ccs.upper": "3 mA/cm^2"}
                if not quick and p.variant != "creep_only":
                    extra["mesh.size_fine"] = f"{PRESSURE_MESH:g} um"
            out.append(with_overrides(flat if p.group == "zero_pressure" else base,
                                      extra | p.overrides | {"name": p.key}))
        return out

    # -- computation ------------------------------------------------------------------------------
    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Search the CCS of every point, measure the cost of the vacancy field and compare with
        the closed form and the published values."""
        rows: list[dict[str, Any]] = []
        trial_rows: list[dict[str, Any]] = []
        pts, cases = points(quick), self.cases(quick)
        for k, (pt, case) in enumerate(zip(pts, cases, strict=True)):
            row, trials = search_point(case, comm, console, pt.key, f"[{k + 1}/{len(pts)}]")
            rows.append({"key": pt.key, "group": pt.group, "variant": pt.variant,
                         "pressure_MPa": pt.pressure_MPa if pt.group == "pressure"
                         else row.pop("pressure_MPa")} | row)
            trial_rows += trials
        perf = performance(comm, quick)
        return self._evaluate(rows, trial_rows, perf, quick)

    def _evaluate(self, rows: list[dict[str, Any]], trial_rows: list[dict[str, Any]],
                  perf: dict[str, Any], quick: bool) -> Outcome:
        by = {r["key"]: r for r in rows}
        checks: list[Check] = []
        li0 = by["p0_Li"]
        cf = li0["closed_form_uniform_mA_per_cm2"]
        inside = (li0["status"] == "bracketed"
                  and li0["ccs_lower_mA_per_cm2"] <= cf <= li0["ccs_upper_mA_per_cm2"])
        checks.append(Check("closed_form_bracketed",
                            "the zero-pressure search brackets the closed-form critical current "
                            f"{cf:.4g} mA/cm² (1 = yes)", float(inside), 1.0, "min"))
        f0 = factor(estimate(li0), KRAUSKOPF_ZERO_PRESSURE)
        findings: dict[str, Any] = {"performance": perf}
        band = closed_form_band("Li")
        findings["zero_pressure"] = {
            "ssbx_mA_per_cm2": estimate(li0), "measured_mA_per_cm2": KRAUSKOPF_ZERO_PRESSURE,
            "factor": f0, "closed_form_mA_per_cm2": cf,
            "closed_form_band_mA_per_cm2": band,
            "band_note": "closed form over rho 1e10-1e12 m^-2 and S 1.05-1.2 (the literature "
                         "range of annealed-metal dislocation densities; S not measured)",
            "measured_inside_band": band[0] <= KRAUSKOPF_ZERO_PRESSURE <= band[1],
        }
        if quick:
            return Outcome(rows=rows, checks=checks, findings=findings,
                           extra_files={"ccs_trials.csv": _csv(trial_rows)},
                           plot_data={"trials": trial_rows})
        checks.insert(0, Check("zero_pressure_factor",  # the headline of a full run
                            "max(pred/meas, meas/pred) of the zero-pressure CCS against "
                            f"{KRAUSKOPF_ZERO_PRESSURE} mA/cm² (Krauskopf 2019)", f0, 3.0, "max"))
        mg0 = by["p0_Li-Mg"]
        checks.append(Check("li_mg_zero_pressure_consistency",
                            "CCS(Li-Mg) / CCS(Li) at zero pressure against the self-diffusion "
                            "ratio (a placeholder below 1: the model's scaling, consistency "
                            "only)", estimate(mg0) / estimate(li0), 0.15, "rel",
                            target=LI_MG_DIFFUSION_RATIO))
        checks.append(Check("li_mg_zero_pressure_gain",
                            "CCS(Li-Mg) / CCS(Li) at zero pressure (roadmap: higher, > 1 "
                            "passes; tracer and NMR data say Mg slows Li diffusion, so the "
                            "vacancy model cannot give it)", estimate(mg0) / estimate(li0),
                            1.0, "min"))
        mg7, li7 = by.get("Li-Mg_7MPa"), by.get("vacancy_7MPa")
        if mg7 and li7:
            r7 = estimate(mg7) / estimate(li7)
            checks.append(Check("li_mg_pressure_no_gain",
                                "max(r, 1/r), r = CCS(Li-Mg) / CCS(Li) at 7 MPa (measured: no "
                                "effect under pressure)", max(r7, 1 / r7), 1.5, "max"))
        v3, v7 = by["vacancy_3MPa"], by["vacancy_7MPa"]
        for p, row in ((3.0, v3), (7.0, v7)):
            checks.append(Check(f"ccs_{p:g}MPa_factor",
                                f"max(pred/meas, meas/pred) at {p:g} MPa against "
                                f"{KASEMCHAINAN[p]} mA/cm² (Kasemchainan 2019, (check))",
                                factor(estimate(row), KASEMCHAINAN[p]), 2.0, "max"))
        ratio = estimate(v7) / estimate(v3)
        checks.append(Check("ccs_ratio_7_3", "max(r/5, 5/r), r = CCS(7 MPa)/CCS(3 MPa)",
                            factor(ratio, 5.0), 2.0, "max"))
        checks.append(Check("no_solver_failures", "solver failures in the default variant",
                            float(sum(r["n_solver_failures"] for r in rows
                                      if r["variant"] == "vacancy")), 0.0, "max"))
        findings["pressure"] = {
            v: {f"{r['pressure_MPa']:g} MPa": {"status": r["status"], "estimate": estimate(r),
                                                "lower": r["ccs_lower_mA_per_cm2"],
                                                "upper": r["ccs_upper_mA_per_cm2"]}
                for r in rows if r["variant"] == v and r["group"] == "pressure"}
            for v in VARIANTS}
        findings["ratio_7_3_default"] = ratio
        findings["mesh_convergence_3MPa"] = mesh_convergence(by)
        return Outcome(rows=rows, checks=checks, findings=findings,
                       extra_files={"ccs_trials.csv": _csv(trial_rows)},
                       plot_data={"trials": trial_rows})

    # -- figure ---------------------------------------------------------------------------------
    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """CCS at zero pressure (with the closed-form band) and against stack pressure per
        variant, with the measured values."""
        plt = pyplot()
        rows = outcome.rows
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(13, 5.2))
        # zero pressure: Li, Li-Mg, closed-form band, Krauskopf
        zero = [r for r in rows if r["group"] == "zero_pressure"]
        for k, r in enumerate(zero):
            lo, hi = r["ccs_lower_mA_per_cm2"], r["ccs_upper_mA_per_cm2"]
            ax0.errorbar([k], [estimate(r)], yerr=[[estimate(r) - lo], [hi - estimate(r)]]
                         if math.isfinite(lo) and math.isfinite(hi) else None,
                         fmt="o", color="C0", capsize=4,
                         label="ssbx (search bracket)" if k == 0 else None)
            ax0.plot([k], [r["closed_form_uniform_mA_per_cm2"]], "x", color="C1", ms=9,
                     label="closed form (S = 1.1, ρ = 1e12 m⁻²)" if k == 0 else None)
            band = closed_form_band(r["variant"])
            ax0.vlines(k + 0.15, band[0], band[1], color="C1", lw=4, alpha=0.35,
                       label="closed form, ρ 1e10–1e12 m⁻², S 1.05–1.2" if k == 0 else None)
        ax0.axhline(KRAUSKOPF_ZERO_PRESSURE, color="k", ls="--",
                    label="measured Li | LLZO, no pressure (Krauskopf 2019)")
        ax0.set_xticks(range(len(zero)), [r["variant"] for r in zero])
        ax0.set_xlim(-0.6, len(zero) - 0.4)
        ax0.set_yscale("log")
        ax0.set_ylabel("critical stripping current [mA/cm²]")
        ax0.set_title("zero stack pressure (flat interface, nucleation criterion)")
        ax0.legend(fontsize=8)
        # pressure dependence, one line per variant
        for k, v in enumerate(VARIANTS):
            sel = sorted((r for r in rows if r["variant"] == v and r["group"] == "pressure"),
                         key=lambda r: r["pressure_MPa"])
            if not sel:
                continue
            plot_ccs_curve(ax1, sel, f"C{k}", VARIANT_TEXT[v])
        ax1.plot(list(KASEMCHAINAN), list(KASEMCHAINAN.values()), "ks", ms=9,
                 label="measured Li | Li6PS5Cl (Kasemchainan 2019, (check))")
        ax1.set_yscale("log")
        ax1.set_xlabel(self.x_label)
        ax1.set_ylabel("critical stripping current [mA/cm²]")
        ax1.set_title("40 µm void per 100 µm, Z = 2 Ω cm²  (^ v: bounds)")
        ax1.legend(fontsize=7)
        fig.tight_layout()
        save_figure(fig, path)


def stripping_cell(name: str) -> Any:
    """The stripping_ccs cell (40 um void per 100 um, Li | Li6PS5Cl) with its full-run settings,
    named ``name``: the base case the points of this module and of na_stripping override."""
    from ssbx.benchmarks.reproductions.stripping_ccs import BASE_CASE, FULL_SETTINGS
    from ssbx.case import resolve_case, with_overrides

    return with_overrides(resolve_case(BASE_CASE, name_default=name),
                          FULL_SETTINGS | {"name": name})


def plot_ccs_curve(ax: Any, rows: list[dict[str, Any]], color: str, label: str,
                   brackets: bool = False) -> None:
    """CCS estimates of searches (sorted by pressure) against stack pressure: a line, a marker
    per point (^ / v: a bound, the search left its range) and, with ``brackets``, the final
    bracket of each bracketed search as a vertical bar."""
    ps, est = [r["pressure_MPa"] for r in rows], [estimate(r) for r in rows]
    ax.plot(ps, est, "-", color=color, label=label)
    for r, e in zip(rows, est, strict=True):
        marker = {"above_range": "^", "below_range": "v"}.get(r["status"], "o")
        ax.plot([r["pressure_MPa"]], [e], marker, color=color, ms=7)
        if brackets and r["status"] == "bracketed":
            ax.vlines(r["pressure_MPa"], r["ccs_lower_mA_per_cm2"], r["ccs_upper_mA_per_cm2"],
                      color=color, lw=2)


def search_point(case: Case, comm: MPI.Comm, console: Any, key: str,
                 progress: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One CCS search (:func:`ssbx.runs.ccs.critical_current`) of ``case``: its row (the
    bracket [mA/cm^2], status, model, trial and failure counts, wall time, the uniform closed
    form with vacancies) and its trial rows (keyed ``key``); says one progress line."""
    from ssbx.runs.ccs import ccs_criterion, critical_current

    t0 = time.perf_counter()
    res = critical_current(case, comm, None)
    wall = comm.bcast(time.perf_counter() - t0 if comm.rank == 0 else None, root=0)
    d = res.as_dict()
    case = case.for_ccs()
    failed = [t for t in res.trials if str(t.reason).startswith("solver failed")]
    row = {
        "pressure_MPa": case.fixture.pressure / 1e6,
        "metal": case.anode.metal,
        "size_fine_um": case.mesh.size_fine * 1e6,
        "vacancies": bool(case.vacancy.enabled),
        "criterion": ccs_criterion(case),
        "ccs_lower_mA_per_cm2": _num(d["lower_mA_per_cm2"]),
        "ccs_upper_mA_per_cm2": _num(d["upper_mA_per_cm2"]),
        "ccs_estimate_mA_per_cm2": _num(d["estimate_mA_per_cm2"]),
        "status": res.status, "n_trials": len(res.trials),
        "n_solver_failures": len(failed), "wall_time_s": wall,
        "trial_steps_total": float(sum(t.metrics.get("steps", 0.0) for t in res.trials)),
        "closed_form_uniform_mA_per_cm2": closed_form_ccs(
            case.anode.metal, case.vacancy.critical_supersaturation,
            case.vacancy.dislocation_density) if case.vacancy.enabled else math.nan,
    }
    trials = [{"key": key, "trial": n + 1,
               "current_density_mA_per_cm2": to_mA_per_cm2(tr.current_density),
               "stable": bool(tr.stable), "reason": " ".join(str(tr.reason).split()),
               "steps": tr.metrics.get("steps", math.nan),
               "wall_time_s": tr.metrics.get("wall_time_s", math.nan)}
              for n, tr in enumerate(res.trials)]
    say(comm, console, f"  {progress} {key}: {res.status} "
        f"{row['ccs_lower_mA_per_cm2']:.4g}..{row['ccs_upper_mA_per_cm2']:.4g} mA/cm² "
        f"({len(res.trials)} trials, {wall:.0f} s)")
    return row, trials


def wall_per_step(trials: list[dict[str, Any]]) -> float:
    """Wall time per accepted time step [s] over the trial rows of :func:`search_point` (nan
    without steps)."""
    steps = sum(t["steps"] for t in trials)
    return sum(t["wall_time_s"] for t in trials) / steps if steps else math.nan


def mesh_convergence(by: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """CCS at 3 MPa on the MESH_STUDY meshes (halving), the observed order
    ``log2(|e1 - e2| / |e2 - e3|)`` of the estimates and their Richardson extrapolation."""
    key = {size: ("vacancy_3MPa" if size == PRESSURE_MESH else f"mesh_{size:g}um")
           for size in MESH_STUDY}
    est = [estimate(by[key[size]]) for size in MESH_STUDY]
    out: dict[str, Any] = {f"{size:g} um": e for size, e in zip(MESH_STUDY, est, strict=True)}
    d1, d2 = est[1] - est[0], est[2] - est[1]
    if d1 != 0.0 and d2 != 0.0 and d1 / d2 > 1.0:
        order = math.log2(d1 / d2)
        out["observed_order"] = order
        out["extrapolated"] = est[2] + d2 / (2.0 ** order - 1.0)
    return out


def _csv(rows: list[dict[str, Any]]) -> str:
    from ssbx.benchmarks.framework import csv_text

    return csv_text(rows)


def performance(comm: MPI.Comm, quick: bool) -> dict[str, Any]:
    """Cost per time step with and without the vacancy field: the 3 MPa cell stripped at
    0.1 mA/cm² for a fixed number of steps (wall times split by solve)."""
    from ssbx.benchmarks.reproductions.stripping_ccs import BASE_CASE
    from ssbx.case import resolve_case, with_overrides
    from ssbx.problems.lifetime import closing_problems
    from ssbx.problems.stripping.state import Load
    from ssbx.runs.stripping import build_problem

    steps = 10 if quick else 100
    out: dict[str, Any] = {"steps": steps, "ranks": comm.size}
    for on in (False, True):
        case = with_overrides(resolve_case(BASE_CASE), {
            "mesh.size_fine": "5 um", "fixture.pressure": "3 MPa", "vacancy.enabled": on})
        with closing_problems():
            p = build_problem(case, comm)
            t = {"total": 0.0, "current": 0.0, "mechanics": 0.0, "vacancy": 0.0}
            dt, tries = 1e-3, 0
            while p.steps < steps and tries < 10 * steps:
                tries += 1
                t0 = time.perf_counter()
                rep = p.try_step(dt, Load.current(1.0))
                if not rep.converged:
                    p.reject()
                    dt /= 2.0
                    continue
                p.commit()
                t["total"] += time.perf_counter() - t0
                t["current"] += rep.time_current
                t["mechanics"] += rep.time_mechanics
                t["vacancy"] += rep.time_vacancy
                dt = min(1.5 * dt, 0.05)
            n = max(p.steps, 1)
            dofs = p.num_dofs()
        key = "with_vacancies" if on else "without"
        out[key] = {f"{k}_per_step_s": comm.allreduce(v, op=MPI.MAX) / n for k, v in t.items()}
        out[key]["dofs"] = dofs
    w, wo = out["with_vacancies"], out["without"]
    out["overhead_per_step"] = (w["total_per_step_s"] / wo["total_per_step_s"] - 1.0
                                if wo["total_per_step_s"] > 0.0 else math.nan)
    return out


__all__ = ["KASEMCHAINAN", "KRAUSKOPF_ZERO_PRESSURE", "VARIANTS", "VacancyCcs",
           "closed_form_band", "closed_form_ccs", "plot_ccs_curve", "points", "search_point",
           "stripping_cell", "wall_per_step"]
