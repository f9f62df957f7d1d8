"""Interface stability of Li on solid electrolytes: the Monroe–Newman number in its own setting,
Ahmad & Viswanathan's stability diagram, and whether modulus alone stabilises Li on LLZO or
Li6PS5Cl.

ssbx evaluates the isotropic stability parameter ``chi`` of Ahmad & Viswanathan (AV) with the
elastic problem of Monroe & Newman (MN) (:mod:`ssbx.physics.interface_stability`; the
interface stresses are checked here against dolfinx P2 elasticity), then:

1. MN's setting: the stiff-regime threshold ``G_se / G_Li`` for a PEO-like Poisson ratio 0.33
   with AV's Li (0.42); MN's abstract: "about twice".
2. AV's diagram in ``(G_se / G_Li, nu)`` with LLZO, Li6PS5Cl and the 70Li2S-30P2S5 glass (ssbx
   presets, ssbx's Li: Masias et al. 2019) at two estimates of ``nu = V_+ / V_Li``: AV's
   ionic-radius one and ssbx's volume-per-Li upper one; PEO as a band (its ``nu`` is not known
   to ssbx). AV's abstract: inorganic solids generally do not give stable electrodeposition.
3. The issue's claim quantified: the elastic potential shift is ``chi A``; the Li carries it
   only while it is elastic, i.e. up to the amplitude ``A_y`` at which its von Mises stress at
   the peak reaches its flow stress (1 MPa bulk; ~100 MPa is the order of submicron Li, an
   upper bound). That caps the stabilising overpotential at ``|chi| A_y / F`` — independent of
   the wavelength — which is compared with the overpotential that extends a Li-filled 1 µm
   edge flaw (Porz et al. 2017 closed form, :mod:`ssbx.physics.fracture`) and with the ohmic
   focusing ``(i/kappa) A_y`` at 1 mA/cm².
"""

from __future__ import annotations

import json
import math
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
from ssbx.physics import fracture
from ssbx.physics import interface_stability as st
from ssbx.physics.constants import FARADAY, LI_MOLAR_VOLUME
from ssbx.physics.creep_laws import LI_ELASTIC_MASIAS_2019
from ssbx.physics.electrolytes import electrolyte_preset
from ssbx.units import from_mA_per_cm2

REFERENCE_FILE = DATA_DIR / "interface_stability_reference.json"
#: Wavelength of the tabulated chi [m] (the flaw/asperity scale of the issue).
WAVELENGTH = 1e-6
#: Flaw depth of the Porz comparison [m].
FLAW = 1e-6
#: Li flow stresses [Pa]: bulk (~0.6-1 MPa, LePage et al. 2019; Masias et al. 2019) and an
#: upper bound of the order of submicron Li (Xu et al., PNAS 114, 57, 2017, approximate).
FLOW_STRESSES = {"bulk": 1e6, "submicron": 100e6}
CURRENT_MA_PER_CM2 = 1.0
INORGANIC = ("LLZO", "Li6PS5Cl", "70Li2S-30P2S5")
#: FE check: (wavelength [m], electrolyte or a fraction of G_Li, Poisson of the electrolyte).
FE_CASES = ((1e-6, "LLZO"), (0.3e-6, "Li6PS5Cl"), (3e-6, 0.2))


def load_reference() -> dict[str, Any]:
    """The quotes, AV's Li parameters and the check readings (``benchmarks/data``)."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def fe_interface(comm: MPI.Comm, k: float, g_se: float, nu_se: float, g_li: float,
                 nu_li: float, n_per_half_wave: int = 16) -> dict[str, float]:
    """MN's elastic problem by dolfinx P2 plane-strain elasticity: two bonded layers (Li below,
    electrolyte above, each two wavelengths thick, far ends fixed) on ``x`` in ``[0, pi/k]``
    with rollers on the symmetry planes, ``u_y = cos kx`` (``A = 1``) on the interface line and
    ``u_x`` free there. Returns the interface normal stress on each side and the shear stress
    (variationally consistent tractions: the residual of each layer against ``cos(kx)(1 -
    |y|/H) e_y`` or ``sin(kx)(1 - |y|/H) e_x``) per ``k A``, and ``u_x`` per ``A`` (least
    squares on the interface nodes). Collective on ``comm``."""
    import ufl
    from dolfinx import fem
    from dolfinx import mesh as dmesh
    from dolfinx.fem import petsc as fem_petsc

    length = math.pi / k
    depth = 4.0 * length
    nx = n_per_half_wave
    msh = dmesh.create_rectangle(comm, [np.array([0.0, -depth]), np.array([length, depth])],
                                 [nx, 8 * nx], dmesh.CellType.triangle)
    V = fem.functionspace(msh, ("Lagrange", 2, (2,)))
    Q = fem.functionspace(msh, ("DG", 0))
    in_se = fem.Function(Q)
    in_se.interpolate(lambda x: (x[1] > 0.0).astype(float))
    mu, lam = fem.Function(Q), fem.Function(Q)
    for f, (a_li, a_se) in ((mu, (g_li, g_se)),
                            (lam, (2 * g_li * nu_li / (1 - 2 * nu_li),
                                   2 * g_se * nu_se / (1 - 2 * nu_se)))):
        f.interpolate(lambda x, a_li=a_li, a_se=a_se: np.where(x[1] > 0.0, a_se, a_li))

    def sigma(w: Any) -> Any:
        eps = ufl.sym(ufl.grad(w))
        return 2.0 * mu * eps + lam * ufl.tr(eps) * ufl.Identity(2)

    u_t, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    a = ufl.inner(sigma(u_t), ufl.sym(ufl.grad(v))) * ufl.dx
    L = ufl.inner(fem.Constant(msh, np.zeros(2)), v) * ufl.dx
    fdim = msh.topology.dim - 1
    sides = dmesh.locate_entities_boundary(
        msh, fdim, lambda p: np.isclose(p[0], 0.0) | np.isclose(p[0], length))
    ends = dmesh.locate_entities_boundary(msh, fdim, lambda p: np.isclose(np.abs(p[1]), depth))
    Vx, Vy = V.sub(0), V.sub(1)
    Vy_c, _ = Vy.collapse()
    lift = fem.Function(Vy_c)
    lift.interpolate(lambda p: np.cos(k * p[0]))
    on_interface = fem.locate_dofs_geometrical(
        (Vy, Vy_c), lambda p: np.isclose(p[1], 0.0, atol=1e-9 * length))
    bcs = [fem.dirichletbc(0.0, fem.locate_dofs_topological(Vx, fdim, sides), Vx),
           fem.dirichletbc(np.zeros(2), fem.locate_dofs_topological(V, fdim, ends), V),
           fem.dirichletbc(lift, on_interface, Vy)]
    w = fem.Function(V)
    problem = fem_petsc.LinearProblem(
        a, L, u=w, bcs=bcs, petsc_options_prefix="ssbx_interface_stability_",
        petsc_options={"ksp_type": "preonly", "pc_type": "lu",
                       "pc_factor_mat_solver_type": "mumps"})
    try:
        problem.solve()
        if problem.solver.getConvergedReason() <= 0:
            raise RuntimeError("interface_stability: the FE solve did not converge")

        def traction(side: float, component: int) -> float:
            phi = fem.Function(V)
            trig = np.cos if component == 1 else np.sin

            def field(p: np.ndarray) -> np.ndarray:
                values = np.zeros((2, p.shape[1]))
                inside = side * p[1] >= -1e-12 * depth
                values[component] = trig(k * p[0]) * (1.0 - np.abs(p[1]) / depth) * inside
                return values

            phi.interpolate(field)
            weight = in_se if side > 0 else 1.0 - in_se
            form = fem.form(weight * ufl.inner(sigma(w), ufl.grad(phi)) * ufl.dx)
            total = comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
            # outward normal of the Li layer +e_y, of the electrolyte layer -e_y
            return -side * total / (0.5 * length) / k

        coords = V.tabulate_dof_coordinates()
        n_owned = V.dofmap.index_map.size_local
        on = np.flatnonzero(np.isclose(coords[:n_owned, 1], 0.0, atol=1e-9 * length))
        s_ = np.sin(k * coords[on, 0])
        ux = w.x.array.reshape(-1, 2)[on, 0]
        num = comm.allreduce(float(np.dot(ux, s_)), op=MPI.SUM)
        den = comm.allreduce(float(np.dot(s_, s_)), op=MPI.SUM)
        return {"sigma_yy_li": traction(-1.0, 1), "sigma_yy_se": traction(1.0, 1),
                "sigma_xy_li": traction(-1.0, 0), "sigma_xy_se": traction(1.0, 0),
                "u_x": num / den}
    finally:
        for name in ("_solver", "_A", "_b", "_x", "_P_mat"):
            obj = getattr(problem, name, None)
            if obj is not None:
                obj.destroy()


def _fe_rows(comm: MPI.Comm, quick: bool) -> list[dict[str, Any]]:
    li = LI_ELASTIC_MASIAS_2019
    rows = []
    for wavelength, which in FE_CASES[:1] if quick else FE_CASES:
        if isinstance(which, str):
            el = electrolyte_preset(which).elastic
            g_se, nu_se, label = el.shear_modulus, el.nu, which
        else:
            g_se, nu_se, label = which * li.shear_modulus, 0.33, f"{which:g} G_Li (polymer-like)"
        k = 2.0 * math.pi / wavelength
        exact = st.interface_stress(g_se, nu_se, li.shear_modulus, li.nu)
        fe = fe_interface(comm, k, g_se, nu_se, li.shear_modulus, li.nu,
                          12 if quick else 16)
        errors = {
            "sigma_yy_li": fe["sigma_yy_li"] / exact.sigma_yy_li - 1.0,
            "sigma_yy_se": fe["sigma_yy_se"] / exact.sigma_yy_se - 1.0,
            "sigma_xy": max(abs(fe["sigma_xy_li"] / exact.sigma_xy - 1.0),
                            abs(fe["sigma_xy_se"] / exact.sigma_xy - 1.0)),
        }
        rows.append({"electrolyte": label, "wavelength_um": wavelength * 1e6,
                     "sigma_yy_se_per_kA_GPa": exact.sigma_yy_se * 1e-9,
                     "sigma_yy_li_per_kA_GPa": exact.sigma_yy_li * 1e-9,
                     "sigma_xy_per_kA_GPa": exact.sigma_xy * 1e-9,
                     **{f"rel_error_{key}": abs(val) for key, val in errors.items()},
                     "u_x_error": abs(fe["u_x"] - exact.u_x)})
    return rows


def _material_rows() -> list[dict[str, Any]]:
    li = LI_ELASTIC_MASIAS_2019
    g_li, nu_li = li.shear_modulus, li.nu
    k = 2.0 * math.pi / WAVELENGTH
    i = from_mA_per_cm2(CURRENT_MA_PER_CM2)
    rows = []
    for name, p in st.stability_points(LI_MOLAR_VOLUME).items():
        stress = st.interface_stress(p.G, p.poisson, g_li, nu_li)
        preset = electrolyte_preset(name) if name in INORGANIC else None
        if preset is not None and preset.fracture_toughness is not None:
            p_c = fracture.critical_pressure(preset.fracture_toughness, FLAW,
                                             fracture.EDGE_FACTOR)
            eta_c = fracture.critical_overpotential(preset.fracture_toughness, FLAW,
                                                    fracture.EDGE_FACTOR, LI_MOLAR_VOLUME)
            ohm_per_amplitude = i / preset.conductivity
        else:
            p_c = eta_c = ohm_per_amplitude = math.nan
        for estimate, nu in (("ionic", p.volume_ratio), ("volume_per_Li", p.volume_ratio_upper)):
            if nu is None:
                continue
            terms = st.stability_terms(k, p.G, p.poisson, g_li, nu_li, nu,
                                       st.AV_LI_SURFACE_TENSION, LI_MOLAR_VOLUME)
            k_crit = st.critical_wavenumber(p.G, p.poisson, g_li, nu_li, nu,
                                            st.AV_LI_SURFACE_TENSION, LI_MOLAR_VOLUME)
            r_c = st.neutral_modulus_ratio(nu, nu_li, p.poisson)
            row: dict[str, Any] = {
                "electrolyte": name, "nu_estimate": estimate, "G_GPa": p.G * 1e-9,
                "modulus_ratio": p.G / g_li, "volume_ratio": nu,
                "neutral_modulus_ratio": r_c if r_c is not None else math.nan,
                "regime": st.regime(p.G / g_li, nu, nu_li, p.poisson),
                "chi_mech_kJ_per_mol_nm": terms.mechanical * 1e-12,
                "lambda_crit_nm": 2 * math.pi / k_crit * 1e9 if k_crit else math.nan,
                "p_c_1um_MPa": p_c * 1e-6, "eta_c_1um_mV": eta_c * 1e3,
            }
            for label, sigma_y in FLOW_STRESSES.items():
                a_y = sigma_y / (k * stress.von_mises_li)
                eta = abs(terms.mechanical) * a_y / FARADAY
                row[f"A_yield_{label}_nm"] = a_y * 1e9
                row[f"eta_mech_{label}_mV"] = eta * 1e3
                row[f"ohmic_focusing_{label}_uV"] = ohm_per_amplitude * a_y * 1e6
            rows.append(row)
    return rows


@register
class InterfaceStability(DirectBenchmark):
    """Benchmark ``interface_stability`` (see the module docstring)."""

    name = "interface_stability"
    title = ("Interface stability: Monroe–Newman threshold, Ahmad–Viswanathan stability "
             "diagram, and why modulus alone does not stabilise Li on LLZO or Li6PS5Cl")
    source = (
        "C. Monroe, J. Newman, J. Electrochem. Soc. 152, A396 (2005), doi:10.1149/1.1850854; "
        "Z. Ahmad, V. Viswanathan, Phys. Rev. Lett. 119, 056003 (2017), "
        "doi:10.1103/PhysRevLett.119.056003 (abstracts; chi from the authors' public code, "
        "Ahmad et al., ACS Cent. Sci. 4, 996, 2018); L. Porz et al., Adv. Energy Mater. 7, "
        "1701003 (2017) for the flaw comparison"
    )
    reference = ("interface_stability_reference.json (quotes, AV's Li parameters, the readings "
                 "of the checks); dolfinx P2 elasticity for the interface stresses")
    metric = ("elastic stabilising overpotential Li can carry at its bulk flow stress over the "
              "overpotential that extends a Li-filled 1 um flaw (largest over LLZO, Li6PS5Cl, "
              "70Li2S-30P2S5 and both nu estimates)")
    tolerance = ("ratio <= 0.1; MN threshold within 25 % of 2; no inorganic electrolyte stable "
                 "with AV's nu; FE stresses within 1e-3")
    x_label = "G_electrolyte / G_Li"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """FE check, MN threshold, the map and the overpotential comparison."""
        ref = load_reference()
        fe_rows = _fe_rows(comm, quick)
        fe_err = max(max(r["rel_error_sigma_yy_li"], r["rel_error_sigma_yy_se"],
                         r["rel_error_sigma_xy"]) for r in fe_rows)
        say(comm, console, f"  dolfinx P2 vs closed form: max relative stress error {fe_err:.2e}")

        nu_li_av, nu_mn = st.AV_LI_POISSON, st.MN_POLYMER_POISSON
        mn_limit = st.neutral_modulus_ratio_limit(nu_li_av, nu_mn)
        mn_curve = {nu: st.neutral_modulus_ratio(nu, nu_li_av, nu_mn)
                    for nu in (1.5, 2.0, 3.0, 5.0, 10.0)}
        soft = st.neutral_modulus_ratio(0.0, nu_li_av, nu_mn)
        say(comm, console, f"  MN setting (Poisson 0.42 / 0.33): stiff threshold G_se/G_Li -> "
                           f"{mn_limit:.3f} as nu -> inf ("
                           + ", ".join(f"{r:.2f} at nu={n:g}" for n, r in mn_curve.items())
                           + f"); soft threshold {soft:.4f} at nu = 0")

        rows = _material_rows()
        for r in rows:
            say(comm, console, f"  {r['electrolyte']:>14} nu={r['volume_ratio']:.3f} "
                               f"({r['nu_estimate']}): G/G_Li={r['modulus_ratio']:.3g}, "
                               f"r_c={r['neutral_modulus_ratio']:.3g}, {r['regime']}; "
                               f"|chi| A_y/F = {r['eta_mech_bulk_mV']:.3g} mV (1 MPa), "
                               f"{r['eta_mech_submicron_mV']:.3g} mV (100 MPa); "
                               f"flaw eta_c = {r['eta_c_1um_mV']:.3g} mV")
        inorganic = [r for r in rows if r["electrolyte"] in INORGANIC]
        stable_ionic = sum(r["regime"] != "unstable" for r in inorganic
                           if r["nu_estimate"] == "ionic")
        ratio = max(r["eta_mech_bulk_mV"] / r["eta_c_1um_mV"] for r in inorganic)
        ratio_sub = max(r["eta_mech_submicron_mV"] / r["eta_c_1um_mV"] for r in inorganic)
        checks = [
            Check("flow_capped_overpotential_ratio",
                  "largest |chi_mech| A_y / F (either sign) at the bulk Li flow stress (1 MPa) "
                  "over the overpotential that extends a Li-filled 1 um edge flaw (LLZO, "
                  "Li6PS5Cl, LPS glass; both nu estimates)",
                  ratio, ref["checks"]["flow_capped_overpotential_ratio"]["max"], "max"),
            Check("mn_stiff_threshold",
                  "G_se/G_Li above which the elastic terms stabilise, nu -> inf, Poisson 0.42 / "
                  "0.33 (= 3 - 4 nu_se); MN: 'about twice'", mn_limit,
                  ref["checks"]["mn_about_twice"]["relative_tolerance"], "rel",
                  ref["checks"]["mn_about_twice"]["target"]),
            Check("inorganic_stable_count",
                  "LLZO, Li6PS5Cl, 70Li2S-30P2S5 elastically stable with AV's ionic-radius nu "
                  "(AV: inorganic solids generally not stable)", float(stable_ionic), 0.0, "abs",
                  float(ref["checks"]["inorganic_stable_count"]["target"])),
            Check("fe_relative_error",
                  "dolfinx P2 interface stresses (normal on both sides, shear) vs ssbx's closed "
                  "form, 3 wavelengths (1 in quick runs)", fe_err,
                  ref["checks"]["fe_relative_error"]["max"], "max"),
        ]
        findings = {
            "mn_stiff_threshold_nu_inf": mn_limit,
            "mn_stiff_threshold_by_nu": {str(k): v for k, v in mn_curve.items()},
            "soft_threshold_nu0_av_li": soft,
            "flow_capped_ratio_bulk": ratio, "flow_capped_ratio_submicron": ratio_sub,
            "fe_max_relative_error": fe_err, "fe": fe_rows,
            "materials": rows,
        }
        columns = list(rows[0].keys())
        for r in rows:
            for key in columns:
                r.setdefault(key, math.nan)
        return Outcome(rows=rows, checks=checks, columns=columns, findings=findings,
                       plot_data={"fe": fe_rows})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """The stability map with the electrolytes, and the overpotential comparison."""
        plt = pyplot()
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12.0, 5.0))
        nu_li = LI_ELASTIC_MASIAS_2019.nu
        nus_low = np.linspace(0.0, 0.995, 200)
        nus_high = np.geomspace(1.005, 4.0, 200)  # the map's nu range
        for nu_se, style, label in ((st.MN_POLYMER_POISSON, "k-", "Poisson 0.42 / 0.33 (AV, MN)"),
                                    (0.30, "C0--", f"ssbx Li {nu_li} / 0.30 (sulfides)"),
                                    (0.257, "C1:", f"ssbx Li {nu_li} / 0.257 (LLZO)")):
            li_nu = st.AV_LI_POISSON if "AV" in label else nu_li
            low = [st.neutral_modulus_ratio(v, li_nu, nu_se) for v in nus_low]
            high = [st.neutral_modulus_ratio(v, li_nu, nu_se) for v in nus_high]
            ax.plot(low, nus_low, style, lw=1.5, label=f"neutral curve, {label}")
            ax.plot(high, nus_high, style, lw=1.5)
        ax.axhline(1.0, color="0.5", lw=0.8)
        ax.text(1e-2, 0.45, "density-driven\nstable (soft)", fontsize=8)
        ax.text(20.0, 2.6, "pressure-driven\nstable (stiff)", fontsize=8)
        ax.text(20.0, 0.45, "unstable", fontsize=8)
        ax.text(1.5e-1, 2.9, "unstable", fontsize=8)
        for k, r in enumerate(x for x in outcome.rows if x["electrolyte"] in INORGANIC
                              and x["nu_estimate"] == "ionic"):
            upper = next(x for x in outcome.rows if x["electrolyte"] == r["electrolyte"]
                         and x["nu_estimate"] == "volume_per_Li")
            ax.plot([r["modulus_ratio"]] * 2, [r["volume_ratio"], upper["volume_ratio"]], "--",
                    color=f"C{k + 2}", lw=0.8)
            ax.plot(r["modulus_ratio"], r["volume_ratio"], "o", color=f"C{k + 2}",
                    label=f"{r['electrolyte']} (nu: ionic radius ●, volume per Li ○)")
            ax.plot(upper["modulus_ratio"], upper["volume_ratio"], "o", mfc="none",
                    color=f"C{k + 2}")
        peo = next(x for x in outcome.rows if x["electrolyte"] == "PEO")
        ax.axvspan(0.5 * peo["modulus_ratio"], 2.0 * peo["modulus_ratio"], color="0.85",
                   label="PEO (G ~ 1 MPa; nu unknown)")
        ax.set_xscale("log")
        ax.set_xlim(1e-4, 1e2)
        ax.set_ylim(0.0, 4.0)
        ax.set_xlabel(self.x_label)
        ax.set_ylabel("nu = V_+ / V_Li")
        ax.set_title("AV's elastic stability map (chi_mech < 0 stable)")
        ax.legend(fontsize=6.5, loc="upper left")

        inorganic = [r for r in outcome.rows if r["electrolyte"] in INORGANIC
                     and r["nu_estimate"] == "ionic"]
        x = np.arange(len(inorganic))
        ax2.bar(x - 0.3, [r["eta_mech_bulk_mV"] for r in inorganic], 0.2,
                label="|chi| A_y / F, Li flow stress 1 MPa")
        ax2.bar(x - 0.1, [r["eta_mech_submicron_mV"] for r in inorganic], 0.2,
                label="|chi| A_y / F, 100 MPa (submicron bound)")
        ax2.bar(x + 0.1, [r["eta_c_1um_mV"] for r in inorganic], 0.2,
                label="Li-filled 1 µm flaw extends (Porz)")
        ax2.bar(x + 0.3, [r["ohmic_focusing_bulk_uV"] * 1e-3 for r in inorganic], 0.2,
                label="ohmic focusing (i/κ) A_y at 1 mA/cm²")
        ax2.set_xticks(x, [r["electrolyte"] for r in inorganic])
        ax2.set_yscale("log")
        ax2.set_ylabel("overpotential [mV]")
        ax2.set_title("elastic term Li can carry vs a Li-filled flaw (ionic nu)")
        ax2.legend(fontsize=7)
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["InterfaceStability", "fe_interface", "load_reference"]
