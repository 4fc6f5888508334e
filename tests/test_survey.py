"""scripts/survey.py: the grid covers the raster, and the tally adds up to the objects found."""

import re
import subprocess
import sys

from helpers import REPO, real

sys.path.insert(0, str(REPO / "scripts"))
from survey import grid_boxes  # noqa: E402


def test_grid_boxes_stay_inside_and_step():
    boxes = grid_boxes(300, 200, 100, 100)
    assert boxes == [(0, 0, 100, 100), (100, 0, 200, 100), (200, 0, 300, 100),
                     (0, 100, 100, 200), (100, 100, 200, 200), (200, 100, 300, 200)]  # fmt: skip
    assert grid_boxes(50, 50, 100, 10) == []


def test_survey_of_a_real_raster_counts_every_object():
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "survey.py"), str(real("cogeo")),
         "--size", "400", "--step", "300"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    head = re.search(r"(\d+) boxes of 400 px every 300 px .*: (\d+) objects", done.stdout)
    assert head and int(head.group(1)) == 9  # 1024 px: boxes at 0, 300, 600 on each axis
    rows = re.findall(r"^\| (\S+) \| (\d+) \| (\d+) \|$", done.stdout, flags=re.M)
    assert sum(int(n) for _, n, _ in rows) == int(head.group(2))
    assert all(int(shown) <= int(n) for _, n, shown in rows)
