"""ssbx's particle side by side with PyBaMM's particle-mechanics submodel (benchmark
``pybamm_particle_mechanics``): the quick run must pass — surface hoop stress of PyBaMM's Ai2020
LiCoO2 particle under 1C lithiation equal to ssbx's to 3e-3 with and without the stress-coupled
flux, and both equal to the Cheng–Verbrugge series to 2e-3 one-way."""

from __future__ import annotations

import json

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.benchmarks.framework import BUILTIN_MODULES, get_benchmark, run_benchmark

pytestmark = pytest.mark.slow


def test_registered_with_source_metric_tolerance():
    assert "reproductions.pybamm_particle_mechanics" in BUILTIN_MODULES
    d = get_benchmark("pybamm_particle_mechanics").describe()
    assert all(d[k] for k in ("source", "reference", "metric", "tolerance"))


def test_series_hoop_reaches_the_steady_state():
    """The series' surface hoop stress tends to Cheng–Verbrugge's steady 3 f J R (1 - 2)/(5 D)."""
    from ssbx.benchmarks.reproductions.pybamm_particle_mechanics import DIFFUSIVITY, series_hoop
    from ssbx.physics import intercalation as ic
    from ssbx.physics.constants import FARADAY

    p = {"current_density": -0.66, "radius": 3e-6, "molar_volume": -7.28e-7,
         "youngs_modulus": 375e9, "poisson_ratio": 0.2}
    late = series_hoop(np.array([0.0, 5.0 * p["radius"] ** 2 / DIFFUSIVITY]), p)
    factor = ic.stress_factor(p["molar_volume"], p["youngs_modulus"], p["poisson_ratio"])
    _, hoop = ic.galvanostatic_steady_stresses(np.array([1.0]), 0.66 / FARADAY, p["radius"],
                                               DIFFUSIVITY, factor)
    assert late[0] == 0.0
    assert late[1] == pytest.approx(hoop[0], rel=1e-9)


def test_quick_run_passes(tmp_path):
    out = tmp_path / "pybamm"
    result = run_benchmark("pybamm_particle_mechanics", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    assert [c.name for c in result.checks] == ["ssbx_vs_pybamm_one_way", "ssbx_vs_series",
                                               "pybamm_vs_series", "ssbx_vs_pybamm_two_way"]
    data = json.loads((out / "result.json").read_text())
    end = data["findings"]["hoop_stress_end_Pa"]
    # Omega < 0 (LiCoO2 shrinks on lithiation): the lithiated surface is in hoop tension, and
    # the stress-coupled flux flattens the profile, so less of it
    assert end["ssbx_one_way"] > end["ssbx_two_way"] > 0.0
    for name in ("pybamm_particle_mechanics.csv", "two_way.csv", "pybamm_particle_mechanics.png"):
        assert (out / name).stat().st_size > 0, name
