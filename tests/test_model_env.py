"""The model's own Python environment: which interpreter runs the server, checking it, creating it.

The slow test builds a real venv from the lock file (pip takes torch from this machine's disk
and the rest from PyPI or pip's cache), breaks it by removing a package, sees the break and
repairs it, and cancels a rebuild, which leaves the working environment in place.
"""

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
import rasterio
from qgis.PyQt.QtWidgets import QDialog
from rasterio.windows import Window
from shapely import wkt as shapely_wkt

from clvnet_qgis import model_env
from clvnet_qgis.base_python import (
    MIN_MODEL_PYTHON,
    BasePython,
    BasePythonSearch,
    python_candidates,
)
from clvnet_qgis.dependencies import EnvironmentDialog
from clvnet_qgis.env_builder import (
    LOCK_FILE,
    EnvironmentBuilder,
    TorchBuild,
    choose_torch_build,
    lock_packages,
    torch_build_for_this_machine,
)
from clvnet_qgis.env_check import EnvironmentCheck, EnvironmentReport, report_from_answers
from clvnet_qgis.model_env import (
    COMPLETE_MARKER,
    ENV_VARIABLE,
    ModelEnvironmentMissing,
    server_python,
    venv_python,
)
from clvnet_qgis.settings import ClvnetSettings
from clvnet_qgis.settings_dialog import SettingsDialog
from model_core.server_client import ServerClient

REPO = Path(__file__).resolve().parents[1]
# Debian's own Python: it runs, but has no torch (the project's packages are in .venv).
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture()
def managed_dir(monkeypatch, tmp_path, clean_settings) -> Iterator[Path]:
    """No CLVNET_MODEL_PYTHON, no setting, and the managed environment in a temporary folder."""
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    folder = tmp_path / "profile" / "python" / "clvnet_env"
    monkeypatch.setattr(model_env, "managed_env_dir", lambda: folder)
    yield folder
    shutil.rmtree(folder.parent, ignore_errors=True)  # a built environment holds GBs


def run_check(python: str, wait_until, timeout: float = 180) -> EnvironmentReport:
    """Start the model's server with ``python`` and wait for its report."""
    reports = []
    check = EnvironmentCheck(python)
    check.finished.connect(reports.append)
    check.start()
    wait_until(lambda: bool(reports), timeout, f"the server check of {python}")
    return reports[0]


# ------------------------------------------------------------------ which interpreter


def test_server_python_resolution_order(managed_dir, monkeypatch):
    with pytest.raises(ModelEnvironmentMissing, match='"Python for the model" in Settings'):
        server_python()

    managed = venv_python(managed_dir)
    managed.parent.mkdir(parents=True)
    managed.write_text("")
    with pytest.raises(ModelEnvironmentMissing):
        server_python()  # created but never marked complete: an interrupted install
    (managed_dir / COMPLETE_MARKER).write_text("{}")
    assert server_python() == str(managed)

    settings = ClvnetSettings.load()
    settings.model_python = "/opt/conda/envs/clv/bin/python"
    settings.save()
    assert server_python() == "/opt/conda/envs/clv/bin/python"

    monkeypatch.setenv(ENV_VARIABLE, sys.executable)
    assert server_python() == sys.executable


def test_torch_build_follows_the_machine():
    cpu = choose_torch_build("Linux", "x86_64", nvidia=False)
    assert cpu.name == "cpu" and cpu.pip_options() == ["--extra-index-url", cpu.index_url]
    assert cpu.index_url == "https://download.pytorch.org/whl/cpu"
    cuda = choose_torch_build("Linux", "x86_64", nvidia=True)
    assert cuda.name == "cuda" and cuda.pip_options() == []
    assert cuda.download_gb > 4 * cpu.download_gb
    for system, machine in (("Windows", "AMD64"), ("Darwin", "arm64"), ("Linux", "aarch64")):
        assert choose_torch_build(system, machine, nvidia=False).pip_options() == []
    here = torch_build_for_this_machine()
    has_gpu = bool(shutil.which("nvidia-smi")) or Path("/proc/driver/nvidia").exists()
    assert here.name == ("cuda" if has_gpu else "cpu")


def test_base_python_is_a_real_interpreter_when_sys_executable_is_qgis(
    monkeypatch, search_base_python
):
    monkeypatch.setattr(sys, "executable", "/usr/bin/qgis")
    base, problem = search_base_python()
    assert base is not None, problem
    assert Path(base.path).name.startswith("python") and Path(base.path).is_file()
    assert base.version[:2] >= MIN_MODEL_PYTHON
    version = subprocess.run(
        [base.path, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version in base.describe() and base.source in base.describe()


def test_a_python_on_the_path_is_not_taken_for_the_one_qgis_runs(tmp_path, monkeypatch):
    # Desktop QGIS here reported sys.executable = ~/.pyenv/shims/python3 (Python 3.11.7, the
    # first python3 on the PATH) while it runs Debian's /usr/bin/python3.11 (3.11.2).
    shim = tmp_path / "shims" / "python3"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec {sys.base_prefix}/bin/python3 "$@"\n')  # as pyenv's
    shim.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(shim))
    monkeypatch.setattr(sys, "_base_executable", str(shim))
    monkeypatch.setattr(sys, "prefix", sys.base_prefix)  # as inside QGIS: no venv
    candidates = python_candidates()
    assert (shim, "the Python QGIS runs") not in candidates
    assert all(path != shim for path, _source in candidates)
    first, source = candidates[0]
    assert source == "QGIS's Python prefix" and Path(sys.base_prefix) in first.parents

    inside = Path(sys.base_prefix) / "bin" / "python3"
    monkeypatch.setattr(sys, "executable", str(inside))
    assert python_candidates()[0] == (inside, "the Python QGIS runs")


def test_no_usable_base_python_is_one_sentence(tmp_path, search_base_python):
    script = tmp_path / "python3"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    base, message = search_base_python(
        [(tmp_path / "absent" / "python3", "nowhere"), (script, "a fake")]
    )
    assert base is None
    assert message == (
        f"No Python 3.11 or newer that can create a virtual environment was found ('{script}' "
        'is not a working Python interpreter.); choose one with "Use another Python".'
    )


def test_the_search_passes_over_a_hanging_and_a_fake_python(tmp_path, wait_until):
    script = tmp_path / "python3"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    hanging = tmp_path / "python3.11"
    hanging.write_text("#!/bin/sh\nexec sleep 20\n")
    hanging.chmod(0o755)
    results = []
    search = BasePythonSearch([(hanging, "a hang"), (script, "a fake")], timeout_s=1)
    search.finished.connect(lambda base, problem: results.append((base, problem)))
    search.start()
    wait_until(lambda: bool(results), 10, "the search")
    base, problem = results[0]
    assert base is None and not search.running()
    assert problem == (
        f"No Python 3.11 or newer that can create a virtual environment was found ('{hanging}' "
        'did not answer within 1 s.); choose one with "Use another Python".'
    )

    search = BasePythonSearch([(script, "a fake"), (Path(sys.executable), "the tests")])
    search.finished.connect(lambda base, problem: results.append((base, problem)))
    search.start()
    wait_until(lambda: len(results) == 2, 30, "the search")
    # the fake is passed over and the tests' own interpreter is found, with its own version
    assert results[1] == (BasePython(sys.executable, sys.version_info[:3], "the tests"), "")


def test_lock_file_pins_what_the_server_imports_as_the_tests_do():
    locked = lock_packages()
    for package in (
        "torch",
        "torchvision",
        "segment-anything",
        "transformers",
        "tokenizers",
        "safetensors",
        "numpy",
        "shapely",
        "rasterio",
        "affine",
    ):
        assert package in locked, package
    pinned = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        match = re.match(r"^([\w.\-]+)==(\S+)", line)
        if match:
            pinned[match.group(1).lower()] = match.group(2)
    same = [name for name in locked if name in pinned]
    assert len(same) >= 6 and all(locked[name] == pinned[name] for name in same)
    assert int(locked["numpy"].split(".")[0]) < 2  # constraints.txt: numpy<2
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import plugin_package
    finally:
        sys.path.remove(str(REPO / "scripts"))
    shipped = {p.as_posix() for p in plugin_package.plugin_files(REPO)}
    assert LOCK_FILE.relative_to(REPO).as_posix() in shipped


# ------------------------------------------------------------------ checking an interpreter


def test_a_python_without_the_packages_is_reported_as_broken(wait_until):
    report = run_check(SYSTEM_PYTHON, wait_until)
    assert not report.ok and report.missing_module == "torch"
    assert report.problem == (
        f"The model's Python environment ({SYSTEM_PYTHON}) is broken: the package 'torch' "
        "cannot be imported."
    )


def test_server_answers_become_a_report():
    answers = {
        "check-hello": {"ok": True, "python_version": "3.11.2"},
        "check-load": {"ok": True, "torch": "2.14.1+cpu", "transformers": "5.23.0"},
        "check-devices": {"ok": True, "cuda": [["cuda:0", "RTX 4000"]]},
    }
    noisy = "UserWarning: No module named 'triton'; falling back to eager mode"
    report = report_from_answers("/p/python", answers, noisy, finished_early=False)
    assert report.ok and report.cuda_devices == [("cuda:0", "RTX 4000")]
    assert report.summary() == (
        "Python 3.11.2, torch 2.14.1+cpu, transformers 5.23.0, GPUs: cuda:0 (RTX 4000)"
    )
    died = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'numpy'"
    dead = report_from_answers("/p/python", {}, died, finished_early=True)
    assert dead.missing_module == "numpy" and "'numpy' cannot be imported" in dead.problem
    crashed = report_from_answers("/p/python", {}, "Segmentation fault", True)
    assert crashed.problem == ("The model's server stopped before answering (Segmentation fault).")


def test_the_project_python_reports_what_it_has(wait_until):
    report = run_check(sys.executable, wait_until)
    assert report.ok, report.problem
    assert report.python_version == ".".join(str(v) for v in sys.version_info[:3])
    assert report.torch.startswith("2.14.1") and report.transformers == "5.23.0"
    assert report.device == "cpu" and f"torch {report.torch}" in report.summary()


def test_settings_refuse_a_bad_python_with_a_sentence(clean_settings, qgis_parent, wait_until):
    dialog = SettingsDialog(ClvnetSettings(), parent=qgis_parent)
    dialog.show()
    dialog.model_python.setFilePath("/nowhere/bin/python")
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.Accepted
    assert dialog.python_status.text() == (
        "<b>'/nowhere/bin/python' does not exist; choose a Python interpreter file.</b>"
    )

    dialog.model_python.setFilePath(SYSTEM_PYTHON)
    dialog.accept()
    wait_until(lambda: not dialog.checking_python(), 120, "the check of the system Python")
    assert dialog.isVisible() and dialog.result() != QDialog.Accepted
    assert "the package 'torch' cannot be imported" in dialog.python_status.text()

    dialog.model_python.setFilePath(sys.executable)
    dialog.accept()
    wait_until(lambda: not dialog.isVisible(), 180, "the check of the project's Python")
    assert dialog.result() == QDialog.Accepted
    assert "torch 2.14.1" in dialog.python_status.text()
    assert dialog.settings().model_python == sys.executable


def test_the_dialog_offers_to_create_the_environment(managed_dir, qgis_iface, wait_until):
    dialog = EnvironmentDialog(qgis_iface.messageBar(), qgis_iface.mainWindow())
    assert "not set up yet" in dialog.status.text()
    wait_until(lambda: not dialog.searching(), 60, "the search for a base Python")
    assert dialog.create_button.text() == "Create environment"
    assert dialog.create_button.isEnabled() and dialog.base is not None
    plan = dialog.plan.text()
    assert str(managed_dir) in plan and dialog.base.path in plan
    assert f"about {dialog.build.download_gb} GB to download" in plan
    assert not dialog.isModal()


# ------------------------------------------------------------------ creating it


def test_an_unreachable_torch_index_falls_back_to_pypi(tmp_path, wait_until, search_base_python):
    unreachable = TorchBuild("cpu", "https://download.invalid/whl/cpu", 0.5, 1.5, "")
    base, problem = search_base_python()
    assert base is not None, problem
    builder = EnvironmentBuilder(base, tmp_path / "clvnet_env", unreachable)
    assert [step.name for step in builder.steps()] == ["venv", "index", "pip"]
    assert "--extra-index-url" in builder.steps()[-1].arguments
    steps = []
    builder.step.connect(steps.append)
    builder.start()
    wait_until(lambda: any(s.startswith("Downloading") for s in steps), 120, "the pip step")
    builder.cancel()
    assert steps[1] == "Checking that https://download.invalid/whl/cpu can be reached..."
    assert steps[2] == "PyTorch's CPU index could not be reached, so PyPI's build is used"
    assert builder.build.name == "pypi" and "about 2.9 GB" in steps[3]
    assert "--extra-index-url" not in builder.steps()[-1].arguments
    assert not (tmp_path / "clvnet_env").exists()


# A base Python whose venv's pip runs out of disk ("python -m venv DIR" makes DIR/bin/python).
PIP_ON_A_FULL_DISK = """#!/bin/sh
mkdir -p "$3/bin"
cat > "$3/bin/python" <<'PIP'
#!/bin/sh
echo "Collecting torch==2.14.1"
echo "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device"
exit 1
PIP
chmod +x "$3/bin/python"
"""


def test_a_full_disk_is_said_before_and_during_the_install(tmp_path, wait_until):
    target = tmp_path / "clvnet_env"
    base = BasePython(sys.executable, (3, 11, 2), "test")
    too_big = EnvironmentBuilder(base, target, TorchBuild("cpu", None, 0.5, 1e6, ""))
    refused = []
    too_big.finished.connect(lambda ok, sentence: refused.append((ok, sentence)))
    too_big.start()  # refused at once: no step starts
    assert len(refused) == 1 and not refused[0][0] and not too_big.running()
    assert re.fullmatch(
        rf"The model's environment needs about 1000000.0 GB free in {re.escape(str(tmp_path))}, "
        r"but only \d+\.\d GB is free; free some space and try again \(the previous environment "
        r"is unchanged\)\.",
        refused[0][1],
    ), refused[0][1]
    assert not target.exists() and not too_big.staging.exists()

    fake = tmp_path / "python3"
    fake.write_text(PIP_ON_A_FULL_DISK)
    fake.chmod(0o755)
    fits = TorchBuild("default", None, 0.5, 0.001, "")
    builder = EnvironmentBuilder(BasePython(str(fake), (3, 11, 2), "test"), target, fits)
    ok, sentence, _ = build_and_wait(builder, wait_until)
    assert not ok and sentence == (
        "Creating the model's environment failed because the disk is full (it needs about "
        f"0.001 GB free in {tmp_path}); the previous environment is unchanged. pip's output is "
        f"in {builder.log_path}."
    )
    assert "[Errno 28] No space left on device" in builder.log_path.read_text()
    assert not target.exists()


# ------------------------------------------------------------------ creating it (slow)


def folder_size_gb(folder: Path) -> float:
    """Bytes of the files under ``folder`` (links not followed), in GB."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file()) / 1e9


def build_and_wait(builder: EnvironmentBuilder, wait_until, start: bool = True) -> tuple:
    """Run ``builder`` (``start=False``: already started) to its end; ``(ok, sentence, s)``."""
    outcome = []
    builder.finished.connect(lambda ok, sentence: outcome.append((ok, sentence)))
    started = time.monotonic()
    if start:
        builder.start()
    wait_until(lambda: bool(outcome), 900, "the environment builder")
    return (*outcome[0], time.monotonic() - started)


def describe_a_real_box(python: str) -> None:
    """Describe a box of ``cogeo.tif`` through the model server run by ``python``."""
    path = REPO.parent / "shared" / "data" / "real" / "cogeo.tif"
    if not path.is_file():
        return
    with rasterio.open(path) as source:
        pixels = source.read((1, 2, 3), window=Window(256, 256, 256, 256))
    client = ServerClient(python)
    try:
        client.load(device="cpu", precision="fp32")
        answer = client.describe(
            np.ascontiguousarray(pixels.transpose(1, 2, 0)), [64, 64, 192, 192]
        )
    finally:
        client.close()
    assert answer["caption"].strip()
    polygons = [o["polygon"] for o in answer["objects"] if o["polygon"]]
    assert all(shapely_wkt.loads(p).is_valid for p in polygons)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_environment_created_broken_repaired_and_kept_on_cancel(
    managed_dir, qgis_iface, wait_until, search_base_python
):
    # The build this machine asks for; where PyTorch's CPU index does not answer (as here),
    # the builder falls back to PyPI's build, whose torch 2.14.1 wheel lies on this disk.
    build = torch_build_for_this_machine()
    base, problem = search_base_python()
    assert base is not None, problem
    builder = EnvironmentBuilder(base, managed_dir, build)
    steps, progress = [], []
    builder.step.connect(steps.append)
    builder.progress.connect(progress.append)
    ok, sentence, seconds = build_and_wait(builder, wait_until)
    assert ok, sentence + "\n" + builder.log_path.read_text()[-3000:]
    size = folder_size_gb(managed_dir)
    print(f"\nenvironment created from scratch in {seconds:.0f} s, {size:.2f} GB")
    assert steps[0].startswith("Creating the Python environment with " + base.path)
    assert any(f"about {builder.build.download_gb} GB" in s for s in steps)
    assert "starting the model's server" in steps[-1]
    assert progress == sorted(progress) and progress[-1] == 100 and len(set(progress)) > 10
    assert (managed_dir / COMPLETE_MARKER).is_file() and not builder.staging.exists()
    assert server_python() == str(venv_python(managed_dir))
    assert builder.report.torch.startswith("2.14.1") and builder.report.transformers == "5.23.0"
    assert "Successfully installed" in builder.log_path.read_text()
    describe_a_real_box(server_python())

    # Break it: a package removed. The server check says which, the dialog offers Repair.
    site = next(managed_dir.glob("lib/python3*/site-packages"))
    shutil.rmtree(site / "segment_anything")
    broken = run_check(server_python(), wait_until)
    assert broken.missing_module == "segment_anything"
    assert "the package 'segment_anything' cannot be imported" in broken.problem
    dialog = EnvironmentDialog(qgis_iface.messageBar(), qgis_iface.mainWindow())
    wait_until(lambda: not dialog.checking(), 180, "the dialog's check")
    assert dialog.status.text() == f"<b>{broken.problem}</b>"
    assert dialog.create_button.text() == "Repair" and dialog.other_button.isEnabled()
    wait_until(lambda: not dialog.searching(), 60, "the search for a base Python")
    repair = dialog.create_environment()
    assert repair is not None and not dialog.isVisible()
    ok, sentence, seconds = build_and_wait(repair, wait_until, start=False)
    assert ok, sentence
    print(f"repaired (recreated) in {seconds:.0f} s")
    assert (site / "segment_anything").is_dir()
    assert run_check(server_python(), wait_until).ok

    # A cancelled rebuild leaves the working environment as it was.
    again = EnvironmentBuilder(base, managed_dir, builder.build)
    cancelled = []
    again.finished.connect(lambda ok, sentence: cancelled.append((ok, sentence)))
    again.start()
    wait_until(lambda: again.staging.exists(), 60, "the staging folder")
    again.cancel()
    assert cancelled == [
        (False, "The installation was cancelled; the previous environment is unchanged.")
    ]
    wait_until(lambda: not again.staging.exists(), 30, "the staging folder to go")
    assert (managed_dir / COMPLETE_MARKER).is_file() and (site / "segment_anything").is_dir()


def test_the_swap_stops_the_shared_server_running_from_the_old_environment(managed_dir):
    """Repair replaces the folder the running server's Python lives in: that server stops first."""
    from clvnet_qgis import model_server

    old_python = venv_python(managed_dir)
    old_python.parent.mkdir(parents=True)
    old_python.symlink_to(sys.executable)
    (managed_dir / COMPLETE_MARKER).write_text("{}")
    client = model_server.shared_client()
    assert client.python == str(old_python)
    client.start()
    process = client._process
    assert process.poll() is None
    builder = EnvironmentBuilder(
        BasePython(sys.executable, (3, 11, 2), "test"),
        managed_dir,
        choose_torch_build("Linux", "x86_64", nvidia=False),
    )
    staged = venv_python(builder.staging)
    staged.parent.mkdir(parents=True)
    staged.symlink_to(sys.executable)
    try:
        builder._swap_in(EnvironmentReport(python=str(staged)))
        assert process.poll() is not None  # ended before its folder was renamed
        assert model_server.running_client() is None
        assert (managed_dir / COMPLETE_MARKER).read_text() != "{}"  # the new one is in place
    finally:
        model_server.close_shared_client()
