"""The ``particle_polycrystal`` performance benchmark (quick): 64 grains on the coarsest mesh,
serial and 2-rank workers, 2 ranks = serial; the power-law fit of the time per step."""

from __future__ import annotations

import csv
import math

from mpi4py import MPI

import pytest

from ssbx.benchmarks.framework import run_benchmark
from ssbx.benchmarks.performance.particle_polycrystal import fit_power_law


def test_fit_power_law_recovers_the_exponent_from_serial_rows():
    rows = [{"ranks": 1, "dofs": n, "time_per_step": 3e-6 * n ** 1.7} for n in (1e3, 1e4, 1e5)]
    rows.append({"ranks": 2, "dofs": 1e4, "time_per_step": 100.0})  # not fitted
    a, b = fit_power_law(rows)
    assert b == pytest.approx(1.7, rel=1e-12) and a == pytest.approx(3e-6, rel=1e-10)
    assert all(math.isnan(v) for v in fit_power_law(rows[:1]))


@pytest.mark.slow
def test_particle_polycrystal_quick(tmp_path):
    """Serial: the benchmark launches its own mpirun -n 1 and -n 2 workers (LU), and one with
    the iterative solver, which gives LU's result."""
    out = tmp_path / "particle_polycrystal"
    result = run_benchmark("particle_polycrystal", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    rows = list(csv.DictReader((out / "particle_polycrystal.csv").open()))
    assert [(r["level"], r["ranks"], r["solver"]) for r in rows] == [
        ("0", "1", "direct"), ("0", "2", "direct"), ("0", "1", "iterative")]
    assert int(rows[0]["cells"]) > 64 * 40  # tens of cells per grain
    assert float(rows[1]["speedup_2ranks"]) > 0.0
    assert [int(r["factorisations"]) for r in rows] == [2, 2, 2]  # the later steps keep them
    assert float(rows[0]["krylov_per_solve"]) == 1.0  # LU: preonly
    assert 5 < float(rows[2]["krylov_per_solve"]) < 100
    checks = {c.name: c.value for c in result.checks}
    assert checks["iterative_equals_direct"] < 1e-6
