"""FFCx JIT and numba caches under concurrent processes (ssbx.parallel.jit_cache).

The race: FFCx claims a module by creating ``<module>.c`` exclusively; every other process that
needs the same form waits ``timeout`` seconds (dolfinx default 10) for ``<module>.c.cached`` and
then fails. Several sweep groups or jobs compiling the same new form at once, or a compile killed
half-way, hit it. The tests here use a form that is new in every test run (a random constant is
folded into the generated code), fresh cache folders, and worker processes started together.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict, replace
from pathlib import Path

import pytest

import ssbx
from ssbx.parallel import jit_cache

ROOT = Path(__file__).resolve().parents[1]

# One worker: load dolfinx (with ssbx's configuration), say it is ready, wait for the go file,
# then compile and assemble the functional ``c * x[0] * dx`` on the unit square (= c / 2).
WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import ssbx
    ssbx.require_dolfinx()
    from mpi4py import MPI
    import ufl
    from dolfinx import fem, mesh

    c, ready, go = float(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    msh = mesh.create_unit_square(MPI.COMM_SELF, 2, 2)
    x = ufl.SpatialCoordinate(msh)
    ready.touch()
    while not go.exists():
        time.sleep(0.02)
    t0 = time.perf_counter()
    try:
        form = fem.form(c * x[0] * ufl.dx)
        value = fem.assemble_scalar(form)
    except Exception as err:
        print(json.dumps({"error": type(err).__name__, "message": str(err)[:300]}))
        sys.exit(3)
    print(json.dumps({"value": value, "seconds": time.perf_counter() - t0}))
    """
)


def _constant() -> float:
    """A constant no earlier run has compiled: the form (and its module name) is new."""
    return 1.0 + random.SystemRandom().random()


def _functional(c: float):
    from mpi4py import MPI

    import ufl
    from dolfinx import mesh

    msh = mesh.create_unit_square(MPI.COMM_SELF, 2, 2)
    return c * ufl.SpatialCoordinate(msh)[0] * ufl.dx


def _env(cache_home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_CACHE_HOME=str(cache_home),
        NUMBA_CACHE_DIR=str(cache_home / "numba"),
        OMP_NUM_THREADS="1",
        NUMBA_NUM_THREADS="1",
    )
    env.pop(jit_cache.TIMEOUT_ENV, None)
    env.pop(jit_cache.SELF_HEAL_ENV, None)
    env.update(extra)
    return env


def _run_workers(tmp: Path, c: float, n: int, env: dict[str, str], after_go=None,
                 timeout: float = 120.0) -> list[dict]:
    """Start ``n`` workers, release them together once all are ready, collect their reports."""
    script = tmp / "worker.py"
    script.write_text(WORKER)
    go = tmp / f"go-{time.monotonic_ns()}"
    readies = [tmp / f"{go.name}-ready-{i}" for i in range(n)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), repr(c), str(ready), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp,
        )
        for ready in readies
    ]
    try:
        deadline = time.monotonic() + timeout
        while not all(r.exists() for r in readies):
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.05)
        go.touch()
        if after_go is not None:
            after_go()
        reports = []
        for proc in procs:
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            lines = out.strip().splitlines()
            assert lines, f"worker printed nothing (rc {proc.returncode}):\n{err[-2000:]}"
            report = json.loads(lines[-1])
            report["rc"] = proc.returncode
            report["stderr"] = err
            reports.append(report)
        return reports
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """A new form compiled once in this process: (constant, module name, its cache folder)."""
    from dolfinx import fem

    c = _constant()
    cache = tmp_path_factory.mktemp("reference-cache")
    fem.form(_functional(c), jit_options={"cache_dir": str(cache)})
    modules = [p.name[: -len(".c.cached")] for p in cache.glob("libffcx_forms_*.c.cached")]
    assert len(modules) == 1, modules
    return c, modules[0], cache


@pytest.fixture
def restore_ffcx():
    """Undo configure_jit's changes to dolfinx/ffcx globals after a test."""
    import dolfinx.jit
    import ffcx.codegeneration.jit as ffcx_jit

    options = dict(dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS)
    names = ("get_cached_module", "compile_forms", "compile_expressions", "_compile_objects")
    functions = {name: getattr(ffcx_jit, name) for name in names}
    yield
    dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS.update(options)
    for name, function in functions.items():
        setattr(ffcx_jit, name, function)


def _make_old(*paths: Path, age_s: float = 3600.0) -> None:
    then = time.time() - age_s
    for path in paths:
        os.utime(path, (then, then))


# --------------------------------------------------------------------------------------------
# settings
# --------------------------------------------------------------------------------------------
def test_timeout_from_environment(monkeypatch):
    monkeypatch.delenv(jit_cache.TIMEOUT_ENV, raising=False)
    assert jit_cache.jit_timeout() == jit_cache.DEFAULT_JIT_TIMEOUT_S >= 300
    monkeypatch.setenv(jit_cache.TIMEOUT_ENV, "42.2")
    assert jit_cache.jit_timeout() == 43  # whole seconds: FFCx polls once a second
    for bad in ("soon", "-5", "0", "nan"):
        monkeypatch.setenv(jit_cache.TIMEOUT_ENV, bad)
        assert jit_cache.jit_timeout() == jit_cache.DEFAULT_JIT_TIMEOUT_S
    monkeypatch.setenv(jit_cache.TIMEOUT_ENV, "20")
    assert jit_cache.stale_age_s() == jit_cache.MIN_STALE_AGE_S  # never below the minimum
    assert jit_cache.stale_age_s(4000) == 4000


def test_configure_jit_sets_dolfinx_default(monkeypatch, restore_ffcx):
    import dolfinx.jit
    import ffcx.codegeneration.jit as ffcx_jit

    monkeypatch.setenv(jit_cache.TIMEOUT_ENV, "123")
    settings = jit_cache.configure_jit()
    assert settings["timeout"] == 123 == dolfinx.jit.get_options()["timeout"]
    assert dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS["timeout"][0] == 123
    assert dolfinx.jit.get_options({"timeout": 5})["timeout"] == 5  # jit_options still win
    assert settings["self_heal"] and ffcx_jit.get_cached_module._ssbx_self_heal
    jit_cache.configure_jit(7)  # idempotent: wraps once
    assert not getattr(ffcx_jit.get_cached_module.__wrapped__, "_ssbx_self_heal", False)
    assert dolfinx.jit.get_options()["timeout"] == 7
    jit_cache.configure_jit(self_heal=False)
    assert not getattr(ffcx_jit.get_cached_module, "_ssbx_self_heal", False)


def test_require_dolfinx_configures_the_jit(monkeypatch, restore_ffcx):
    import dolfinx.jit

    monkeypatch.delenv(jit_cache.TIMEOUT_ENV, raising=False)
    ssbx.require_dolfinx()
    assert dolfinx.jit.get_options()["timeout"] == jit_cache.DEFAULT_JIT_TIMEOUT_S


def test_unwritable_ffcx_cache_falls_back(monkeypatch, tmp_path, restore_ffcx):
    import dolfinx.jit

    blocked = tmp_path / "read-only" / "fenics"
    monkeypatch.setitem(dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS, "cache_dir",
                        (blocked, "cache"))
    monkeypatch.setattr(jit_cache, "_fallback_dir", lambda name: tmp_path / "fallback" / name)
    real = jit_cache.is_writable
    monkeypatch.setattr(jit_cache, "is_writable",
                        lambda p: not Path(p).is_relative_to(blocked.parent) and real(p))
    settings = jit_cache.configure_jit()
    assert settings["cache_dir"] == str(tmp_path / "fallback" / "fenics")
    assert dolfinx.jit.get_options()["cache_dir"] == tmp_path / "fallback" / "fenics"


def test_unwritable_numba_cache_falls_back(monkeypatch, tmp_path):
    import numba.core.config

    blocked = tmp_path / "image" / "numba"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(blocked))
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", numba.core.config.CACHE_DIR)
    monkeypatch.setattr(jit_cache, "_fallback_dir", lambda name: tmp_path / "fallback" / name)
    real = jit_cache.is_writable
    monkeypatch.setattr(jit_cache, "is_writable",
                        lambda p: not Path(p).is_relative_to(blocked) and real(p))
    assert jit_cache.configure_numba_cache() == tmp_path / "fallback" / "numba"
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "fallback" / "numba")
    assert numba.core.config.CACHE_DIR == str(tmp_path / "fallback" / "numba")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "ok"))
    assert jit_cache.configure_numba_cache() == tmp_path / "ok"


# --------------------------------------------------------------------------------------------
# stale entries
# --------------------------------------------------------------------------------------------
def test_repair_stale_entries_and_report(tmp_path, monkeypatch):
    import dolfinx.jit

    cache = tmp_path / "fenics"
    cache.mkdir()
    monkeypatch.setitem(dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS, "cache_dir", (cache, "cache"))
    monkeypatch.setenv(jit_cache.TIMEOUT_ENV, "600")
    so = ".cpython-312-x86_64-linux-gnu.so"
    dead = [cache / f"libffcx_forms_dead{s}" for s in (".c", so, ".o")]  # removal order
    done = [cache / f"libffcx_forms_done.{s}" for s in ("c", "c.cached", "o")]
    live = [cache / "libffcx_expressions_live.c", cache / "libffcx_expressions_live.o"]
    failed = [cache / "libffcx_forms_failed.c.failed"]
    for path in dead + done + live + failed:
        path.write_text("x")
    _make_old(*dead, *done, *failed)
    _make_old(live[0])  # the .c is old, but its compile just wrote the .o: alive

    report = jit_cache.cache_report()
    assert report["jit_timeout_s"] == 600 and report["jit_timeout_source"] == jit_cache.TIMEOUT_ENV
    assert report["ffcx"]["path"] == str(cache)
    assert report["ffcx"]["writable"]
    counts = (report["ffcx"]["modules"], report["ffcx"]["pending"], report["ffcx"]["stale"])
    assert counts == (1, 2, 1)
    assert report["ffcx"]["files"] == 9
    assert set(report["numba"]) >= {"path", "writable", "locator", "env"}

    assert jit_cache.repair_stale_entries(cache, 600, dry_run=True) == dead
    assert all(p.exists() for p in dead)
    assert jit_cache.repair_stale_entries() == dead  # defaults: the env's cache and timeout
    assert not any(p.exists() for p in dead)
    assert all(p.exists() for p in done + live + failed)
    assert jit_cache.repair_stale_entries(cache, 600) == []
    # a shorter age than the live compile's last write
    _make_old(live[1], age_s=120)
    assert jit_cache.repair_stale_entries(cache, 60) == [live[0], live[1]]
    assert jit_cache.repair_stale_entries(tmp_path / "missing") == []


@pytest.mark.slow
def test_dead_compile_blocks_until_repaired(compiled, tmp_path, restore_ffcx):
    """A ``.c`` without ``.c.cached`` (a killed compile) makes the next process time out; it
    compiles again once the entry is repaired, or at once with the self-healing wait."""
    from dolfinx import fem

    c, module, _ = compiled
    for heal in (False, True):
        cache = tmp_path / f"heal-{heal}"
        cache.mkdir()
        dead = cache / f"{module}.c"
        dead.touch()
        _make_old(dead)
        jit_cache.configure_jit(self_heal=heal)
        options = {"cache_dir": str(cache), "timeout": 1}
        if not heal:
            t0 = time.perf_counter()
            with pytest.raises(TimeoutError):
                fem.form(_functional(c), jit_options=options)
            assert time.perf_counter() - t0 < 30
            assert jit_cache.repair_stale_entries(cache, 60) == [dead]
        form = fem.form(_functional(c), jit_options=options)
        assert fem.assemble_scalar(form) == pytest.approx(c / 2)
        assert (cache / f"{module}.c.cached").exists()


# --------------------------------------------------------------------------------------------
# owners of claims (a killed first compile must not block the next process)
# --------------------------------------------------------------------------------------------
# Claims a module the way a compiling ssbx process does (FFCx's exclusive create, then the owner
# record), says so, and sleeps: the test kills it with SIGKILL.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ssbx.parallel import jit_cache

    cache, module, ready = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    cache.mkdir(parents=True, exist_ok=True)
    open(cache / (module + ".c"), "x").close()
    jit_cache._claimed(cache, module)
    ready.touch()
    time.sleep(600)
    """
)

# A real compile of a new form, stopped between the claim and the C compiler (as if the
# compiler were running) until the test kills the process.
STUCK_COMPILER = textwrap.dedent(
    """
    import sys, time
    import ssbx
    ssbx.require_dolfinx()
    from mpi4py import MPI
    import ffcx.codegeneration.jit as ffcx_jit
    import ufl
    from dolfinx import fem, mesh

    def compiler_running(*args, **kwargs):
        print("compiling", flush=True)
        time.sleep(600)

    ffcx_jit._compile_objects = compiler_running
    msh = mesh.create_unit_square(MPI.COMM_SELF, 2, 2)
    fem.form(float(sys.argv[1]) * ufl.SpatialCoordinate(msh)[0] * ufl.dx)
    """
)


def _hold_claim(tmp: Path, cache: Path, module: str) -> subprocess.Popen:
    """A live process holding the claim on ``module`` in ``cache`` (kill it with ``.kill()``)."""
    script = tmp / "holder.py"
    script.write_text(HOLDER)
    ready = tmp / f"holder-ready-{time.monotonic_ns()}"
    proc = subprocess.Popen([sys.executable, str(script), str(cache), module, str(ready)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the holder did not start"
        time.sleep(0.02)
    return proc


def _kill(proc: subprocess.Popen) -> None:
    proc.kill()  # SIGKILL: no cleanup in the process
    proc.communicate()


def _owner(**changes) -> jit_cache._Owner:
    return replace(jit_cache._this_process(), **changes)


def test_owner_state(tmp_path):
    """This host's owners are checked by pid and start time; others are left to the age rule."""
    me = jit_cache._this_process()
    assert jit_cache._owner_state(me) == jit_cache.ALIVE
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert jit_cache._owner_state(_owner(pid=gone.pid, start=None)) == jit_cache.DEAD
    if me.start is not None:  # /proc: the pid of a live process started at another time
        assert jit_cache._owner_state(_owner(start=me.start - 1)) == jit_cache.DEAD
    assert jit_cache._owner_state(_owner(pid=gone.pid, host="elsewhere")) == jit_cache.UNKNOWN
    assert jit_cache._owner_state(_owner(pid=gone.pid, boot_id="x")) == jit_cache.UNKNOWN
    assert jit_cache._owner_state(_owner(pid=gone.pid, pidns="pid:[1]")) == jit_cache.UNKNOWN
    assert jit_cache._owner_state(None) == jit_cache.UNKNOWN
    # the record round-trips through its file; a damaged one counts as no record
    cache = tmp_path / "fenics"
    cache.mkdir()
    claim = jit_cache._claimed(cache, "libffcx_forms_mine")
    assert claim is not None
    assert jit_cache._read_owner(cache / "libffcx_forms_mine.c.owner") == claim.owner
    (cache / "libffcx_forms_mine.c.owner").write_text("{not json")
    assert jit_cache._read_owner(cache / "libffcx_forms_mine.c.owner") is None


def test_repair_removes_a_killed_owners_entry_at_once_and_keeps_a_live_one(
        tmp_path, monkeypatch, capsys):
    """``repair_stale_entries`` (``ssbx cache --repair``) removes an entry whose owner was
    SIGKILLed without waiting for the age rule, and never removes one whose owner is alive."""
    import dolfinx.jit

    from ssbx.cli import commands as cli

    cache = tmp_path / "fenics"
    monkeypatch.setitem(dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS, "cache_dir", (cache, "cache"))
    monkeypatch.delenv(jit_cache.TIMEOUT_ENV, raising=False)
    live, killed = "libffcx_forms_live", "libffcx_forms_killed"
    holders = {name: _hold_claim(tmp_path, cache, name) for name in (live, killed)}
    try:
        entries = {e["module"]: e for e in jit_cache.cache_report()["ffcx"]["pending_entries"]}
        assert entries[live]["owner"] == f"{holders[live].pid}@{socket.gethostname()}"
        assert entries[live]["owner_state"] == jit_cache.ALIVE and not entries[live]["stale"]
        _kill(holders[killed])
        report = jit_cache.cache_report()["ffcx"]
        assert (report["pending"], report["stale"]) == (2, 1)
        assert jit_cache.repair_stale_entries(dry_run=True) == [
            cache / f"{killed}.c", cache / f"{killed}.c.owner"]
        # the CLI: default age (900 s), the entry is a second old
        assert cli.main(["cache", "--repair"]) == 0
        out = capsys.readouterr().out
        assert "removed 2 file(s)" in out and f"{killed}.c" in out
        assert not (cache / f"{killed}.c").exists()
        assert not (cache / f"{killed}.c.owner").exists()
        # a live owner's entry stays, however old and whatever --older-than says
        _make_old(*cache.glob(f"{live}.*"))
        assert jit_cache.repair_stale_entries(cache, 0) == []
        assert cli.main(["cache", "--repair", "--older-than", "0"]) == 0
        assert f"pending {live}: {holders[live].pid}@" in capsys.readouterr().out
        assert (cache / f"{live}.c").exists() and (cache / f"{live}.c.owner").exists()
        # once its owner is killed, it goes as well
        _kill(holders[live])
        assert jit_cache.repair_stale_entries() == [cache / f"{live}.c", cache / f"{live}.c.owner"]
        assert sorted(p.name for p in cache.iterdir()) == []
    finally:
        for proc in holders.values():
            if proc.poll() is None:
                _kill(proc)


def test_repair_keeps_the_age_rule_for_other_hosts(tmp_path):
    """An owner on another host cannot be checked: its entry goes by age, like one without an
    owner record; an orphaned record of a dead owner (no pending entry) is removed."""
    cache = tmp_path / "fenics"
    cache.mkdir()
    module = "libffcx_forms_remote"
    (cache / f"{module}.c").touch()
    record = cache / f"{module}.c.owner"
    record.write_text(json.dumps(asdict(_owner(host="node-elsewhere"))))
    assert jit_cache.repair_stale_entries(cache, 600) == []
    _make_old(cache / f"{module}.c", record)
    assert jit_cache.repair_stale_entries(cache, 600) == [cache / f"{module}.c", record]
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = cache / "libffcx_forms_done.c.owner"
    orphan.write_text(json.dumps(asdict(_owner(pid=gone.pid))))
    (cache / "libffcx_forms_done.c").touch()
    (cache / "libffcx_forms_done.c.cached").touch()
    assert jit_cache.repair_stale_entries(cache) == [orphan]


def test_waiter_takes_over_from_a_killed_owner(tmp_path, caplog, restore_ffcx):
    """A process that needs a module claimed by a SIGKILLed process removes the claim after one
    poll, says so, and claims the module itself (instead of waiting out the long timeout)."""
    import ffcx.codegeneration.jit as ffcx_jit

    jit_cache.configure_jit(600, self_heal=True)
    cache = tmp_path / "fenics"
    module = "libffcx_forms_orphaned"
    holder = _hold_claim(tmp_path, cache, module)
    _kill(holder)
    t0 = time.perf_counter()
    with caplog.at_level("WARNING", logger="ssbx.parallel.jit_cache"):
        assert ffcx_jit.get_cached_module(module, [], cache, 600) == (None, None)  # claimed
    assert time.perf_counter() - t0 < 10
    message = "\n".join(r.getMessage() for r in caplog.records)
    assert module in message and str(cache) in message
    assert f"pid {holder.pid}@{socket.gethostname()} is gone" in message
    assert jit_cache._read_owner(cache / f"{module}.c.owner").pid == os.getpid()


@pytest.mark.slow
def test_waiter_says_what_it_waits_for(tmp_path, caplog, monkeypatch, restore_ffcx):
    """A wait on a live owner is logged after WAIT_NOTICE_S (module, folder, owner, how long at
    most); when the wait runs out the TimeoutError names the owner, and the entry is kept."""
    import ffcx.codegeneration.jit as ffcx_jit

    monkeypatch.setattr(jit_cache, "WAIT_NOTICE_S", 1.0)
    jit_cache.configure_jit(600, self_heal=True)
    cache = tmp_path / "fenics"
    module = "libffcx_forms_busy"
    holder = _hold_claim(tmp_path, cache, module)
    try:
        _make_old(*cache.glob(f"{module}.*"))  # old, but its owner is alive
        with caplog.at_level("WARNING", logger="ssbx.parallel.jit_cache"):
            with pytest.raises(TimeoutError, match=rf"pid {holder.pid}@\S+ \(alive\)"):
                ffcx_jit.get_cached_module(module, [], cache, 3)
        waits = [r.getMessage() for r in caplog.records if "waiting for" in r.getMessage()]
        assert len(waits) == 1, caplog.records
        assert module in waits[0] and str(cache) in waits[0]
        assert f"pid {holder.pid}@" in waits[0] and "at most" in waits[0]
        assert (cache / f"{module}.c").exists()
    finally:
        _kill(holder)


def test_interrupted_compile_gives_up_its_claim(compiled, tmp_path, restore_ffcx):
    """Ctrl-C during a compile (KeyboardInterrupt, which FFCx's error handling lets through)
    releases the claim at once: ``.c`` becomes ``.c.failed`` and the owner record goes."""
    import ffcx.codegeneration.jit as ffcx_jit
    from dolfinx import fem

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    jit_cache.configure_jit(self_heal=True)
    c, module, _ = compiled
    cache = tmp_path / "fenics"
    ffcx_jit._compile_objects = interrupted
    with pytest.raises(KeyboardInterrupt):
        fem.form(_functional(c), jit_options={"cache_dir": str(cache)})
    assert sorted(p.name for p in cache.iterdir()) == [f"{module}.c.failed"]


@pytest.mark.slow
def test_killed_compile_does_not_block_the_next_process(tmp_path):
    """The user's report: the first run is killed (SIGKILL) during its JIT compile; the next
    process that needs the form, with a 600 s wait, finishes in seconds and says why."""
    c = _constant()
    env = _env(tmp_path / "cache", **{jit_cache.TIMEOUT_ENV: "600"})
    script = tmp_path / "stuck.py"
    script.write_text(STUCK_COMPILER)
    stuck = subprocess.Popen([sys.executable, str(script), repr(c)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert stuck.stdout.readline().strip() == "compiling", stuck.communicate()
    finally:
        _kill(stuck)
    cache = tmp_path / "cache" / "fenics"
    claims = list(cache.glob("libffcx_forms_*.c.owner"))
    assert len(claims) == 1 and claims[0].with_suffix("").exists()  # the .c and its owner

    reports = _run_workers(tmp_path, c, 1, env, timeout=120)
    assert reports[0]["rc"] == 0, reports
    assert reports[0]["value"] == pytest.approx(c / 2)
    assert reports[0]["seconds"] < 60  # one poll and a compile, not the 600 s wait
    assert f"pid {stuck.pid}@" in reports[0]["stderr"] and "is gone" in reports[0]["stderr"]
    assert len(list(cache.glob("libffcx_forms_*.c.cached"))) == 1
    assert not list(cache.glob("*.owner*"))


# --------------------------------------------------------------------------------------------
# concurrent processes
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_concurrent_processes_compile_one_new_form(tmp_path):
    """Four processes need the same new form at the same moment: one compiles, the others wait
    for it (a cold compile on a loaded node easily exceeds dolfinx's 10 s) and load it."""
    c = _constant()
    reports = _run_workers(tmp_path, c, 4, _env(tmp_path / "cache"))
    assert [r["rc"] for r in reports] == [0] * 4, reports
    assert all(r["value"] == pytest.approx(c / 2) for r in reports)
    cache = tmp_path / "cache" / "fenics"
    assert len(list(cache.glob("libffcx_forms_*.c.cached"))) == 1  # compiled once, loaded 3x
    assert not list(cache.glob("*.c.failed"))
    assert not list(cache.glob("*.owner*"))  # the owner's record went with its compile


@pytest.mark.slow
def test_waiters_fail_with_a_short_timeout_and_succeed_with_ssbx(compiled, tmp_path):
    """The race made deterministic: another process holds the claim (``.c``) on the form and
    finishes its compile a few seconds after the others start waiting. With a timeout shorter
    than that compile (dolfinx's 10 s against a ~10 s cold compile) every waiter fails; with
    ssbx's timeout they all load the module once it is there."""
    c, module, reference = compiled

    def claim(cache: Path) -> None:
        cache.mkdir(parents=True)
        (cache / f"{module}.c").write_text("/* being compiled by another process */\n")

    def finish_compile(cache: Path, delay: float) -> None:
        time.sleep(delay)
        for path in reference.glob(f"{module}*.so"):
            shutil.copy2(path, cache / path.name)
        (cache / f"{module}.c.cached").write_text("compiled elsewhere\n")

    short = tmp_path / "short"
    claim(short / "fenics")
    reports = _run_workers(short, c, 2, _env(short, **{jit_cache.TIMEOUT_ENV: "1"}),
                           timeout=90)
    assert all(r["rc"] == 3 and r["error"] == "TimeoutError" for r in reports), reports

    patient = tmp_path / "patient"
    claim(patient / "fenics")
    reports = _run_workers(patient, c, 2, _env(patient),
                           after_go=lambda: finish_compile(patient / "fenics", 3.0), timeout=90)
    assert [r["rc"] for r in reports] == [0] * 2, reports
    assert all(r["value"] == pytest.approx(c / 2) for r in reports)
    assert all(r["seconds"] >= 2.0 for r in reports)  # they did wait for the other compile


NUMBA_WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    go = Path(sys.argv[1])
    from ssbx.physics import viscoplastic_kernels as vk
    import numpy as np
    while not go.exists():
        time.sleep(0.02)
    strain = np.zeros((1, 6))
    strain[0, 0] = 1e-3
    out = (np.empty((1, 6)), np.empty((1, 6, 6)), np.empty((1, 6)), np.empty(1))
    vk.power_law_update(strain, np.zeros((1, 6)), np.zeros(1), 1.0, 7.8e9, 0.38, 1e-40, 6.56,
                        0.0, *out)
    stats = vk.power_law_update.stats
    print(json.dumps({"hits": sum(stats.cache_hits.values()),
                      "misses": sum(stats.cache_misses.values())}))
    """
)


@pytest.mark.slow
def test_numba_concurrent_compiles_share_one_cache(tmp_path):
    """Processes compiling a kernel into one fresh NUMBA_CACHE_DIR at the same moment all
    succeed (numba writes through a temporary file and os.replace), and a later process loads
    the kernel from that cache instead of compiling."""
    script = tmp_path / "numba_worker.py"
    script.write_text(NUMBA_WORKER)
    env = _env(tmp_path / "cache")
    go = tmp_path / "go"

    def start():
        return subprocess.Popen([sys.executable, str(script), str(go)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)

    procs = [start() for _ in range(2)]
    time.sleep(1.0)
    go.touch()
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err[-2000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert all(r["hits"] + r["misses"] == 1 for r in reports), reports
    later = start()
    out, err = later.communicate(timeout=120)
    assert later.returncode == 0, err[-2000:]
    assert json.loads(out.strip().splitlines()[-1]) == {"hits": 1, "misses": 0}
    assert not list((tmp_path / "cache" / "numba").rglob("*.tmp.*"))


def test_warm_numba_kernels_serial():
    assert jit_cache.warm_numba_kernels() >= 0.0


@pytest.mark.mpi
def test_warm_numba_kernels_collective(comm):
    """Rank 0 first, then one rank per node, then the rest; every rank ends with the kernels."""
    from ssbx.physics import viscoplastic_kernels as vk

    assert jit_cache.warm_numba_kernels(comm) >= 0.0
    assert vk.power_law_update.signatures and vk.anand_update.signatures
