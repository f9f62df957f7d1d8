"""Key-by-key validation of a raw case against :data:`ssbx.case.schema.SCHEMA`.

Unknown keys (with a suggestion), types, units and dimensions, signs, ranges and choices;
every problem is collected in a :class:`ValidationState` with the key, the value given and
what is allowed.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ssbx.case.schema import KEYS, SCHEMA, TABLES, VOID_KEYS, Key, section_keys
from ssbx.meshes.spec import VoidSpec
from ssbx.units import (
    DIMENSIONS,
    LENGTH,
    PRESSURE,
    QuantityError,
    parse_quantity,
    show_value,
    toml_type,
)

# --------------------------------------------------------------------------- validation helpers

_KIND_TEXT = {
    "int": "an integer",
    "float": "a number",
    "choice": "a string",
    "bool": "a boolean (true or false)",
    "str": "a string",
    "str_list": "an array of strings",
    "float_list": "an array of numbers",
    "table": "a table",
    "table_list": "an array of tables",
    "layer_list": "an array of tables",
}


def show_given(value: Any, limit: int = 80) -> str:
    """A given (raw) value for messages, cut to ``limit`` characters."""
    text = show_value(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show_um(x: float) -> str:
    """A length [m] in um for messages."""
    return f"{x * 1e6:.6g} um"


def allowed_text(key: Key) -> str:
    """What a key accepts, for messages."""
    if key.kind == "quantity":
        assert key.dimension is not None
        info = DIMENSIONS[key.dimension]
        sign = " > 0" if key.positive else " >= 0" if key.nonnegative else ""
        sign += " != 0" if key.nonzero else ""
        return f'{info.name}{sign}, e.g. "{info.example}" (a bare number is in {info.si_unit})'
    if key.choices is not None:
        return "one of " + ", ".join(show_value(c) for c in key.choices)
    bounds = ["> 0"] if key.positive else [">= 0"] if key.nonnegative else []
    bounds += [f"{op} {x:g}" for op, x in (("<", key.below), ("<=", key.at_most)) if x is not None]
    if key.above is not None:
        bounds.insert(0, f"> {key.above:g}")
    return " ".join([_KIND_TEXT[key.kind], " and ".join(bounds)]).rstrip()


def out_of_range(key: Key, x: float) -> str | None:
    """Why ``x`` breaks the value checks of ``key`` (sign, bounds), or ``None``."""
    if key.positive and not x > 0:
        return "must be positive"
    if key.nonnegative and x < 0:
        return "must not be negative"
    if key.nonzero and x == 0:
        return "must be nonzero"
    if key.above is not None and not x > key.above:
        return f"must be > {key.above:g}"
    if key.below is not None and not x < key.below:
        return f"must be < {key.below:g}"
    if key.at_most is not None and not x <= key.at_most:
        return f"must be <= {key.at_most:g}"
    return None


def unknown_key_message(path: str, value: Any, name: str, candidates: list[str], where: str,
                        *, search_elsewhere: bool = True, hint: str | None = None) -> str:
    """Message for an unknown key: ``hint`` if given, else where the name belongs if it
    exists in another section (``search_elsewhere``), else the closest known key; then the
    allowed keys."""
    msg = f"{path} = {show_given(value, 40)}: unknown {where}"
    elsewhere = []
    if search_elsewhere:
        elsewhere = [k.path for k in SCHEMA if k.name == name and k.path != path]
        elsewhere += [f"geometry.voids[].{name}" for k in VOID_KEYS if k.name == name]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if hint is not None:
        msg += f" ({hint})"
    elif elsewhere:
        msg += f" (did you mean {' or '.join(elsewhere)}?)"
    elif close:
        msg += f' (did you mean "{close[0]}"?)'
    return msg + "; allowed: " + ", ".join(candidates)


def check_key(key: Key, path: str, value: Any, problems: list[str]) -> tuple[bool, Any]:
    """Check one value against its key; returns (ok, value converted to SI / Python type)."""
    bad = f"{path} = {show_given(value)}"
    if key.kind == "quantity":
        assert key.dimension is not None
        try:
            x = parse_quantity(value, key.dimension, path)
        except QuantityError as err:
            problems.append(f"{bad}: {err.reason}; expected {allowed_text(key)}")
            return False, None
        reason = out_of_range(key, x)
        if reason:
            problems.append(f"{bad}: {reason}; expected {allowed_text(key)}")
            return False, None
        return True, x
    if key.kind in ("int", "float"):
        is_int = isinstance(value, int) and not isinstance(value, bool)
        is_num = is_int or isinstance(value, float)
        if not (is_int if key.kind == "int" else is_num):
            problems.append(f"{bad}: is {toml_type(value)}; expected {allowed_text(key)}")
            return False, None
        x = int(value) if key.kind == "int" else float(value)
        if not math.isfinite(x):
            problems.append(f"{bad}: is not finite; expected {allowed_text(key)}")
            return False, None
        if key.choices is not None and x not in key.choices:
            problems.append(f"{bad}: not allowed; expected {allowed_text(key)}")
            return False, None
        reason = out_of_range(key, x)
        if reason:
            problems.append(f"{bad}: {reason}; expected {allowed_text(key)}")
            return False, None
        return True, x
    if key.kind == "choice":
        assert key.choices is not None
        if not isinstance(value, str) or value not in key.choices:
            msg = f"{bad}: not allowed; expected {allowed_text(key)}"
            if isinstance(value, str):
                norm = value.strip().lower().replace("-", "_").replace(" ", "_")
                close = difflib.get_close_matches(norm, [str(c) for c in key.choices], n=1)
                if close:
                    msg += f' (did you mean "{close[0]}"?)'
            problems.append(msg)
            return False, None
        return True, value
    if key.kind == "bool":
        if not isinstance(value, bool):
            problems.append(f"{bad}: is {toml_type(value)}; expected {allowed_text(key)}")
            return False, None
        return True, value
    if key.kind == "str":
        if not isinstance(value, str):
            problems.append(f"{bad}: is {toml_type(value)}; expected {allowed_text(key)}")
            return False, None
        return True, value
    if key.kind == "str_list":
        if not isinstance(value, list):
            problems.append(f"{bad}: is {toml_type(value)}; expected {allowed_text(key)}")
            return False, None
        wrong = [(i, v) for i, v in enumerate(value) if not isinstance(v, str)]
        for i, v in wrong:
            problems.append(f"{path}[{i}] = {show_given(v)}: is {toml_type(v)}; expected a string")
        return (False, None) if wrong else (True, tuple(value))
    if key.kind == "float_list":
        if not isinstance(value, list):
            problems.append(f"{bad}: is {toml_type(value)}; expected {allowed_text(key)}")
            return False, None
        wrong = [(i, v) for i, v in enumerate(value)
                 if isinstance(v, bool) or not isinstance(v, int | float)
                 or not math.isfinite(v)]
        for i, v in wrong:
            problems.append(f"{path}[{i}] = {show_given(v)}: is {toml_type(v)}; expected a "
                            "finite number")
        return (False, None) if wrong else (True, tuple(float(v) for v in value))
    if key.kind == "table":
        if not isinstance(value, dict):
            problems.append(f"{bad}: is {toml_type(value)}; expected a table [{path}]")
            return False, None
        ok = True
        for option, v in value.items():
            opath = f"{path}.{option}"
            if option.startswith("-"):
                problems.append(
                    f"{opath} = {show_given(v)}: PETSc option names are written without the "
                    f'leading dash; expected "{option.lstrip("-")}"'
                )
                ok = False
            if isinstance(v, dict | list) or not isinstance(v, str | int | float | bool):
                problems.append(
                    f"{opath} = {show_given(v)}: is {toml_type(v)}; expected a string, number or "
                    "boolean (PETSc option value)"
                )
                ok = False
        return ok, dict(value) if ok else None
    raise AssertionError(key.kind)  # table_list and layer_list are handled by the caller


@dataclass
class VoidEntry:
    """A void while validating: raw values given, checked SI values, keys that failed."""

    index: int
    given: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)

    def path(self, name: str = "") -> str:
        """``geometry.voids[i]``, or the dotted path of its key ``name``."""
        return f"geometry.voids[{self.index}]" + (f".{name}" if name else "")

    def shown(self, name: str) -> str:
        """``path = value`` of the void's key ``name`` for messages."""
        return f"{self.path(name)} = {show_given(self.given[name])}"

    def spec(self) -> VoidSpec:
        """The checked void as a :class:`VoidSpec` (``KeyError`` while a sub-key is missing)."""
        v = self.values
        return VoidSpec(center=v["center"], width=v["width"], height=v["height"],
                        shape=v["shape"], corner_radius=v["corner_radius"],
                        center_y=v.get("center_y", 0.0))


@dataclass
class ValidationState:
    """Everything validation collects: SI values by dotted path, raw values given, problems."""

    problems: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    given: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)
    voids: list[VoidEntry] = field(default_factory=list)
    voids_ok: bool = True
    #: things that are allowed but probably not meant (shown by the CLI, not errors)
    warnings: list[str] = field(default_factory=list)

    def ok(self, *paths: str) -> bool:
        """Whether every one of ``paths`` has a checked value."""
        return all(p in self.values for p in paths)

    def shown(self, path: str) -> str:
        """``path = value`` for messages, marking defaults."""
        if path in self.given:
            return f"{path} = {show_given(self.given[path])}"
        key = KEYS[path]
        default = key.default_text or show_value(key.default)
        if key.kind == "quantity" and key.default_text:
            default = show_value(default)
        return f"{path} = {default} (default)"


def expect_array_of_tables(value: Any, path: str, problems: list[str], *, before: str,
                           one: str) -> bool:
    """Whether ``value`` of the key ``path`` is an array (of tables, checked per table by the
    caller); if not, a problem saying to write ``[[path]]`` (double brackets) before
    ``before`` (a table given), or one ``one`` (another type)."""
    if isinstance(value, dict):
        problems.append(
            f"{path} = {show_given(value)}: is a table; expected an array of tables: write "
            f"[[{path}]] (double brackets) before {before}")
        return False
    if not isinstance(value, list):
        problems.append(
            f"{path} = {show_given(value)}: is {toml_type(value)}; expected an array of "
            f"tables, one {one}")
        return False
    return True


def walk_voids(value: Any, st: ValidationState) -> None:
    """Check the ``[[geometry.voids]]`` array of tables key by key into ``st.voids``."""
    path = "geometry.voids"
    if not expect_array_of_tables(value, path, st.problems, before="the keys of each void",
                                  one="[[geometry.voids]] table per void"):
        st.voids_ok = False
        return
    item_keys = {k.name: k for k in VOID_KEYS}
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            st.problems.append(
                f"{path}[{i}] = {show_given(item)}: is {toml_type(item)}; expected a table with "
                "keys " + ", ".join(item_keys)
            )
            st.voids_ok = False
            continue
        void = VoidEntry(i, dict(item))
        for name, v in item.items():
            if name not in item_keys:
                st.problems.append(
                    unknown_key_message(void.path(name), v, name, list(item_keys), "key in a void")
                )
                void.bad.add(name)
                continue
            ok, x = check_key(item_keys[name], void.path(name), v, st.problems)
            if ok:
                void.values[name] = x
            else:
                void.bad.add(name)
        st.voids.append(void)


#: A bare number (no unit) is SI. Where it is implausible in SI for the kind of key, the
#: case probably meant another unit: (dimension, lower, upper, SI unit, suggested unit).
_PLAUSIBLE_BARE = {
    LENGTH: (0.0, 1e-2, "m", "um"),  # layers and features of a cell: below 1 cm
    PRESSURE: (1e3, math.inf, "Pa", "MPa"),  # stack and yield pressures: above 1 kPa
}


def bare_number_warning(key: Key, path: str, value: Any) -> str | None:
    """A warning for a bare number that is implausible in SI for ``key`` (``h_se = 50``: 50 m),
    suggesting the unit probably meant; ``None`` otherwise."""
    if key.kind != "quantity" or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    rule = _PLAUSIBLE_BARE.get(key.dimension or "")
    if rule is None or value == 0:
        return None
    lower, upper, si, meant = rule
    if lower <= abs(value) <= upper:
        return None
    return (f"{path} = {show_given(value)}: a number without a unit is SI, so this is "
            f"{value:g} {si}; if you meant {value:g} {meant}, write {path.rpartition('.')[2]} = "
            f'"{value:g} {meant}"')


def walk_keys(raw: Mapping[str, Any], st: ValidationState) -> None:
    """Check every key of a raw case: unknown keys, types, units and ranges, into ``st``."""
    top = section_keys("")
    candidates = [*top, *TABLES]
    for name, value in raw.items():
        if name in TABLES:
            if not isinstance(value, dict):
                st.problems.append(
                    f"{name} = {show_given(value)}: is {toml_type(value)}; expected a table: write "
                    f"[{name}] followed by its keys"
                )
                continue
            keys = section_keys(name)
            for sub, v in value.items():
                path = f"{name}.{sub}"
                if sub not in keys:
                    st.problems.append(
                        unknown_key_message(path, v, sub, list(keys), f"key in [{name}]"))
                    continue
                st.given[path] = v
                if keys[sub].kind == "table_list":
                    walk_voids(v, st)
                    continue
                ok, x = check_key(keys[sub], path, v, st.problems)
                if ok:
                    st.values[path] = x
                    implausible = bare_number_warning(keys[sub], path, v)
                    if implausible:
                        st.warnings.append(implausible)
                else:
                    st.bad.add(path)
        elif name in top:
            st.given[name] = value
            ok, x = check_key(top[name], name, value, st.problems)
            if ok:
                st.values[name] = x
            else:
                st.bad.add(name)
        else:
            where = "section" if isinstance(value, dict) else "key at the top level"
            st.problems.append(unknown_key_message(name, value, name, candidates, where))


def fill_defaults(st: ValidationState, name_default: str) -> None:
    """Schema defaults for the keys not given; the name defaults to ``name_default``."""
    for key in SCHEMA:
        if key.path in st.given or key.kind == "table_list":
            continue
        if key.path == "name":
            st.values["name"] = name_default
        elif key.default is not None:
            st.values[key.path] = copy.deepcopy(key.default)

