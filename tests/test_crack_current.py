"""Plating into a Li-filled edge crack: the potential problem (manufactured solution with
observed rates), the steady Li pressure of a sealed crack against its closed form, extrusion,
and the critical plating current."""

from __future__ import annotations

import math

from mpi4py import MPI

import pytest
import ufl
from dolfinx import fem

from ssbx.meshes.cracks import CrackSpec, build_crack_mesh, default_sizes
from ssbx.physics.constants import FARADAY
from ssbx.physics.kinetics import ButlerVolmer, LinearKinetics
from ssbx.problems.crack_current import CrackCurrentProblem, sealed_pressure_estimate

OMEGA = 12.998e-6
KAPPA = 0.05  # 0.5 mS/cm
BV = ButlerVolmer(25.7)  # Z = 10 ohm cm^2
W = H = 20e-6


def _problem(comm, depth: float, kinetics=BV, refinement: float = 1.0, **kwargs):
    spec = CrackSpec("edge", depth, W, H)
    mesh = build_crack_mesh(comm, spec, default_sizes(spec, refinement=refinement))
    return CrackCurrentProblem(mesh, KAPPA, kinetics, OMEGA, **kwargs)


@pytest.mark.parametrize(("degree", "rate"), [(1, 1.9), (2, 2.85)])
def test_manufactured_solution_rates(degree, rate):
    """phi = 0.01 + g y + 0.004 cos(2 pi x/W) cos(pi (y - H)/H) (insulating sides, uniform
    counter-electrode flux) with sources in the bulk, on the interface and on the Li-filled
    faces (Butler–Volmer with the stack- and crack-pressure terms): L2 error falls as h^(k+1)
    on the crack meshes refined twice."""
    g = 10.0 / KAPPA
    errors = []
    for refinement in (1.0, 2.0, 4.0):
        spec = CrackSpec("edge", 4e-6, W, H)
        mesh = build_crack_mesh(MPI.COMM_WORLD, spec, default_sizes(spec, refinement=refinement))
        x, n = ufl.SpatialCoordinate(mesh.mesh), ufl.FacetNormal(mesh.mesh)
        exact = 0.01 + g * x[1] + 0.004 * ufl.cos(2 * math.pi * x[0] / W) * ufl.cos(
            math.pi * (x[1] - H) / H)
        flux = KAPPA * ufl.dot(ufl.grad(exact), n)
        p_s, p_li = 5e6, 50e6

        def current(pressure: float, exact=exact) -> ufl.core.expr.Expr:
            return BV.current_density(-exact + OMEGA * pressure / FARADAY, exp=ufl.exp)

        problem = CrackCurrentProblem(
            mesh, KAPPA, BV, OMEGA, degree=degree,
            source=-KAPPA * ufl.div(ufl.grad(exact)),
            interface_source=flux - current(p_s), face_source=flux - current(p_li))
        problem.solve(KAPPA * g, p_li, p_s)
        error = fem.assemble_scalar(fem.form((problem.phi - exact) ** 2 * ufl.dx))
        norm = fem.assemble_scalar(fem.form(exact ** 2 * ufl.dx))
        comm = MPI.COMM_WORLD
        errors.append(math.sqrt(comm.allreduce(error) / comm.allreduce(norm)))
        problem.close()
    observed = [math.log2(errors[k] / errors[k + 1]) for k in range(2)]
    assert min(observed) > rate, (errors, observed)


def test_sealed_crack_pressure_closed_form():
    """A sealed 0.5 um crack at 1 mA/cm^2: the Li pressure is p_s + F (|eta(i)| + i c /
    (2 kappa)) / Omega (faces at the undisturbed potential), 0.1 % of p - p_s; the stack
    pressure adds to it one to one; no current is left flowing into the crack."""
    problem = _problem(MPI.COMM_WORLD, 0.5e-6)
    sealed = problem.steady_pressure(10.0, 5e6)
    estimate = sealed_pressure_estimate(10.0, 5e6, BV, KAPPA, 0.5e-6, OMEGA)
    assert sealed.li_pressure - 5e6 == pytest.approx(estimate - 5e6, rel=1e-3)
    assert abs(sealed.crack_current) < 1e-6 * 10.0 * 0.5e-6
    unloaded = problem.steady_pressure(10.0, 0.0)
    assert sealed.li_pressure - unloaded.li_pressure == pytest.approx(5e6, rel=1e-4)
    assert sealed.interface_overpotential == pytest.approx(
        BV.overpotential_for(-10.0) + OMEGA * 0.0 / FARADAY, rel=1e-3)
    problem.close()


def test_extrusion_lowers_the_pressure_and_balances_plating():
    """With an outflow the steady pressure is lower and the plating into the crack equals the
    outflow there."""
    problem = _problem(MPI.COMM_WORLD, 1e-6)
    sealed = problem.steady_pressure(10.0, 0.0)

    def outflow(p: float) -> float:
        return 2e-10 * p * 1e-6  # A per m of depth: a soft, linear leak

    leaky = problem.steady_pressure(10.0, 0.0, outflow)
    assert 0.0 < leaky.li_pressure < sealed.li_pressure
    assert leaky.crack_current == pytest.approx(outflow(leaky.li_pressure), rel=1e-5)
    problem.close()


def test_critical_plating_current_linear_kinetics():
    """Linear kinetics, a small crack: the critical current is the current whose sealed
    pressure p_s + F (i Z + i c/(2 kappa)) / Omega reaches p_c (1 %)."""
    Z = 10e-4
    problem = _problem(MPI.COMM_WORLD, 0.5e-6, kinetics=LinearKinetics(Z))
    p_c, p_s = 300e6, 5e6
    i_c, at = problem.critical_plating_current(p_c, p_s)
    expected = (p_c - p_s) * OMEGA / FARADAY / (Z + 0.5e-6 / (2 * KAPPA))
    assert i_c == pytest.approx(expected, rel=0.01)
    assert at.li_pressure == pytest.approx(p_c, rel=0.01)
    problem.close()


@pytest.mark.mpi
def test_steady_pressure_parallel_equals_serial(comm):
    world = _problem(comm, 1e-6)
    alone = _problem(MPI.COMM_SELF, 1e-6)
    a, b = world.steady_pressure(10.0, 3e6), alone.steady_pressure(10.0, 3e6)
    assert a.li_pressure == pytest.approx(b.li_pressure, rel=1e-8)
    assert a.interface_overpotential == pytest.approx(b.interface_overpotential, rel=1e-8)
    world.close()
    alone.close()


@pytest.mark.slow
def test_crack_plating_current_quick(tmp_path):
    """Quick variant of the plating benchmark (1 um LLZTO flaw, sealed and bulk extrusion):
    the sealed critical current matches its closed form within 3 %, bulk Li extrudes enough to
    raise it, and it exceeds ssbx's CCS of the same interface (CCS < CCP)."""
    import json

    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "crack_plating_current"
    result = run_benchmark("crack_plating_current", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    for name in ("crack_plating_current.csv", "crack_plating_current.png", "result.json"):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "result.json").read_text())
    assert data["findings"]["sealed_closed_form_error"] < 0.03
    assert data["findings"]["LLZTO_ccp_1um_over_ccs"] > 1.0


@pytest.mark.slow
def test_singh_roughness_quick(tmp_path):
    """Quick variant of the roughness benchmark: the calibrated flaw population reproduces the
    small-grain datum with a direct finite-element solve (calibration check, 2 %), the
    interpolated flaw law agrees with the solver at the prediction, and the prediction and the
    earlier single-flaw row are written whatever the verdict."""
    import json

    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "singh"
    result = run_benchmark("singh_roughness_ccd", MPI.COMM_SELF, None, True, out)
    data = json.loads((out / "result.json").read_text())
    checks = {c["name"]: c for c in data["checks"]}
    assert checks["calibration"]["passed"], result.summary
    assert checks["interpolation"]["passed"], result.summary
    findings = data["findings"]
    assert abs(findings["calibration_mA_per_cm2"] / 0.9 - 1.0) < 0.02
    assert 0.0 < findings["predicted_mA_per_cm2"] < 0.9
    # the quick run's prediction (0.333 mA/cm^2; the full run's 0.332) to 2 %
    assert findings["predicted_mA_per_cm2"] == pytest.approx(0.333, rel=0.02)
    # the weakest flaw lies deeper than the roughness, and the coarse pellet's deeper still:
    # 14.3 and 62.6 um (full run 14.4 and 62.8), to 2 %
    flaws = findings["median_largest_flaw_um"]
    assert 1.1 < flaws["small grain"] < flaws["large grain"]
    assert flaws == pytest.approx({"small grain": 14.3, "large grain": 62.6}, rel=0.02)
    # contact spots focus the current (factor > 1) on both pellets: x1.81 and x1.62, to 2 %
    assert all(f > 1.0 for f in findings["focusing_factor"].values())
    assert findings["focusing_factor"] == pytest.approx(
        {"small grain": 1.81, "large grain": 1.62}, rel=0.02)
    assert findings["single_flaw_model"]["k_flaw_over_Rq"] > 1.0
    assert "default" in (out / "sensitivity.csv").read_text()
    assert (out / "singh_roughness_ccd.png").stat().st_size > 0
