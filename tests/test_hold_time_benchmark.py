"""The hold-time / critical stripping current benchmark
(ssbx.benchmarks.reproductions.hold_time_ccs)."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from ssbx.benchmarks.framework import BUILTIN_MODULES, get_benchmark, run_benchmark

pytestmark = pytest.mark.slow  # benchmark runs: `make test`, not `make test-fast`


def test_registered_with_source_metric_tolerance():
    assert "reproductions.hold_time_ccs" in BUILTIN_MODULES
    bench = get_benchmark("hold_time_ccs")
    d = bench.describe()
    for key in ("name", "title", "source", "reference", "metric", "tolerance"):
        assert isinstance(d[key], str) and d[key].strip(), key
    assert "ham2023_hold_time_ccd.json" in bench.reference
    assert "2.44" in bench.tolerance


def test_reference_file_has_quotes_and_measured_values():
    from ssbx.benchmarks.reproductions.hold_time_ccs import load_reference

    ref = load_reference()
    quotes = " ".join(q["text"] for q in ref["quotes"])
    assert "0.88 mA/cm" in quotes and "2.15 mA/cm" in quotes
    assert "pressed at 25 MPa" in quotes and "released to 5 MPa" in quotes
    assert "performed at 40°C" in quotes
    assert all("line" in q["where"] for q in ref["quotes"])
    rows = {r["row"].split(" (")[0]: r["text"] for r in ref["digest_rows"]}
    assert "0.88" in rows["table E, row 53"] and "2.15" in rows["table E, row 54"]
    assert "0.3 – 2.15" in rows["table E, row 55"]
    m = ref["measured"]
    assert (m["ccd_1min_mA_per_cm2"], m["ccd_30min_mA_per_cm2"]) == (0.88, 2.15)
    assert math.isclose(m["ratio_30min_to_1min"], 2.15 / 0.88)
    assert ref["conditions"]["hold_pressure_MPa"] == 25.0
    assert ref["conditions"]["cycling_pressure_MPa"] == 5.0
    assert ref["conditions"]["cycling_temperature_C"] == 40.0
    assert any("roughness" in x for x in ref["not_given"])


def test_rough_interface_is_deterministic_and_small_slope():
    from ssbx.benchmarks.reproductions.hold_time_ccs import FULL, rough_voids, sample_times

    a = rough_voids(8, 100e-6, 20e-6, 1e-6)
    assert a == rough_voids(8, 100e-6, 20e-6, 1e-6)
    assert a != rough_voids(8, 100e-6, 20e-6, 1e-6, seed=1)
    edges = sorted((v["center"] - v["width"] / 2, v["center"] + v["width"] / 2) for v in a)
    assert edges[0][0] > 0 and edges[-1][1] < 100e-6
    assert all(e[1] < f[0] for e, f in itertools.pairwise(edges))  # no overlap
    for v in a:
        assert 0.5e-6 <= v["height"] <= min(2e-6, 0.2 * v["width"], 0.2 * 20e-6) + 1e-15
        assert v["width"] >= 4e-6
    bench = get_benchmark("hold_time_ccs")
    for quick in (True, False):
        cases = bench.cases(quick)
        assert len(cases) == 2
        for case in cases:
            assert case.fixture.pressure == 25e6
            assert math.isclose(case.operation.temperature, 313.15)
            assert case.ccs.max_expansions == 0
        assert len(cases[0].geometry.voids) == (3 if quick else 8)
    # the 30 min hold passes through the 1 min state: same segments up to 60 s
    long, short = sample_times(1800.0, 4, FULL.holds), sample_times(60.0, 4, FULL.holds)
    assert long[: len(short)] == short and short[-1] == 60.0 and long[-1] == 1800.0
    assert all(b > a for a, b in itertools.pairwise(long))


def test_quick_runs_and_writes_outputs(tmp_path, comm):
    out = Path(comm.bcast(str(tmp_path) if comm.rank == 0 else None, root=0)) / "hold_time_ccs"
    result = run_benchmark("hold_time_ccs", comm, None, True, out)
    assert result.quick
    assert result.metric_name == "ccs_ratio_30min_to_1min"
    names = {c.name: c for c in result.checks}
    assert set(names) == {"ccs_ratio_30min_to_1min", "ccs_1min_factor", "ccs_30min_factor",
                          "contact_monotonic_during_hold"}
    assert names["contact_monotonic_during_hold"].passed
    assert result.passed == all(c.passed for c in result.checks)
    f = result.findings
    assert f["contact_fraction_t0"] < 0.8
    assert "assumption" in f["roughness_assumption"]
    for hold in ("1 s", "30 s"):
        assert f["contact_fraction_after_hold"][hold] >= f["contact_fraction_t0"]
        assert f["ccs"][hold]["n_trials"] >= 2
    assert f["held_state_reproducible_abs_diff"] < 1e-12
    if comm.rank == 0:
        for name in ("hold_time_ccs.csv", "hold_time_ccs.png", "contact_vs_hold_time.csv",
                     "contact_vs_hold_time.png", "ccs_after_hold.csv", "result.json"):
            assert (out / name).stat().st_size > 0, name
        data = json.loads((out / "result.json").read_text())
        assert data["quick"] is True and data["source"] == result.source
        hist = (out / "contact_vs_hold_time.csv").read_text().splitlines()
        assert hist[0].startswith("time_s,contact_fraction,")
        times = [float(line.split(",")[0]) for line in hist[1:]]
        assert times[0] == 0.0 and math.isclose(times[-1], 30.0)
        cf = [float(line.split(",")[1]) for line in hist[1:]]
        assert all(b >= a for a, b in itertools.pairwise(cf))
        trials = (out / "ccs_after_hold.csv").read_text().splitlines()
        assert trials[0].startswith("hold,hold_time_s,current_density_mA_per_cm2,stable,reason")
        assert len(trials) - 1 == sum(f["ccs"][h]["n_trials"] for h in ("1 s", "30 s"))
        assert not list(out.glob(".*"))  # no temporary files left behind
