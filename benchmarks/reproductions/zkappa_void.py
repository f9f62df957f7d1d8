"""Zκ benchmark: Li flux concentration at the edge of an interfacial void against l/(Zκ).

Claim reproduced (2020 roadmap on solid-state batteries, Pasta et al., J. Phys. Energy 2, 032008
(2020), doi:10.1088/2515-7655/ab95f4, §3.2): "the degree to which Li
flux is concentrated at the periphery of the void increases with the ratio of void dimension to
this length scale Zκ. Typically, Zκ ≈ 20 μm, and it is unclear why small voids (smaller than, say,
100 μm) are able to concentrate the Li flux" (quote and limits in
``benchmarks/data/zkappa_void_reference.json``).

Set-up: planar cell, κ = 0.5 mS/cm, Z = 4 Ω cm² (Zκ = 20 µm), linear kinetics, galvanostatic
1 mA/cm² (linear kinetics: the normalised result does not depend on the current), one elliptical
void of width l in the middle of a cell of width L = max(5 l, 10 Zκ) (the side walls are symmetry
planes, so this is a periodic array of voids of period L), electrolyte thickness h_se = L. Only
the electrolyte side of the void (the flat, non-conducting patch of the interface) enters the
potential problem; the void depth (l/20, at least four fine elements) only shapes the Li mesh.
Mesh sizes scale with min(l, Zκ): size_fine = min(Zκ/40, l/20), size_coarse = L/20, element size
growing by 0.1 per unit distance from the void edges (quick: Zκ/20, l/10, L/10 and 0.2).

Metric: edge/mean = ``current_density_peak / current_density_contact_mean`` per width, and the
asserted limits: (i) edge/mean → 1 for l ≪ Zκ, (ii) monotonic increase with l/(Zκ), (iii) log-log
slope → 1/2 for l ≫ Zκ (primary-current r^-1/2 edge singularity cut off at Zκ), plus: the peak
sits at the void edge, and (full run) the result is mesh-converged.
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
    pyplot,
    register,
    save_figure,
    say,
)
from ssbx.case import Case

UM = 1e-6
REFERENCE_FILE = DATA_DIR / "zkappa_void_reference.json"

FULL_WIDTHS_UM = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0)
QUICK_WIDTHS_UM = (2.0, 20.0, 100.0, 200.0)
"""Quick: the small-l limit, the two widths of the roadmap question, and the two largest widths
for the slope (the slope check needs l >> Zκ; 20 → 200 µm would still be pre-asymptotic)."""
REFINEMENT_WIDTHS_UM = (20.0, 100.0)
"""Full run: these widths are solved again with all mesh sizes halved (mesh-convergence check)."""
MESH_CONVERGENCE_TOL = 1e-2
QUESTION_WIDTHS_UM = (20.0, 100.0)

BASE_CASE: dict[str, Any] = {
    "name": "zkappa_void",
    "description": "Zκ benchmark: one void of width l on a linear-kinetics contact, Zκ = 20 um",
    "geometry": {"kind": "planar"},
    "electrolyte": {"conductivity": "0.5 mS/cm"},
    "interface": {"kinetics": "linear", "asr": "4 ohm cm^2"},
    "operation": {"mode": "galvanostatic", "current_density": "1 mA/cm^2",
                  "counter_electrode": "ideal"},
    "solver": {"degree": 2, "linear_solver": "direct"},
    "output": {"fields": False},
}


def load_reference() -> dict[str, Any]:
    """The roadmap quote, parameters and limits (``benchmarks/data/zkappa_void_reference.json``)."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def _limit(ref: dict[str, Any], name: str) -> dict[str, Any]:
    return next(x for x in ref["limits"] if x["name"] == name)


def sweep_geometry(width: float, zkappa: float, quick: bool, refine: int = 0) -> dict[str, Any]:
    """Overrides (SI) of the cell and mesh for a void of width ``width`` [m].

    refine: halve every mesh size this many times (mesh-convergence check).
    """
    cell = max(5.0 * width, 10.0 * zkappa)
    if quick:
        fine, coarse, growth = min(zkappa / 20.0, width / 10.0), cell / 10.0, 0.2
    else:
        fine, coarse, growth = min(zkappa / 40.0, width / 20.0), cell / 20.0, 0.1
    height = max(width / 20.0, 4.0 * fine)
    grading = (coarse - fine) / growth
    fine, coarse = fine / 2**refine, coarse / 2**refine
    return {
        "geometry.width": cell,
        "geometry.h_se": cell,
        # Li deep enough that it does not cap the coarse size (effective coarse <= h_li/4)
        "geometry.h_li": max(4.0 * coarse, 2.0 * height),
        "geometry.voids": [{"center": 0.5 * cell, "width": width, "height": height,
                            "shape": "ellipse"}],
        "mesh.size_fine": fine,
        "mesh.size_coarse": coarse,
        "mesh.grading_distance": grading,
    }


def half_decay_distance(xi: np.ndarray, ratio: np.ndarray) -> float:
    """Distance (in the units of ``xi``) from the void edge (``xi = 0``) at which the excess
    ``ratio - 1`` has fallen to half its value at the edge (linear interpolation)."""
    excess = ratio - 1.0
    half = 0.5 * excess[0]
    below = np.nonzero(excess <= half)[0]
    if excess[0] <= 0.0 or below.size == 0:
        return float("nan")
    k = int(below[0])
    if k == 0:
        return 0.0
    t = (excess[k - 1] - half) / (excess[k - 1] - excess[k])
    return float(xi[k - 1] + t * (xi[k] - xi[k - 1]))


def loglog_interp(x: float, xs: np.ndarray, ys: np.ndarray) -> float:
    """Piecewise-linear interpolation in log-log (end segments extrapolated)."""
    lx, lxs, lys = math.log(x), np.log(xs), np.log(ys)
    k = int(np.clip(np.searchsorted(lxs, lx) - 1, 0, len(xs) - 2))
    t = (lx - lxs[k]) / (lxs[k + 1] - lxs[k])
    return float(math.exp(lys[k] + t * (lys[k + 1] - lys[k])))


def width_for_ratio(target: float, xs: np.ndarray, ys: np.ndarray) -> float | None:
    """The width at which ``ys`` (increasing) reaches ``target`` (log-log interpolation)."""
    for k in range(len(xs) - 1):
        if ys[k] <= target <= ys[k + 1]:
            t = math.log(target / ys[k]) / math.log(ys[k + 1] / ys[k])
            return float(math.exp(math.log(xs[k]) + t * math.log(xs[k + 1] / xs[k])))
    return None


@register
class ZkappaVoid(Benchmark):
    """Benchmark ``zkappa_void``: the current concentration at the edge of an interfacial
    void against l/(Zκ) (Pasta et al. 2020 roadmap, §3.2)."""

    name = "zkappa_void"
    title = "Flux concentration at the edge of an interfacial void against l/(Zκ)"
    source = (
        "M. Pasta et al., \"2020 roadmap on solid-state batteries\", J. Phys. Energy 2, 032008 "
        "(2020), doi:10.1088/2515-7655/ab95f4, §3.2 (Fleck, Deshpande, Cocks): flux "
        "concentration at the void periphery increases with l/(Zκ), Zκ ≈ 20 μm"
    )
    reference = (
        "benchmarks/data/zkappa_void_reference.json: the roadmap's statement (quote) and the "
        "limits that follow from it and from potential theory: edge/mean -> 1 for l << Zκ, "
        "monotonic increase, edge/mean ~ (l/Zκ)^(1/2) for l >> Zκ"
    )
    metric = (
        "edge/mean = current_density_peak / current_density_contact_mean for void widths "
        "l = 2..200 um at Zκ = 20 um; headline: its log-log slope between the two largest widths"
    )
    tolerance = (
        "slope 0.5 ± 0.15; |edge/mean - 1| at l = 2 um within twice the leading-order "
        "perturbation (x/π) ln(1/x), x = l/(Zκ); strictly increasing; peak within 3 size_fine "
        "of the void edge; full run: < 1 % change when the mesh sizes are halved"
    )

    def base_case(self) -> Any:
        """The resolved :data:`BASE_CASE` (linear kinetics, Zκ = 20 um)."""
        from ssbx.case import resolve_case

        return resolve_case(BASE_CASE, name_default=self.name)

    def zkappa(self) -> float:
        """Zκ of the base case [m] (interface resistance x conductivity)."""
        case = self.base_case()
        return case.asr * case.conductivity

    def widths(self, quick: bool) -> tuple[float, ...]:
        """The void widths [m] of the full or the quick run."""
        return tuple(w * UM for w in (QUICK_WIDTHS_UM if quick else FULL_WIDTHS_UM))

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """One override dict per void width (:func:`sweep_geometry`)."""
        zk = self.zkappa()
        return [{"name": f"zkappa_void_l{w / UM:g}um"} | sweep_geometry(w, zk, quick)
                for w in self.widths(quick)]

    def reference_data(self) -> dict[str, Any]:
        """The reference (:func:`load_reference`)."""
        return load_reference()

    # -- computation --------------------------------------------------------------------------
    def _solve(self, case: Case, comm: MPI.Comm) -> tuple[dict[str, float], Any]:
        from ssbx.runs.current import solve_case

        _, result = solve_case(case, comm, None)
        return dict(result.scalars), result.profile

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Solve every void width (full run: also with the mesh sizes halved) and evaluate
        edge/mean against the limits."""
        ref = load_reference()
        zk = self.zkappa()
        cases = self.cases(quick)
        widths = self.widths(quick)
        say(comm, console, f"  Zκ = {zk / UM:g} um, {len(cases)} void widths "
                           f"{', '.join(f'{w / UM:g}' for w in widths)} um")
        rows: list[dict[str, Any]] = []
        profiles: list[dict[str, Any]] = []
        for k, (w, case) in enumerate(zip(widths, cases, strict=True)):
            t0 = time.perf_counter()
            s, profile = self._solve(case, comm)
            wall = time.perf_counter() - t0
            row = self._row(w, zk, case, s, wall)
            rows.append(row)
            x_edge = row["void_edge_right_um"] * UM
            keep = profile.position >= x_edge
            xi = (profile.position[keep] - x_edge) / zk
            ratio = profile.current_density[keep] / s["current_density_contact_mean"]
            profiles.append({"width_um": w / UM, "xi": xi, "ratio": ratio})
            row["excess_half_width_um"] = half_decay_distance(xi, ratio) * zk / UM
            say(comm, console,
                f"  [{k + 1}/{len(cases)}] l = {w / UM:g} um (l/Zκ = {w / zk:.3g}): "
                f"{int(s['num_dofs'])} dofs, edge/mean = {row['edge_to_contact_mean']:.4f}, "
                f"peak/applied = {row['peak_to_applied_mean']:.4f}, peak "
                f"{row['peak_offset_um']:.2f} um from the void edge ({wall:.1f} s)")

        refined: list[dict[str, Any]] = []
        if not quick:
            for w in REFINEMENT_WIDTHS_UM:
                w_m = w * UM
                from ssbx.case import with_overrides

                case = with_overrides(self.base_case(), {"name": f"zkappa_void_l{w:g}um_fine"}
                                      | sweep_geometry(w_m, zk, quick, refine=1))
                t0 = time.perf_counter()
                s, _ = self._solve(case, comm)
                fine_row = self._row(w_m, zk, case, s, time.perf_counter() - t0)
                base_row = next(r for r in rows if math.isclose(r["void_width_um"], w))
                change = abs(fine_row["edge_to_contact_mean"] / base_row["edge_to_contact_mean"]
                             - 1.0)
                refined.append({"void_width_um": w, "num_dofs": fine_row["num_dofs"],
                                "size_fine_um": fine_row["size_fine_um"],
                                "edge_to_contact_mean": fine_row["edge_to_contact_mean"],
                                "relative_change": change})
                say(comm, console,
                    f"  mesh check l = {w:g} um, sizes halved: {fine_row['num_dofs']} dofs, "
                    f"edge/mean = {fine_row['edge_to_contact_mean']:.5f} "
                    f"(relative change {change:.1e})")

        return self._evaluate(rows, profiles, refined, ref, zk, quick)

    @staticmethod
    def _row(w: float, zk: float, case: Case, s: dict[str, float], wall: float) -> dict[str, Any]:
        void = case.geometry.voids[0]
        edges = (void.x_min, void.x_max)
        offset = min(abs(s["peak_position"] - e) for e in edges)
        fine = min(case.mesh.size_fine, case.mesh.size_coarse)
        return {
            "void_width_um": w / UM,
            "l_over_zkappa": w / zk,
            "cell_width_um": case.geometry.width / UM,
            "h_se_um": case.geometry.h_se / UM,
            "void_height_um": void.height / UM,
            "size_fine_um": fine / UM,
            "size_coarse_um": case.mesh.size_coarse / UM,
            "num_dofs": int(s["num_dofs"]),
            "edge_to_contact_mean": s["current_density_peak"] / s["current_density_contact_mean"],
            "peak_to_applied_mean": s["current_density_peak"] / s["current_density_mean"],
            "current_density_peak_A_m2": s["current_density_peak"],
            "current_density_contact_mean_A_m2": s["current_density_contact_mean"],
            "current_density_applied_A_m2": s["current_density_mean"],
            "contact_fraction": s["contact_fraction"],
            "peak_position_um": s["peak_position"] / UM,
            "void_edge_right_um": void.x_max / UM,
            "peak_offset_um": offset / UM,
            "cell_voltage_V": s["cell_voltage"],
            "asr_constriction_ohm_m2": s["asr_constriction"],
            "energy_balance_error": s["energy_balance_error"],
            "wall_time_s": wall,
        }

    def _evaluate(self, rows: list[dict[str, Any]], profiles: list[dict[str, Any]],
                  refined: list[dict[str, Any]], ref: dict[str, Any], zk: float,
                  quick: bool) -> Outcome:
        xs = np.array([r["l_over_zkappa"] for r in rows])
        ls = np.array([r["void_width_um"] for r in rows])
        ys = np.array([r["edge_to_contact_mean"] for r in rows])
        ya = np.array([r["peak_to_applied_mean"] for r in rows])

        # (iii) slope between the two largest widths (and every consecutive pair, reported)
        slopes = np.diff(np.log(ys)) / np.diff(np.log(xs))
        sq = _limit(ref, "sqrt_asymptote")
        # reference columns: the uniform limit and the x^(1/2) asymptote through the largest l
        for r in rows:
            r["reference_uniform_limit"] = 1.0
            r["reference_sqrt_asymptote"] = float(ys[-1] * math.sqrt(r["l_over_zkappa"] / xs[-1]))
        for r, s in zip(rows[1:], slopes, strict=True):
            r["loglog_slope_from_previous"] = float(s)
        rows[0]["loglog_slope_from_previous"] = float("nan")

        # (i) uniform limit: tolerance twice the leading-order perturbation at the smallest l
        uni = _limit(ref, "uniform_limit")
        x0 = float(xs[0])
        tol_uniform = uni["tolerance_factor"] * x0 / math.pi * math.log(1.0 / x0) if x0 < 1 \
            else float("nan")
        peak = _limit(ref, "peak_at_edge")
        offsets = np.array([r["peak_offset_um"] / r["size_fine_um"] for r in rows])
        checks = [
            Check("slope_large_l",
                  f"log-log slope of edge/mean between l = {ls[-2]:g} and {ls[-1]:g} um "
                  f"(l/Zκ = {xs[-2]:g}, {xs[-1]:g}); primary-current edge singularity r^-1/2 "
                  "cut off at Zκ gives 1/2",
                  float(slopes[-1]), sq["tolerance"], "abs", sq["target"]),
            Check("uniform_limit",
                  f"edge/mean at the smallest width l = {ls[0]:g} um (l/Zκ = {x0:g}); "
                  "tolerance: twice the leading-order excess (x/π) ln(1/x)",
                  float(ys[0]), tol_uniform, "abs", 1.0),
            Check("monotonic",
                  "smallest increase of edge/mean between consecutive widths (must be > 0)",
                  float(np.min(np.diff(ys))), 0.0, "min"),
            Check("peak_at_edge",
                  "largest distance of the peak from the nearest void edge, in size_fine",
                  float(np.max(offsets)), peak["tolerance"], "max"),
        ]
        if refined:
            checks.append(Check(
                "mesh_convergence",
                "largest relative change of edge/mean when every mesh size is halved "
                f"(l = {', '.join(f'{r['void_width_um']:g}' for r in refined)} um)",
                max(r["relative_change"] for r in refined), MESH_CONVERGENCE_TOL, "max"))

        hw = np.array([r["excess_half_width_um"] for r in rows])
        findings = self._findings(xs, ls, ys, ya, hw, slopes, refined, zk)
        columns = list(rows[0])
        return Outcome(rows=rows, checks=checks, columns=columns, findings=findings,
                       plot_data={"profiles": profiles, "zkappa_um": zk / UM,
                                  "fit": findings.get("sqrt_fit")})

    @staticmethod
    def _findings(xs: np.ndarray, ls: np.ndarray, ys: np.ndarray, ya: np.ndarray,
                  hw: np.ndarray, slopes: np.ndarray, refined: list[dict[str, Any]],
                  zk: float) -> dict[str, Any]:
        zk_um = zk / UM
        per_width = [{"void_width_um": float(l_), "l_over_zkappa": float(x),
                      "edge_to_contact_mean": float(y), "peak_to_applied_mean": float(a),
                      "excess_half_width_um": float(h)}
                     for l_, x, y, a, h in zip(ls, xs, ys, ya, hw, strict=True)]
        pairs = [{"from_um": float(ls[k]), "to_um": float(ls[k + 1]), "slope": float(s)}
                 for k, s in enumerate(slopes)]
        # edge/mean = A sqrt(x) + B through the two largest widths (the approach to slope 1/2)
        fit = None
        if len(xs) >= 2 and xs[-2] >= 1.0:
            a = (ys[-1] - ys[-2]) / (math.sqrt(xs[-1]) - math.sqrt(xs[-2]))
            b = ys[-1] - a * math.sqrt(xs[-1])
            fit = {"A": float(a), "B": float(b), "form": "edge/mean ≈ A (l/Zκ)^(1/2) + B",
                   "through_um": [float(ls[-2]), float(ls[-1])]}

        q = {}
        for w in QUESTION_WIDTHS_UM:
            exact = np.isclose(ls, w)

            def at(values: np.ndarray, w: float = w, exact: np.ndarray = exact) -> float:
                return float(values[exact][0]) if exact.any() else loglog_interp(w, ls, values)

            q[f"{w:g}um"] = {
                "l_over_zkappa": w / zk_um,
                "edge_to_contact_mean": at(ys),
                "peak_to_applied_mean": at(ya),
                "excess_half_width_um": at(hw),
                "how": "computed" if exact.any() else "log-log interpolation of the sweep",
            }
        r20, r100 = q["20um"]["edge_to_contact_mean"], q["100um"]["edge_to_contact_mean"]
        a20, a100 = q["20um"]["peak_to_applied_mean"], q["100um"]["peak_to_applied_mean"]
        h20, h100 = q["20um"]["excess_half_width_um"], q["100um"]["excess_half_width_um"]
        l15 = width_for_ratio(1.5, ls, ys)
        l2 = width_for_ratio(2.0, ls, ys)
        reach = []
        if l15 is not None:
            reach.append(f"1.5 at l ≈ {l15:.0f} um")
        if l2 is not None:
            reach.append(f"2 at l ≈ {l2:.0f} um")
        statement = (
            f"With Zκ = {zk_um:g} um (linear kinetics), the current density at the void edge is "
            f"{r20:.2f} times the mean contact current density for a {20:g} um void "
            f"(l/Zκ = {20 / zk_um:g}) and {r100:.2f} times for a {100:g} um void "
            f"(l/Zκ = {100 / zk_um:g}) ({a20:.2f} and {a100:.2f} times the applied mean current "
            f"density). The factor tends to 1 only for l << Zκ ({ys[0]:.3f} at l = {ls[0]:g} um)"
            + (f", reaches {' and '.join(reach)}" if reach else "")
            + f", and grows with a log-log slope of {slopes[-1]:.2f} between l = {ls[-2]:g} and "
            f"{ls[-1]:g} um, approaching the (l/Zκ)^(1/2) law of large voids from below. So, "
            "within the secondary-current (Zκ) model, voids smaller than 100 um do concentrate "
            "the Li flux at their periphery, by a factor of order "
            f"{r20:.1f}-{r100:.1f} for l = 20-100 um: the Zκ argument does not make voids "
            "below 100 um inert, it only makes the concentration grow slowly (about as "
            "(l/Zκ)^(1/2) once l > Zκ). It is moderate and local: the excess "
            f"current falls to half its edge value within {h20:.1f} um (l = 20 um) and "
            f"{h100:.1f} um (l = 100 um) of the void edge. Whether that is enough to make such "
            "voids grow depends on the Li supply to the periphery (creep, vacancy diffusion), "
            "which this benchmark does not model."
        )
        return {
            "zkappa_um": zk_um,
            "per_width": per_width,
            "loglog_slopes": pairs,
            "sqrt_fit": fit,
            "mesh_refinement": refined,
            "roadmap_question": {
                "quote": "it is unclear why small voids (smaller than, say, 100 μm) are able to "
                         "concentrate the Li flux",
                "values": q,
                "width_for_edge_to_mean_1p5_um": l15,
                "width_for_edge_to_mean_2_um": l2,
                "statement": statement,
            },
        }

    # -- figure ---------------------------------------------------------------------------------
    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Edge/mean against l/(Zκ) with the limits, and the current along the contact next to
        the void."""
        plt = pyplot()
        rows = outcome.rows
        zk_um = outcome.plot_data["zkappa_um"]
        xs = np.array([r["l_over_zkappa"] for r in rows])
        ys = np.array([r["edge_to_contact_mean"] for r in rows])
        ya = np.array([r["peak_to_applied_mean"] for r in rows])
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(13.5, 5.6))

        xx = np.geomspace(min(xs.min(), 0.05), max(xs.max(), 20.0), 200)
        ax.axhline(1.0, color="0.5", lw=1.0, ls=":", label="uniform limit l ≪ Zκ: edge/mean = 1")
        big = xx >= 0.3 * xs[-1] / 10
        ax.plot(xx[big], ys[-1] * np.sqrt(xx[big] / xs[-1]), color="tab:red", ls="--", lw=1.2,
                label="(l/Zκ)^(1/2) asymptote (through the largest l)")
        fit = outcome.plot_data.get("fit")
        if fit:
            xf = xx[xx >= 1.0]
            ax.plot(xf, fit["A"] * np.sqrt(xf) + fit["B"], color="tab:red", ls=":", lw=1.0,
                    label=f"{fit['A']:.2f} (l/Zκ)^(1/2) + {fit['B']:.2f} (through the two "
                          "largest l)")
        ax.plot(xs, ys, "o-", color="tab:blue", ms=6,
                label="ssbx: peak / mean contact current density")
        ax.plot(xs, ya, "s--", color="tab:green", ms=5, mfc="none",
                label="ssbx: peak / applied mean current density")
        x100 = 100.0 / zk_um
        ax.axvline(x100, color="tab:purple", lw=1.2, ls="-.")
        ax.text(x100 * 1.06, 0.03, "l = 100 µm\n(roadmap: 'small voids')", color="tab:purple",
                transform=ax.get_xaxis_transform(), va="bottom", fontsize=8.5)
        ax.axvline(1.0, color="0.6", lw=0.8, ls="-.")
        ax.text(0.94, 0.03, "l = Zκ", color="0.4", transform=ax.get_xaxis_transform(),
                va="bottom", ha="right", fontsize=8.5)
        for x, y in zip(xs, ys, strict=True):
            ax.annotate(f"{y:.2f}", (x, y), textcoords="offset points", xytext=(5, -12),
                        fontsize=7.5, color="tab:blue", ha="left")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(xx[0], xx[-1])
        y_top = max(ya.max(), ys.max()) * 1.35
        ax.set_ylim(0.9, y_top)
        ticks = [t for t in (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0) if t <= y_top]
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
        ax.yaxis.set_minor_formatter(plt.NullFormatter())
        ax.set_xlabel("void width / characteristic length, l/(Zκ)  (–)")
        ax.set_ylabel("peak current density / mean current density  (–)")
        top = ax.secondary_xaxis("top", functions=(lambda x: x * zk_um, lambda l: l / zk_um))
        top.set_xlabel(f"void width l (µm), Zκ = {zk_um:g} µm")
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=8, loc="upper left")

        cmap = plt.get_cmap("viridis")
        profiles = outcome.plot_data["profiles"]
        for k, p in enumerate(profiles):
            color = cmap(k / max(len(profiles) - 1, 1))
            bx.plot(p["xi"], p["ratio"], color=color, lw=1.4,
                    label=f"l = {p['width_um']:g} µm (l/Zκ = {p['width_um'] / zk_um:g})")
        bx.axhline(1.0, color="0.5", lw=1.0, ls=":")
        bx.set_xlim(0.0, 8.0)
        bx.set_xlabel("distance from the void edge along the contact / Zκ  (–)")
        bx.set_ylabel("local / mean contact current density  (–)")
        bx.grid(True, alpha=0.25)
        bx.legend(fontsize=8, loc="upper right")
        bx.set_title("current along the contact next to the void", fontsize=10)

        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        fig.suptitle(
            "Zκ benchmark: Li flux concentration at a void edge vs void width"
            f"{' (quick)' if quick else ''} — {status}, slope {head.value:.2f} "
            f"(target 0.5 ± {head.tolerance:g})\n"
            "source: Pasta et al., 2020 roadmap on solid-state batteries, J. Phys. Energy 2, "
            "032008, §3.2 (Zκ ≈ 20 µm); ssbx: κ = 0.5 mS/cm, Z = 4 Ω cm², linear kinetics",
            fontsize=10.5)
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        save_figure(fig, path)


__all__ = ["ZkappaVoid", "load_reference", "sweep_geometry"]
