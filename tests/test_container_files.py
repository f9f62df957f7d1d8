"""`make container-test` wiring, checked without podman: script, Makefile target, CI, README.

The script itself (ci/container/test.sh) builds the Dockerfile with podman on a stand-in base and
runs the image; it runs in CI after ``make test``. These checks only catch a broken file cheaply.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "ci" / "container" / "test.sh"


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_script_is_valid_bash_and_executable():
    assert os.access(SCRIPT, os.X_OK)
    out = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "set -euo pipefail" in SCRIPT.read_text()


def test_script_builds_the_unmodified_dockerfile_on_the_stand_in_base():
    text = SCRIPT.read_text()
    assert re.search(r"podman build --pull=never .*-f Dockerfile", text)
    assert "debootstrap --variant=minbase" in text and "SUITE=trixie" in text
    assert "localhost/python:3.12-slim" in text
    assert 'runtime = "runc"' in text and "export CONTAINERS_CONF=" in text
    assert "default_ulimits" in text and "hard_limit u 32768" in text
    # skipping is only for a podman that cannot be installed
    skips = re.findall(r'say "SKIPPED: ([^"]*)"', text)
    assert skips and all("podman" in s for s in skips)


def test_script_checks_info_user_run_and_mpi():
    text = SCRIPT.read_text()
    assert "ssbx info" in text
    assert '--user "$RUN_USER" -v "$WORK":/work' in text
    assert "mpirun -n 2 ssbx run" in text
    assert "rel <= 1e-8" in text
    case = re.search(r"SSBX_CONTAINER_CASE:-([^}]+)\}", text)
    assert case and (ROOT / case.group(1)).is_file()


def test_compare_snippet_is_valid_python():
    text = SCRIPT.read_text()
    match = re.search(r"<<'EOF'\n(.*?)\nEOF\n", text, re.DOTALL)
    assert match, "no compare script in ci/container/test.sh"
    compile(match.group(1), "compare.py", "exec")


def test_makefile_target_and_ci_call():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^container-test:\n\tbash ci/container/test\.sh$", makefile, re.MULTILINE)
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony and "container-test" in phony.group(1).split()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    lines = [line.strip() for line in ci.splitlines()]
    assert lines.index("make container-test") > lines.index("make test")


def test_readme_documents_container_test_and_official_image():
    readme = (ROOT / "README.md").read_text()
    docker = readme.split("## Docker", 1)[1].split("\n## ", 1)[0]
    assert "make container-test" in docker
    assert "ghcr.io/fenics/dolfinx/dolfinx" in docker and "cannot be pulled" in docker
