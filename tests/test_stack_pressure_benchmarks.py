"""Stack-pressure benchmarks on the reduced stack model
(ssbx.benchmarks.reproductions.stack_pressure): data files, the calibrations against their data and
the quick runs of ``stack_pressure_hold`` and ``full_cell_pressure``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from ssbx.benchmarks.framework import get_benchmark, list_benchmarks, run_benchmark

NAMES = ("stack_pressure_hold", "full_cell_pressure")


def test_registered():
    """Both are registered (their source, metric and tolerance are checked for every
    registered benchmark by tests/test_benchmarks.py)."""
    assert set(NAMES) <= {b.name for b in list_benchmarks()}


def test_full_cell_data_file_has_quotes_and_numbers():
    from ssbx.benchmarks.reproductions.stack_pressure import FULL_CELL_FILE, load_full_cell_data

    text = FULL_CELL_FILE.read_text(encoding="utf-8")
    assert "the pressure deviation was only 104% (5.21 MPa" in text
    assert "With the spring rate of 5.5 lb/mm" in text
    d = load_full_cell_data()
    assert [float(d[k]["value"]) for k in ("dp_6p4", "dp_25p5", "dp_51p0")] == [0.73, 2.14, 6.2]
    assert float(d["p_fixed_25p5"]["value"]) == 6.96
    assert float(d["p_springs_25p5"]["value"]) == 5.21


def test_fixture_calibration_reproduces_the_empty_cell_losses():
    from ssbx.benchmarks.reproductions.stack_pressure import empty_fixture_prony

    for tc, loss in ((25.0, 2.2e6), (40.0, 5.6e6)):
        for form in ("prony600", "prony1800"):
            prony = empty_fixture_prony(tc, form)
            assert 25e6 * (1.0 - float(prony.relaxation(1800.0))) == pytest.approx(loss,
                                                                                 rel=1e-9)
        # log-time law fitted by two Prony terms: the 30-min loss within 5 %
        prony = empty_fixture_prony(tc, "logtime")
        assert 25e6 * (1.0 - float(prony.relaxation(1800.0))) == pytest.approx(loss, rel=0.05)
    # tau = 600 s: 95 % of the fast relaxation is over at 30 min
    prony = empty_fixture_prony(25.0)
    assert prony.times == (600.0,)
    assert 1.0 - float(prony.relaxation(1e6)) == pytest.approx(2.2 / 25 / (1 - math.exp(-3)))


def test_friction_calibration_reproduces_ding_and_predicts_the_other_rate():
    from ssbx.benchmarks.reproductions.stack_pressure import LAWS, calibrate_friction

    um_per_h = 1e-6 / 3600.0
    masias = calibrate_friction(LAWS["masias"])
    assert masias["reachable"]
    assert masias["rate_calibrated"] / um_per_h == pytest.approx(0.06, rel=1e-9)
    assert 0.0 < masias["mu"] < 1.0 / math.sqrt(3.0)
    # Coulomb slab: the friction factor does not depend on p, so the 3.5 MPa rate scales as
    # (3.5/2.2)^n with Masias' n = 6.56: 0.06 * 21.0 = 1.26 um/h (measured 0.42)
    assert masias["rate_predicted"] / um_per_h == pytest.approx(0.06 * (3.5 / 2.2) ** 6.56,
                                                                rel=1e-9)
    anand = calibrate_friction(LAWS["anand_steady"])
    assert anand["rate_calibrated"] / um_per_h == pytest.approx(0.06, rel=1e-9)
    assert anand["rate_predicted"] / um_per_h == pytest.approx(0.06 * (3.5 / 2.2) ** 5.0,
                                                               rel=1e-9)
    # a 250 um foil cannot be slowed enough by friction (sticking limit): flagged
    assert not calibrate_friction(LAWS["masias"], 250e-6)["reachable"]


def test_unit_conversions_of_the_full_cell():
    from ssbx.benchmarks.reproductions.stack_pressure import SPRING_STIFFNESS, areal_capacity
    from ssbx.units import to_mAh_per_cm2

    # 25.5 mg/cm2 x 0.66 x 200 mAh/g = 3.366 mAh/cm2
    assert to_mAh_per_cm2(areal_capacity(25.5)) == pytest.approx(3.366, rel=1e-12)
    # 3 x 5.5 lbf/mm (1 lbf = 4.4482216152605 N) on 0.785 cm2 = 0.935 MPa/mm
    assert SPRING_STIFFNESS == pytest.approx(3 * 5.5 * 4.4482216152605e3 / 0.785e-4, rel=1e-12)


@pytest.mark.mpi
def test_quick_runs_write_outputs_and_calibrations_hold(comm, shared_tmp_path):
    for name in NAMES:
        out = Path(shared_tmp_path) / name
        result = run_benchmark(name, comm, None, True, out)
        assert result.quick and result.wall_time < 10.0
        assert result.passed == all(c.passed for c in result.checks)
        assert get_benchmark(name).name == name
        checks = {c.name: c for c in result.checks}
        if name == "stack_pressure_hold":
            assert checks["friction_calibration"].passed
            assert checks["fixture_calibration"].passed
            assert checks["ding_3p5MPa_factor"].value == pytest.approx(3.0, abs=0.01)
        if comm.rank == 0:
            for fname in (f"{name}.csv", f"{name}.png", "result.json"):
                assert (out / fname).stat().st_size > 0, fname
            data = json.loads((out / "result.json").read_text())
            assert data["passed"] is result.passed and data["quick"] is True
            assert data["findings"]["statement"]
    if comm.rank == 0:
        full = json.loads((Path(shared_tmp_path) / "full_cell_pressure" / "result.json")
                          .read_text())
        curv = full["findings"]["curvature_slope_ratio"]
        # measured: (6.2 - 2.14)/(51 - 25.5) over (2.14 - 0.73)/(25.5 - 6.4)
        assert curv["measured"] == pytest.approx((4.06 / 25.5) / (1.41 / 19.1), rel=1e-9)
