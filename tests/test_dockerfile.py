"""The Dockerfile, checked without a Docker engine: apt packages, install path, entry point.

The image must install ssbx the way the Makefile does (``make venv`` with the Makefile's extras,
minus ``wheels`` on the official dolfinx base), carry the X11/GL libraries the PyPI gmsh wheel
links against and a C compiler for FFCx, copy every source folder the package needs, run as a
non-root user, and have an entry point that runs any command (``ssbx ...``, ``mpirun ...``).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"

# What the PyPI gmsh wheel needs on a slim Debian/Ubuntu (see the DOLFINx notes), and FFCx's C
# compiler with the C library headers.
GMSH_LIBS = {
    "libglu1-mesa",
    "libgl1",
    "libglx0",
    "libopengl0",
    "libglvnd0",
    "libxrender1",
    "libxcursor1",
    "libxft2",
    "libxinerama1",
    "libx11-6",
    "libfontconfig1",
}
BUILD_TOOLS = {"gcc", "libc6-dev", "make", "git"}


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    current = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        word, _, rest = current.partition(" ")
        out.append((word.upper(), rest.strip()))
        current = ""
    assert not current, "Dockerfile ends in a continuation line"
    return out


def _runs() -> list[str]:
    return [args for word, args in _instructions() if word == "RUN"]


def _makefile_var(name: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{name}\s*\?=\s*(.*)$", text, re.MULTILINE)
    assert match, f"{name} not in the Makefile"
    return match.group(1).strip()


def test_base_image_and_build_args():
    inst = _instructions()
    args = {
        a.split("=", 1)[0]: a.split("=", 1)[1] if "=" in a else None for w, a in inst if w == "ARG"
    }
    assert args["BASE_IMAGE"] == "python:3.12-slim"
    assert args["WITH_WHEEL"] == "auto"
    first_from = next(a for w, a in inst if w == "FROM")
    assert first_from == "${BASE_IMAGE}"
    assert "ghcr.io/fenics/dolfinx/dolfinx:v0.11.0" in DOCKERFILE.read_text()


def test_apt_packages_cover_gmsh_and_ffcx():
    packages: set[str] = set()
    for run in _runs():
        for part in run.split("&&"):
            if "apt-get install" not in part:
                continue
            tokens = shlex.split(part)
            if tokens[:2] == ["apt-get", "install"]:
                packages |= {t for t in tokens[2:] if not t.startswith("-")}
    assert GMSH_LIBS <= packages, f"missing: {sorted(GMSH_LIBS - packages)}"
    assert BUILD_TOOLS <= packages, f"missing: {sorted(BUILD_TOOLS - packages)}"
    assert "apt-get update" in " ".join(_runs())


def test_install_goes_through_the_makefile_with_its_extras():
    makefile = (ROOT / "Makefile").read_text()
    # `make venv` is the pip command below; the image must call it, not a pip line of its own
    assert re.search(r'\$\(PY\) -m pip install --quiet -e "\.\[\$\(EXTRAS\)\]"', makefile)
    assert re.search(r"^venv install: \$\(VENV\)/\.installed", makefile, re.MULTILINE)
    install = next(r for r in _runs() if "make venv" in r)
    assert 'make venv VENV="$venv" EXTRAS="$extras"' in install
    assert not any(re.search(r"pip3? install", r) for r in _runs()), "install only via make"

    extras_set = re.findall(r"extras=([\w,]*)", install)
    default = _makefile_var("EXTRAS")
    assert default == "wheels,test"
    with_wheel = [e for e in extras_set if "wheels" in e]
    without = [e for e in extras_set if "wheels" not in e]
    assert with_wheel == [default]
    assert set(without) == {",".join(x for x in default.split(",") if x != "wheels")}

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    optional = project["project"]["optional-dependencies"]
    for extras in extras_set:
        for extra in extras.split(","):
            assert extra in optional, extra
    assert "/opt/ssbx/.venv" in install


def test_copies_what_the_package_build_needs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    copied: set[str] = set()
    for word, args in _instructions():
        if word == "COPY" and not args.startswith("--from"):
            *sources, _dest = args.split()
            copied |= {s.rstrip("/") for s in sources}
    for src in copied:
        assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
    needed = set(project["tool"]["setuptools"]["package-dir"].values())
    needed |= {"pyproject.toml", "Makefile", project["project"]["readme"]}
    assert needed <= copied, f"not copied: {sorted(needed - copied)}"
    assert ".venv" not in copied and "." not in copied


def test_runtime_environment_and_user():
    inst = _instructions()
    env = " ".join(a for w, a in inst if w == "ENV")
    for var in ("XDG_CACHE_HOME=", "NUMBA_CACHE_DIR=", "PATH="):
        assert var in env
    users = [a for w, a in inst if w == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert next(a for w, a in inst if w == "WORKDIR" and a == "/work")
    words = [w for w, _ in inst]
    assert words.index("USER") > max(i for i, (w, a) in enumerate(inst) if "make venv" in a)
    entry = next(a for w, a in inst if w == "ENTRYPOINT")
    assert entry.startswith("[")  # exec form, so that signals reach the command


def _entrypoint_script(tmp_path: Path) -> Path:
    run = next(r for r in _runs() if "ssbx-entrypoint" in r and "printf" in r)
    match = re.search(r"(printf '%s\\n' .*?) > /usr/local/bin/ssbx-entrypoint", run)
    assert match, "entry point script not found"
    script = tmp_path / "entrypoint"
    subprocess.run(["sh", "-c", f"{match.group(1)} > {shlex.quote(str(script))}"], check=True)
    return script


@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_entrypoint_runs_any_command(tmp_path):
    script = _entrypoint_script(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("ssbx", "mpirun"):
        fake = bin_dir / name
        fake.write_text(f'#!/bin/sh\necho "{name} $*"\n')
        fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}

    def run(*args: str) -> str:
        out = subprocess.run(["sh", str(script), *args], capture_output=True, text=True, env=env)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert run("ssbx", "run", "/case.toml") == "ssbx run /case.toml"
    assert (
        run("mpirun", "-n", "2", "ssbx", "run", "/case.toml") == "mpirun -n 2 ssbx run /case.toml"
    )
    assert run("run", "/case.toml") == "ssbx run /case.toml"
    # every bare subcommand, the sweep and CCS commands included
    for sub in ("run", "ccs", "sweep", "cache", "mesh", "validate", "info", "schema", "bench"):
        assert run(sub, "x") == f"ssbx {sub} x", sub
    assert run("sweep", "/s.toml", "--index", "3") == "ssbx sweep /s.toml --index 3"
    assert (
        run("mpirun", "-n", "4", "ssbx", "sweep", "/s.toml", "--ranks-per-case", "2")
        == "mpirun -n 4 ssbx sweep /s.toml --ranks-per-case 2"
    )
    assert run("--version") == "ssbx --version"
    assert run() == "ssbx --help"
    assert run("echo", "hi") == "hi"


@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_run_instructions_are_valid_shell():
    for run in _runs():
        out = subprocess.run(["sh", "-n", "-c", run], capture_output=True, text=True)
        assert out.returncode == 0, f"{out.stderr}\n{run}"


def test_entrypoint_covers_the_cli_subcommands():
    """Every subcommand of the ssbx CLI can be given bare (``docker run ssbx sweep ...``)."""
    run = next(r for r in _runs() if "ssbx-entrypoint" in r and "printf" in r)
    match = re.search(r"'  ([\w|*-]+)\) set -- ssbx \"\$@\" ;;'", run)
    assert match, "no bare-subcommand case in the entry point"
    bare = set(match.group(1).split("|"))
    cli = (ROOT / "solver" / "cli" / "commands.py").read_text()
    top_level = set(re.findall(r"\bsub\.add_parser\(\s*\"([\w-]+)\"", cli))
    assert {"run", "ccs", "sweep"} <= top_level
    assert top_level <= bare, f"not bare in the entry point: {sorted(top_level - bare)}"
    assert "-*" in bare


def test_header_documents_sweeps_and_caches():
    header = DOCKERFILE.read_text().split("ARG BASE_IMAGE")[0]
    assert "ssbx sweep" in header and "--ranks-per-case" in header
    assert "SSBX_JIT_TIMEOUT" in header
    assert "docs/CLUSTER.md" in header and (ROOT / "docs" / "CLUSTER.md").exists()
