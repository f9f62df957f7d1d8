"""Display-unit helpers of :mod:`ssbx.units` (mA/cm^2, mAh/cm^2, ohm cm^2, mS/cm).

Checked against pint (the registry and :func:`parse_quantity`), for round trips, for being the
same floating-point operations as the hand-written factors they replaced (results stay
bit-identical), and a guard that the factors are not written by hand again in solver/ or
benchmarks/. No dolfinx.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from ssbx.units import (
    A_PER_M2_PER_MA_PER_CM2,
    AREA_RESISTANCE,
    C_PER_M2_PER_MAH_PER_CM2,
    CAPACITY,
    CONDUCTIVITY,
    CURRENT_DENSITY,
    MS_PER_CM_PER_S_PER_M,
    OHM_CM2_PER_OHM_M2,
    from_mA_per_cm2,
    from_mAh_per_cm2,
    from_mS_per_cm,
    from_ohm_cm2,
    parse_quantity,
    to_mA_per_cm2,
    to_mAh_per_cm2,
    to_mS_per_cm,
    to_ohm_cm2,
    ureg,
)

ROOT = Path(__file__).resolve().parents[1]
VALUES = (0.0, 1.0, -1.0, 0.1, 0.25, 0.3, 2.5, 3.0, 7.0, 31.6, 100.0, 1.5e-3, 123.456)


# --------------------------------------------------------------------------- against pint


def test_constants_match_pint() -> None:
    one = ureg.Quantity
    assert one(1.0, "mA/cm^2").to("A/m^2").magnitude == pytest.approx(A_PER_M2_PER_MA_PER_CM2)
    assert one(1.0, "mAh/cm^2").to("C/m^2").magnitude == pytest.approx(
        C_PER_M2_PER_MAH_PER_CM2)
    assert one(1.0, "ohm m^2").to("ohm cm^2").magnitude == pytest.approx(OHM_CM2_PER_OHM_M2)
    assert one(1.0, "S/m").to("mS/cm").magnitude == pytest.approx(MS_PER_CM_PER_S_PER_M)


def test_parse_quantity_examples() -> None:
    assert parse_quantity("1 mA/cm^2", CURRENT_DENSITY, "x") == from_mA_per_cm2(1.0) == 10.0
    assert parse_quantity("1 mAh/cm^2", CAPACITY, "x") == from_mAh_per_cm2(1.0) == 36000.0
    assert parse_quantity("2 ohm cm^2", AREA_RESISTANCE, "x") == from_ohm_cm2(2.0) == 2e-4
    assert parse_quantity("0.5 mS/cm", CONDUCTIVITY, "x") == from_mS_per_cm(0.5) == 0.05


@pytest.mark.parametrize("v", VALUES)
def test_from_helpers_match_parse_quantity(v: float) -> None:
    """What a case file's ``"<v> mA/cm^2"`` (...) reads as, exactly; ohm cm^2 to the last bit
    (from_ohm_cm2 multiplies by 1e-4 as ssbx always has, parse_quantity divides by 1e4)."""
    assert parse_quantity(f"{v!r} mA/cm^2", CURRENT_DENSITY, "x") == from_mA_per_cm2(v)
    assert parse_quantity(f"{v!r} mAh/cm^2", CAPACITY, "x") == from_mAh_per_cm2(v)
    assert parse_quantity(f"{v!r} mS/cm", CONDUCTIVITY, "x") == from_mS_per_cm(v)
    assert parse_quantity(f"{v!r} ohm cm^2", AREA_RESISTANCE, "x") == pytest.approx(
        from_ohm_cm2(v), rel=1e-15, abs=0.0)


@pytest.mark.parametrize("v", VALUES)
def test_to_helpers_match_pint(v: float) -> None:
    def conv(x: float, unit: str, target: str) -> float:
        return float(ureg.Quantity(x, unit).to(target).magnitude)

    assert to_mA_per_cm2(v) == pytest.approx(conv(v, "A/m^2", "mA/cm^2"), rel=1e-14, abs=0.0)
    assert to_mAh_per_cm2(v) == pytest.approx(conv(v, "C/m^2", "mAh/cm^2"), rel=1e-14, abs=0.0)
    assert to_ohm_cm2(v) == pytest.approx(conv(v, "ohm m^2", "ohm cm^2"), rel=1e-14, abs=0.0)
    assert to_mS_per_cm(v) == pytest.approx(conv(v, "S/m", "mS/cm"), rel=1e-14, abs=0.0)


@pytest.mark.parametrize("v", VALUES)
def test_round_trip(v: float) -> None:
    for to, back in ((to_mA_per_cm2, from_mA_per_cm2), (to_mAh_per_cm2, from_mAh_per_cm2),
                     (to_ohm_cm2, from_ohm_cm2), (to_mS_per_cm, from_mS_per_cm)):
        assert to(back(v)) == pytest.approx(v, rel=1e-15, abs=0.0), to.__name__
        assert back(to(v)) == pytest.approx(v, rel=1e-15, abs=0.0), back.__name__


# --------------------------------------------------------------------------- same floats


def test_same_operations_as_the_replaced_factors() -> None:
    """Bit-identical to the hand-written forms they replaced (results must not change)."""
    rng = np.random.default_rng(1)
    xs = np.concatenate([rng.uniform(-1e3, 1e3, 500), 10.0 ** rng.uniform(-9, 9, 500)])
    for x in map(float, xs):
        assert to_mA_per_cm2(x) == x / 10.0 == x / 10
        assert from_mA_per_cm2(x) == x * 10.0 == 10.0 * x
        assert to_mAh_per_cm2(x) == x / 36000.0
        assert from_mAh_per_cm2(x) == x * 36000.0
        assert to_ohm_cm2(x) == x * 1e4
        assert from_ohm_cm2(x) == x * 1e-4
        assert to_mS_per_cm(x) == x * 10
        assert from_mS_per_cm(x) == x / 10.0
    # x * 0.1 is a different float for some x: x * to_mA_per_cm2(1.0) is the same as x * 0.1
    assert to_mA_per_cm2(1.0) == 0.1
    assert any(to_mA_per_cm2(float(x)) != float(x) * 0.1 for x in xs)


def test_arrays() -> None:
    a = np.array([0.0, 10.0, 25.0])
    np.testing.assert_array_equal(to_mA_per_cm2(a), a / 10.0)
    np.testing.assert_array_equal(from_mAh_per_cm2(a), a * 36000.0)
    assert to_mA_per_cm2(25) == 2.5  # an int works too


# --------------------------------------------------------------------------- guard

#: Names the hand-written factors had (module constants), and the literal 36000.
_NAMES = re.compile(r"\b_?(?:MA|MAH|OHM)(?:_PER)?_CM2\b|^\s*A_PER_M2_PER_MA_PER_CM2\s*=|"
                    r"(?<![\w.])36000(?:\.0*)?(?![\w.])")
#: A display unit (as text, in a result key or a variable name).
_UNIT = re.compile(r"mAh?(?:/| )cm|mAh?_per_cm2|ma_cm2|ohm cm|Ω cm|ohm_cm2|mS/cm|mS_per_cm",
                   re.IGNORECASE)
_NUM = r"(?:10(?:\.0*)?|0\.1|1e4|1e-4|1e\+4|10000(?:\.0*)?)(?![\w.])"
#: Division or multiplication by a display factor: ``/ 10``, ``/ 10.0``, ``* 0.1``, ``* 1e4``,
#: ``0.1 *``, ``= 0.1`` (a factor held in a variable).
_FACTOR = re.compile(rf"[/*]\s*{_NUM}|(?<![\w.]){_NUM}\s*\*(?!\*)|=\s*{_NUM}\s*(?:#|$)")
#: The same inside an f-string replacement field: ``{x / 10:.4g}``.
_FIELD = re.compile(rf"[/*]\s*{_NUM}\s*:[^}}]*}}")


def hand_written_conversions(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of the hand-written unit factors in Python source ``text``: a
    constant named like MA_CM2 / MAH_PER_CM2 / OHM_CM2, the literal 36000, or a factor 10, 0.1
    or 1e4 on a line naming mA/cm^2, mAh/cm^2, ohm cm^2 or mS/cm (in an f-string field, the
    unit may also be on the next line)."""
    lines = text.splitlines()
    hits = []
    for k, line in enumerate(lines):
        code = line.split("#", 1)[0] if "#" in line and '"' not in line else line
        nxt = lines[k + 1] if k + 1 < len(lines) else ""
        if (_NAMES.search(line)
                or (_FACTOR.search(code) and _UNIT.search(line))
                or (_FIELD.search(code) and _UNIT.search(line + nxt))):
            hits.append((k + 1, line.strip()))
    return hits


def _sources() -> list[Path]:
    files = sorted((ROOT / "solver").rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py"))
    return [f for f in files if f != ROOT / "solver" / "units.py"]


def test_no_hand_written_unit_factors() -> None:
    """The factors between SI and mA/cm^2, mAh/cm^2, ohm cm^2, mS/cm live in ssbx.units only:
    use to_mA_per_cm2 / from_mA_per_cm2, to_mAh_per_cm2 / ..., to_ohm_cm2, to_mS_per_cm."""
    sources = _sources()
    assert len(sources) > 20
    found = [f"{f.relative_to(ROOT)}:{n}: {line}" for f in sources
             for n, line in hand_written_conversions(f.read_text(encoding="utf-8"))]
    assert not found, "hand-written unit factors (use ssbx.units helpers):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        "MA_CM2 = 10.0",
        "_MAH_CM2 = 36000.0  # C/m^2 in 1 mAh/cm^2",
        "MAH_PER_CM2 = 36000.0",
        "OHM_CM2 = 1e-4",
        "A_PER_M2_PER_MA_PER_CM2 = 10.0",
        'x = {"a": t.current_density / MA_CM2}',
        'q = (s["charge_density"] - q0) / 36000.0',
        '"current_density_mA_per_cm2": trial.current_density / 10.0,',
        '"current_density_contact_mean_mA_per_cm2": (mean / cf / 10.0 if cf > 0',
        'say(console, f"  {current_density / 10.0:.4g} mA/cm^2: stable")',
        'f"{case.ccs.lower / 10:g} .. {case.ccs.upper / 10:g} mA/cm², bracket ratio "',
        "to_ma_cm2 = 0.1  # 1 A/m^2 = 0.1 mA/cm^2",
        "f\"{s['current_density_mean'] * 0.1:.4g} mA/cm²; ASR {s['asr_total'] * 1e4:.4g} \"",
        "[[name, s[name], s[name] * 1e4]]  # asr_ohm_cm2",
        'f"  Zκ = {zk / UM:g} um (κ = {cases[0].conductivity * 10:g} mS/cm, "',
        'return critical_current_density(m) / MA_CM2',
    ],
)
def test_guard_flags_hand_written_factors(line: str) -> None:
    assert hand_written_conversions(line)


def test_guard_flags_unit_on_the_next_line() -> None:
    text = ('say(console, f"bracket {case.ccs.lower / 10:.4g} .. {case.ccs.upper / 10:.4g} "\n'
            '              f"mA/cm^2, stop at ratio {ratio:g}")\n')
    assert [n for n, _ in hand_written_conversions(text)] == [1]


@pytest.mark.parametrize(
    "text",
    [
        "amp = float(min(max(new, amp / 10.0), amp * 10.0, amp_max))",
        "atol=nodes.tolerance * 10):",
        "elif dcf > allowed_dcf and h > 10.0 * control.dt_min:",
        "while (t := 10.0 ** (k / per_decade)) < hold:",
        "fine, coarse, growth = min(zkappa / 20.0, width / 10.0), cell / 10.0, 0.2",
        # a mesh size next to a line naming mA/cm^2 (not in an f-string field)
        'fine = min(2.5e-6, width / 10.0)\nsteps = ["Strip at 1 mA/cm^2 for 0.5 mAh/cm^2"]',
        '"current_density_mA_per_cm2": to_mA_per_cm2(trial.current_density),',
        'CURRENT_DENSITY = from_mA_per_cm2(1.0)  # A/m^2',
        'search = {"ccs.lower": "0.1 mA/cm^2", "ccs.upper": "10 mA/cm^2"}',
        '"ccs.capacity": "0.05 mAh/cm^2" if quick else "0.25 mAh/cm^2",',
        'f"{to_mA_per_cm2(s.upper) / measured[0]:.0f}x the measured mA/cm2"',
    ],
)
def test_guard_leaves_other_tens_alone(text: str) -> None:
    assert hand_written_conversions(text) == []


def test_the_registry_caches_its_definitions_safely(tmp_path, monkeypatch):
    """pint's parsed definitions are cached under $XDG_CACHE_HOME/ssbx (a complete folder or
    none: no private folder is left); a cached registry parses as the plain one; the cache is
    skipped with SSBX_UNITS_CACHE=0 or when its folder cannot be made."""
    import pint

    from ssbx.units import unit_registry

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first, second = unit_registry(), unit_registry()
    folder = tmp_path / "xdg" / "ssbx" / f"pint-{pint.__version__}"
    assert folder.is_dir() and any(folder.iterdir())
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]
    for registry in (first, second):
        q = registry.Quantity("1 mA/cm^2").to_base_units()
        assert q.magnitude == pytest.approx(10.0, rel=1e-15) and str(q.units) == \
            "ampere / meter ** 2"
    monkeypatch.setenv("SSBX_UNITS_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "off"))
    assert unit_registry().Quantity("2 MPa").to("Pa").magnitude == pytest.approx(2e6)
    assert not (tmp_path / "off").exists()
    monkeypatch.delenv("SSBX_UNITS_CACHE")
    (tmp_path / "blocked").write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    assert unit_registry().Quantity("20 um").to("m").magnitude == pytest.approx(2e-5)
