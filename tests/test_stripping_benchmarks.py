"""The critical-stripping-current benchmark (ssbx.benchmarks.reproductions.stripping_ccs)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from ssbx.benchmarks.framework import get_benchmark, list_benchmarks, run_benchmark

pytestmark = pytest.mark.slow  # benchmark runs: `make test`, not `make test-fast`


def test_registry_lists_stripping_ccs_with_source_metric_tolerance():
    benches = {b.name: b for b in list_benchmarks()}
    assert "stripping_ccs" in benches
    d = benches["stripping_ccs"].describe()
    for key in ("name", "title", "source", "reference", "metric", "tolerance"):
        assert isinstance(d[key], str) and d[key].strip(), key
    assert get_benchmark("stripping_ccs").name == "stripping_ccs"


def test_reference_json_records_quotes_and_confirmation():
    from ssbx.benchmarks.reproductions.stripping_ccs import load_reference

    ref = load_reference()
    points = {(p["pressure_MPa"], p["temperature_C"]): p["ccs_mA_per_cm2"]
              for p in ref["reference_points"]}
    assert points == {(3.0, 25.0): 0.2, (7.0, 25.0): 1.0}
    conf = ref["seed_confirmation"]
    assert conf["status"] in ("confirmed", "unconfirmed")
    assert conf["status"] == "unconfirmed"  # no CCS value was confirmed in a primary source
    assert conf["summary"].strip()
    assert len(conf["quotes"]) >= 2
    for q in conf["quotes"]:
        assert q["where"].strip() and q["text"].strip()
    assert any("not in the text" in q["text"] for q in conf["quotes"])
    assert "(check)" in ref["reference_points_origin"]
    assert ref["measured_ratio_7_to_3"] == pytest.approx(5.0)
    assert ref["naive_creep_ratio_7_to_3"] == pytest.approx((7 / 3) ** 6.56, rel=1e-3)
    assert ref["tolerance_factor"] == 2.0
    assert "40 %" in ref["model_assumptions"]["interface_geometry"]


def test_cases_resolve_full_and_quick():
    from ssbx.benchmarks.reproductions.stripping_ccs import FULL_POINTS, QUICK_POINTS

    bench = get_benchmark("stripping_ccs")
    base = bench.base_case()
    assert base.problem == "stripping"
    assert base.mechanics.li_model == "power_law"
    assert base.contact.electrolyte == "rigid"
    assert base.ccs.capacity == pytest.approx(0.25 * 36000.0)
    assert base.ccs.max_expansions == 1 and base.ccs.expansion_factor == 10.0
    assert base.asr * base.conductivity == pytest.approx(40e-6)  # Z kappa = 40 um

    full = bench.cases(quick=False)
    assert len(full) == len(FULL_POINTS)
    for pt, case in zip(FULL_POINTS, full, strict=True):
        assert case.fixture.pressure == pytest.approx(pt.pressure_MPa * 1e6)
        assert case.operation.temperature == pytest.approx(pt.temperature_C + 273.15)
        assert case.asr == pytest.approx(pt.z_ohm_cm2 * 1e-4)
        assert case.geometry.voids[0].width == pytest.approx(pt.void_width_um * 1e-6)
        assert case.geometry.voids[0].height == pytest.approx(1e-6)
    pressures = {pt.pressure_MPa for pt in FULL_POINTS if pt.temperature_C == 25.0}
    assert {3.0, 7.0} <= pressures

    quick = bench.cases(quick=True)
    assert len(quick) == len(QUICK_POINTS) == 1
    q = quick[0]
    assert q.mesh.size_fine == pytest.approx(5e-6)
    assert q.ccs.capacity == pytest.approx(0.05 * 36000.0)
    assert q.ccs.bracket_ratio == 3.0


def test_factor_and_bounds_helpers():
    from ssbx.benchmarks.reproductions.stripping_ccs import (
        bound_text,
        contradictions,
        factor_to_reference,
        slope_bounds,
    )

    nan = math.nan
    above = {"status": "above_range", "ccs_lower_mA_per_cm2": 1000.0,
             "ccs_upper_mA_per_cm2": nan, "ccs_estimate_mA_per_cm2": nan}
    f, how = factor_to_reference(above, 0.2)
    assert f == pytest.approx(5000.0) and "above the searched range" in how
    assert bound_text(above) == "> 1000"
    br = {"status": "bracketed", "ccs_lower_mA_per_cm2": 0.1, "ccs_upper_mA_per_cm2": 0.4,
          "ccs_estimate_mA_per_cm2": 0.2}
    assert factor_to_reference(br, 0.2)[0] == pytest.approx(1.0)
    rows = [dict(br, key="a", pressure_MPa=1.0), dict(above, key="b", pressure_MPa=2.0)]
    b = slope_bounds(rows)
    assert b["slope_at_least"] == pytest.approx(math.log(1000.0 / 0.4) / math.log(2.0))
    assert contradictions(rows, "pressure_MPa") == []
    assert len(contradictions([dict(above, key="a", pressure_MPa=1.0),
                               dict(br, key="b", pressure_MPa=2.0)], "pressure_MPa")) == 1


@pytest.mark.mpi
def test_stripping_ccs_quick_runs_passes_and_writes_outputs(comm, shared_tmp_path):
    out = Path(shared_tmp_path) / "stripping_ccs"
    result = run_benchmark("stripping_ccs", comm, None, True, out)
    assert result.passed, result.summary
    assert result.quick
    assert result.metric_name == "quick_bracket_ratio"
    names = {c.name for c in result.checks}
    assert {"quick_bracket_ratio", "solver_failures", "search_contradictions"} <= names
    assert not any(n.startswith("ccs_") and n.endswith("MPa_factor") for n in names)
    if comm.rank == 0:
        for name in ("stripping_ccs.csv", "ccs_map.csv", "ccs_trials.csv", "stripping_ccs.png",
                     "ccs_vs_pressure.png", "ccs_vs_parameters.png", "result.json"):
            assert (out / name).stat().st_size > 0, name
        data = json.loads((out / "result.json").read_text())
        assert data["quick"] is True and data["passed"] is True
        assert data["source"] == result.source
        point = next(iter(data["findings"]["per_point"].values()))
        assert point["status"] == "bracketed"
        lo, hi = point["ccs_lower_mA_per_cm2"], point["ccs_upper_mA_per_cm2"]
        assert 0.1 <= lo < hi <= 3.0 * lo
        with (out / "ccs_map.csv").open() as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 1
        assert {"pressure_MPa", "temperature_C", "Z_ohm_cm2", "void_width_um",
                "ccs_lower_mA_per_cm2", "ccs_upper_mA_per_cm2", "ccs_estimate_mA_per_cm2",
                "status", "n_trials", "wall_time_s"} <= set(rows[0])
        with (out / "ccs_trials.csv").open() as fh:
            trials = list(csv.DictReader(fh))
        assert len(trials) == int(rows[0]["n_trials"]) >= 3
        assert {t["stable"] for t in trials} == {"True", "False"}
        assert not list(out.glob(".*"))  # no temporary files left behind
