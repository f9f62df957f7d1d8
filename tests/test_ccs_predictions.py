"""The calibrate-once, predict-the-rest CCS benchmark (``ccs_predictions``): the closed form it
starts the calibration from, its quick variant (the calibration on the model itself, its time
step, and the pore cell against the flat cell at 7 MPa) and the contact-complete stop of CCS
trials with a loss gap."""

from __future__ import annotations

import json
import math

from mpi4py import MPI

import pytest

from ssbx.benchmarks.reproductions.ccs_predictions import (
    CALIBRATION_DATUM,
    calibrate_supersaturation,
    nucleus_radius,
    uniform_ccs,
)


def test_closed_form_calibration_and_pressure_scaling():
    """The closed-form S reproduces the datum; the flat CCS scales with S - exp(-p Omega/RT),
    so its pressure dependence is set by S alone; r* = 2 gamma Omega / (R T ln S)."""
    S = calibrate_supersaturation()
    assert uniform_ccs("Li", S) == pytest.approx(CALIBRATION_DATUM, rel=1e-12)
    beta = 12.998e-6 / (8.314462618 * 298.15)  # Li molar volume [m^3/mol] / RT
    for p in (3e6, 7e6):
        ratio = uniform_ccs("Li", S, p) / uniform_ccs("Li", S)
        assert ratio == pytest.approx((S - math.exp(-beta * p)) / (S - 1.0), rel=2e-3)
    assert nucleus_radius(S) == pytest.approx(
        2 * 0.5 * 12.998e-6 / (8.314462618 * 298.15 * math.log(S)), rel=2e-3)
    assert uniform_ccs("Li-Mg", S) == pytest.approx(0.5 * CALIBRATION_DATUM, rel=1e-12)


@pytest.mark.slow
def test_ccs_predictions_quick(tmp_path):
    """Quick variant: the model calibrated on the datum to 5 %, the calibration unchanged with
    6x shorter steps, and the pore cell's CCS at 7 MPa within 15 % of the flat cell's (the
    vacancy limit of the flat contact sets it); the outputs are written."""
    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "ccs_predictions"
    result = run_benchmark("ccs_predictions", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    for name in ("ccs_predictions.csv", "ccs_predictions.png", "ccs_trials.csv",
                 "result.json"):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "result.json").read_text())
    checks = {c["name"]: c for c in data["checks"]}
    assert {"calibration", "calibration_time_step", "pore_over_flat"} <= set(checks)
    S = data["findings"]["calibration"]["critical_supersaturation"]
    assert 1.0 < S < 1.1
