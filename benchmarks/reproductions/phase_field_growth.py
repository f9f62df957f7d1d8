"""Phase-field (AT1) growth of a Li-filled edge flaw at the Li interface of LLZO, without and with
-200 MPa of in-plane compression, cross-checked against incremental LEFM growth.

The electrolyte is a 20 µm x 10 µm plane-strain LLZO plate (E 150 GPa, ν 0.257, K_Ic
1.25 MPa m^0.5: ssbx's preset), the Li/electrolyte interface at ``y = 0`` (traction-free
outside the flaw), a roller on the counter-electrode side; a 1 µm flaw starts at the interface,
normal to it or inclined by 30° from the normal, filled with Li at pressure ``p``; optionally
``sigma_xx = -200 MPa`` on the sides, parallel to the interface (Fincher et al. 2022 report
that such compression averts failure in LLZO).

- Phase field (:class:`ssbx.problems.phase_field_growth.PhaseFieldGrowth`): AT1 with the
  damage bounded (``d_old <= d <= 1``, SNES VI), Amor's split, the Li pressure acting in the
  broken material (it follows the crack), the damage driven by the history of
  ``ψ⁺ + <p div u>₊`` (the pressure work's share: the derivative of the energy's pressure term;
  with ψ⁺ alone both this flaw and a Griffith crack run ~14 % late at every l, see the
  results' PROVENANCE), ``l = 0.05 a`` (quick: ``0.1 a``), elements ``l/3``
  in a box around the possible paths. The pressure rises in steps of 2 % of LEFM's critical
  pressure of the same flaw; the crack "runs" when its broken region (``d >= 0.95``) reaches
  ``a/4`` beyond the initial flaw; the run stops when it reaches ``0.8 a``.
- LEFM (:func:`ssbx.problems.crack_growth.grow_crack`): the same plate, flaw and loads, three
  increments of ``a/4`` along the maximum tangential stress, with the critical Li pressure of
  each step.

Compared: the critical pressure (phase field: first running step; LEFM: the initial flaw's),
and the path: the direction from the flaw's tip to the crack at the distances of LEFM's tips
(phase field: the mean position of the broken nodes at that distance), measured from the
interface normal (positive towards +x, 90°: parallel to the interface).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.framework import (
    Check,
    DirectBenchmark,
    Outcome,
    pyplot,
    register,
    save_figure,
    say,
)
from ssbx.meshes.crack_geometry import CrackSpec
from ssbx.meshes.phase_field import build_refined_rectangle
from ssbx.physics.constants import LI_MOLAR_VOLUME
from ssbx.physics.electrolytes import electrolyte_preset
from ssbx.problems.crack_growth import grow_crack
from ssbx.problems.fracture import CrackLoads
from ssbx.problems.phase_field_growth import PhaseFieldGrowth, PhaseFieldLoads

A = 1e-6
WIDTH, HEIGHT = 20e-6, 10e-6
COMPRESSION = -200e6
MPA, UM = 1e6, 1e-6  # display only
#: (label, inclination from the normal [deg], in-plane stress [Pa])
FULL_CASES = (("normal", 0.0, 0.0), ("normal, -200 MPa", 0.0, COMPRESSION),
              ("inclined 30°", 30.0, 0.0), ("inclined 30°, -200 MPa", 30.0, COMPRESSION))
QUICK_CASES = FULL_CASES[2:]
FULL_L, QUICK_L = 0.05 * A, 0.1 * A
H_OVER_L = 1.0 / 3.0
STEP, START, MAX_RATIO = 0.02, 0.8, 1.6
RUN_REACH, STOP_REACH = 0.25 * A, 0.8 * A
LEFM_INCREMENT, LEFM_STEPS = 0.25 * A, 3
FAR_SIZE, TRANSITION = 0.5 * A, 1.5 * A  # the elastic field varies over a


def box_of(inclination_deg: float) -> tuple[float, float, float, float]:
    """The refined box (x_min, x_max, y_min, y_max) [m] around the flaw and its paths."""
    if inclination_deg == 0.0:
        return (-0.5 * A, 0.5 * A, 0.0, 2.0 * A)
    return (-0.2 * A, 2.0 * A, 0.0, 1.7 * A)


def lefm_case(comm: MPI.Comm, inclination_deg: float, sigma_xx: float) -> list[Any]:
    """LEFM growth of the flaw (tip 0 only: an edge crack has one)."""
    llzo = electrolyte_preset("LLZO")
    spec = CrackSpec("edge", A, WIDTH, HEIGHT, inclination=math.radians(inclination_deg))
    history = grow_crack(comm, spec, llzo.elastic, llzo.fracture_toughness,
                         CrackLoads(in_plane_stress=sigma_xx), increment=LEFM_INCREMENT,
                         steps=LEFM_STEPS, molar_volume=LI_MOLAR_VOLUME, support="roller")
    return [r for r in history if r.tip == 0]


def chord_direction(points: np.ndarray, tip: np.ndarray, radius: float, band: float) -> float:
    """The direction [rad] from ``tip`` to the mean of ``points`` within ``band`` of the
    distance ``radius`` from it, from the +y axis (positive towards +x); nan if none."""
    offset = points - tip
    dist = np.linalg.norm(offset, axis=1)
    sel = offset[np.abs(dist - radius) <= band]
    if not len(sel):
        return math.nan
    mean = sel.mean(axis=0)
    return math.atan2(float(mean[0]), float(mean[1]))


def phase_field_case(comm: MPI.Comm, console: Any, inclination_deg: float, sigma_xx: float,
                     length: float, p_lefm: float) -> dict[str, Any]:
    """The phase-field pressure ramp of one case (module docstring)."""
    llzo = electrolyte_preset("LLZO")
    E, nu = llzo.elastic.E, llzo.elastic.nu
    E_plane = E / (1.0 - nu * nu)
    toughness = llzo.fracture_toughness ** 2 / E_plane
    h = length * H_OVER_L
    t0 = time.perf_counter()
    mesh = build_refined_rectangle(comm, (-0.5 * WIDTH, 0.0), (WIDTH, HEIGHT),
                                   box_of(inclination_deg), h, FAR_SIZE, transition=TRANSITION)
    theta = math.radians(inclination_deg)
    tip = np.array([A * math.sin(theta), A * math.cos(theta)])
    problem = PhaseFieldGrowth(mesh, E, nu, toughness, length, [((0.0, 0.0), tuple(tip))], h,
                               model="AT1", pressure_driving=True,
                               options_prefix="ssbx_pf_growth_bench_")
    stable, running = math.nan, math.nan
    ratio, ramp = START, []
    state, stable_damage = None, math.nan
    while ratio <= MAX_RATIO + 1e-9:
        state = problem.step(PhaseFieldLoads(ratio * p_lefm, sigma_xx), max_iterations=600,
                             stop_radius=STOP_REACH)
        ramp.append((ratio * p_lefm, state.reach, state.iterations))
        if state.reach > RUN_REACH:
            running = ratio * p_lefm
            break
        stable = ratio * p_lefm
        stable_damage = problem.max_damage_beyond(3.0 * length)
        ratio += STEP
    grown = problem.grown()
    owned = problem.Q.dofmap.index_map.size_local
    mask = problem.d.x.array[:owned] >= 0.5
    field = comm.gather(np.column_stack([problem.x_nodes[:owned][mask, :2],
                                         problem.d.x.array[:owned][mask]]), root=0)
    cells = mesh.topology.index_map(2).size_global
    dofs = 3 * problem.Q.dofmap.index_map.size_global
    iterations = problem.staggered_total
    problem.close()
    wall = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    return {"stable_Pa": stable, "running_Pa": running, "ramp": ramp, "grown": grown,
            "tip": tip, "field": np.concatenate(field) if comm.rank == 0 else None,
            "cells": cells, "dofs": dofs, "staggered_iterations": iterations, "wall_s": wall,
            "stopped": bool(state.stopped) if state else False,
            "reach_m": state.reach if state else math.nan,
            "max_damage_off_crack": stable_damage}


def run_case(comm: MPI.Comm, console: Any, label: str, inclination_deg: float, sigma_xx: float,
             length: float) -> dict[str, Any]:
    """LEFM then phase field for one case; the side-by-side numbers."""
    lefm = lefm_case(comm, inclination_deg, sigma_xx)
    p_lefm = lefm[0].critical_li_pressure
    pf = phase_field_case(comm, console, inclination_deg, sigma_xx, length, p_lefm)
    tip = pf["tip"]
    path = np.array([[r.x, r.y] for r in lefm])
    row: dict[str, Any] = {
        "case": label, "inclination_deg": inclination_deg, "sigma_xx_MPa": sigma_xx / MPA,
        "l_over_a": length / A, "cells": pf["cells"], "dofs": pf["dofs"],
        "lefm_pc_MPa": p_lefm / MPA, "pf_stable_MPa": pf["stable_Pa"] / MPA,
        "pf_running_MPa": pf["running_Pa"] / MPA,
        "pf_over_lefm": pf["running_Pa"] / p_lefm,
        "staggered_iterations": pf["staggered_iterations"], "wall_s": pf["wall_s"],
        "pf_reach_over_a": pf["reach_m"] / A, "pf_stopped": pf["stopped"],
        "stable_max_damage_3l_off_flaw": pf["max_damage_off_crack"],
    }
    for k, point in enumerate(path[1:], start=1):
        radius = float(np.linalg.norm(point - tip))
        lefm_dir = math.atan2(point[0] - tip[0], point[1] - tip[1])
        pf_dir = chord_direction(pf["grown"], tip, radius, 2.0 * length * H_OVER_L)
        row[f"r{k}_over_a"] = radius / A
        row[f"lefm_dir{k}_deg"] = math.degrees(lefm_dir)
        row[f"pf_dir{k}_deg"] = math.degrees(pf_dir)
    say(comm, console, f"  {label}: LEFM p_c {p_lefm / MPA:.0f} MPa, phase field stable "
                       f"{pf['stable_Pa'] / MPA:.0f} / runs {pf['running_Pa'] / MPA:.0f} MPa "
                       f"({row['pf_over_lefm']:.3f}); directions from the normal at "
                       + ", ".join(f"{row[f'r{k}_over_a']:.2f} a: PF "
                                   f"{row[f'pf_dir{k}_deg']:.1f}° / LEFM "
                                   f"{row[f'lefm_dir{k}_deg']:.1f}°"
                                   for k in range(1, len(path)))
                       + f"; {pf['cells']} cells, {pf['staggered_iterations']} staggered "
                         f"iterations, {pf['wall_s']:.0f} s")
    plot = {"label": label, "field": pf["field"], "lefm": path, "tip": tip,
            "ramp": pf["ramp"]}
    return {"row": row, "plot": plot}


@register
class PhaseFieldGrowthBenchmark(DirectBenchmark):
    """Benchmark ``phase_field_growth`` (see the module docstring)."""

    name = "phase_field_growth"
    title = ("Phase-field (AT1) growth of a Li-filled edge flaw in LLZO, with and without "
             "-200 MPa in-plane compression, against LEFM growth")
    source = (
        "M. Fincher et al., Acta Materialia (2022) (in-plane compression of LLZO averts Li "
        "penetration); E. Tanné, T. Li, B. Bourdin, J.-J. Marigo, C. Maurini, J. Mech. Phys. "
        "Solids 110, 80 (2018) (AT1); F. Erdogan, G. C. Sih, J. Basic Eng. 85, 519 (1963) "
        "(maximum tangential stress path of the LEFM cross-check)"
    )
    reference = ("ssbx's own LEFM growth (grow_crack, same plate, flaw and loads): no "
                 "published numbers are reproduced")
    metric = ("phase-field critical Li pressure over LEFM's; the rise of the critical pressure "
              "with -200 MPa compression; path direction from the interface normal at LEFM's "
              "tip distances")
    tolerance = ("10 % on the critical pressure of the normal flaw; 25 % on the rise by "
                 "compression; 10° on the path direction of the inclined flaw under "
                 "compression (set before the full run)")
    x_label = "x [µm]"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Every case of :data:`FULL_CASES` (quick: :data:`QUICK_CASES` at l = 0.1 a)."""
        length = QUICK_L if quick else FULL_L
        results = [run_case(comm, console, label, inc, sxx, length)
                   for label, inc, sxx in (QUICK_CASES if quick else FULL_CASES)]
        rows = [r["row"] for r in results]
        by = {r["case"]: r for r in rows}
        checks = []
        if "normal" in by:
            checks.append(Check("critical_pressure", "phase-field running pressure / LEFM p_c, "
                                "normal flaw", by["normal"]["pf_over_lefm"], 0.10, "rel", 1.0))
            rise_pf = by["normal, -200 MPa"]["pf_running_MPa"] - by["normal"]["pf_running_MPa"]
            rise_lefm = by["normal, -200 MPa"]["lefm_pc_MPa"] - by["normal"]["lefm_pc_MPa"]
            checks.append(Check("compression_rise", "rise of the critical pressure by -200 MPa: "
                                "phase field / LEFM", rise_pf / rise_lefm, 0.25, "rel", 1.0))
        squeezed = by["inclined 30°, -200 MPa"]
        free = by["inclined 30°"]
        checks.append(Check("path_direction", "inclined flaw under compression: |PF - LEFM| "
                            "direction at LEFM's second tip [deg]",
                            abs(squeezed["pf_dir2_deg"] - squeezed["lefm_dir2_deg"]), 10.0,
                            "max", unit="deg"))
        checks.append(Check("deflection", "phase field: direction with compression minus "
                            "without, at LEFM's second tip [deg] (> 0: towards the interface)",
                            squeezed["pf_dir2_deg"] - free["pf_dir2_deg"], 0.0, "min",
                            unit="deg"))
        findings = {"rows": rows, "l_over_a": length / A, "h_over_l": H_OVER_L,
                    "ramps": {r["plot"]["label"]: r["plot"]["ramp"] for r in results}}
        columns = list(rows[0].keys())
        for r in rows[1:]:
            columns += [k for k in r if k not in columns]
        for r in rows:
            for k in columns:
                r.setdefault(k, math.nan)
        return Outcome(rows=rows, checks=checks, columns=columns, findings=findings,
                       plot_data={"cases": [r["plot"] for r in results]})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Damage fields (d >= 0.5) of each case with LEFM's path drawn over them."""
        plt = pyplot()
        cases = outcome.plot_data["cases"]
        fig, axes = plt.subplots(1, len(cases), figsize=(3.6 * len(cases), 4.0),
                                 squeeze=False)
        for ax, case in zip(axes[0], cases, strict=True):
            field = case["field"]
            if field is not None and len(field):
                ax.scatter(field[:, 0] / UM, field[:, 1] / UM, c=field[:, 2], s=1.5,
                           cmap="viridis", vmin=0.5, vmax=1.0)
            tip = case["tip"]
            lefm = np.vstack([[0.0, 0.0], case["lefm"]])
            ax.plot(lefm[:, 0] / UM, lefm[:, 1] / UM, "r.-", lw=1.2, label="LEFM (MTS)")
            ax.plot([0.0, tip[0] / UM], [0.0, tip[1] / UM], "k-", lw=0.8)
            ax.axhline(0.0, color="0.5", lw=0.8)
            ax.set_xlim(-1.0, 2.2)
            ax.set_ylim(-0.1, 2.2)
            ax.set_aspect("equal")
            ax.set_title(case["label"], fontsize=9)
            ax.set_xlabel(self.x_label)
        axes[0][0].set_ylabel("y [µm] (Li interface at y = 0)")
        axes[0][0].legend(fontsize=7, loc="upper left")
        fig.suptitle("AT1 phase field (damage >= 0.5, colour) vs LEFM growth", fontsize=10)
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["PhaseFieldGrowthBenchmark", "chord_direction", "lefm_case", "phase_field_case",
           "run_case"]
