"""Where a charging cathode particle cracks: the site of the largest tension under the two
mechanisms of Woodford et al., against the TXM observation of Tsai et al. (Energy Environ. Sci.
11, 860, 2018): in ~10 um NMC333 and NCA particles charged at C/3, "cracks start near the
particle centre and grow outward".

1. Isotropic chemical strain (the diffusion-induced stress of Cheng & Verbrugge): a charge of
   Delta x = 0.4 at C/3 and at 3C. The tension is the hoop stress at the Li-poor surface, and
   it grows with the rate: surface cracking, rate-dependent.
2. Anisotropic lattice strain of randomly oriented primary grains (100 Voronoi grains in the
   octant, three seeds) at the same Delta x with a uniform concentration (the rate-independent
   misfit the rate test of ``tests/test_particle_case.py`` isolates).

The site is measured by the largest principal stress per cell: where its maximum is, and the
ratio of its volume mean in the core (r < R/2) to that in the outer shell (r > 0.8 R). The
lattice strains are of the order of NMC333 between x = 1 and 0.5 (a -1.5 %, c +1.7 % on charge;
the shape of Tsai et al.'s Fig. 3c, replotted there from Watanabe et al. 2014 and Tsai et al.
2005; not read from a table); the elastic constants and D are the LiMn2O4 preset's (the sites
and ratios do not depend on E; the magnitudes scale with it). The octant's symmetry planes
mirror the microstructure.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.framework import (
    DATA_DIR,
    Check,
    DirectBenchmark,
    Outcome,
    pyplot,
    register,
    save_figure,
    say,
)
from ssbx.physics.constants import FARADAY
from ssbx.physics.intercalation_materials import LIMN2O4
from ssbx.physics.particle import LatticeStrain, SurfaceKinetics, linear_ocv

REFERENCE_FILE = DATA_DIR / "tsai2018_crack_site.json"
RADIUS = 5e-6  # the ~10 um-diameter TXM particles
LATTICE = LatticeStrain(0.03, -0.034)
START, CHANGE = 1.0, 0.4  # lithiation at the start, and the change on charge
CORE, SHELL = 0.5, 0.8  # r / R bounds of the core and the outer shell


def load_reference() -> dict[str, Any]:
    """The observation quoted, and the readings of the checks."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def _profile(comm: MPI.Comm, problem: Any) -> dict[str, Any]:
    """Largest principal stress: its maximum and where, core and shell means, and the
    volume-mean profile in ten shells (collective)."""
    radius, volume, principal = problem.cell_stresses()
    r = radius / RADIUS
    value, at = problem.largest_principal_stress()
    edges = np.linspace(0.0, 1.0, 11)

    def mean(mask: np.ndarray) -> float:
        num = comm.allreduce(float(np.sum(volume[mask] * principal[mask])), op=MPI.SUM)
        den = comm.allreduce(float(np.sum(volume[mask])), op=MPI.SUM)
        return num / den if den > 0 else float("nan")

    profile = [mean((r >= lo) & (r < hi)) for lo, hi in itertools.pairwise(edges)]
    return {"max": value, "max_at": at / RADIUS, "core": mean(r < CORE), "shell": mean(r > SHELL),
            "profile": profile}


def _problem(*, lattice: LatticeStrain | None, axis: Any,
             geometry: Any, prefix: str) -> Any:
    from ssbx.problems.particle import ParticleProblem

    c_max = LIMN2O4.max_concentration
    material = LIMN2O4
    if lattice is None:  # the isotropic strain of the same volume change
        omega = (2 * LATTICE.alpha_a + LATTICE.alpha_c) / c_max
        material = dataclasses.replace(LIMN2O4, molar_volume=omega)
    kinetics = SurfaceKinetics(1.0, linear_ocv(4.0, START * c_max, -1e-5))
    return ParticleProblem(geometry, material, kinetics, initial_concentration=START * c_max,
                           degree=1, mechanics=True, lattice=lattice, c_axis=axis,
                           options_prefix=prefix)


def isotropic_charge(comm: MPI.Comm, geometry: Any, c_rate: float, *, steps: int = 30
                     ) -> dict[str, Any]:
    """Charge by ``CHANGE`` at ``c_rate`` (1C: Delta x = 1 in an hour), isotropic strain;
    time steps graded by 1.2 up to 1/``steps`` of the charge."""
    from ssbx.problems.particle import graded_times

    problem = _problem(lattice=None, axis=None, geometry=geometry,
                       prefix=f"ssbx_crack_site_iso_{c_rate:g}_")
    capacity = LIMN2O4.max_concentration * FARADAY * RADIUS / 3.0  # C/m^2 per unit x
    current = c_rate * capacity / 3600.0
    duration = CHANGE / c_rate * 3600.0
    problem.apply_current_density(-current)
    tau = RADIUS ** 2 / LIMN2O4.diffusivity
    problem.run(graded_times(duration, 1e-5 * tau, ratio=1.2,
                             max_step=min(duration / steps, 0.01 * tau)))
    out = _profile(comm, problem)
    out["lithiation"] = problem.state().mean_concentration / LIMN2O4.max_concentration
    problem.close()
    return out


def polycrystal_misfit(comm: MPI.Comm, geometry: Any, grains: int, seed: int
                       ) -> dict[str, Any]:
    """The misfit at a uniform lithiation START - CHANGE of ``grains`` random grains."""
    from ssbx.meshes.grains import random_polycrystal
    from ssbx.problems.particle import c_axis_field

    polycrystal = random_polycrystal(grains, RADIUS, seed, octant=True)
    problem = _problem(lattice=LATTICE,
                       axis=c_axis_field(geometry.mesh, polycrystal.axis_at), geometry=geometry,
                       prefix=f"ssbx_crack_site_poly_{seed}_")
    problem.set_uniform_concentration((START - CHANGE) * LIMN2O4.max_concentration)
    problem.step(1e30)  # no flux: the concentration stays uniform
    out = _profile(comm, problem)
    problem.close()
    return out


@register
class ParticleCrackSite(DirectBenchmark):
    """Benchmark ``particle_crack_site`` (see the module docstring)."""

    name = "particle_crack_site"
    title = ("Crack site in a charging cathode particle: isotropic diffusion-induced stress vs "
             "grain misfit, against the centre cracks seen by TXM")
    source = ("P.-C. Tsai et al., Energy Environ. Sci. 11, 860 (2018), doi:10.1039/c8ee00001h "
              "(TXM of NMC333 and NCA charged at C/3); W. H. Woodford et al., J. Electrochem. "
              "Soc. 157, A1052 (2010) for the two mechanisms; Y.-T. Cheng, M. W. Verbrugge, J. "
              "Power Sources 190, 453 (2009) for the isotropic stresses")
    reference = "tsai2018_crack_site.json (the observation quoted and the readings)"
    metric = ("site of the largest principal stress (r/R) and the core / outer-shell ratio of "
              "its volume mean, isotropic (C/3, 3C) and random polycrystal (3 seeds)")
    tolerance = ("isotropic: at the surface (r/R >= 0.9) and 3C/(C/3) >= 3; polycrystal: core "
                 "mean >= shell mean (the observation: cracks start near the centre)")
    x_label = "r / R"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Two isotropic charges and the polycrystal misfit (quick: a coarser mesh, fewer
        time steps, one seed of 20 grains: the plumbing only)."""
        from ssbx.problems.particle import ParticleGeometry

        ref = load_reference()
        geometry = ParticleGeometry.sphere_octant(comm, RADIUS, RADIUS * (0.2 if quick
                                                                          else 0.08))
        iso = {rate: isotropic_charge(comm, geometry, rate, steps=8 if quick else 30)
               for rate in (1.0 / 3.0, 3.0)}
        for rate, res in iso.items():
            say(comm, console, f"  isotropic, {rate:.3g}C to x = {res['lithiation']:.3f}: "
                               f"largest principal {res['max'] / 1e6:.3g} MPa at r/R = "
                               f"{res['max_at']:.3f}; core/shell means {res['core'] / 1e6:.3g}"
                               f" / {res['shell'] / 1e6:.3g} MPa")
        seeds = (0,) if quick else (0, 1, 2)
        grains = 20 if quick else 100
        poly = {seed: polycrystal_misfit(comm, geometry, grains, seed) for seed in seeds}
        for seed, res in poly.items():
            say(comm, console, f"  {grains} grains, seed {seed}: largest principal "
                               f"{res['max'] / 1e6:.4g} MPa at r/R = {res['max_at']:.3f}; "
                               f"core/shell means {res['core'] / 1e6:.4g} / "
                               f"{res['shell'] / 1e6:.4g} MPa (ratio "
                               f"{res['core'] / res['shell']:.3f})")
        ratios = [res["core"] / res["shell"] for res in poly.values()]
        slow, fast = iso[1.0 / 3.0], iso[3.0]
        checks = [
            Check("isotropic_site", ref["checks"]["isotropic_site"]["reading"],
                  min(slow["max_at"], fast["max_at"]),
                  ref["checks"]["isotropic_site"]["min"], "min"),
            Check("isotropic_rate_dependence", ref["checks"]["isotropic_rate"]["reading"],
                  fast["max"] / slow["max"], ref["checks"]["isotropic_rate"]["min"], "min"),
        ]
        if not quick:  # 20 grains of ~40 cells each (quick) say nothing about the site
            checks.append(Check("polycrystal_core_over_shell",
                                ref["checks"]["polycrystal_site"]["reading"],
                                float(np.mean(ratios)), ref["checks"]["polycrystal_site"]["min"],
                                "min"))
        rows = []
        edges = np.linspace(0.0, 1.0, 11)
        for k in range(10):
            row = {"r_over_R": 0.5 * (edges[k] + edges[k + 1]),
                   "isotropic_c3_MPa": slow["profile"][k] / 1e6,
                   "isotropic_3c_MPa": fast["profile"][k] / 1e6}
            for seed, res in poly.items():
                row[f"polycrystal_seed{seed}_MPa"] = res["profile"][k] / 1e6
            rows.append(row)
        findings = {"isotropic": {f"{r:.3g}C": v for r, v in iso.items()},
                    "polycrystal": {str(s): v for s, v in poly.items()},
                    "core_over_shell": ratios,
                    "cells": geometry.mesh.topology.index_map(3).size_global}
        return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                       plot_data={"rows": rows, "iso": iso, "poly": poly})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Volume-mean largest principal stress against r/R for each mechanism."""
        plt = pyplot()
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12.0, 4.6))
        rows = outcome.plot_data["rows"]
        r = [row["r_over_R"] for row in rows]
        ax.plot(r, [row["isotropic_c3_MPa"] for row in rows], "o-", label="isotropic, C/3")
        ax.plot(r, [row["isotropic_3c_MPa"] for row in rows], "s-", label="isotropic, 3C")
        ax.set_title("Diffusion-induced stress (isotropic strain), end of charge")
        for seed in outcome.plot_data["poly"]:
            ax2.plot(r, [row[f"polycrystal_seed{seed}_MPa"] for row in rows], "o-",
                     label=f"random grains, seed {seed}")
        ax2.axvspan(0.0, CORE, color="C3", alpha=0.08, label="core (TXM: cracks start here)")
        ax2.set_title("Grain misfit (anisotropic lattice strain), Δx = 0.4")
        for a in (ax, ax2):
            a.set_xlabel("r / R")
            a.set_ylabel("volume mean of the largest principal stress [MPa]")
            a.grid(alpha=0.3)
            a.legend(fontsize=8)
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["ParticleCrackSite", "isotropic_charge", "polycrystal_misfit"]
