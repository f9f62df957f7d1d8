"""Cracking on plating at the edge of a Li disc electrode (axisymmetric): the current the disc's
edge concentrates lowers the critical plating current of a ring flaw there (Ning et al. 2021:
cracks start at the Li electrode edges).

A Li disc of radius R lies on an electrolyte cylinder of radius 2R and thickness R (LLZTO or
Li6PS5Cl: the interface of the CCS benchmarks, 2 ohm cm^2 Butler–Volmer, stack pressure on the
Li); the surface beyond the disc is bare (:class:`ssbx.meshes.crack_geometry.CrackSpec`
``voids``), the counter electrode spans the far face. A sealed 2 µm ring flaw normal to the
interface (``ring=True``) sits at the disc's edge (r = R) or at mid-radius (R/2). For each,
ssbx finds the Li pressure that extends it (:mod:`ssbx.problems.fracture`, axisymmetric J and
interaction integral), then the mean plating current density over the disc (π R^2) at which a
sealed flaw builds that pressure (:mod:`ssbx.problems.crack_current`, r-weighted). The geometry
is self-similar in R, so the disc radius changes only the Wagner number ``Wa = Z kappa / R``
(Z = 2 ohm cm^2, the linear-kinetics resistance) and the flaw size c/R.

Checks: closed-form parts (quantitative): the critical Li pressure of the 2 µm ring flaw at the
edge without stack pressure against the plane-strain edge crack ``K_Ic / (1.1215 sqrt(pi c))``
within 2 % (c/R <= 0.04: the ring correction is ~-1 % at c/r0 = 0.05,
``tests/test_disc_electrode.py``; the stack pressure on the disc is not additive: its stress
field ends at the disc's edge, and its effect is reported); qualitative (marked so:
Ning et al. report a place, no number): the edge flaw extends at a lower mean current than the
mid-radius one for every disc, and the edge focusing (CCP mid / CCP edge) grows as Wa falls
(the primary distribution's edge singularity ``i/i_avg = 1/(2 sqrt(1 - r^2/R^2))`` is less
damped by the kinetics). The planar ``electrode_edge_cracking`` focusing factors (its committed
result) are reported beside the disc's, not checked; so is the local current over the mean
that each flaw sees, implied by its CCP and the closed form of the same sealed flaw on a
uniformly contacted interface (:func:`ssbx.problems.crack_current.sealed_pressure_estimate`),
beside the primary distribution's 0.577 at mid-radius (in a half-space). The full run also
checks the edge flaw's CCP on a mesh refined twice (2 %).
"""

from __future__ import annotations

import itertools
import json
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
    ASR,
    ELECTROLYTES,
    _closed_form_current,
    kinetics,
    sealed_flaw,
)
from ssbx.meshes.cracks import CrackSpec
from ssbx.physics.electrolytes import electrolyte_preset
from ssbx.physics.fracture import EDGE_FACTOR, critical_pressure
from ssbx.units import to_mA_per_cm2

FLAW = 2e-6
RADII = (100e-6, 200e-6, 500e-6)
QUICK_RADII = (100e-6,)
PELLET, THICKNESS = 2.0, 1.0  # pellet radius and thickness in units of the disc radius R
PLANAR_RESULT = (Path(__file__).resolve().parents[1] / "results" / "electrode_edge_cracking"
                 / "result.json")


def planar_focusing() -> dict[str, float]:
    """CCP(middle) / CCP(edge) of the planar electrode per electrolyte (the committed
    ``electrode_edge_cracking`` result); empty if absent."""
    try:
        rows = json.loads(PLANAR_RESULT.read_text())["findings"]["rows"]
        return {r["electrolyte"]: 1.0 / float(r["edge_over_middle"]) for r in rows}
    except (OSError, KeyError, ValueError, ZeroDivisionError):
        return {}


def ring_critical_current(comm: MPI.Comm, spec: CrackSpec, electrolyte: Any, kappa: float,
                          stack: float, refinement: float = 1.0
                          ) -> tuple[float, float, int, float]:
    """(critical mean plating current over the Li contact [A/m^2], crack-extension pressure
    [Pa], cells, the crack-extension pressure without stack pressure [Pa]) of the sealed ring
    flaw ``spec`` on the default mesh refined by ``refinement``."""
    flaw = sealed_flaw(comm, spec, electrolyte, kappa, stack, refinement=refinement,
                       options_prefix="ssbx_disc_")
    return flaw.electrode_current, flaw.critical_pressure, flaw.cells, flaw.pressure_alone


@register
class DiscElectrodeEdge(DirectBenchmark):
    """Benchmark ``disc_electrode_edge`` (see the module docstring)."""

    name = "disc_electrode_edge"
    title = ("Cracking at a Li disc electrode's edge (axisymmetric): critical plating current "
             "of a ring flaw at the edge vs mid-radius, against the Wagner number")
    source = (
        "Z. Ning et al., Visualizing plating-induced cracking in lithium-anode solid-electrolyte "
        "cells, Nat. Mater. 20, 1121 (2021) (cracks start mostly at the Li electrode edges); "
        "J. Newman, Resistance for flow of current to a disk, J. Electrochem. Soc. 113, 501 "
        "(1966) (primary distribution of a disc electrode); H. Tada, P. C. Paris, G. R. Irwin, "
        "The Stress Analysis of Cracks Handbook, 3rd ed. (2000) (edge crack 1.1215)"
    )
    reference = ("closed forms in code (edge crack K_I = 1.1215 p sqrt(pi c)); qualitative for the "
                 "place (Ning et al.); the planar electrode_edge_cracking result.json beside")
    metric = ("critical mean plating current over the disc of a sealed 2 um ring flaw at the "
              "edge and at mid-radius; edge focusing CCP(mid)/CCP(edge) vs Wa = Z kappa / R")
    tolerance = ("fixed before the runs: p_c of the ring flaw within 2 % of the plane-strain edge "
                 "crack; qualitative: edge ratio < 1 for every disc, focusing growing as Wa "
                 "falls")
    x_label = "Wagner number Z κ / R"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Critical currents of the edge and mid-radius flaws for every disc and electrolyte."""
        rows: list[dict[str, Any]] = []
        planar = planar_focusing()
        for label, (preset, kappa, stack, _) in ELECTROLYTES.items():
            if quick and label != "LLZTO":
                continue
            electrolyte = electrolyte_preset(preset)
            assert electrolyte.fracture_toughness is not None
            closed = critical_pressure(electrolyte.fracture_toughness, FLAW, EDGE_FACTOR)
            for radius in QUICK_RADII if quick else RADII:
                width, height = PELLET * radius, THICKNESS * radius
                result = {}
                for where, position in (("edge", radius), ("mid", 0.5 * radius)):
                    spec = CrackSpec("edge", FLAW, width, height, position=position,
                                     voids=((radius, width),), ring=True)
                    result[where] = ring_critical_current(comm, spec, electrolyte, kappa, stack)
                    say(comm, console, f"  {label}, R = {radius * 1e6:.0f} um, flaw at the "
                                       f"{where}: CCP {to_mA_per_cm2(result[where][0]):.4g} "
                                       f"mA/cm² (p_c {result[where][1] / 1e6:.4g} MPa, "
                                       f"{result[where][2]} cells)")
                wagner = ASR * kappa / radius
                # the same flaw on a uniformly contacted interface (closed form, the faces at
                # the undisturbed potential): the local current over the mean each flaw sees
                uniform = _closed_form_current(result["edge"][1], stack, kinetics(), kappa, FLAW)
                rows.append({
                    "electrolyte": label,
                    "disc_radius_um": radius * 1e6,
                    "wagner": wagner,
                    "ccp_edge_mA_per_cm2": to_mA_per_cm2(result["edge"][0]),
                    "ccp_mid_mA_per_cm2": to_mA_per_cm2(result["mid"][0]),
                    "focusing": result["mid"][0] / result["edge"][0],
                    "planar_focusing": planar.get(label, math.nan),
                    "p_c_edge_MPa": result["edge"][1] / 1e6,
                    "p_c_mid_MPa": result["mid"][1] / 1e6,
                    "p_c_no_stack_edge_MPa": result["edge"][3] / 1e6,
                    "p_c_no_stack_mid_MPa": result["mid"][3] / 1e6,
                    "p_c_closed_form_MPa": closed / 1e6,
                    "ccp_uniform_closed_form_mA_per_cm2": to_mA_per_cm2(uniform),
                    "local_over_mean_edge": uniform / result["edge"][0],
                    "local_over_mean_mid": uniform / result["mid"][0],
                    "cells_edge": result["edge"][2],
                })
        checks = []
        for r in rows:
            tag = f"{r['electrolyte']}_R{r['disc_radius_um']:.0f}um"
            checks.append(Check(f"ring_pc_{tag}", f"p_c without stack pressure of the 2 um ring "
                                f"flaw at the edge vs the plane-strain edge crack ({tag}; closed "
                                "form, 2 %)", r["p_c_no_stack_edge_MPa"], 0.02, "rel",
                                r["p_c_closed_form_MPa"], "MPa"))
            checks.append(Check(f"edge_first_{tag}", f"qualitative: CCP(edge)/CCP(mid) ({tag}; "
                                "< 1 passes)", 1.0 / r["focusing"], 1.0, "max"))
        for label in {r["electrolyte"] for r in rows}:
            series = sorted((r for r in rows if r["electrolyte"] == label),
                            key=lambda r: r["wagner"])
            if len(series) > 1:
                rising = min(a["focusing"] - b["focusing"]
                             for a, b in itertools.pairwise(series))
                checks.append(Check(f"focusing_grows_as_wa_falls_{label}",
                                    f"qualitative: min over neighbouring discs of focusing("
                                    f"smaller Wa) - focusing(larger Wa) ({label}; > 0 passes)",
                                    rising, 0.0, "min"))
        findings: dict[str, Any] = {"rows": rows, "planar": planar,
                                    "primary_mid_over_mean": 1.0 / (2.0 * math.sqrt(0.75))}
        if not quick:  # mesh convergence of the smallest LLZTO disc's edge flaw
            preset, kappa, stack, _ = ELECTROLYTES["LLZTO"]
            radius = RADII[0]
            spec = CrackSpec("edge", FLAW, PELLET * radius, THICKNESS * radius, position=radius,
                             voids=((radius, PELLET * radius),), ring=True)
            refined = ring_critical_current(comm, spec, electrolyte_preset(preset), kappa, stack,
                                            refinement=2.0)
            default = next(r for r in rows if r["electrolyte"] == "LLZTO"
                           and r["disc_radius_um"] == radius * 1e6)
            findings["refined_ccp_edge_mA_per_cm2"] = to_mA_per_cm2(refined[0])
            findings["refined_cells"] = refined[2]
            say(comm, console, f"  refined mesh ({refined[2]} cells): CCP at the edge "
                               f"{to_mA_per_cm2(refined[0]):.4g} mA/cm²")
            checks.append(Check("mesh_convergence_LLZTO_R100um", "CCP at the edge on the mesh "
                                "refined twice vs default (LLZTO, R = 100 um; 2 %)",
                                to_mA_per_cm2(refined[0]), 0.02, "rel",
                                default["ccp_edge_mA_per_cm2"], "mA/cm²"))
        return Outcome(rows=rows, checks=checks, findings=findings)

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Critical currents and the focusing factor against the Wagner number."""
        plt = pyplot()
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11.0, 4.4))
        for k, label in enumerate(dict.fromkeys(r["electrolyte"] for r in outcome.rows)):
            series = sorted((r for r in outcome.rows if r["electrolyte"] == label),
                            key=lambda r: r["wagner"])
            wa = [r["wagner"] for r in series]
            ax.plot(wa, [r["ccp_edge_mA_per_cm2"] for r in series], "o-", color=f"C{k}",
                    label=f"{label}: flaw at the edge")
            ax.plot(wa, [r["ccp_mid_mA_per_cm2"] for r in series], "s--", color=f"C{k}",
                    label=f"{label}: flaw at mid-radius")
            ax2.plot(wa, [r["focusing"] for r in series], "o-", color=f"C{k}",
                     label=f"{label}: disc")
            planar = series[0]["planar_focusing"]
            if math.isfinite(planar):
                ax2.axhline(planar, color=f"C{k}", ls=":",
                            label=f"{label}: planar electrode (Li 100 µm, 200 x 100 µm cell)")
        from matplotlib.ticker import NullFormatter

        for a in (ax, ax2):
            a.set_xscale("log")
            a.xaxis.set_minor_formatter(NullFormatter())
            a.set_xlabel(self.x_label)
            a.legend(fontsize=7)
        ax.set_yscale("log")
        ax.set_ylabel("critical mean plating current [mA/cm²]")
        ax.set_title("sealed 2 µm ring flaw, 2 Ω cm²")
        ax2.set_ylabel("edge focusing CCP(mid) / CCP(edge)")
        ax2.set_title("disc (R = 500, 200, 100 µm from left) vs planar")
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["DiscElectrodeEdge", "planar_focusing", "ring_critical_current"]
