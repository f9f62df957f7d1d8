"""Phase-field (AT2) fracture of the electrolyte with a Li-pressurised crack."""

from __future__ import annotations

import json
import math

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from ssbx.physics.phase_field import effective_toughness, energy_positive, strain3, stress


def _cell_value(expr, msh) -> float:
    return MPI.COMM_WORLD.allreduce(fem.assemble_scalar(fem.form(expr * ufl.dx)), op=MPI.SUM)


def test_split_breaks_tension_not_compression():
    """Amor's split: in pure shear and tension psi+ is the whole elastic energy; under
    hydrostatic (in-plane) compression it holds only the deviatoric part, and the stress of
    a broken point (d = 1) keeps the compressive mean stress."""
    msh = dmesh.create_unit_square(MPI.COMM_SELF, 1, 1)
    V = fem.functionspace(msh, ("Lagrange", 1, (2,)))
    u = fem.Function(V)
    E, nu = 1.0, 0.25
    lmbda, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    for sign in (1.0, -1.0):
        u.interpolate(lambda x, s=sign: np.vstack([s * 1e-3 * x[0], s * 1e-3 * x[1]]))
        eps = strain3(u)
        total = 0.5 * lmbda * ufl.tr(eps) ** 2 + mu * ufl.inner(eps, eps)
        positive = _cell_value(energy_positive(eps, E, nu), msh)
        if sign > 0:
            assert positive == pytest.approx(_cell_value(total, msh), rel=1e-12)
        else:
            dev = eps - ufl.tr(eps) / 3 * ufl.Identity(3)
            assert positive == pytest.approx(_cell_value(mu * ufl.inner(dev, dev), msh),
                                             rel=1e-12)
            broken = stress(eps, 1.0, E, nu, residual=0.0)
            bulk = E / (3 * (1 - 2 * nu))
            assert _cell_value(ufl.tr(broken) / 3, msh) == pytest.approx(
                bulk * -2e-3, rel=1e-12)
    assert effective_toughness(2.0, 0.01, 0.04) == pytest.approx(2.0 * (1 + 3 / 32))


@pytest.mark.slow
def test_phase_field_griffith_quick(tmp_path):
    """The stationary pressurised crack (d = 1 in a one-element band) opens by Sneddon's
    volume within 5 %, and at l/a = 0.05, h = l/4 its critical pressure is within 5 % of LEFM's
    with AT2's effective toughness (the quick variant's checks)."""
    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "pf"
    result = run_benchmark("phase_field_griffith", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    data = json.loads((out / "result.json").read_text())
    run = data["findings"]["runs"][0]
    assert abs(run["volume_over_sneddon"] - 1.0) < 0.05
    assert 0.9 < run["runs_over_pc"] < 1.15
    assert math.isfinite(run["stable_over_pc"])


@pytest.mark.mpi
def test_phase_field_parallel_equals_serial(comm):
    """Two pressure steps of a coarse pressurised crack: the damage extent and the crack
    half-length on the world communicator equal one rank's."""
    from ssbx.meshes.phase_field import build_band_mesh
    from ssbx.problems.phase_field import PhaseFieldCrack

    def run(c):
        mesh = build_band_mesh(c, 6.0, 6.0, 2.0, 0.6, 0.05, 0.5, transition=1.0)
        problem = PhaseFieldCrack(mesh, 1.0, 0.25, 1.0, 0.1, 1.0, crack_width=0.05)
        steps = [problem.step(p) for p in (0.3, 0.55)]
        problem.close()
        return steps

    for a, b in zip(run(comm), run(MPI.COMM_SELF), strict=True):
        assert a.half_length == pytest.approx(b.half_length, rel=1e-7)
        assert (a.tip, a.band) == pytest.approx((b.tip, b.band), rel=1e-9)
        assert a.iterations == b.iterations
