"""FFCx (JIT) and numba caches that survive multi-node jobs, sweeps and containers.

What goes wrong without this module
-----------------------------------
dolfinx compiles every form with FFCx on rank 0 of the form's communicator and the other ranks
load the result from ``$XDG_CACHE_HOME/fenics``. FFCx claims a module by creating
``<module>.c`` with ``open(..., "x")``; any *other process* that finds the ``.c`` waits for
``<module>.c.cached`` -- polling once a second for ``timeout`` seconds (dolfinx's default jit
option: 10) -- and then raises ``TimeoutError``. A cold compile of one of our forms takes about
10 s, longer on a loaded node, so

- a sweep running many groups (sub-communicators, each with its own rank 0) against one shared
  cache folder, several jobs of a job array, or the ranks of a second node with a node-local
  cache, fail with ``TimeoutError`` when they happen to need the same new form at once;
- a process killed during a compile (time limit, ``scancel``, out of memory) leaves a ``.c``
  without ``.c.cached``, and every later process that needs that form waits ``timeout`` seconds
  and fails, until someone deletes the file.

What this module does
---------------------
:func:`configure_jit` (called by :func:`ssbx.require_dolfinx`):

- raises the wait to :data:`DEFAULT_JIT_TIMEOUT_S` seconds (environment ``SSBX_JIT_TIMEOUT``
  overrides) by updating ``dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS``. The value is how long a
  process waits for *another* process's compile, not a limit on its own compile. JSON option
  files (``dolfinx_jit_options.json``) and explicit ``jit_options`` still take priority;
- makes a waiter that times out check whether the entry it waited for is stale (no file of the
  module touched for :func:`stale_age_s` seconds): it then removes the dead ``.c`` and compiles
  the form itself, instead of failing (self-healing; ``SSBX_JIT_SELF_HEAL=0`` switches it off);
- falls back to a per-user folder under the temporary directory (with a warning) when the FFCx or
  numba cache folder cannot be written (a read-only container image without a bound cache).

:func:`repair_stale_entries` removes dead compiles by hand (``ssbx cache``), :func:`cache_report`
says where the caches are and what they hold, :func:`warm_numba_kernels` compiles the numba
kernels once per communicator and node before the other ranks load them.

numba
-----
numba (0.68) writes its cache files (``<kernel>-<line>.py312.nbi`` index, ``.<n>.nbc`` data)
through a temporary file and ``os.replace``, so concurrent writers never leave a half-written
file, and a reader that finds the index before the data file recompiles instead of failing.
Processes on the same CPU model compile identical entries and may all write them: safe, only
wasted time. Processes on *different* CPU models (one ``NUMBA_CACHE_DIR`` shared by two
partitions) produce different index keys that can claim the same data-file number at the same
time; give each CPU model (partition) its own ``NUMBA_CACHE_DIR``. numba keys entries on the
source file's path and content hash, so a cache follows the installed source, and it uses
``NUMBA_CACHE_DIR`` if that is writable, else ``__pycache__`` next to the kernels if writable,
else ``$XDG_CACHE_HOME/numba``; with none writable it refuses to import the kernels
(``RuntimeError: cannot cache function``), which :func:`configure_numba_cache` prevents.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger("ssbx.parallel.jit_cache")

#: Seconds a process waits for another process's compile of the same form (dolfinx: 10).
DEFAULT_JIT_TIMEOUT_S = 900
#: Environment variable overriding :data:`DEFAULT_JIT_TIMEOUT_S` (seconds).
TIMEOUT_ENV = "SSBX_JIT_TIMEOUT"
#: Environment variable switching the self-healing of stale entries off (``0``).
SELF_HEAL_ENV = "SSBX_JIT_SELF_HEAL"
#: An entry is never considered stale before this age, whatever the timeout (a live compile of a
#: large form on a loaded node can take minutes without touching its files).
MIN_STALE_AGE_S = 300

_PREFIXES = ("libffcx_forms_", "libffcx_expressions_")
_HEAL_MARK = "_ssbx_self_heal"


# ------------------------------------------------------------------------------------------
# settings
# ------------------------------------------------------------------------------------------
def jit_timeout() -> int:
    """The JIT wait in whole seconds: ``SSBX_JIT_TIMEOUT`` if set and valid, else the default."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_JIT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        _warn_on_rank0(
            "%s=%r is not a positive number of seconds; using %d s",
            TIMEOUT_ENV, raw, DEFAULT_JIT_TIMEOUT_S,
        )
        return DEFAULT_JIT_TIMEOUT_S
    return max(1, math.ceil(value))  # FFCx polls once a second: range(timeout)


def stale_age_s(timeout: float | None = None) -> float:
    """Age (seconds since the last change of any of its files) from which an entry is dead."""
    return max(float(jit_timeout() if timeout is None else timeout), MIN_STALE_AGE_S)


def _self_heal_enabled() -> bool:
    return os.environ.get(SELF_HEAL_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


_WARNING_RANK = [0]  # the process's rank in its job, as the CLI told configure_jit


def _warn_on_rank0(message: str, *args: Any) -> None:
    """A configuration warning, once per job (the process of rank 0, see
    :func:`configure_jit`), not once per rank."""
    if _WARNING_RANK[0] == 0:
        logger.warning(message, *args)


def _fallback_dir(name: str) -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"ssbx-cache-{uid}" / name


def is_writable(path: Path | str) -> bool:
    """Whether files can be created in ``path`` (creating the folder if needed)."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def ffcx_cache_dir() -> Path:
    """The FFCx/dolfinx JIT cache folder that forms compiled now would use."""
    if "dolfinx.jit" in sys.modules:
        try:
            return Path(sys.modules["dolfinx.jit"].get_options()["cache_dir"])
        except Exception:  # a broken user json file: fall back to the env
            pass
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return (base / "fenics").expanduser()


# ------------------------------------------------------------------------------------------
# FFCx / dolfinx
# ------------------------------------------------------------------------------------------
def configure_jit(timeout: float | None = None, *, self_heal: bool | None = None,
                  rank: int = 0) -> dict[str, Any]:
    """Make dolfinx's JIT safe for concurrent processes sharing one cache folder.

    Sets the default jit option ``timeout`` (``timeout`` argument, else ``SSBX_JIT_TIMEOUT``,
    else :data:`DEFAULT_JIT_TIMEOUT_S`), installs the self-healing wait (``self_heal``, default
    on unless ``SSBX_JIT_SELF_HEAL=0``), moves an unwritable FFCx cache folder to a per-user
    temporary one, and checks the numba cache (:func:`configure_numba_cache`). Idempotent and
    local (no MPI communication). ``rank``: this process's rank in its job (the CLI passes
    it); configuration warnings are printed by rank 0 only. Returns the settings in effect.
    """
    _WARNING_RANK[0] = int(rank)
    import dolfinx.jit
    import ffcx.codegeneration.jit as ffcx_jit

    seconds = jit_timeout() if timeout is None else max(1, math.ceil(timeout))
    options = dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS
    _, doc = options["timeout"]
    options["timeout"] = (seconds, doc)

    cache_dir = Path(dolfinx.jit.get_options()["cache_dir"])
    if not is_writable(cache_dir):
        fallback = _fallback_dir("fenics")
        _warn_on_rank0(
            "FFCx JIT cache %s is not writable: compiling into %s instead (node-local, not "
            "shared; set XDG_CACHE_HOME to a writable folder, e.g. a bind-mounted one)",
            cache_dir, fallback,
        )
        options["cache_dir"] = (fallback, options["cache_dir"][1])

    heal = _self_heal_enabled() if self_heal is None else self_heal
    _install_self_heal(ffcx_jit, heal)
    numba_dir = configure_numba_cache()
    effective = dolfinx.jit.get_options()
    return {
        "timeout": effective["timeout"],
        "cache_dir": str(effective["cache_dir"]),
        "self_heal": heal,
        "numba_cache_dir": None if numba_dir is None else str(numba_dir),
    }


def _install_self_heal(ffcx_jit: Any, enabled: bool) -> None:
    """Wrap ``ffcx.codegeneration.jit.get_cached_module`` (looked up by name at every compile)."""
    current = ffcx_jit.get_cached_module
    installed = getattr(current, _HEAL_MARK, False)
    if installed == enabled:
        return
    if not enabled:
        ffcx_jit.get_cached_module = current.__wrapped__
        return
    original = current

    def get_cached_module(module_name: str, object_names: Iterable[str],
                          cache_dir: str | Path, timeout: int) -> tuple[Any, Any]:
        try:
            return original(module_name, object_names, cache_dir, timeout)
        except TimeoutError:
            removed = _repair_module(Path(cache_dir), module_name, stale_age_s(timeout))
            if not removed:
                raise
            logger.warning(
                "removed a dead JIT compile (%s, no change for over %.0f s) and compiling it "
                "again", removed[0].name, stale_age_s(timeout),
            )
            return original(module_name, object_names, cache_dir, timeout)

    get_cached_module.__wrapped__ = original  # type: ignore[attr-defined]
    get_cached_module.__doc__ = original.__doc__
    setattr(get_cached_module, _HEAL_MARK, True)
    ffcx_jit.get_cached_module = get_cached_module


def _module_files(cache_dir: Path, module_name: str) -> list[Path]:
    """The files of one module: ``.c``, ``.o``, ``.<abi>.so``, ``.c.cached``, ``.c.failed``."""
    return [p for p in cache_dir.glob(module_name + ".*") if p.is_file()]


def _entry_age(files: Iterable[Path], now: float) -> float:
    mtimes = []
    for path in files:
        try:
            mtimes.append(path.stat().st_mtime)
        except OSError:
            continue
    return now - max(mtimes) if mtimes else math.inf


def _pending_modules(cache_dir: Path) -> list[str]:
    """Modules with a ``.c`` and no ``.c.cached`` (being compiled, or a dead compile)."""
    try:
        names = {entry.name for entry in os.scandir(cache_dir)}
    except OSError:
        return []
    return sorted(
        name[:-2] for name in names
        if name.endswith(".c") and name.startswith(_PREFIXES) and name + ".cached" not in names
    )


def _repair_module(cache_dir: Path, module_name: str, older_than_s: float,
                   dry_run: bool = False) -> list[Path]:
    c_file = cache_dir / (module_name + ".c")
    if not c_file.exists() or c_file.with_name(c_file.name + ".cached").exists():
        return []
    files = _module_files(cache_dir, module_name)
    if _entry_age(files, time.time()) <= older_than_s:
        return []
    # the .c first (it is what blocks everyone), then the half-built objects of that compile
    doomed = [c_file, *sorted(p for p in files if p.suffix in (".o", ".so"))]
    removed: list[Path] = []
    for path in doomed:
        if dry_run:
            removed.append(path)
            continue
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:  # another process repaired it first
            continue
        except OSError as err:
            logger.warning("could not remove %s: %s", path, err)
    return removed


def repair_stale_entries(cache_dir: Path | str | None = None, older_than_s: float | None = None,
                         *, dry_run: bool = False) -> list[Path]:
    """Remove the leftovers of killed FFCx compiles from ``cache_dir``; return what went.

    A module whose ``<module>.c`` exists without ``<module>.c.cached`` and none of whose files
    changed in the last ``older_than_s`` seconds (default :func:`stale_age_s`: the JIT timeout,
    at least :data:`MIN_STALE_AGE_S`) is a dead compile: its ``.c`` (and half-built ``.o``/``.so``)
    are removed, so that the next process compiles the form again instead of waiting for it.
    Younger ones may be live compiles and are left alone. ``cache_dir`` defaults to
    :func:`ffcx_cache_dir`. ``dry_run`` lists without removing. Safe to run while jobs use the
    cache.
    """
    cache = Path(cache_dir) if cache_dir is not None else ffcx_cache_dir()
    age = stale_age_s() if older_than_s is None else float(older_than_s)
    removed: list[Path] = []
    for module in _pending_modules(cache):
        removed += _repair_module(cache, module, age, dry_run=dry_run)
    return removed


# ------------------------------------------------------------------------------------------
# numba
# ------------------------------------------------------------------------------------------
def _kernel_source() -> Path:
    """The kernels' source file, found without importing it (importing fixes numba's folder)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("ssbx.physics.viscoplastic_kernels")
    except ImportError:
        spec = None
    if spec is not None and spec.origin:
        return Path(spec.origin).resolve()
    return Path(__file__).resolve().parents[2] / "physics" / "viscoplastic_kernels.py"


def _numba_default_dirs() -> list[Path]:
    """Where numba caches without NUMBA_CACHE_DIR: ``__pycache__`` next to the kernels, then the
    user-wide folder (numba's appdirs: ``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    user = (Path(xdg) if xdg else Path.home() / ".cache") / "numba"
    return [_kernel_source().parent / "__pycache__", user]


def configure_numba_cache() -> Path | None:
    """Make sure numba has a writable cache folder; return it (``None``: numba's own default).

    An unwritable ``NUMBA_CACHE_DIR`` (e.g. the image's folder in a read-only Apptainer image),
    or no writable folder at all without it, is replaced by a per-user temporary folder (with a
    warning): without one, numba refuses to import the ``cache=True`` kernels. Takes effect for
    kernels imported afterwards (also when numba itself is already imported).
    """
    configured = os.environ.get("NUMBA_CACHE_DIR", "").strip()
    if configured:
        if is_writable(configured):
            return Path(configured)
        reason = f"NUMBA_CACHE_DIR={configured} is not writable"
    else:
        if any(is_writable(folder) for folder in _numba_default_dirs()):
            return None
        reason = "no writable numba cache folder (NUMBA_CACHE_DIR unset)"
    fallback = _fallback_dir("numba")
    if not is_writable(fallback):
        _warn_on_rank0("%s, and neither is %s", reason, fallback)
        return None
    _warn_on_rank0("%s: caching numba kernels in %s instead", reason, fallback)
    os.environ["NUMBA_CACHE_DIR"] = str(fallback)
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CACHE_DIR = str(fallback)
    return fallback


def warm_numba_kernels(comm: Any = None) -> float:
    """Compile (or load) the viscoplastic numba kernels without racing on the cache.

    Collective on ``comm`` (an mpi4py communicator; ``None``: this process only). Rank 0 of
    ``comm`` compiles and writes the cache first; then one rank on each other node (which finds
    the entry if the cache is shared, or compiles into its node-local cache); then all the
    others, which load. Returns the seconds this rank spent. Run it before timing anything, or
    once in a small job before a sweep or job array to pre-warm a shared cache.
    """
    from ssbx.physics.viscoplastic_kernels import warm_up_kernels

    t0 = time.perf_counter()
    if comm is None or comm.size == 1:
        warm_up_kernels()
        return time.perf_counter() - t0
    from mpi4py import MPI

    node = comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.rank)
    try:
        first_on_node = node.rank == 0
        if comm.rank == 0:
            warm_up_kernels()
        comm.Barrier()
        if first_on_node and comm.rank != 0:
            warm_up_kernels()
        comm.Barrier()
        if not first_on_node:
            warm_up_kernels()
        comm.Barrier()
    finally:
        node.Free()
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------
def _folder_stats(path: Path) -> tuple[int, int]:
    """(number of files, total bytes) directly in ``path`` and its sub-folders."""
    count = size = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                size += os.stat(os.path.join(root, name)).st_size
                count += 1
            except OSError:
                continue
    return count, size


def _numba_cache_dir() -> tuple[Path | None, str, str | None]:
    """(folder, how numba chose it, error) for the kernels, as numba itself decides it."""
    try:
        from ssbx.physics import viscoplastic_kernels as vk

        cache = vk.power_law_update._cache  # numba's FunctionCache: the locator's real choice
        locator = type(cache._impl.locator).__name__
        return Path(cache.cache_path), locator, None
    except Exception as err:  # numba missing, or no writable folder
        configured = os.environ.get("NUMBA_CACHE_DIR")
        return (Path(configured) if configured else None), "unknown", f"{type(err).__name__}: {err}"


def cache_report() -> dict[str, Any]:
    """Where the FFCx and numba caches are, whether they are writable and what they hold.

    Keys: ``jit_timeout_s`` and ``jit_timeout_source`` (``SSBX_JIT_TIMEOUT`` or ``default``),
    ``stale_after_s``, ``self_heal``, and per cache (``ffcx``, ``numba``) ``path``,
    ``exists``, ``writable``, ``files``, ``bytes``; for FFCx also ``modules`` (compiled),
    ``pending`` (a ``.c`` without ``.c.cached``: compiling now or dead) and ``stale`` (pending and
    older than ``stale_after_s``: what :func:`repair_stale_entries` removes); for numba
    ``env`` (``NUMBA_CACHE_DIR`` or ``None``), ``locator`` (numba's choice) and ``error``.
    Works without dolfinx and without MPI.
    """
    timeout = jit_timeout()
    stale_after = stale_age_s(timeout)
    ffcx_dir = ffcx_cache_dir()
    now = time.time()
    ffcx: dict[str, Any] = {"path": str(ffcx_dir), "exists": ffcx_dir.is_dir()}
    ffcx["writable"] = ffcx["exists"] and os.access(ffcx_dir, os.W_OK | os.X_OK)
    files = size = modules = 0
    pending: list[str] = []
    if ffcx["exists"]:
        files, size = _folder_stats(ffcx_dir)
        try:
            modules = sum(1 for e in os.scandir(ffcx_dir) if e.name.endswith(".c.cached"))
        except OSError:
            modules = 0
        pending = _pending_modules(ffcx_dir)
    stale = [
        m for m in pending if _entry_age(_module_files(ffcx_dir, m), now) > stale_after
    ]
    ffcx.update(files=files, bytes=size, modules=modules, pending=len(pending), stale=len(stale))

    numba_dir, locator, error = _numba_cache_dir()
    numba: dict[str, Any] = {
        "path": None if numba_dir is None else str(numba_dir),
        "env": os.environ.get("NUMBA_CACHE_DIR"),
        "locator": locator,
        "error": error,
    }
    exists = numba_dir is not None and numba_dir.is_dir()
    numba["exists"] = exists
    numba["writable"] = exists and os.access(numba_dir, os.W_OK | os.X_OK)
    numba["files"], numba["bytes"] = _folder_stats(numba_dir) if exists else (0, 0)
    return {
        "jit_timeout_s": timeout,
        "jit_timeout_source": TIMEOUT_ENV if os.environ.get(TIMEOUT_ENV, "").strip() else "default",
        "stale_after_s": stale_after,
        "self_heal": _self_heal_enabled(),
        "ffcx": ffcx,
        "numba": numba,
    }


__all__ = [
    "DEFAULT_JIT_TIMEOUT_S",
    "MIN_STALE_AGE_S",
    "SELF_HEAL_ENV",
    "TIMEOUT_ENV",
    "cache_report",
    "configure_jit",
    "configure_numba_cache",
    "ffcx_cache_dir",
    "is_writable",
    "jit_timeout",
    "repair_stale_entries",
    "stale_age_s",
    "warm_numba_kernels",
]
