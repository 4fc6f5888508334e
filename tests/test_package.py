"""``make zip`` / ``make deploy``: the plugin zip's contents, and the installed zip loading in
QGIS (``qgis.utils``) and running headless from its own copy (``qgis_process.bin``)."""

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REPO, real
from qgis.core import QgsApplication

PACKAGER = REPO / "scripts" / "plugin_package.py"
ALGORITHMS = {
    "clvnet:segment_describe_boxes",
    "clvnet:segment_describe_extent",
    "clvnet:prepare_training_data",
    "clvnet:train_model",
}


def package(*args: str) -> subprocess.CompletedProcess:
    """Run the packaging script as the Makefile does."""
    done = subprocess.run(
        [sys.executable, str(PACKAGER), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "clvnet.zip"
    package("zip", "--out", str(out))
    return out


@pytest.fixture(scope="module")
def plugins_dir(plugin_zip, tmp_path_factory) -> Path:
    """A plugins folder with an old copy of the plugin, then ``deploy`` into it."""
    plugins = tmp_path_factory.mktemp("profile") / "python" / "plugins"
    (plugins / "clvnet").mkdir(parents=True)
    (plugins / "clvnet" / "stale_module.py").write_text("raise ImportError\n")
    package("deploy", "--out", str(plugin_zip), "--plugins-dir", str(plugins))
    return plugins


def repo_files(folder: str, suffixes) -> set:
    """Files under a repository folder that the zip must carry (no caches)."""
    root = REPO / folder
    return {
        f"clvnet/{path.relative_to(REPO).as_posix()}"
        for path in root.rglob("*")
        if path.is_file() and path.suffix in suffixes and "__pycache__" not in path.parts
    }


def test_zip_holds_one_clvnet_folder_with_the_plugin_only(plugin_zip):
    with zipfile.ZipFile(plugin_zip) as archive:
        names = set(archive.namelist())
        metadata = archive.read("clvnet/metadata.txt").decode("utf-8")
    assert {name.split("/")[0] for name in names} == {"clvnet"}
    for required in ("__init__.py", "metadata.txt", "icon.png", "LICENSE"):
        assert f"clvnet/{required}" in names
    assert repo_files("clvnet_qgis", {".py"}) <= names
    assert repo_files("model_core", {".py", ".txt", ".json", ".safetensors", ".md"}) <= names
    assert repo_files("i18n", {".ts", ".qm"}) <= names
    for name in names:
        parts = name.split("/")
        assert parts[1] not in ("training", "tests", "scripts", "docs", ".venv"), name
        assert "__pycache__" not in parts and not name.endswith(".pyc"), name
    parser = configparser.ConfigParser()
    parser.read_string(metadata)
    general = parser["general"]
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    assert general["icon"] == "icon.png" and general["category"] == "Raster"
    for dependency in ("torch", "transformers", "segment_anything", "rasterio"):
        assert dependency in general["about"]
    # What the Plugin Manager tells a user: the model's packages go to its own environment.
    assert "separate process with its own Python environment" in general["about"]
    assert "installed into QGIS's own Python" not in general["about"]


def test_deploy_replaces_an_earlier_copy(plugins_dir):
    installed = plugins_dir / "clvnet"
    assert not (installed / "stale_module.py").exists()
    assert (installed / "metadata.txt").is_file()
    assert (installed / "clvnet_qgis" / "processing" / "provider.py").is_file()
    assert [p.name for p in plugins_dir.iterdir()] == ["clvnet"]


def test_installed_zip_loads_with_qgis_utils(plugins_dir, qgis_iface):
    """The way QGIS starts a plugin: find it on the plugin paths (metadata.txt), import its
    package, ``classFactory`` + ``initGui``; then unload it."""
    import qgis.utils

    registry = QgsApplication.processingRegistry()
    assert registry.providerById("clvnet") is None, "an earlier test left the provider"
    paths, modules = list(qgis.utils.plugin_paths), set(sys.modules)
    qgis.utils.plugin_paths = [str(plugins_dir)]
    sys.path.insert(0, str(plugins_dir))
    try:
        qgis.utils.updateAvailablePlugins()
        assert "clvnet" in qgis.utils.available_plugins
        metadata = qgis.utils.plugins_metadata_parser["clvnet"]
        assert metadata.get("general", "hasProcessingProvider") == "yes"
        assert qgis.utils.loadPlugin("clvnet")
        assert Path(sys.modules["clvnet"].__file__).parent == plugins_dir / "clvnet"
        assert qgis.utils.startPlugin("clvnet")
        provider = registry.providerById("clvnet")
        assert provider is not None
        assert {alg.id() for alg in provider.algorithms()} == ALGORITHMS
        assert qgis.utils.unloadPlugin("clvnet")
        assert registry.providerById("clvnet") is None
        assert "clvnet" not in sys.modules
    finally:
        sys.path.remove(str(plugins_dir))
        qgis.utils.plugin_paths = paths
        qgis.utils.updateAvailablePlugins()
        for name in set(sys.modules) - modules:
            if name == "clvnet" or name.startswith("clvnet."):
                del sys.modules[name]


def test_installed_zip_runs_headless_from_its_own_copy(
    plugins_dir, qgis_process, processing_checkpoint, tmp_path
):
    """Only the unpacked folder is on the path: its own model_core runs the model."""
    process = qgis_process(plugins_dir / "clvnet")
    report = process.run_json(
        "clvnet:segment_describe_extent",
        INPUT=str(real("cogeo")),
        EXTENT="14322000,14322150,4532600,4532750 [EPSG:3857]",
        CHECKPOINT=str(processing_checkpoint),
        DEVICE="cpu",
        OUTPUT=str(tmp_path / "objects.gpkg"),
    )
    assert report["results"]["PROCESSED_COUNT"] == 1
    assert report["results"]["OBJECT_COUNT"] == 4
    assert (tmp_path / "objects.gpkg").is_file()
