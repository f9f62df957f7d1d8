"""Cycling protocols: each step form in SI units, ramps, cycles, summaries and error messages.

No dolfinx: protocols are read with the case, before any mesh or solver work.
"""

from __future__ import annotations

import pytest

from ssbx.case.protocol import (
    FORMS,
    ProtocolError,
    ProtocolStep,
    describe,
    parse_protocol,
    parse_step,
)
from ssbx.units import CAPACITY, parse_quantity


def one(text: str) -> ProtocolStep:
    steps = parse_step(text)
    assert len(steps) == 1, steps
    return steps[0]


def error_of(text: str) -> str:
    """The reason given for a bad step, checked to quote the step."""
    with pytest.raises(ProtocolError) as info:
        parse_step(text)
    err = info.value
    assert isinstance(err, ValueError) and len(err.problems) == 1
    index, quoted, reason = err.problems[0]
    assert (index, quoted) == (0, text)
    assert f'"{text}"' in str(err) and reason in str(err)
    return reason


def test_capacity_unit() -> None:
    assert parse_quantity("1 mAh/cm^2", CAPACITY, "k") == 36000.0
    assert parse_quantity("0.5 mAh/cm^2", CAPACITY, "k") == 18000.0
    assert parse_quantity("1 C/m^2", CAPACITY, "k") == 1.0


def test_strip_capacity() -> None:
    s = one("Strip at 1 mA/cm^2 for 1 mAh/cm^2")
    assert (s.kind, s.current_density, s.capacity, s.duration) == ("strip", 10.0, 36000.0, None)
    assert s.time_length() == pytest.approx(3600.0) and s.galvanostatic
    assert s.text == "Strip at 1 mA/cm^2 for 1 mAh/cm^2" and s.voltage == 0.0


def test_strip_time() -> None:
    s = one("Strip at 1 mA/cm^2 for 1 hour")
    assert (s.current_density, s.duration, s.capacity) == (10.0, 3600.0, None)
    assert s.time_length() == 3600.0
    half = one("Strip at 0.5 mA/cm^2 for 0.25 mAh/cm^2")
    assert (half.current_density, half.capacity) == (5.0, 9000.0)
    assert half.time_length() == pytest.approx(1800.0)


def test_plate_is_negative() -> None:
    s = one("Plate at 0.5 mA/cm^2 for 0.25 mAh/cm^2")
    assert (s.kind, s.current_density, s.capacity) == ("plate", -5.0, 9000.0)
    assert s.time_length() == pytest.approx(1800.0)
    assert one("Plate at 2 mA/cm^2 for 30 min").duration == 1800.0


def test_rest_and_hold() -> None:
    rest = one("Rest for 10 minutes")
    assert (rest.kind, rest.current_density, rest.duration, rest.time_length()) == (
        "rest",
        0.0,
        600.0,
        600.0,
    )
    assert rest.galvanostatic
    hold = one("Hold at 20 mV for 30 min")
    assert (hold.kind, hold.voltage, hold.current_density, hold.duration) == (
        "hold",
        0.02,
        0.0,
        1800.0,
    )
    assert not hold.galvanostatic and hold.time_length() == 1800.0
    assert one("Hold at -5 mV for 1 h").voltage == -0.005


def test_case_and_whitespace_tolerated() -> None:
    s = one("  sTRIP   AT 1 mA/cm^2\tFOR   1   h ")
    assert (s.kind, s.current_density, s.duration) == ("strip", 10.0, 3600.0)
    assert one("REST FOR 1 s").duration == 1.0


def test_ramp_inclusive_and_robust_to_round_off() -> None:
    steps = parse_step(
        "Ramp strip from 0.1 mA/cm^2 to 0.5 mA/cm^2 in steps of 0.1 mA/cm^2 for 0.1 mAh/cm^2 each"
    )
    assert len(steps) == 5
    assert [s.current_density for s in steps] == pytest.approx([1.0, 2.0, 3.0, 4.0, 5.0])
    assert steps[-1].current_density == 5.0  # end included exactly
    assert all(s.kind == "strip" and s.capacity == 3600.0 for s in steps)
    assert steps[1].text == "Strip at 0.2 mA/cm^2 for 0.1 mAh/cm^2 (ramp 2/5)"
    assert steps[1].time_length() == pytest.approx(1800.0)
    # (0.3 - 0.1) / 0.1 = 1.9999999999999998 in binary: the end is still included
    tiny = parse_step("Ramp strip from 0.1 A/m^2 to 0.3 A/m^2 in steps of 0.1 A/m^2 for 1 s each")
    assert [s.current_density for s in tiny] == pytest.approx([0.1, 0.2, 0.3])
    assert tiny[-1].current_density == 0.3


def test_ramp_plate_and_time() -> None:
    steps = parse_step(
        "ramp plate from 1 mA/cm^2 to 2 mA/cm^2 in steps of 0.5 mA/cm^2 for 10 min each"
    )
    assert [s.current_density for s in steps] == [-10.0, -15.0, -20.0]
    assert all(s.kind == "plate" and s.duration == 600.0 for s in steps)
    single = parse_step("Ramp strip from 1 mA/cm^2 to 1 mA/cm^2 in steps of 1 mA/cm^2 for 1 h each")
    assert len(single) == 1
    short = parse_step(
        "Ramp strip from 1 mA/cm^2 to 2.5 mA/cm^2 in steps of 1 mA/cm^2 for 1 h each"
    )
    assert [s.current_density for s in short] == [10.0, 20.0]  # 30 would pass the end


def test_protocol_cycles() -> None:
    lines = ["Strip at 1 mA/cm^2 for 1 h", "Rest for 30 min", "Plate at 1 mA/cm^2 for 0.5 mAh/cm^2"]
    steps = parse_protocol(lines, cycles=2)
    assert [s.kind for s in steps] == ["strip", "rest", "plate"] * 2
    assert steps[:3] == steps[3:]
    assert parse_protocol(lines) == steps[:3]
    assert describe(steps[:3]) == "3 steps, 2.0 h, 1.0 mAh/cm^2 stripped, 0.5 mAh/cm^2 plated"
    assert describe(parse_protocol(["Hold at 10 mV for 1 h"])).startswith("1 step, 1.0 h")


def test_protocol_ramp_count() -> None:
    ramp = "Ramp strip from 0.1 mA/cm^2 to 0.5 mA/cm^2 in steps of 0.1 mA/cm^2 for 1 h each"
    assert len(parse_protocol(["Rest for 1 min", ramp], cycles=3)) == 18


def test_unknown_verb_lists_forms() -> None:
    reason = error_of("Cycle at 1 mA/cm^2 for 1 h")
    assert 'unknown step "cycle"' in reason
    for form in FORMS:
        assert form in reason
    assert 'did you mean "strip"' in error_of("Stirp at 1 mA/cm^2 for 1 h")
    assert "unknown step (empty)" in error_of("")


def test_malformed_step_names_its_form() -> None:
    assert error_of("Strip 1 mA/cm^2 for 1 h") == f'expected "{FORMS[0]}"'
    assert FORMS[3] in error_of("Hold at 20 mV")


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("Strip at 1 MPa for 1 h", ('current density "1 MPa" is a pressure', "a current density")),
        ("Strip at 1 mA/cm^2 for 1 MPa", ('"1 MPa" is a pressure', "a time > 0", "capacity")),
        ("Rest for 1 mAh/cm^2", ('time "1 mAh/cm^2" is an areal capacity', "a time > 0")),
        ("Hold at 1 mA/cm^2 for 1 h", ('voltage "1 mA/cm^2" is a current density', "voltage")),
        ("Strip at 1 for 1 h", ('"1" has no unit', "a current density")),
        ("Strip at 1 mA/cm^2 for 1 umm", ("cannot read the unit", "a time > 0")),
    ],
)
def test_wrong_dimension(text: str, needles: tuple[str, ...]) -> None:
    reason = error_of(text)
    for needle in needles:
        assert needle in reason, (needle, reason)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Strip at -1 mA/cm^2 for 1 h", 'current density "-1 mA/cm^2" must be > 0'),
        ("Plate at 0 mA/cm^2 for 1 h", 'current density "0 mA/cm^2" must be > 0'),
        ("Strip at 1 mA/cm^2 for 0 h", '"0 h" must be > 0'),
        ("Strip at 1 mA/cm^2 for -1 mAh/cm^2", '"-1 mAh/cm^2" must be > 0'),
        ("Rest for -10 min", 'time "-10 min" must be > 0'),
        ("Hold at 0 mV for 1 h", 'voltage "0 mV" must be != 0'),
        (
            "Ramp strip from 0.5 mA/cm^2 to 0.1 mA/cm^2 in steps of 0.1 mA/cm^2 for 1 h each",
            "the ramp goes down",
        ),
        (
            "Ramp strip from 0.1 mA/cm^2 to 0.5 mA/cm^2 in steps of 0 mA/cm^2 for 1 h each",
            'current density step "0 mA/cm^2" must be > 0',
        ),
        (
            "Ramp strip from 1 mA/cm^2 to 1 A/cm^2 in steps of 1 uA/cm^2 for 1 h each",
            "expected at most 1000",
        ),
    ],
)
def test_bad_values(text: str, needle: str) -> None:
    assert needle in error_of(text)


def test_protocol_reports_every_bad_line() -> None:
    lines = ["Rest for 1 h", "Strip at 1 MPa for 1 h", "Jump for 1 h", "Plate at 1 mA/cm^2 for 1 h"]
    with pytest.raises(ProtocolError) as info:
        parse_protocol(lines)
    err = info.value
    assert [(i, text) for i, text, _ in err.problems] == [(1, lines[1]), (2, lines[2])]
    text = str(err)
    assert text.startswith("2 bad protocol steps")
    assert f'[1] "{lines[1]}"' in text and f'[2] "{lines[2]}"' in text


def test_protocol_needs_steps_and_cycles() -> None:
    with pytest.raises(ProtocolError, match="no steps"):
        parse_protocol([])
    with pytest.raises(ProtocolError, match="cycles = 0"):
        parse_protocol(["Rest for 1 h"], cycles=0)
