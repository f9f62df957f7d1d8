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
- a process killed during a compile (time limit, ``scancel``, Ctrl-C, out of memory) leaves a
  ``.c`` without ``.c.cached``, and every later process that needs that form waits ``timeout``
  seconds -- silently -- and fails, until someone deletes the file.

What this module does
---------------------
:func:`configure_jit` (called by :func:`ssbx.require_dolfinx`):

- raises the wait to :data:`DEFAULT_JIT_TIMEOUT_S` seconds (environment ``SSBX_JIT_TIMEOUT``
  overrides) by updating ``dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS``. The value is how long a
  process waits for *another* process's compile, not a limit on its own compile. JSON option
  files (``dolfinx_jit_options.json``) and explicit ``jit_options`` still take priority;
- wraps ``ffcx.codegeneration.jit.get_cached_module`` (the claim and the wait) and
  ``compile_forms``/``compile_expressions`` (the compile) so that every claim has an owner and
  a dead owner is noticed within seconds (below; ``SSBX_JIT_SELF_HEAL=0`` switches all of it
  off and leaves FFCx's own behaviour);
- falls back to a per-user folder under the temporary directory (with a warning) when the FFCx or
  numba cache folder cannot be written (a read-only container image without a bound cache).

Owners of claims, and when an entry is dead
-------------------------------------------
When this process claims a module (FFCx's ``open(<module>.c, "x")`` succeeded) it writes
``<module>.c.owner`` next to it (atomically: a temporary file and ``os.replace``): pid, host
name, the kernel's boot id, the pid namespace, the process's start time (``/proc/<pid>/stat``,
which guards against a reused pid) and a token for this claim. The record is removed when the
compile ends; a compile ended by ``KeyboardInterrupt``/``SystemExit`` (Ctrl-C) also gives the
claim up at once (``<module>.c`` becomes ``<module>.c.failed``, as FFCx does after an error).
A pending entry (``.c`` without ``.c.cached``) is then

- **alive** if its owner ran on this host (same host name, boot id and pid namespace) and a
  process with that pid and start time still exists (a zombie counts as dead): it is never
  removed, whatever its age; a waiter that runs out of time raises ``TimeoutError`` naming it;
- **dead** if its owner ran on this host and that process is gone (SIGKILL, SIGTERM, a crash, a
  reused pid): a waiter notices within about a second, removes the entry and compiles the form
  itself, and :func:`repair_stale_entries` (``ssbx cache --repair``) removes it whatever its age;
- **unknown** if it has no owner record (a plain FFCx process, ``SSBX_JIT_SELF_HEAL=0``, an
  older ssbx, or the instant between the claim and the record) or its owner ran on another host
  or in another pid namespace (a container): the age rule applies -- the entry is dead once none
  of its files changed for :func:`stale_age_s` seconds (the JIT timeout, at least
  :data:`MIN_STALE_AGE_S`), checked by waiters every few seconds and by the repair.

Removing an entry is race-free between processes that find the same dead owner: the remover
first renames the owner record to a name of its own (atomic, so only one process gets it) and
checks that it is still the record it judged; only then does it delete the ``.c`` (then the
half-built ``.o``/``.so`` and the record). No file lock (``flock``) is involved, so nothing
depends on the locking of a network filesystem; on NFS/Lustre a claim by another node is judged
by the age rule only. A waiter logs (warning, logger ``ssbx.parallel.jit_cache``) what it waits
for after :data:`WAIT_NOTICE_S` seconds -- module, folder, owner, how much longer at most --
and again every minute; it logs every entry it removes.

:func:`repair_stale_entries` removes dead compiles by hand (``ssbx cache``), :func:`cache_report`
says where the caches are and what they hold (with the owner of every pending entry),
:func:`warm_numba_kernels` compiles the numba kernels once per communicator and node before
the other ranks load them.

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

import json
import logging
import math
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import cache
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
#: Seconds a process waits silently for another process's compile before it logs what it waits
#: for (and again every :data:`WAIT_REPEAT_S` seconds).
WAIT_NOTICE_S = 5.0
#: Seconds between the repeated "still waiting" messages.
WAIT_REPEAT_S = 60.0
#: Suffix of the owner record of a claimed module (``<module>.c.owner``).
OWNER_SUFFIX = ".c.owner"

_PREFIXES = ("libffcx_forms_", "libffcx_expressions_")
_HEAL_MARK = "_ssbx_self_heal"
_AGE_CHECK_S = 10.0  # a waiter applies the age rule (a folder listing) at most this often
ALIVE, DEAD, UNKNOWN = "alive", "dead", "unknown"


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
    else :data:`DEFAULT_JIT_TIMEOUT_S`), installs the owner records and the self-healing,
    talkative wait (``self_heal``, default on unless ``SSBX_JIT_SELF_HEAL=0``; see the module
    documentation), moves an unwritable FFCx cache folder to a per-user
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
    """Wrap FFCx's ``get_cached_module`` (claim and wait) and ``compile_forms`` /
    ``compile_expressions`` (the compile), all looked up by name at every compile."""
    current = ffcx_jit.get_cached_module
    installed = getattr(current, _HEAL_MARK, False)
    if installed == enabled:
        return
    names = ("get_cached_module", "compile_forms", "compile_expressions")
    if not enabled:
        for name in names:
            function = getattr(ffcx_jit, name, None)
            if getattr(function, _HEAL_MARK, False):
                setattr(ffcx_jit, name, function.__wrapped__)
        return
    for name, make in zip(names, (_wrap_get_cached_module, _wrap_compile, _wrap_compile),
                          strict=True):
        original = getattr(ffcx_jit, name, None)
        if original is None or getattr(original, _HEAL_MARK, False):
            continue
        wrapper = make(original)
        wrapper.__wrapped__ = original  # type: ignore[attr-defined]
        wrapper.__doc__ = original.__doc__
        wrapper.__name__ = name
        setattr(wrapper, _HEAL_MARK, True)
        setattr(ffcx_jit, name, wrapper)


def _wrap_get_cached_module(original: Callable[..., Any]) -> Callable[..., Any]:
    """FFCx's claim-or-wait, waiting in steps of one poll so that the owner can be checked."""

    def get_cached_module(module_name: str, object_names: Iterable[str],
                          cache_dir: str | Path, timeout: int) -> tuple[Any, Any]:
        cache = Path(cache_dir)
        limit = max(1, math.ceil(timeout))
        stale_after = stale_age_s(limit)
        start = time.monotonic()
        next_notice = WAIT_NOTICE_S
        last_age_check = -math.inf
        while True:
            try:
                # one poll: claims (None, None), loads a finished module, or waits one second
                result = original(module_name, object_names, cache_dir, 1)
            except TimeoutError:
                pass
            else:
                if result[0] is None:
                    _claimed(cache, module_name)
                return result
            waited = time.monotonic() - start
            check_age = waited >= limit or time.monotonic() - last_age_check >= _AGE_CHECK_S
            if check_age:
                last_age_check = time.monotonic()
            owner, state = _inspect_owner(cache, module_name)
            removed = _repair_module(cache, module_name, stale_after if check_age else math.inf)
            if removed:
                why = (f"its owner {owner.describe()} is gone" if state == DEAD else
                       f"none of its files changed for over {stale_after:.0f} s")
                logger.warning(
                    "JIT cache: removed the dead compile of %s in %s (%s) and compiling the "
                    "form here", module_name, cache, why,
                )
                start, next_notice = time.monotonic(), WAIT_NOTICE_S
                continue
            if waited >= limit:
                raise TimeoutError(
                    f"JIT compilation of {module_name} timed out: waited {waited:.0f} s for "
                    f"{cache / (module_name + '.c.cached')}, being compiled by "
                    f"{_describe_owner(owner, state)}. Increase the wait (SSBX_JIT_TIMEOUT, now "
                    f"{limit} s) or stop that process; `ssbx cache` lists pending compiles."
                )
            if waited >= next_notice:
                logger.warning(
                    "JIT cache: waiting for another process's compile of %s in %s (owner: %s); "
                    "waited %.0f s, at most %.0f s more (SSBX_JIT_TIMEOUT)",
                    module_name, cache, _describe_owner(owner, state), waited, limit - waited,
                )
                next_notice = waited + WAIT_REPEAT_S

    return get_cached_module


def _wrap_compile(original: Callable[..., Any]) -> Callable[..., Any]:
    """``compile_forms``/``compile_expressions``: end this process's claims with the compile."""

    def compile_objects(*args: Any, **kwargs: Any) -> Any:
        stack = _claim_stack()
        frame: list[_Claim] = []
        stack.append(frame)
        try:
            return original(*args, **kwargs)
        except BaseException as err:
            if not isinstance(err, Exception):  # Ctrl-C: FFCx gives up a claim after errors only
                for claim in frame:
                    claim.abandon()
            raise
        finally:
            stack.pop()
            for claim in frame:
                claim.release()

    return compile_objects


# ------------------------------------------------------------------------------------------
# owners of claims
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Owner:
    """Who claimed a module: the content of ``<module>.c.owner``."""

    pid: int
    host: str
    boot_id: str
    pidns: str
    start: int | None  # /proc/<pid>/stat starttime (clock ticks after boot), None: unknown
    token: str
    claimed_at: float

    def describe(self) -> str:
        return f"pid {self.pid}@{self.host}"


def _owner_path(cache_dir: Path, module_name: str) -> Path:
    return cache_dir / (module_name + OWNER_SUFFIX)


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


@cache
def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time) of a process from ``/proc/<pid>/stat``; ``None``: not readable."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()  # the command name may hold spaces and ")"
    try:
        return fields[0], int(fields[19])  # fields 3 (state) and 22 (starttime) of proc(5)
    except (IndexError, ValueError):
        return None


def _this_process() -> _Owner:
    stat = _proc_stat(os.getpid())
    return _Owner(
        pid=os.getpid(), host=socket.gethostname(), boot_id=_boot_id(), pidns=_pid_namespace(),
        start=None if stat is None else stat[1], token=uuid.uuid4().hex, claimed_at=time.time(),
    )


def _read_owner(path: Path) -> _Owner | None:
    try:
        data = json.loads(path.read_text())
        return _Owner(
            pid=int(data["pid"]), host=str(data["host"]), boot_id=str(data.get("boot_id", "")),
            pidns=str(data.get("pidns", "")),
            start=None if data.get("start") is None else int(data["start"]),
            token=str(data["token"]), claimed_at=float(data.get("claimed_at", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _owner_state(owner: _Owner | None) -> str:
    """:data:`ALIVE`, :data:`DEAD` or :data:`UNKNOWN` (no record, another host or container)."""
    if owner is None:
        return UNKNOWN
    if (owner.host != socket.gethostname() or owner.boot_id != _boot_id()
            or owner.pidns != _pid_namespace()):
        return UNKNOWN
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return DEAD
    except PermissionError:
        pass  # exists, another user's
    except OSError:
        return UNKNOWN
    stat = _proc_stat(owner.pid)
    if stat is None:  # no /proc (or hidden): the pid exists, its start time cannot be checked
        return ALIVE
    state, start = stat
    if state in ("Z", "X") or (owner.start is not None and start != owner.start):
        return DEAD  # a zombie, or the pid now belongs to another process
    return ALIVE


def _inspect_owner(cache_dir: Path, module_name: str) -> tuple[_Owner | None, str]:
    owner = _read_owner(_owner_path(cache_dir, module_name))
    return owner, _owner_state(owner)


def _describe_owner(owner: _Owner | None, state: str) -> str:
    if owner is None:
        return "unknown (no owner record: a plain FFCx process or SSBX_JIT_SELF_HEAL=0)"
    if state == UNKNOWN:
        return (f"{owner.describe()}, on another host or in another container (cannot be "
                "checked from here; the entry counts as dead once unchanged for the stale age)")
    return f"{owner.describe()} ({state})"


class _Claim:
    """A module this process claimed: its owner record, released when the compile ends."""

    def __init__(self, cache_dir: Path, module_name: str, owner: _Owner) -> None:
        self.cache_dir, self.module_name, self.owner = cache_dir, module_name, owner

    def abandon(self) -> None:
        """Give the claim up (interrupted compile): ``.c`` -> ``.c.failed``, as FFCx does."""
        c_file = self.cache_dir / (self.module_name + ".c")
        if c_file.with_name(c_file.name + ".cached").exists():
            return
        try:
            os.replace(c_file, c_file.with_name(c_file.name + ".failed"))
        except OSError:
            pass

    def release(self) -> None:
        """Remove the owner record if it is still this claim's."""
        path = _owner_path(self.cache_dir, self.module_name)
        record = _read_owner(path)
        if record is not None and record.token == self.owner.token:
            try:
                path.unlink()
            except OSError:
                pass


_CLAIMS = threading.local()


def _claim_stack() -> list[list[_Claim]]:
    stack = getattr(_CLAIMS, "stack", None)
    if stack is None:
        stack = _CLAIMS.stack = []
    return stack


def _claimed(cache_dir: Path, module_name: str) -> _Claim | None:
    """Write the owner record of a module this process has just claimed (atomically)."""
    owner = _this_process()
    path = _owner_path(cache_dir, module_name)
    tmp = path.with_name(f"{path.name}.tmp-{owner.token}")
    try:
        tmp.write_text(json.dumps(asdict(owner)) + "\n")
        os.replace(tmp, path)
    except OSError as err:
        logger.debug("could not record the owner of %s: %s", path, err)
        try:
            tmp.unlink()
        except OSError:
            pass
        return None
    claim = _Claim(cache_dir, module_name, owner)
    stack = _claim_stack()
    if stack:
        stack[-1].append(claim)
    return claim


# ------------------------------------------------------------------------------------------
# pending and dead entries
# ------------------------------------------------------------------------------------------
def _module_files(cache_dir: Path, module_name: str) -> list[Path]:
    """The files of one module: ``.c``, ``.o``, ``.<abi>.so``, ``.c.cached``, ``.c.failed``,
    ``.c.owner``."""
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


def _is_pending(c_file: Path) -> bool:
    return c_file.exists() and not c_file.with_name(c_file.name + ".cached").exists()


def _repair_module(cache_dir: Path, module_name: str, older_than_s: float,
                   dry_run: bool = False) -> list[Path]:
    """Remove one pending entry if it is dead: its owner is gone (whatever its age), or it has
    no owner that can be checked from here and is older than ``older_than_s``."""
    c_file = cache_dir / (module_name + ".c")
    if not _is_pending(c_file):
        return []
    owner, state = _inspect_owner(cache_dir, module_name)
    if state == ALIVE:
        return []
    if state == UNKNOWN and older_than_s == math.inf:
        return []
    files = _module_files(cache_dir, module_name)
    if state == UNKNOWN and _entry_age(files, time.time()) <= older_than_s:
        return []
    # the .c first (it is what blocks everyone), then the half-built objects of that compile
    # (and cffi's or our temporary files), the owner record last
    temporary = (module_name + ".c.~", module_name + OWNER_SUFFIX + ".")
    extras = sorted(p for p in files if p.suffix in (".o", ".so") or p.name.startswith(temporary))
    owner_file = _owner_path(cache_dir, module_name)
    if dry_run:
        return [c_file, *extras, *([owner_file] if owner is not None else [])]
    grabbed = None
    if owner is not None:
        # take the record under a name of our own: of several processes judging this owner
        # dead, one succeeds; the others find no record and leave the entry alone
        grabbed = owner_file.with_name(f"{owner_file.name}.reap-{uuid.uuid4().hex}")
        try:
            os.rename(owner_file, grabbed)
        except OSError:
            return []
        taken = _read_owner(grabbed)
        if taken is None or taken.token != owner.token:  # a new claim's record: give it back
            try:
                os.rename(grabbed, owner_file)
            except OSError:
                pass
            return []
    elif owner_file.exists() or _entry_age([c_file], time.time()) <= older_than_s:
        return []  # claimed again (by a live process) since we looked
    removed: list[Path] = []
    for path in [c_file, *extras]:
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:  # another process repaired it first
            continue
        except OSError as err:
            logger.warning("could not remove %s: %s", path, err)
    if grabbed is not None:
        try:
            grabbed.unlink()
        except OSError:
            pass
        removed.append(owner_file)
    return removed


def _orphan_owner_records(cache_dir: Path) -> list[Path]:
    """Owner records of modules that are no longer pending (a process killed right after its
    compile finished or failed) whose owner is not alive."""
    try:
        names = {entry.name for entry in os.scandir(cache_dir)}
    except OSError:
        return []
    orphans = []
    for name in sorted(names):
        if not (name.endswith(OWNER_SUFFIX) and name.startswith(_PREFIXES)):
            continue
        c_name = name[: -len(".owner")]
        if c_name in names and c_name + ".cached" not in names:
            continue  # pending: judged with its entry
        path = cache_dir / name
        if _owner_state(_read_owner(path)) != ALIVE:
            orphans.append(path)
    return orphans


def repair_stale_entries(cache_dir: Path | str | None = None, older_than_s: float | None = None,
                         *, dry_run: bool = False) -> list[Path]:
    """Remove the leftovers of killed FFCx compiles from ``cache_dir``; return what went.

    A module whose ``<module>.c`` exists without ``<module>.c.cached`` is a dead compile, and
    its ``.c`` (then its half-built ``.o``/``.so`` and its ``.c.owner`` record) are removed so
    that the next process compiles the form again instead of waiting for it, when

    - its owner record names a process on this host that no longer exists (killed, crashed, or
      its pid reused), whatever the entry's age; or
    - it has no owner that can be checked from here (no record, or an owner on another host or
      in another container) and none of its files changed in the last ``older_than_s`` seconds
      (default :func:`stale_age_s`: the JIT timeout, at least :data:`MIN_STALE_AGE_S`).

    An entry whose owner is alive on this host is never removed. Owner records left without a
    pending entry are removed too. ``cache_dir`` defaults to :func:`ffcx_cache_dir`.
    ``dry_run`` lists without removing. Safe to run while jobs use the cache.

    Parameters
    ----------
    cache_dir
        The FFCx cache folder (default: :func:`ffcx_cache_dir`).
    older_than_s
        Age from which an entry without a checkable owner counts as dead.
    dry_run
        List what would be removed, remove nothing.

    Returns
    -------
    list of Path
        The files removed (or that would be removed).
    """
    cache = Path(cache_dir) if cache_dir is not None else ffcx_cache_dir()
    age = stale_age_s() if older_than_s is None else float(older_than_s)
    removed: list[Path] = []
    for module in _pending_modules(cache):
        removed += _repair_module(cache, module, age, dry_run=dry_run)
    for orphan in _orphan_owner_records(cache):
        if dry_run:
            removed.append(orphan)
            continue
        try:
            orphan.unlink()
            removed.append(orphan)
        except OSError:
            continue
    return removed


def pending_entries(cache_dir: Path | str | None = None,
                    older_than_s: float | None = None) -> list[dict[str, Any]]:
    """The pending FFCx entries (a ``.c`` without ``.c.cached``) and who compiles them.

    Parameters
    ----------
    cache_dir
        The FFCx cache folder (default: :func:`ffcx_cache_dir`).
    older_than_s
        The age rule of :func:`repair_stale_entries` (default :func:`stale_age_s`).

    Returns
    -------
    list of dict
        Per entry: ``module``, ``owner`` (``pid@host`` or ``None``), ``owner_state``
        (``alive``, ``dead`` or ``unknown``), ``age_s`` (since the last change of any of its
        files) and ``stale`` (what :func:`repair_stale_entries` would remove).
    """
    cache = Path(cache_dir) if cache_dir is not None else ffcx_cache_dir()
    age_rule = stale_age_s() if older_than_s is None else float(older_than_s)
    now = time.time()
    entries = []
    for module in _pending_modules(cache):
        owner, state = _inspect_owner(cache, module)
        age = _entry_age(_module_files(cache, module), now)
        entries.append({
            "module": module,
            "owner": None if owner is None else f"{owner.pid}@{owner.host}",
            "owner_state": state,
            "age_s": round(age, 1),
            "stale": state == DEAD or (state == UNKNOWN and age > age_rule),
        })
    return entries


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
    ``pending`` (a ``.c`` without ``.c.cached``: compiling now or dead), ``stale`` (pending with
    a dead owner, or without a checkable owner and older than ``stale_after_s``: what
    :func:`repair_stale_entries` removes) and ``pending_entries`` (:func:`pending_entries`,
    with the owner of each); for numba
    ``env`` (``NUMBA_CACHE_DIR`` or ``None``), ``locator`` (numba's choice) and ``error``.
    Works without dolfinx and without MPI.
    """
    timeout = jit_timeout()
    stale_after = stale_age_s(timeout)
    ffcx_dir = ffcx_cache_dir()
    ffcx: dict[str, Any] = {"path": str(ffcx_dir), "exists": ffcx_dir.is_dir()}
    ffcx["writable"] = ffcx["exists"] and os.access(ffcx_dir, os.W_OK | os.X_OK)
    files = size = modules = 0
    pending: list[dict[str, Any]] = []
    if ffcx["exists"]:
        files, size = _folder_stats(ffcx_dir)
        try:
            modules = sum(1 for e in os.scandir(ffcx_dir) if e.name.endswith(".c.cached"))
        except OSError:
            modules = 0
        pending = pending_entries(ffcx_dir, stale_after)
    stale = [entry for entry in pending if entry["stale"]]
    ffcx.update(files=files, bytes=size, modules=modules, pending=len(pending), stale=len(stale),
                pending_entries=pending)

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
    "OWNER_SUFFIX",
    "SELF_HEAL_ENV",
    "TIMEOUT_ENV",
    "WAIT_NOTICE_S",
    "WAIT_REPEAT_S",
    "cache_report",
    "configure_jit",
    "configure_numba_cache",
    "ffcx_cache_dir",
    "is_writable",
    "jit_timeout",
    "pending_entries",
    "repair_stale_entries",
    "stale_age_s",
    "warm_numba_kernels",
]
