"""The code base stays ruff-clean (lint and format), as `make lint` checks."""

import subprocess
import sys

from helpers import REPO


def ruff(*args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_ruff_check_passes():
    proc = ruff("check", ".")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_ruff_format_is_applied():
    proc = ruff("format", "--check", ".")
    assert proc.returncode == 0, proc.stdout[-4000:]
