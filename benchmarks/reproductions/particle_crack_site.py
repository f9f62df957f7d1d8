"""Where a charging cathode particle cracks: the site of the largest tension under the two
mechanisms of Woodford et al., against the TXM observation of Tsai et al. (Energy Environ. Sci.
11, 860, 2018): in ~10 um NMC333 and NCA particles charged at C/3, "cracks start near the
particle centre and grow outward".

1. Isotropic chemical strain (the diffusion-induced stress of Cheng & Verbrugge): a charge of
   Delta x = 0.4 at C/3 and at 3C. The tension is the hoop stress at the Li-poor surface, and
   it grows with the rate: surface cracking, rate-dependent.
2. Anisotropic lattice strain of randomly oriented primary grains at the same Delta x with a
   uniform concentration (the rate-independent misfit the rate test of
   ``tests/test_particle_case.py`` isolates), in two bodies:
   - the octant with symmetry planes (100 Voronoi grains, three seeds): every grain that
     touches a plane is mirrored into a twin with no misfit across the plane, and the core
     (r < R/2) has more of its volume next to the planes than the shell has, so the octant is
     not a particle of random grains;
   - the whole sphere (800 grains, the same grain size; three seeds) on isostatic supports,
     which carry no load (``ParticleGeometry.sphere``).
3. Textures (whole sphere, seed 0, the same grains): c-axes along the radius, and c-axes
   across it (the a-b planes radial, as in radially aligned primary grains). A continuous
   texture alone gives stresses that grow as ln r towards the centre
   (``ssbx.physics.intercalation.radially_textured_sphere``); with a tangential c-axis the
   radius shrinks more than the shells on charge and the centre is in tension.

The site is measured twice. Inside the grains by the largest principal stress per cell: where
its maximum is, and the ratio of its volume mean in the core (r < R/2) to that in the outer
shell (r > 0.8 R). On the grain boundaries (the intergranular cracks of Woodford et al.) by
the normal traction across them: where its maximum is, the mean over the core's and the
shell's boundary area, and where the most-opened 1 % of the boundary area lies (its share in
the core over the core's share of all boundary area: 1 = no preference). The
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
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from ssbx.problems.particle import ParticleGeometry

REFERENCE_FILE = DATA_DIR / "tsai2018_crack_site.json"
RADIUS = 5e-6  # the ~10 um-diameter TXM particles
LATTICE = LatticeStrain(0.03, -0.034)
START, CHANGE = 1.0, 0.4  # lithiation at the start, and the change on charge
CORE, SHELL = 0.5, 0.8  # r / R bounds of the core and the outer shell
TOP = 0.01  # the most-loaded fraction of the grain-boundary area whose site is reported
OCTANT_GRAINS, SPHERE_GRAINS = 100, 800  # equal grain sizes
TEXTURES = ("radial", "tangential")


def load_reference() -> dict[str, Any]:
    """The observation quoted, and the readings of the checks."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def site_statistics(comm: MPI.Comm, radius: np.ndarray, weight: np.ndarray,
                    value: np.ndarray) -> dict[str, Any]:
    """Where ``value`` [Pa] (per owned cell or boundary facet at ``radius`` [m], weighted by
    its volume or area ``weight``) is largest: its maximum and r/R there, the weighted means
    in the core and the outer shell and in ten shells, and the core's share of the most-loaded
    ``TOP`` of the weight over its share of all of it (1: no preference). Collective."""
    r = radius / RADIUS
    k = int(np.argmax(value)) if value.size else -1
    top, at = max(comm.allgather((float(value[k]), float(r[k])) if k >= 0
                                 else (-np.inf, 0.0)))
    edges = np.linspace(0.0, 1.0, 11)

    def mean(mask: np.ndarray) -> float:
        num = comm.allreduce(float(np.sum(weight[mask] * value[mask])), op=MPI.SUM)
        den = comm.allreduce(float(np.sum(weight[mask])), op=MPI.SUM)
        return num / den if den > 0 else float("nan")

    every = [np.concatenate(part) for part in zip(*comm.allgather((r, weight, value)),
                                                   strict=True)]
    if every[2].size == 0:  # nothing to rank (no grain boundary, say)
        return {"max": top, "max_at": at, "core": math.nan, "shell": math.nan,
                "profile": [math.nan] * 10, "top_core_enrichment": math.nan}
    order = np.argsort(every[2])[::-1]
    cumulative = np.cumsum(every[1][order])
    chosen = order[:int(np.searchsorted(cumulative, TOP * cumulative[-1])) + 1]
    core = every[0] < CORE
    share = np.sum(every[1][chosen][core[chosen]]) / np.sum(every[1][chosen])
    enrichment = share / (np.sum(every[1][core]) / cumulative[-1])
    return {"max": top, "max_at": at, "core": mean(r < CORE), "shell": mean(r > SHELL),
            "profile": [mean((r >= lo) & (r < hi)) for lo, hi in itertools.pairwise(edges)],
            "top_core_enrichment": float(enrichment)}


def _profile(comm: MPI.Comm, problem: Any) -> dict[str, Any]:
    """:func:`site_statistics` of the largest principal stress per cell (collective)."""
    return site_statistics(comm, *problem.cell_stresses())


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


def polycrystal_misfit(comm: MPI.Comm, geometry: ParticleGeometry, grains: int, seed: int,
                       *, texture: str = "random") -> dict[str, Any]:
    """The misfit at a uniform lithiation START - CHANGE of ``grains`` grains of ``texture``
    (:func:`~ssbx.meshes.grains.random_polycrystal`) in ``geometry`` (an octant or the whole
    sphere): :func:`site_statistics` of the largest principal stress, and under ``"boundary"``
    of the grain-boundary normal traction (3-D)."""
    from ssbx.meshes.grains import random_polycrystal
    from ssbx.problems.particle import c_axis_field

    octant = bool(geometry.rollers)
    polycrystal = random_polycrystal(grains, RADIUS, seed, octant=octant, texture=texture)
    problem = _problem(lattice=LATTICE,
                       axis=c_axis_field(geometry.mesh, polycrystal.axis_at), geometry=geometry,
                       prefix=f"ssbx_crack_site_{texture}_{seed}_{int(octant)}_")
    problem.set_uniform_concentration((START - CHANGE) * LIMN2O4.max_concentration)
    problem.step(1e30)  # no flux: the concentration stays uniform
    out = _profile(comm, problem)
    out["boundary"] = site_statistics(comm, *problem.grain_boundary_tractions(polycrystal))
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
    metric = ("site of the largest principal stress and of the largest grain-boundary normal "
              "traction (r/R), core / outer-shell ratios of their means and the core's share "
              "of the most-opened 1 % of the boundary area: isotropic (C/3, 3C), random "
              "grains in the octant and in the whole sphere (3 seeds each), radial and "
              "tangential textures")
    tolerance = ("isotropic: at the surface (r/R >= 0.9) and 3C/(C/3) >= 3; random grains in "
                 "the whole sphere and the tangential texture: core mean >= shell mean (the "
                 "observation: cracks start near the centre)")
    x_label = "r / R"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Two isotropic charges and the misfit of random and textured grains (quick: coarser
        meshes, fewer time steps and grains, one seed: the plumbing only, no site check)."""
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
        scale = 8 if quick else 1  # quick: 20 grains in the octant, 100 in the sphere
        whole = ParticleGeometry.sphere(comm, RADIUS, RADIUS * (0.2 if quick else 0.08),
                                        order=1)
        runs: dict[str, dict[str, Any]] = {}
        for seed in seeds:
            runs[f"octant_random_{seed}"] = polycrystal_misfit(
                comm, geometry, 20 if quick else OCTANT_GRAINS, seed)
            runs[f"sphere_random_{seed}"] = polycrystal_misfit(
                comm, whole, SPHERE_GRAINS // scale, seed)
        for texture in TEXTURES:
            runs[f"sphere_{texture}_0"] = polycrystal_misfit(comm, whole, SPHERE_GRAINS // scale,
                                                             0, texture=texture)
        for name, res in runs.items():
            gb = res["boundary"]
            say(comm, console, f"  {name}: principal {res['max'] / 1e6:.4g} MPa at r/R = "
                               f"{res['max_at']:.2f}, core/shell {res['core'] / 1e6:.4g} / "
                               f"{res['shell'] / 1e6:.4g} MPa; boundary traction "
                               f"{gb['max'] / 1e6:.4g} MPa at r/R = {gb['max_at']:.2f}, core/"
                               f"shell {gb['core'] / 1e6:.4g} / {gb['shell'] / 1e6:.4g} MPa, "
                               f"top 1 % in the core x{gb['top_core_enrichment']:.2f}")
        slow, fast = iso[1.0 / 3.0], iso[3.0]
        checks = [
            Check("isotropic_site", ref["checks"]["isotropic_site"]["reading"],
                  min(slow["max_at"], fast["max_at"]),
                  ref["checks"]["isotropic_site"]["min"], "min"),
            Check("isotropic_rate_dependence", ref["checks"]["isotropic_rate"]["reading"],
                  fast["max"] / slow["max"], ref["checks"]["isotropic_rate"]["min"], "min"),
        ]
        ratios = {name: res["core"] / res["shell"] for name, res in runs.items()}
        if not quick:  # 20-100 grains of ~40 cells each (quick) say nothing about the site
            checks.append(Check(
                "random_grains_core_over_shell", ref["checks"]["random_site"]["reading"],
                float(np.mean([ratios[f"sphere_random_{s}"] for s in seeds])),
                ref["checks"]["random_site"]["min"], "min"))
            checks.append(Check(
                "tangential_texture_core_over_shell",
                ref["checks"]["tangential_site"]["reading"], ratios["sphere_tangential_0"],
                ref["checks"]["tangential_site"]["min"], "min"))
        rows = []
        edges = np.linspace(0.0, 1.0, 11)
        for k in range(10):
            row = {"r_over_R": 0.5 * (edges[k] + edges[k + 1]),
                   "isotropic_c3_MPa": slow["profile"][k] / 1e6,
                   "isotropic_3c_MPa": fast["profile"][k] / 1e6}
            for name, res in runs.items():
                row[f"{name}_principal_MPa"] = res["profile"][k] / 1e6
                row[f"{name}_boundary_MPa"] = res["boundary"]["profile"][k] / 1e6
            rows.append(row)
        findings = {"isotropic": {f"{r:.3g}C": v for r, v in iso.items()},
                    "misfit": runs, "core_over_shell": ratios,
                    "cells_octant": geometry.mesh.topology.index_map(3).size_global,
                    "cells_sphere": whole.mesh.topology.index_map(3).size_global}
        return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                       plot_data={"rows": rows, "runs": list(runs)})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Volume means of the largest principal stress and area means of the grain-boundary
        traction against r/R: isotropic, random grains (octant and whole sphere), textures."""
        plt = pyplot()
        fig, axes = plt.subplots(2, 2, figsize=(12.0, 9.0))
        rows = outcome.plot_data["rows"]
        runs = outcome.plot_data["runs"]
        r = [row["r_over_R"] for row in rows]

        def curve(ax: Any, column: str, style: str, label: str, **kw: Any) -> None:
            ax.plot(r, [row[column] for row in rows], style, label=label, **kw)

        ax = axes[0, 0]
        curve(ax, "isotropic_c3_MPa", "o-", "isotropic, C/3")
        curve(ax, "isotropic_3c_MPa", "s-", "isotropic, 3C")
        ax.set_title("Diffusion-induced stress (isotropic strain), end of charge")
        ax = axes[0, 1]
        for name in runs:
            if "random" in name:
                curve(ax, f"{name}_principal_MPa", "o--" if "octant" in name else "o-",
                      name.replace("_", " "), color="C0" if "octant" in name else "C1",
                      alpha=0.8)
        ax.set_title("Random grains: octant (mirror planes) vs whole sphere")
        ax = axes[1, 0]
        for name, colour in (("sphere_random_0", "C1"), ("sphere_radial_0", "C2"),
                             ("sphere_tangential_0", "C3")):
            curve(ax, f"{name}_principal_MPa", "o-", name.split("_")[1] + " c-axes",
                  color=colour)
        ax.set_title("Textures (whole sphere, the same grains), Δx = 0.4")
        ax = axes[1, 1]
        for name, colour in (("octant_random_0", "C0"), ("sphere_random_0", "C1"),
                             ("sphere_radial_0", "C2"), ("sphere_tangential_0", "C3")):
            curve(ax, f"{name}_boundary_MPa", "o-", name.replace("_", " "), color=colour)
        ax.axhline(0.0, color="k", lw=0.6)
        ax.set_title("Normal traction across the grain boundaries")
        ax.set_ylabel("area mean of n·σ·n [MPa] (> 0 opens)")
        for a in axes.flat:
            a.axvspan(0.0, CORE, color="C3", alpha=0.06)
            a.set_xlabel("r / R (shaded: the core, where TXM sees cracks start)")
            if a is not axes[1, 1]:
                a.set_ylabel("volume mean of the largest principal stress [MPa]")
            a.grid(alpha=0.3)
            a.legend(fontsize=7)
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["ParticleCrackSite", "isotropic_charge", "polycrystal_misfit", "site_statistics"]
