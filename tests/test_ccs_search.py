"""The CCS search (ssbx.runs.ccs_search): bracketing, geometric bisection, reporting. Pure Python,
fast."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from ssbx.runs.ccs_search import (
    CcsResult,
    Trial,
    find_critical_current,
    plot_ccs_map,
    trials_csv,
)


class Threshold:
    """Synthetic evaluator: stable iff i < i_c [A/m^2]; records every call."""

    def __init__(self, i_c: float) -> None:
        self.i_c = i_c
        self.calls: list[float] = []

    def __call__(self, i: float) -> Trial:
        self.calls.append(i)
        stable = i < self.i_c
        return Trial(
            i,
            stable,
            "stable: contact kept" if stable else "contact fraction 0.9 -> 0.7 (loss 0.2 > 0.05)",
            {"min_contact_fraction": 0.95 if stable else 0.7, "steps": 12.0},
        )


# initial bracket 1..1000 A/m^2 (0.1..100 mA/cm^2); i_c inside, at the ends, and outside
@pytest.mark.parametrize("i_c", [1.5, 3.0, 47.0, 123.456, 999.0, 0.05, 2.0e-3, 5.0e3, 4.0e5])
def test_bracket_contains_threshold(i_c: float) -> None:
    ev = Threshold(i_c)
    res = find_critical_current(ev, 1.0, 1000.0, bracket_ratio=1.2)
    assert res.status == "bracketed"
    assert res.lower is not None and res.upper is not None
    assert res.lower < i_c <= res.upper
    assert res.upper / res.lower <= 1.2
    assert res.bracket_ratio == pytest.approx(res.upper / res.lower)
    assert res.estimate == pytest.approx(math.sqrt(res.lower * res.upper))
    assert len(ev.calls) == len(set(ev.calls)) == len(res.trials)
    assert [t.current_density for t in res.trials] == ev.calls
    assert res.warnings == []
    # every trial agrees with the bracket
    for t in res.trials:
        assert t.stable == (t.current_density <= res.lower)


@pytest.mark.parametrize("i_c", [1.0001, 2.0, 31.6, 500.0, 999.9])
def test_number_of_trials_is_logarithmic(i_c: float) -> None:
    ev = Threshold(i_c)
    res = find_critical_current(ev, 1.0, 1000.0, bracket_ratio=1.2)
    # 2 end points + ceil(log2(ln 1000 / ln 1.2)) = 6 bisections
    assert len(ev.calls) <= 2 + math.ceil(math.log2(math.log(1000.0) / math.log(1.2)))
    assert len(ev.calls) <= 12
    assert res.status == "bracketed"


def test_tighter_ratio_costs_more_but_stays_logarithmic() -> None:
    ev = Threshold(12.345)
    res = find_critical_current(ev, 1.0, 1000.0, bracket_ratio=1.01)
    assert res.lower < 12.345 <= res.upper and res.upper / res.lower <= 1.01
    assert len(ev.calls) <= 2 + math.ceil(math.log2(math.log(1000.0) / math.log(1.01)))


def test_widening_down_then_bisection() -> None:
    ev = Threshold(0.05)
    res = find_critical_current(ev, 1.0, 1000.0, expansion_factor=10.0)
    # 1 and 0.1 unstable, 0.01 stable; 1000 (above an unstable value) never evaluated
    assert ev.calls[:3] == [1.0, 0.1, pytest.approx(0.01)]
    assert 1000.0 not in ev.calls
    assert res.status == "bracketed" and res.lower < 0.05 <= res.upper


def test_widening_up_then_bisection() -> None:
    ev = Threshold(5.0e3)
    res = find_critical_current(ev, 1.0, 1000.0, expansion_factor=10.0)
    assert ev.calls[:3] == [1.0, 1000.0, 1.0e4]
    assert res.status == "bracketed" and res.lower < 5.0e3 <= res.upper


def test_below_range() -> None:
    ev = Threshold(1.0e-9)
    res = find_critical_current(ev, 1.0, 1000.0, max_expansions=2, expansion_factor=10.0)
    assert res.status == "below_range"
    assert res.lower is None and res.upper == pytest.approx(0.01)
    assert res.estimate is None and res.bracket_ratio is None
    assert len(ev.calls) == 3 and all(not t.stable for t in res.trials)


def test_above_range() -> None:
    ev = Threshold(1.0e12)
    res = find_critical_current(ev, 1.0, 1000.0, max_expansions=2, expansion_factor=10.0)
    assert res.status == "above_range"
    assert res.upper is None and res.lower == pytest.approx(1.0e5)
    assert res.estimate is None and res.bracket_ratio is None
    assert ev.calls == [1.0, 1000.0, 1.0e4, pytest.approx(1.0e5)]


def test_no_expansions_allowed() -> None:
    assert find_critical_current(Threshold(0.5), 1.0, 10.0, max_expansions=0).status == (
        "below_range"
    )
    assert find_critical_current(Threshold(50.0), 1.0, 10.0, max_expansions=0).status == (
        "above_range"
    )


def test_initial_bracket_already_tight() -> None:
    ev = Threshold(1.1)
    res = find_critical_current(ev, 1.0, 1.15, bracket_ratio=1.2)
    assert ev.calls == [1.0, 1.15]
    assert (res.lower, res.upper, res.status) == (1.0, 1.15, "bracketed")


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lower": 0.0}, "lower"),
        ({"lower": -1.0}, "lower"),
        ({"lower": math.nan}, "lower"),
        ({"upper": 1.0}, "upper"),
        ({"upper": 0.5}, "upper"),
        ({"upper": math.inf}, "upper"),
        ({"bracket_ratio": 1.0}, "bracket_ratio"),
        ({"bracket_ratio": 0.5}, "bracket_ratio"),
        ({"expansion_factor": 1.0}, "expansion_factor"),
        ({"max_expansions": -1}, "max_expansions"),
        ({"max_expansions": 1.5}, "max_expansions"),
    ],
)
def test_argument_validation(kwargs: dict, name: str) -> None:
    ev = Threshold(10.0)
    args = {"lower": 1.0, "upper": 100.0} | kwargs
    lower, upper = args.pop("lower"), args.pop("upper")
    with pytest.raises(ValueError, match=name) as err:
        find_critical_current(ev, lower, upper, **args)
    assert repr(kwargs[name]) in str(err.value)  # the offending value is named too
    assert ev.calls == []  # nothing evaluated


def test_evaluate_must_return_a_trial() -> None:
    with pytest.raises(TypeError, match="Trial"):
        find_critical_current(lambda i: i < 10.0, 1.0, 100.0)  # type: ignore[arg-type, return-value]


def test_progress_one_line_per_trial_in_mA_per_cm2() -> None:
    messages: list[str] = []
    ev = Threshold(47.0)
    find_critical_current(ev, 1.0, 1000.0, progress=messages.append)
    assert len(messages) == len(ev.calls)
    assert all("\n" not in m and "mA/cm^2" in m for m in messages)
    assert "0.1 mA/cm^2 stable" in messages[0]  # 1 A/m^2
    assert "100 mA/cm^2 unstable" in messages[1]  # 1000 A/m^2


def test_non_monotone_evaluator_gives_a_consistent_bracket() -> None:
    """Every trial lies inside the current bracket, so the result is always a sign change."""

    def ev(i: float) -> Trial:
        return Trial(i, i < 3.0 or 40.0 < i < 60.0, "synthetic")

    res = find_critical_current(ev, 1.0, 1000.0)
    assert res.status == "bracketed" and res.upper / res.lower <= 1.2
    stable = {t.current_density: t.stable for t in res.trials}
    assert stable[res.lower] and not stable[res.upper]
    assert len(stable) == len(res.trials)


def test_contradiction_with_known_trials_is_warned() -> None:
    """A stable trial above a known unstable one (e.g. an earlier solver failure) is flagged."""
    ev = Threshold(10.0)
    flaky = Trial(0.5, False, "solver failed: Newton diverged")
    res = find_critical_current(ev, 1.0, 1000.0, known=[flaky])
    assert any("non-monotone" in w and "0.1 mA/cm^2" in w for w in res.warnings)
    assert res.trials[0] is flaky and 0.5 not in ev.calls
    # bisection carried on inside the consistent bracket
    assert res.status == "bracketed" and res.lower < 10.0 <= res.upper
    assert res.upper / res.lower <= 1.2


def test_known_trials_are_reused_not_rerun() -> None:
    first = Threshold(47.0)
    done = find_critical_current(first, 1.0, 1000.0)
    interrupted = done.trials[:4]
    second = Threshold(47.0)
    res = find_critical_current(second, 1.0, 1000.0, known=interrupted)
    assert [t.current_density for t in res.trials] == first.calls
    assert second.calls == first.calls[4:]
    assert (res.lower, res.upper) == (done.lower, done.upper) and res.warnings == []


def test_known_trial_inside_bracket_tightens_it() -> None:
    ev = Threshold(10.0)
    res = find_critical_current(ev, 1.0, 1000.0, known=[Trial(12.0, False, "earlier run")])
    assert all(i < 12.0 for i in ev.calls[2:])  # bisection only below the known unstable 12
    assert res.lower < 10.0 <= res.upper <= 12.0


def test_mismatched_trial_current_density_is_warned() -> None:
    res = find_critical_current(lambda i: Trial(2.0 * i, i < 10.0, "x"), 1.0, 100.0)
    assert any("filed under the requested" in w for w in res.warnings)
    assert res.lower < 10.0 <= res.upper


def test_as_dict_is_json_serialisable() -> None:
    import numpy as np

    def ev(i: float) -> Trial:
        return Trial(i, i < 20.0, "r", {"max_voltage_V": np.float64(0.1), "steps": np.int64(7)})

    res = find_critical_current(ev, 1.0, 1000.0)
    d = json.loads(json.dumps(res.as_dict(), allow_nan=False))
    assert d["status"] == "bracketed"
    assert d["lower_mA_per_cm2"] == pytest.approx(res.lower / 10.0)
    assert d["upper_A_per_m2"] == pytest.approx(res.upper)
    assert d["estimate_mA_per_cm2"] == pytest.approx(res.estimate / 10.0)
    assert d["n_trials"] == len(d["trials"]) == len(res.trials)
    assert d["trials"][0]["metrics"] == {"max_voltage_V": 0.1, "steps": 7.0}
    none = find_critical_current(Threshold(1e-9), 1.0, 10.0, max_expansions=0).as_dict()
    assert json.loads(json.dumps(none))["lower_mA_per_cm2"] is None


def test_trials_csv_one_row_per_trial() -> None:
    def ev(i: float) -> Trial:
        metrics = {"wall_time_s": 1.5, "min_contact_fraction": 0.9}
        if i > 10.0:
            metrics["capacity_mAh_per_cm2"] = 0.2
        return Trial(i, i < 20.0, "line one\nline two, with comma", metrics)

    res = find_critical_current(ev, 1.0, 1000.0)
    rows = list(csv.reader(io.StringIO(trials_csv(res))))
    assert rows[0] == [
        "current_density_mA_per_cm2",
        "stable",
        "reason",
        "capacity_mAh_per_cm2",
        "min_contact_fraction",
        "wall_time_s",
    ]
    assert len(rows) == 1 + len(res.trials)
    assert float(rows[1][0]) == pytest.approx(0.1) and rows[1][1] == "True"
    assert rows[1][2] == "line one line two, with comma"
    assert rows[1][3] == ""  # 1 A/m^2 trial has no capacity metric
    assert float(rows[2][3]) == 0.2


def test_empty_result_csv() -> None:
    text = trials_csv(CcsResult(None, None, "below_range", []))
    assert text == "current_density_mA_per_cm2,stable,reason\n"


def test_plot_ccs_map_writes_png(tmp_path) -> None:
    nan = float("nan")
    rows = [
        {"p_MPa": 0.5, "T": 25.0, "ccs_lower_mA_per_cm2": 0.2, "ccs_upper_mA_per_cm2": 0.24},
        {"p_MPa": 1.0, "T": 25.0, "ccs_lower_mA_per_cm2": 0.4, "ccs_upper_mA_per_cm2": 0.46},
        {"p_MPa": 5.0, "T": 25.0, "ccs_lower_mA_per_cm2": 10.0},  # above: CCS > 10
        {"p_MPa": 0.5, "T": 60.0, "ccs_lower_mA_per_cm2": nan, "ccs_upper_mA_per_cm2": 0.01},
        {"p_MPa": 1.0, "T": 60.0, "ccs_lower_mA_per_cm2": 0.9, "ccs_upper_mA_per_cm2": 1.0},
        {"p_MPa": 2.0, "T": 60.0},  # no bound: skipped
    ]
    path = tmp_path / "sub" / "ccs_map.png"
    plot_ccs_map(
        rows,
        "p_MPa",
        path,
        group_key="T",
        x_label="stack pressure [MPa]",
        reference=[(1.0, 0.5, "Kasemchainan 2019")],
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in path.parent.iterdir() if p.name != "ccs_map.png"]  # no temp left

    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # figure closed
    single = tmp_path / "single.png"
    plot_ccs_map(rows[:2], "p_MPa", single, x_label="p [MPa]", x_log=True)
    assert single.stat().st_size > 0
