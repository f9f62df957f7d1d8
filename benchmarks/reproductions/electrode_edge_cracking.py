"""Cracking on plating at the edge of a Li electrode: the current the edge concentrates lowers
the critical plating current of a flaw there, and the flaw's path (Ning et al. 2021: cracking
starts as near-surface spallation at the electrode edges, then crosses the electrolyte).

A planar Li electrode covers ``x <= 0`` of the electrolyte surface (200 µm x 100 µm of LLZTO or
Li6PS5Cl, the interface of the CCS benchmarks: 2 ohm cm^2, stack pressure on the Li); the
surface ``x > 0`` is bare (a void reaching the side, :class:`ssbx.meshes.crack_geometry.
CrackSpec` ``voids``); the counter electrode spans the whole top (wider than the Li, as a Li
foil on a larger pellet). A sealed 2 µm flaw normal to the interface sits at the electrode's
edge or at its middle (x = -50 µm); ssbx finds each one's critical plating current
(:mod:`ssbx.problems.crack_current`; mean current density over the Li area), then grows the
edge flaw (:mod:`ssbx.problems.crack_growth`, maximum tangential stress, 8 steps of 1 µm) at the
critical Li pressure along its path.

Checks (qualitative, as Ning et al. report a place and a shape, no number): the edge flaw
extends at a lower mean current than the middle one; the edge flaw's path leaves the normal
(it kinks), reported with its direction.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from mpi4py import MPI

from ssbx.benchmarks.framework import (
    Check,
    DirectBenchmark,
    Outcome,
    pyplot,
    register,
    save_figure,
    say,
)
from ssbx.benchmarks.reproductions.crack_plating_current import (
    ELECTROLYTES,
    kinetics,
    sealed_critical_current,
)
from ssbx.meshes.crack_geometry import CrackSpec
from ssbx.physics.constants import LI_MOLAR_VOLUME
from ssbx.physics.electrolytes import electrolyte_preset
from ssbx.problems.crack_growth import grow_crack
from ssbx.problems.fracture import CrackLoads
from ssbx.units import to_mA_per_cm2

WIDTH, HEIGHT = 200e-6, 100e-6
FLAW = 2e-6
MIDDLE = -50e-6
BARE = ((0.0, 0.5 * WIDTH),)
GROWTH_STEPS, GROWTH_INCREMENT = 8, 1e-6
LI_FRACTION = 0.5  # the Li covers half the width: mean current over the Li = top current / 0.5


@register
class ElectrodeEdgeCracking(DirectBenchmark):
    """Benchmark ``electrode_edge_cracking`` (see the module docstring)."""

    name = "electrode_edge_cracking"
    title = ("Cracking at a Li electrode's edge: critical plating current of a flaw at the edge "
             "vs the middle, and the edge flaw's path")
    source = (
        "Z. Ning et al., Visualizing plating-induced cracking in lithium-anode solid-electrolyte "
        "cells, Nat. Mater. 20, 1121 (2021): cracks start as 'pothole' spallations, mostly at "
        "the Li electrode edges, then transverse cracks cross the electrolyte (abstract)"
    )
    reference = "qualitative (a place and a shape); no value is compared"
    metric = ("critical mean plating current of a 2 um flaw at the Li electrode's edge over the "
              "one at its middle; direction of the edge flaw's grown path")
    tolerance = ("the edge flaw extends at a lower current (ratio < 1); its path leaves the "
                 "interface normal by more than 10 degrees")
    x_label = "x [µm]"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Critical currents at the edge and the middle, then the edge flaw's growth."""
        rows: list[dict[str, Any]] = []
        paths: dict[str, list[tuple[float, float]]] = {}
        for label, (preset, kappa, stack, _) in ELECTROLYTES.items():
            if quick and label != "LLZTO":
                continue
            electrolyte = electrolyte_preset(preset)
            currents = {}
            for where, position in (("edge", 0.0), ("middle", MIDDLE)):
                spec = CrackSpec("edge", FLAW, WIDTH, HEIGHT, position=position, voids=BARE)
                i_c, p_c = sealed_critical_current(comm, spec, electrolyte, kappa, stack,
                                                   kinetics())
                currents[where] = (i_c / LI_FRACTION, p_c)
                say(comm, console, f"  {label}, flaw at the electrode's {where}: CCP "
                                   f"{to_mA_per_cm2(i_c / LI_FRACTION):.4g} mA/cm² (p_c "
                                   f"{p_c / 1e6:.4g} MPa)")
            spec = CrackSpec("edge", FLAW, WIDTH, HEIGHT, position=0.0, voids=BARE)
            assert electrolyte.fracture_toughness is not None
            history = grow_crack(comm, spec, electrolyte.elastic, electrolyte.fracture_toughness,
                                 CrackLoads(stack_pressure=stack),
                                 increment=GROWTH_INCREMENT,
                                 steps=2 if quick else GROWTH_STEPS,
                                 molar_volume=LI_MOLAR_VOLUME)
            paths[label] = [(h.x * 1e6, h.y * 1e6) for h in history]
            final = history[-1]
            rows.append({
                "electrolyte": label,
                "ccp_edge_mA_per_cm2": to_mA_per_cm2(currents["edge"][0]),
                "ccp_middle_mA_per_cm2": to_mA_per_cm2(currents["middle"][0]),
                "edge_over_middle": currents["edge"][0] / currents["middle"][0],
                "p_c_edge_MPa": currents["edge"][1] / 1e6,
                "p_c_middle_MPa": currents["middle"][1] / 1e6,
                "growth_steps": final.step,
                "final_direction_from_normal_deg": math.degrees(final.direction),
                "final_tip_um": f"{final.x * 1e6:.2f}, {final.y * 1e6:.2f}",
                "p_c_start_MPa": history[0].critical_li_pressure / 1e6,
                "p_c_end_MPa": final.critical_li_pressure / 1e6,
            })
            say(comm, console, f"  {label}: the edge flaw grows to ({rows[-1]['final_tip_um']}) "
                               f"um, heading {rows[-1]['final_direction_from_normal_deg']:.1f} "
                               "deg from the normal")
        checks = [Check(f"edge_focusing_{r['electrolyte']}",
                        f"CCP at the edge / CCP at the middle ({r['electrolyte']}; < 1 passes)",
                        r["edge_over_middle"], 1.0, "max") for r in rows]
        checks += [Check(f"edge_path_kinks_{r['electrolyte']}",
                         f"|direction from the normal| of the grown edge flaw "
                         f"({r['electrolyte']}; > 10 deg passes)",
                         abs(r["final_direction_from_normal_deg"]), 10.0, "min")
                   for r in rows]
        return Outcome(rows=rows, checks=checks, findings={"rows": rows},
                       plot_data={"paths": paths})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """The grown paths near the electrode edge, and the edge/middle currents."""
        plt = pyplot()
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11.0, 4.6))
        for k, (label, points) in enumerate(outcome.plot_data["paths"].items()):
            ax.plot([0.0] + [p[0] for p in points], [0.0] + [p[1] for p in points], "o-",
                    ms=3, color=f"C{k}", label=f"{label}: grown 2 µm edge flaw")
        ax.plot([-10.0, 0.0], [0.0, 0.0], color="0.3", lw=6, solid_capstyle="butt",
                label="Li electrode (x ≤ 0)")
        ax.plot([0.0, 10.0], [0.0, 0.0], color="0.8", lw=1, label="bare electrolyte surface")
        ax.set_aspect("equal")
        ax.set_xlabel(self.x_label)
        ax.set_ylabel("y [µm] (electrolyte above the interface)")
        ax.set_title("Li-filled flaw at the electrode edge: LEFM path")
        ax.legend(fontsize=7)
        labels = [r["electrolyte"] for r in outcome.rows]
        x = range(len(labels))
        ax2.bar([i - 0.2 for i in x], [r["ccp_middle_mA_per_cm2"] for r in outcome.rows], 0.4,
                label="flaw at the electrode's middle")
        ax2.bar([i + 0.2 for i in x], [r["ccp_edge_mA_per_cm2"] for r in outcome.rows], 0.4,
                label="flaw at the electrode's edge")
        ax2.set_xticks(list(x), labels)
        ax2.set_yscale("log")
        ax2.set_ylabel("critical mean plating current [mA/cm²]")
        ax2.set_title("2 µm sealed flaw, 2 Ω cm²")
        ax2.legend(fontsize=7)
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["ElectrodeEdgeCracking"]
