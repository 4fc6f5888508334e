"""`pip install .`: the wheel holds model_core (with the bundled model) and training, declares the
`clvnet` command and the pins of constraints.txt, and the installed command runs. Offline:
setuptools of this environment builds it (--no-build-isolation --no-index)."""

import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from helpers import REPO

SOURCES = ("pyproject.toml", "LICENSE", "docs/python.md", "model_core", "training")


def _setuptools_version():
    setuptools = pytest.importorskip("setuptools")
    return tuple(int(part) for part in re.findall(r"\d+", setuptools.__version__)[:2])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built from a copy of the sources (building in the clone would leave build/)."""
    if _setuptools_version() < (77, 0):
        pytest.skip("building needs setuptools 77 or newer in this environment")
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    for name in SOURCES:
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, target)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--disable-pip-version-check", "-w", str(tmp / "dist"), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = (tmp / "dist").glob("clvnet_qgis-*.whl")
    return built


def dist_info(archive: zipfile.ZipFile, name: str) -> str:
    (path,) = [n for n in archive.namelist() if n.endswith(f".dist-info/{name}")]
    return archive.read(path).decode("utf-8")


def test_wheel_declares_clvnet_and_holds_both_packages(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = dist_info(archive, "entry_points.txt")
    assert re.search(r"^\[console_scripts\]\s*\nclvnet = model_core\.cli:main$", entry_points, re.M)
    for required in (
        "model_core/__init__.py",
        "model_core/api.py",
        "model_core/cli.py",
        "model_core/checkpoints/clvnet-tiny/model.safetensors",
        "model_core/checkpoints/clvnet-tiny/config.json",
        "model_core/checkpoints/clvnet-tiny/tokenizer.json",
        "model_core/assets/base_corpus.txt",
        "training/__init__.py",
        "training/configs/tiny.json",
    ):
        assert required in names, required
    tracked = subprocess.run(
        ["git", "ls-files", "model_core", "training"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    data_files = [name for name in tracked if not name.endswith(".py")]
    assert data_files and not set(data_files) - names  # package data: every data file
    packages = {name.split("/")[0] for name in names if "dist-info" not in name}
    assert packages == {"model_core", "training"}  # not the plugin, not the tests


def test_declared_pins_are_those_of_constraints(wheel):
    """Every package named in both pins the same release (one set of versions to test)."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = dist_info(archive, "METADATA")
    declared = dict(
        re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", line.split(";")[0]).groups()
        for line in re.findall(r"^Requires-Dist: (.+)$", metadata, re.M)
    )
    constraints = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", line).groups()
            constraints[name.lower()] = spec
    shared = {name for name in declared if name.lower() in constraints}
    assert {"torch", "transformers", "geopandas", "numpy", "pandas", "tqdm"} <= shared
    for name in shared:
        assert declared[name] == constraints[name.lower()], name


def test_this_environment_satisfies_every_declared_dependency(wheel):
    """`pip install .` here adds only the distribution itself: the declared pins are the ones
    the tests run with (checked offline, nothing is installed)."""
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index"]
    command += ["--disable-pip-version-check", f"{wheel}[training]"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Would install clvnet-qgis-0.1.0" in done.stdout.splitlines()[-1]


def test_the_installed_command_runs_outside_the_clone(wheel, tmp_path):
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q"]
    install += ["--disable-pip-version-check", "--target", str(site), str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    command = site / "bin" / "clvnet"
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "PROJ_DATA": "/usr/share/proj"}
    usage = subprocess.run(
        [str(command), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert usage.returncode == 0, usage.stderr
    for sub in ("predict", "batch", "info", "init", "serve"):
        assert sub in usage.stdout
    info = subprocess.run(
        [str(command), "info"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert info.returncode == 0, info.stderr
    bundled = site / "model_core" / "checkpoints" / "clvnet-tiny"
    assert f"checkpoint: {bundled}" in info.stdout
    assert "name: clvnet-tiny" in info.stdout
