"""Desktop smoke test: the real ``qgis`` on an X display, the plugin installed from its zip.

The configuration that crashed QGIS (issue 9): the ``xcb`` platform under Xvfb with Mesa's
software OpenGL, whose ``libLLVM`` collides with triton's once torch is imported into QGIS. A
fresh profile gets the plugin from ``scripts/plugin_package.py`` (what ``make zip`` builds),
enabled in its ``QGIS3.ini``; the model server runs the repository's ``.venv`` Python
(``CLVNET_MODEL_PYTHON``). ``desktop_startup.py`` drags a box over ``cogeo.tif`` with mouse
events and reports back; QGIS must still be running and must not have imported torch.

Set ``CLVNET_DESKTOP_SCREENSHOT`` to a path to keep a copy of the screenshot.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RASTER = REPO.parent / "shared" / "data" / "real" / "cogeo.tif"
MODEL_PYTHON = REPO / ".venv" / "bin" / "python"
STARTUP = Path(__file__).with_name("desktop_startup.py")
RESULT_TIMEOUT_S = 420
EXIT_TIMEOUT_S = 60
PROFILE_INI = """[PythonPlugins]
clvnet=true

[app]
askToSaveMemoryLayers=false

[qgis]
checkVersion=false
"""

pytestmark = pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("qgis")),
    reason="the desktop smoke test needs the Xvfb and qgis programs (make setup installs them)",
)


@pytest.fixture()
def display():
    """A fresh Xvfb display (``:N``), stopped after the test."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture()
def profile(tmp_path) -> Path:
    """A QGIS profiles folder whose ``default`` profile has the plugin zip installed."""
    profiles = tmp_path / "profiles"
    default = profiles / "profiles" / "default"
    built = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "plugin_package.py"),
            "deploy",
            "--out",
            str(tmp_path / "clvnet.zip"),
            "--plugins-dir",
            str(default / "python" / "plugins"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    ini = default / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(PROFILE_INI, encoding="utf-8")
    return profiles


def qgis_environment(display: str, out: Path) -> dict:
    """The desktop's environment: X display, Mesa in software, no venv packages in QGIS."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    runtime = out / "runtime"
    runtime.mkdir(mode=0o700)
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        LIBGL_ALWAYS_SOFTWARE="1",
        XDG_RUNTIME_DIR=str(runtime),
        CLVNET_MODEL_PYTHON=str(MODEL_PYTHON),
        CLVNET_SMOKE_OUT=str(out),
        CLVNET_SMOKE_RASTER=str(RASTER),
    )
    return env


def wait_for_result(qgis: subprocess.Popen, result: Path, log: Path) -> dict:
    """The startup script's report; fails at once if QGIS dies first."""
    deadline = time.monotonic() + RESULT_TIMEOUT_S
    while not result.exists():
        code = qgis.poll()
        if code is not None:
            died = f"signal {-code}" if code < 0 else f"exit status {code}"
            text = log.read_text(errors="replace")
            crash = re.search(r"QGIS died on signal \d+", text)
            said = f"; {crash.group(0)}" if crash else ""
            pytest.fail(f"QGIS stopped ({died}{said}) before the result:\n{text[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"no result after {RESULT_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    return json.loads(result.read_text(encoding="utf-8"))


def test_a_box_on_the_real_desktop(display, profile, tmp_path):
    if not RASTER.is_file():
        pytest.skip(f"real data {RASTER} is missing (../shared/data/real beside the repository)")
    assert MODEL_PYTHON.is_file(), f"{MODEL_PYTHON} is missing: run make setup"
    out = tmp_path / "out"
    out.mkdir()
    log = out / "qgis.log"
    command = [
        "qgis",
        "--nologo",
        "--noversioncheck",
        "--profiles-path",
        str(profile),
        "--code",
        str(STARTUP),
        str(RASTER),
    ]
    with log.open("w") as log_file:
        qgis = subprocess.Popen(
            command,
            env=qgis_environment(display, out),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            report = wait_for_result(qgis, out / "result.json", log)
            alive = qgis.poll() is None
            keep = os.environ.get("CLVNET_DESKTOP_SCREENSHOT")
            if keep and report.get("screenshot"):
                shutil.copyfile(report["screenshot"], keep)
            (out / "quit").touch()
            code = qgis.wait(timeout=EXIT_TIMEOUT_S)
        finally:
            if qgis.poll() is None:
                os.killpg(qgis.pid, signal.SIGKILL)
                qgis.wait()

    assert "error" not in report, report["error"] + json.dumps(report["messages"], indent=1)
    assert alive, "QGIS was not running any more when the result arrived"
    assert report["heavy_modules"] == [], "QGIS imported the model's packages"
    assert report["objects"], f"no object came back: {report}"
    assert all(o["caption"] and o["phrase"] for o in report["objects"])
    assert report["captions"] and all(report["captions"])
    assert Path(report["screenshot"]).stat().st_size > 10_000
    left_out = [m["text"] for m in report["messages"] if "minimum score" in m["text"]]
    assert not any(text.startswith("1 objects") for text in left_out), left_out
    assert report["rubber_band_while_running"], "the box outline vanished while the box ran"
    assert not report["rubber_band_after_result"], "the box outline stayed after the result"
    assert code == 0, f"QGIS exited with {code}:\n{log.read_text()[-2000:]}"
