"""The same results either way: the ingestion tests run again with the other engine.

The default run of the suite reads every submission with calamine (the
default engine). Here the ingestion-level tests (reading, recognising,
validating, selecting, the check command) run once more in a fresh
interpreter with REPORTING_ENGINE=openpyxl, so every workbook they build is
read through openpyxl instead, and every assertion they make must still hold.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INGESTION = ["tests/test_ingest.py", "tests/test_recognise.py", "tests/test_check_cli.py"]


def run(*args: str, engine: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REPORTING_ENGINE": engine}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.parametrize("engine", ["openpyxl", "calamine", "auto"])
def test_environment_selects_the_engine(engine: str) -> None:
    """A fresh interpreter (as the CLI is) takes the engine from REPORTING_ENGINE."""
    done = run("-c", "from reporting.io.reader import resolve_engine; print(resolve_engine())", engine=engine)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("calamine" if engine == "auto" else engine)


def test_ingestion_tests_pass_with_openpyxl(tmp_path: Path) -> None:
    log = tmp_path / "reader.log"
    done = run("-m", "pytest", "-q", "-x", *INGESTION, "-p", "no:cacheprovider", f"--log-file={log}",
               "--log-file-level=DEBUG", engine="openpyxl")
    tail = (done.stdout + done.stderr)[-3000:]
    assert done.returncode == 0, tail
    assert " passed" in done.stdout and " failed" not in done.stdout, tail
    routes = [line for line in log.read_text(encoding="utf-8").splitlines() if "xlsx: " in line]
    assert any("sheets by openpyxl" in line and "xlsx: 0 of" not in line for line in routes)  # really openpyxl
    assert not any("sheets by calamine" in line for line in routes)
