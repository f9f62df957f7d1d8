"""Case input: TOML in, a validated, typed :class:`Case` out (SI units; no dolfinx).

- :mod:`~ssbx.case.schema`: every key (type, dimension, default, meaning, checks);
- :mod:`~ssbx.case.records`: the resolved, frozen records and their TOML form;
- :mod:`~ssbx.case.validate`: key-by-key checks; :mod:`~ssbx.case.rules`: cross-key rules;
- :mod:`~ssbx.case.load`: ``load_case``, ``resolve_case``, ``with_overrides``;
- :mod:`~ssbx.case.protocol`: experiment protocols ("Strip at 1 mA/cm^2 for 1 hour").
"""

from ssbx.case.load import load_case, resolve_case, with_overrides
from ssbx.case.records import Case, i0_from_asr
from ssbx.errors import CaseError

__all__ = ["Case", "CaseError", "i0_from_asr", "load_case", "resolve_case", "with_overrides"]
