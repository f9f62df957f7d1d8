"""Rank-0 console output and run logging, built on ``rich``.

One :class:`Console` per command, created with the communicator the command runs on. Only rank 0
prints; every other rank gets the same object and calls the same methods, which do nothing there,
so code never needs ``if comm.rank == 0`` around messages.

Levels are ``debug < info < warning < error``. The screen shows messages at or above the level
(``--log-level``, default ``info``); ``quiet=True`` (``--quiet``) shows errors only. A log file
attached with :meth:`Console.attach_log` (rank 0 only) receives every message of every level,
time-stamped, whatever the screen level, and is flushed line by line so that it survives a crash
or an ``MPI_Abort``.

Messages are plain text: square brackets are printed as they are (no rich markup), lines are never
wrapped, and colour is used only on a terminal (rich honours ``NO_COLOR``/``FORCE_COLOR``).
Information goes to stdout, warnings and errors to stderr.

Long loops::

    with console.progress("time steps", total=n) as bar:
        for step in range(n):
            ...
            bar.advance()

shows a rich progress bar on rank 0 when stdout is a terminal and the level shows ``info``
(otherwise, and on other ranks, the handle does nothing; start and end still go to the log file).

Library modules that prefer :mod:`logging` can log to the ``"ssbx"`` logger: after
:meth:`Console.capture_logging` those records go through the console as well.
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from rich.console import Console as _RichConsole
from rich.text import Text

DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40

LEVELS: dict[str, int] = {
    "debug": DEBUG,
    "info": INFO,
    "warning": WARNING,
    "warn": WARNING,
    "error": ERROR,
}
LEVEL_CHOICES = ("debug", "info", "warning", "error")

_NAMES = {DEBUG: "DEBUG", INFO: "INFO", WARNING: "WARNING", ERROR: "ERROR"}
_PREFIX = {DEBUG: "debug: ", INFO: "", WARNING: "warning: ", ERROR: "error: "}
_STYLE = {DEBUG: "dim", INFO: "", WARNING: "yellow", ERROR: "bold red"}


def parse_level(level: str | int) -> int:
    """``"debug"``/``"info"``/``"warning"``/``"error"`` (or a number) → numeric level."""
    if isinstance(level, int):
        return level
    try:
        return LEVELS[level.strip().lower()]
    except KeyError:
        raise ValueError(
            f"unknown log level {level!r} (choose one of {', '.join(LEVEL_CHOICES)})"
        ) from None


def comm_rank(comm: Any) -> int:
    """Rank of ``comm`` (``None``: 0). Works with mpi4py communicators and simple stand-ins."""
    if comm is None:
        return 0
    rank = getattr(comm, "rank", None)
    if rank is None:
        rank = comm.Get_rank()
    return int(rank)


class _NullTask:
    """What :meth:`Console.progress` yields where nothing is displayed."""

    def __init__(self) -> None:
        self.completed = 0.0

    def advance(self, amount: float = 1) -> None:
        self.completed += amount

    def update(
        self,
        *,
        completed: float | None = None,
        total: float | None = None,
        description: str | None = None,
    ) -> None:
        if completed is not None:
            self.completed = completed


class _RichTask(_NullTask):
    def __init__(self, progress: Any, task_id: Any) -> None:
        super().__init__()
        self._progress = progress
        self._task = task_id

    def advance(self, amount: float = 1) -> None:
        super().advance(amount)
        self._progress.advance(self._task, amount)

    def update(
        self,
        *,
        completed: float | None = None,
        total: float | None = None,
        description: str | None = None,
    ) -> None:
        super().update(completed=completed)
        kwargs: dict[str, Any] = {}
        if completed is not None:
            kwargs["completed"] = completed
        if total is not None:
            kwargs["total"] = total
        if description is not None:
            kwargs["description"] = description
        self._progress.update(self._task, **kwargs)


class Console:
    """Rank-0 console with levels, an optional log file and progress bars.

    comm: the communicator of the command (``None``: serial). Only its rank 0 prints or logs.
    quiet: show errors only (the log file still gets everything).
    level: screen level, ``"debug"``, ``"info"`` (default), ``"warning"`` or ``"error"``.
    log_path: attach this log file right away (see :meth:`attach_log`).
    stdout, stderr: streams to print to (default: ``sys.stdout``/``sys.stderr`` at print time).
    force_terminal: passed to rich (``None``: detect).
    """

    def __init__(
        self,
        comm: Any = None,
        *,
        quiet: bool = False,
        level: str | int = "info",
        log_path: str | Path | None = None,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        force_terminal: bool | None = None,
    ) -> None:
        self.rank = comm_rank(comm)
        self.active = self.rank == 0
        self.quiet = bool(quiet)
        self.level = ERROR if self.quiet else parse_level(level)
        self._out = _RichConsole(
            file=stdout, highlight=False, soft_wrap=True, force_terminal=force_terminal
        )
        if stderr is None:
            self._err = _RichConsole(
                stderr=True, highlight=False, soft_wrap=True, force_terminal=force_terminal
            )
        else:
            self._err = _RichConsole(
                file=stderr, highlight=False, soft_wrap=True, force_terminal=force_terminal
            )
        self._log: IO[str] | None = None
        self._log_path: Path | None = None
        self._handlers: list[tuple[logging.Logger, logging.Handler, bool, int]] = []
        if log_path is not None:
            self.attach_log(log_path)

    # -- configuration -------------------------------------------------------------------------

    @property
    def log_path(self) -> Path | None:
        """The attached log file (rank 0), else ``None``."""
        return self._log_path

    def shows(self, level: str | int) -> bool:
        """Whether a message of ``level`` reaches the screen (on rank 0)."""
        return self.active and parse_level(level) >= self.level

    def attach_log(self, path: str | Path, *, append: bool = True) -> None:
        """Write every message (all levels) to ``path`` from now on; rank 0 only, no-op elsewhere.

        Replaces an already attached log file. Not collective.
        """
        if not self.active:
            return
        self.detach_log()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(path, "a" if append else "w", encoding="utf-8", buffering=1)
        self._log_path = path

    def detach_log(self) -> None:
        """Close the log file, if any."""
        if self._log is not None:
            try:
                self._log.close()
            finally:
                self._log = None
                self._log_path = None

    def close(self) -> None:
        """Close the log file and remove logging handlers added by :meth:`capture_logging`."""
        for logger, handler, propagate, level in reversed(self._handlers):
            logger.removeHandler(handler)
            logger.propagate = propagate
            logger.setLevel(level)
        self._handlers.clear()
        self.detach_log()

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def capture_logging(self, name: str = "ssbx") -> logging.Handler:
        """Route records of the :mod:`logging` logger ``name`` (and its children) to this console.

        The logger's level is set to DEBUG (the console filters), and it stops propagating to the
        root logger so that nothing is printed twice. Undone by :meth:`close`. Records from every
        rank arrive here, but only rank 0's console prints them.
        """
        logger = logging.getLogger(name)
        handler = _ConsoleHandler(self)
        self._handlers.append((logger, handler, logger.propagate, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        return handler

    # -- messages ------------------------------------------------------------------------------

    def log(self, level: str | int, message: object) -> None:
        """Print ``message`` at ``level`` (rank 0 only) and write it to the log file."""
        if not self.active:
            return
        lvl = parse_level(level)
        text = str(message)
        self._write_log(lvl, text)
        if lvl < self.level:
            return
        lvl_key = _bucket(lvl)
        target = self._err if lvl >= WARNING else self._out
        target.print(Text(_PREFIX[lvl_key] + text, style=_STYLE[lvl_key]))

    def debug(self, message: object) -> None:
        """:meth:`log` at DEBUG."""
        self.log(DEBUG, message)

    def info(self, message: object) -> None:
        """:meth:`log` at INFO."""
        self.log(INFO, message)

    def warn(self, message: object) -> None:
        """:meth:`log` at WARNING."""
        self.log(WARNING, message)

    warning = warn

    def error(self, message: object) -> None:
        """:meth:`log` at ERROR."""
        self.log(ERROR, message)

    def print(self, text: str) -> None:
        """Print ``text`` verbatim to stdout on rank 0 (no prefix, no level filter except quiet).

        For command output that *is* the result (``ssbx schema``); also copied to the log file.
        """
        if not self.active:
            return
        self._write_log(INFO, text)
        if self.quiet:
            return
        stream = self._out.file
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()

    def exception(self, err: BaseException, *, hint: bool = True) -> None:
        """Report an exception: one ``error:`` line; the traceback at debug level.

        With ``hint`` and a screen level above debug, a second line says how to see the traceback.
        The log file always gets the traceback.
        """
        if not self.active:
            return
        self.error(describe_exception(err))
        self.debug("".join(traceback.format_exception(err)).rstrip())
        if hint and self.level > DEBUG:
            self._err.print(
                Text("(run again with --log-level debug to see the traceback)", style="dim")
            )

    # -- progress ------------------------------------------------------------------------------

    @contextmanager
    def progress(self, description: str, total: float | None = None) -> Iterator[_NullTask]:
        """Context manager yielding a handle with ``advance(n=1)`` and ``update(completed=...)``.

        A rich progress bar is shown only on rank 0, when stdout is a terminal, the screen level
        shows ``info`` and the console is not quiet. Call it on every rank.
        """
        self._write_log(INFO, f"{description}: started" + (f" ({total:g})" if total else ""))
        start = time.perf_counter()
        shown = self.active and not self.quiet and self.level <= INFO and self._out.is_terminal
        if not shown:
            handle = _NullTask()
            yield handle
        else:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
            if total is not None:
                columns += [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
            columns.append(TimeElapsedColumn())
            with Progress(*columns, console=self._out, transient=False) as bar:
                handle = _RichTask(bar, bar.add_task(description, total=total))
                yield handle
        self._write_log(
            INFO,
            f"{description}: finished {handle.completed:g}"
            + (f"/{total:g}" if total else "")
            + f" in {time.perf_counter() - start:.2f} s",
        )

    def to_log(self, level: str | int, text: object) -> None:
        """Write ``text`` to the log file only (rank 0), not to the screen."""
        if self.active:
            self._write_log(parse_level(level), str(text))

    # -- internals -----------------------------------------------------------------------------

    def _write_log(self, level: int, text: str) -> None:
        if self._log is None:
            return
        stamp = _dt.datetime.now().isoformat(sep=" ", timespec="milliseconds")
        name = _NAMES[_bucket(level)]
        head = f"{stamp} {name:<7} "
        lines = text.splitlines() or [""]
        pad = " " * len(head)
        self._log.write(head + lines[0] + "\n" + "".join(pad + ln + "\n" for ln in lines[1:]))


class _ConsoleHandler(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__(logging.DEBUG)
        self._console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
            level = DEBUG if record.levelno < INFO else min(record.levelno, ERROR)
            self._console.log(level, text)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def _bucket(level: int) -> int:
    """The named level (DEBUG/INFO/WARNING/ERROR) a numeric level falls into."""
    if level < INFO:
        return DEBUG
    if level < WARNING:
        return INFO
    if level < ERROR:
        return WARNING
    return ERROR


def say(console: Any, message: str) -> None:
    """An info line on ``console`` (rank 0 prints), or nothing without a console."""
    if console is not None:
        console.info(message)


def human_time(t: float) -> str:
    """A duration ``t`` [s] for people: ``"42 s"``, ``"3.5 min"``, ``"2.1 h"``."""
    if t >= 3600.0:
        return f"{t / 3600.0:.3g} h"
    if t >= 60.0:
        return f"{t / 60.0:.3g} min"
    return f"{t:.3g} s"


def describe_exception(err: BaseException) -> str:
    """One line for an exception: its message, prefixed with the type where that helps."""
    message = str(err).strip()
    name = type(err).__name__
    if not message:
        return name
    if isinstance(err, (RuntimeError, ValueError)) and type(err) in (RuntimeError, ValueError):
        return message
    return f"{name}: {message}"
