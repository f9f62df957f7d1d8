"""Cycling protocols written as text steps, PyBaMM-experiment style, for stripping cases.

One string is one step (or several, for a current ramp)::

    Strip at 1 mA/cm^2 for 1 hour
    Plate at 0.5 mA/cm^2 for 0.25 mAh/cm^2
    Rest for 10 minutes
    Hold at 20 mV for 30 min
    Ramp strip from 0.1 mA/cm^2 to 0.5 mA/cm^2 in steps of 0.1 mA/cm^2 for 0.1 mAh/cm^2 each
    Charge at 1 mA/cm^2 for 30 minutes
    Discharge at 1 mA/cm^2 for 0.1 mAh/cm^2

``Strip``/``Plate``/``Ramp`` are the steps of a Li-metal electrode (stripping and stack
cases), ``Charge``/``Discharge`` those of an intercalation particle (Li leaves the particle on
charge: a cathode's charge; the current density is per particle surface); ``Rest`` and ``Hold``
serve both (a particle's hold is its potential against Li).

Keywords are case-insensitive and extra whitespace is ignored; quantities are read by
:func:`ssbx.units.parse_quantity` (units are case-sensitive: ``mV`` is not ``MV``). A step of
current is limited by a time or by an areal capacity (charge per area, ``mAh/cm^2``). The
direction comes from the verb: current densities are written positive; stripping (Li
dissolves at the Li/electrolyte interface) is stored positive, plating negative. A ramp expands
into the stepwise current ramp of critical-current-density (CCD) experiments.

Everything is SI: current densities [A/m^2], voltages [V], times [s], capacities [C/m^2].
No dolfinx here.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ssbx.units import (
    CAPACITY,
    CURRENT_DENSITY,
    DIMENSIONS,
    TIME,
    VOLTAGE,
    QuantityError,
    parse_quantity,
    show_value,
    to_mA_per_cm2,
    to_mAh_per_cm2,
)

__all__ = [
    "FORMS",
    "MAX_RAMP_STEPS",
    "METAL_KINDS",
    "PARTICLE_KINDS",
    "ProtocolError",
    "ProtocolStep",
    "describe",
    "parse_protocol",
    "parse_step",
]

#: The step forms, for messages and the case reference.
FORMS: tuple[str, ...] = (
    "Strip at <current density> for <time or capacity>",
    "Plate at <current density> for <time or capacity>",
    "Rest for <time>",
    "Hold at <voltage> for <time>",
    "Ramp strip|plate from <current density> to <current density> in steps of "
    "<current density> for <time or capacity> each",
    "Charge at <current density> for <time or capacity>",
    "Discharge at <current density> for <time or capacity>",
)

#: The step kinds of a Li-metal electrode and of an intercalation particle.
METAL_KINDS: frozenset[str] = frozenset({"strip", "plate", "rest", "hold"})
PARTICLE_KINDS: frozenset[str] = frozenset({"charge", "discharge", "rest", "hold"})

#: Most steps one ramp may expand into.
MAX_RAMP_STEPS = 1000

_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    verb: (re.compile(pattern, re.IGNORECASE), form)
    for verb, pattern, form in (
        ("strip", r"strip at (?P<i>.+?) for (?P<limit>.+)", FORMS[0]),
        ("plate", r"plate at (?P<i>.+?) for (?P<limit>.+)", FORMS[1]),
        ("rest", r"rest for (?P<time>.+)", FORMS[2]),
        ("hold", r"hold at (?P<v>.+?) for (?P<time>.+)", FORMS[3]),
        (
            "ramp",
            r"ramp (?P<dir>strip|plate) from (?P<i0>.+?) to (?P<i1>.+?) in steps of "
            r"(?P<di>.+?) for (?P<limit>.+?) each",
            FORMS[4],
        ),
        ("charge", r"charge at (?P<i>.+?) for (?P<limit>.+)", FORMS[5]),
        ("discharge", r"discharge at (?P<i>.+?) for (?P<limit>.+)", FORMS[6]),
    )
}


class ProtocolError(ValueError):
    """Protocol steps that cannot be read.

    problems: one ``(index, text, reason)`` per bad step: its index in the lines given (0 for
    :func:`parse_step`), the step as written, and why it is wrong with what is allowed.
    """

    def __init__(self, problems: Sequence[tuple[int, str, str]]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        if len(self.problems) == 1:
            _, text, reason = self.problems[0]
            return f"protocol step {show_value(text)}: {reason}"
        lines = [f"{len(self.problems)} bad protocol steps:"]
        lines += [f"  - [{i}] {show_value(text)}: {reason}" for i, text, reason in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class ProtocolStep:
    """One step of a protocol (SI units).

    kind: ``"strip"``, ``"plate"``, ``"rest"`` (no current), ``"hold"`` (potentiostatic),
        ``"charge"`` or ``"discharge"`` (an intercalation particle).
    text: the step as written; for a step of a ramp a generated text ending in
        ``"(ramp 2/5)"``.
    current_density: mean current density [A/m^2], > 0 stripping or charging (Li leaves the
        electrode), < 0 plating or discharging, 0 for rest and hold.
    voltage: cell voltage of a hold [V], > 0 = stripping (0 for the other kinds).
    duration: length [s] when the step is limited by time, else ``None``.
    capacity: charge per area [C/m^2] (positive) when the step is limited by capacity, else
        ``None``.
    """

    kind: Literal["strip", "plate", "rest", "hold", "charge", "discharge"]
    text: str
    current_density: float = 0.0
    voltage: float = 0.0
    duration: float | None = None
    capacity: float | None = None

    @property
    def galvanostatic(self) -> bool:
        """The current is imposed (every kind but ``"hold"``; a rest imposes zero current)."""
        return self.kind != "hold"

    def time_length(self) -> float:
        """Length of the step [s]: its duration, or capacity / |current density|."""
        if self.duration is not None:
            return self.duration
        assert self.capacity is not None and self.current_density != 0.0
        return self.capacity / abs(self.current_density)


class _StepError(Exception):
    """Why one step is wrong (the text is added by the caller)."""


def _expected(dimension: str, sign: str = "> 0") -> str:
    info = DIMENSIONS[dimension]
    return f'{info.name} {sign} (e.g. "{info.example}")'


def _read(value: str, dimension: str, sign: str = "> 0") -> float | str:
    """``value`` in SI, or why it is not a quantity of ``dimension`` with ``sign`` (``"> 0"``
    or ``"!= 0"``)."""
    try:
        x = parse_quantity(value, dimension, "step")
    except QuantityError as err:
        return err.reason
    if (sign == "> 0" and not x > 0) or (sign == "!= 0" and x == 0):
        return f"must be {sign}"
    return x


def _quantity(value: str, dimension: str, what: str, sign: str = "> 0") -> float:
    x = _read(value, dimension, sign)
    if isinstance(x, str):
        raise _StepError(
            f"the {what} {show_value(value)} {x}; expected {_expected(dimension, sign)}"
        )
    return x


def _limit(value: str) -> tuple[float | None, float | None]:
    """(duration [s], None) or (None, capacity [C/m^2]) of a ``for <time or capacity>``."""
    time, capacity = _read(value, TIME), _read(value, CAPACITY)
    if not isinstance(time, str):
        return time, None
    if not isinstance(capacity, str):
        return None, capacity
    reason = time if time.startswith("must") else capacity
    raise _StepError(
        f"the time or capacity {show_value(value)} {reason}; expected {_expected(TIME)} or "
        f"{_expected(CAPACITY)}"
    )


def _ramp(match: re.Match[str]) -> list[ProtocolStep]:
    kind = match["dir"].lower()
    i0 = _quantity(match["i0"], CURRENT_DENSITY, "start current density")
    i1 = _quantity(match["i1"], CURRENT_DENSITY, "end current density")
    di = _quantity(match["di"], CURRENT_DENSITY, "current density step")
    duration, capacity = _limit(match["limit"])
    if i1 < i0:
        raise _StepError(
            f"the ramp goes down (from {show_value(match['i0'])} to {show_value(match['i1'])}); "
            "expected an end current density >= the start"
        )
    n = math.floor((i1 * (1 + 1e-9) - i0) / di) + 1
    if n > MAX_RAMP_STEPS:
        raise _StepError(f"the ramp has {n} steps; expected at most {MAX_RAMP_STEPS}")
    sign = 1.0 if kind == "strip" else -1.0
    steps = []
    for j in range(n):
        i = i0 + j * di
        if abs(i - i1) <= 1e-9 * i1:
            i = i1
        steps.append(
            ProtocolStep(
                kind,
                f"{kind.capitalize()} at {to_mA_per_cm2(i):.6g} mA/cm^2 for "
                f"{' '.join(match['limit'].split())} (ramp {j + 1}/{n})",
                current_density=sign * i,
                duration=duration,
                capacity=capacity,
            )
        )
    return steps


def _parse(text: str) -> list[ProtocolStep]:
    if not isinstance(text, str):
        raise _StepError(f"is {type(text).__name__}; expected a string")
    norm = " ".join(text.split())
    verb = norm.split(" ", 1)[0].lower()
    if verb not in _PATTERNS:
        close = difflib.get_close_matches(verb, list(_PATTERNS), n=1)
        hint = f" (did you mean {show_value(close[0])}?)" if close else ""
        raise _StepError(
            f"unknown step {show_value(verb) if verb else '(empty)'}{hint}; expected one of: "
            + ", ".join(show_value(f) for f in FORMS)
        )
    pattern, form = _PATTERNS[verb]
    match = pattern.fullmatch(norm)
    if match is None:
        raise _StepError(f"expected {show_value(form)}")
    if verb == "ramp":
        return _ramp(match)
    if verb in ("strip", "plate", "charge", "discharge"):
        i = _quantity(match["i"], CURRENT_DENSITY, "current density")
        duration, capacity = _limit(match["limit"])
        sign = 1.0 if verb in ("strip", "charge") else -1.0
        return [ProtocolStep(verb, text.strip(), sign * i, 0.0, duration, capacity)]
    duration = _quantity(match["time"], TIME, "time")
    if verb == "rest":
        return [ProtocolStep("rest", text.strip(), duration=duration)]
    voltage = _quantity(match["v"], VOLTAGE, "voltage", "!= 0")
    return [ProtocolStep("hold", text.strip(), voltage=voltage, duration=duration)]


def parse_step(text: str) -> list[ProtocolStep]:
    """The steps of one protocol string: one step, or one per current of a ramp.

    Raises :class:`ProtocolError` naming the step, what is wrong and what is allowed.
    """
    try:
        return _parse(text)
    except _StepError as err:
        raise ProtocolError([(0, str(text), str(err))]) from None


def parse_protocol(lines: Sequence[str], cycles: int = 1) -> list[ProtocolStep]:
    """The steps of all ``lines`` (in order), the whole repeated ``cycles`` times.

    Raises :class:`ProtocolError` listing every bad line (with its index), no lines, or
    ``cycles`` not an integer >= 1.
    """
    if isinstance(lines, str):
        lines = [lines]
    if isinstance(cycles, bool) or not isinstance(cycles, int) or cycles < 1:
        raise ProtocolError([(0, "", f"cycles = {cycles!r}; expected an integer >= 1")])
    if not lines:
        forms = ", ".join(show_value(f) for f in FORMS)
        raise ProtocolError([(0, "", f"no steps; expected at least one of: {forms}")])
    steps: list[ProtocolStep] = []
    problems: list[tuple[int, str, str]] = []
    for n, line in enumerate(lines):
        try:
            steps += _parse(line)
        except _StepError as err:
            problems.append((n, str(line), str(err)))
    if problems:
        raise ProtocolError(problems)
    return steps * cycles


def _num(x: float) -> str:
    text = f"{x:.4g}"
    return text if any(c in text for c in ".en") else text + ".0"


def describe(steps: Sequence[ProtocolStep]) -> str:
    """A short summary: ``"3 steps, 2.0 h, 1.0 mAh/cm^2 stripped, 0.5 mAh/cm^2 plated"``.

    The charges count the galvanostatic steps only (that of a hold is known after the run).
    """
    hours = sum(s.time_length() for s in steps) / 3600.0
    charges = [s.current_density * s.time_length() for s in steps if s.galvanostatic]
    stripped = to_mAh_per_cm2(sum(q for q in charges if q > 0))
    plated = to_mAh_per_cm2(-sum(q for q in charges if q < 0))
    n = len(steps)
    out, back = ("charged", "discharged") if any(
        s.kind in ("charge", "discharge") for s in steps) else ("stripped", "plated")
    return (
        f"{n} step{'s' if n != 1 else ''}, {_num(hours)} h, {_num(stripped)} mAh/cm^2 {out}, "
        f"{_num(plated)} mAh/cm^2 {back}"
    )
