"""Smoke test of ``make bench``: ``scripts/bench.py --quick`` writes a complete document.

The benchmark is a script, not a timed test: this checks the document's structure (every
section, the machine table, the targets, the lead's section kept on a rerun), never timings.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "bench.py"

SECTIONS = (
    "## Machine",
    "## Interactive latency per box",
    "## Caption generation",
    "## Batch throughput",
    "## Memory",
    "## Plugin responsiveness",
    "## GPU",
    "## Targets",
    "## Changes and their effect",
)


def load_bench():
    """``scripts/bench.py`` as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("clvnet_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def section(text: str, heading: str) -> str:
    """The body of one ``## `` section."""
    body = text.split(heading + "\n", 1)[1]
    return body.split("\n## ", 1)[0]


def test_quick_run_writes_every_section(tmp_path):
    out = tmp_path / "docs" / "benchmarks.md"
    out.parent.mkdir()
    out.write_text(
        "# old\n\n## Changes and their effect\n\nLEAD NOTE: fused the encoder, 2.1x warm.\n",
        encoding="utf-8",
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--threads", "1", "--out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")

    positions = [text.find(heading + "\n") for heading in SECTIONS]
    assert all(p >= 0 for p in positions), [h for h, p in zip(SECTIONS, positions) if p < 0]
    assert positions == sorted(positions), "sections are out of order"
    assert "--quick" in text and "Quick smoke run" in text

    machine = section(text, "## Machine")
    for row in ("| CPU |", "| cores", "| RAM |", "| GPU |", "| torch |", "| device | cpu |"):
        assert row in machine, row
    assert "| torch threads (set by this script) | 1 |" in machine
    assert re.search(r"\| trained \| (yes|\*\*no)", machine)
    assert re.search(r"\| date \| \d{4}-\d\d-\d\d", machine)

    latency = section(text, "## Interactive latency per box")
    for row in ("| cold (new area) |", "| warm (window reused) |", "(baseline) |"):
        assert row in latency, row
    assert "Baseline / warm (paired per area)" in latency
    assert "| caption |" in latency and "| encode |" in latency

    captions = section(text, "## Caption generation")
    assert re.search(r"^\| 4 \|.*x\*\* \|", captions, re.M)
    assert re.search(r"^\| 8 \|.*x\*\* \|", captions, re.M)

    batch = section(text, "## Batch throughput")
    assert "| batch path |" in batch and "| naive per-box loop |" in batch
    assert "Batch / naive (paired per repeat)" in batch

    memory = section(text, "## Memory")
    assert "Not measured" not in memory, memory
    for size in ("512", "1,024", "2,048"):
        assert re.search(rf"^\| {size} \|", memory, re.M), size
    assert "target: within 10%" in memory

    plugin = section(text, "## Plugin responsiveness")
    assert "| first box after activating the tool |" in plugin, plugin
    assert "| in-process (same boxes) |" in plugin and "| server overhead per warm box" in plugin

    assert "No GPU" in section(text, "## GPU") or "GPU is present" in section(text, "## GPU")

    targets = section(text, "## Targets")
    rows = [line for line in targets.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 6  # header + five targets
    assert all(("| met |" in r) or ("**not met**" in r) for r in rows[1:]), rows

    assert "LEAD NOTE: fused the encoder, 2.1x warm." in section(
        text, "## Changes and their effect"
    )


def test_changes_section_is_kept_or_defaulted():
    bench = load_bench()
    old = "# B\n\n## Targets\n\nx\n\n## Changes and their effect\n\nA: 2x.\n\n## Later\n\ny\n"
    assert bench.keep_changes_section(old) == "A: 2x.\n"
    assert bench.keep_changes_section("# B\n\n## Targets\n") == bench.CHANGES_DEFAULT
    assert bench.keep_changes_section("## Changes and their effect\n\n") == bench.CHANGES_DEFAULT
