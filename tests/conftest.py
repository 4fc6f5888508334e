"""Shared pytest fixtures for the QGIS-facing tests (pytest-qgis runs a real headless QGIS).

Sections: base (paths, checkpoints), GUI plugin (canvas, plugin, waiting on the event loop),
Processing (provider and its checkpoint). Plain model_core and training tests need none of them.
"""

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from qgis.core import QgsProject, QgsRasterLayer, QgsSettings
from qgis.PyQt.QtCore import QEventLoop, QTimer
from qgis.PyQt.QtWidgets import QApplication

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "data" / "real"
TRAIN_REAL = REPO.parent / "shared" / "data" / "train_real"
DEFAULT_CHECKPOINT = REPO / "model_core" / "checkpoints" / "clvnet-tiny"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# The model server runs with the test interpreter (the project's .venv) unless told otherwise.
os.environ.setdefault("CLVNET_MODEL_PYTHON", sys.executable)
# GDAL must not write .aux.xml statistics beside the shared read-only data (tests, QGIS, server).
os.environ["GDAL_PAM_ENABLED"] = "NO"


# ---------------------------------------------------------------------------------- base


def make_random_checkpoint(out: Path) -> Path:
    """An untrained tiny checkpoint (mechanics only: its captions mean nothing)."""
    subprocess.run(
        [sys.executable, "-m", "model_core", "init", "--preset", "tiny", "--out", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def random_checkpoint(tmp_path_factory) -> Path:
    """A session-wide random-weights tiny checkpoint made by ``python -m model_core init``."""
    return make_random_checkpoint(tmp_path_factory.mktemp("checkpoints") / "random-tiny")


@pytest.fixture(scope="session")
def model_checkpoint(random_checkpoint) -> Path:
    """The bundled default checkpoint when it is installed, else the random tiny one."""
    if (DEFAULT_CHECKPOINT / "model.safetensors").is_file():
        return DEFAULT_CHECKPOINT
    return random_checkpoint


@pytest.fixture(scope="session")
def real_records(tmp_path_factory) -> Path:
    """Validation records of SpaceNet Rio (real WorldView-2 buildings) by ``training.prepare``."""
    if not (TRAIN_REAL / "spacenet_rio").is_dir():
        pytest.skip(f"the real data folder {TRAIN_REAL / 'spacenet_rio'} is missing")
    out = tmp_path_factory.mktemp("records")
    done = subprocess.run(
        [sys.executable, "-m", "training.prepare", "all-sources", "--root", str(TRAIN_REAL),
         "--sources", "spacenet_rio", "--out", str(out), "--quiet"],
        cwd=REPO, env={**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out / "spacenet_rio" / "validation"


# ---------------------------------------------------------------------------------- GUI plugin


@pytest.fixture()
def wait_until() -> Callable[..., None]:
    """``wait_until(predicate, timeout=30)``: run the Qt event loop until ``predicate()``."""

    def wait(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        loop = QEventLoop()
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
            QTimer.singleShot(10, loop.quit)
            loop.exec_()

    return wait


@pytest.fixture()
def search_base_python(wait_until) -> Callable[..., tuple]:
    """``search_base_python(candidates=None)``: run a ``BasePythonSearch`` on the event loop
    until it reports; ``(BasePython or None, problem sentence)``."""
    from clvnet_qgis.base_python import BasePythonSearch

    def search(candidates=None, timeout: float = 120.0) -> tuple:
        results = []
        finder = BasePythonSearch(candidates)
        finder.finished.connect(lambda base, problem: results.append((base, problem)))
        finder.start()
        wait_until(lambda: bool(results), timeout, "the search for a base Python")
        assert not finder.running()
        return results[0]

    return search


@pytest.fixture()
def shown_canvas(qgis_canvas, qgis_parent, qgis_new_project):
    """The pytest-qgis canvas, shown (offscreen) so its map settings have the widget's size."""
    qgis_parent.show()
    qgis_canvas.show()
    qgis_canvas.resize(600, 600)
    QApplication.processEvents()
    yield qgis_canvas
    qgis_canvas.setLayers([])


@pytest.fixture()
def cogeo_layer(qgis_new_project) -> QgsRasterLayer:
    """``cogeo.tif`` (EPSG:3857, 0.6 m aerial) added to a new project."""
    path = REAL_DATA / "cogeo.tif"
    if not path.is_file():
        pytest.skip(f"real data {path} is missing (../shared/data/real beside the repository)")
    layer = QgsRasterLayer(str(path), "cogeo")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    return layer


@pytest.fixture()
def clean_settings():
    """Remove every ``clvnet/`` setting before and after the test."""
    QgsSettings().remove("clvnet")
    yield QgsSettings()
    QgsSettings().remove("clvnet")


@pytest.fixture(scope="session")
def plugin_package():
    """The repository root imported the way QGIS imports a plugin folder (its ``__init__``).

    Named ``clvnet_repo_plugin`` so it never shadows an installed ``clvnet`` plugin package.
    """
    name = "clvnet_repo_plugin"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, REPO / "__init__.py", submodule_search_locations=[str(REPO)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture()
def plugin(plugin_package, qgis_iface, qgis_new_project, clean_settings):
    """The GUI plugin made by the root ``classFactory`` with ``initGui`` run; unloaded after."""
    loaded = plugin_package.classFactory(qgis_iface)
    loaded.initGui()
    yield loaded
    if loaded.actions:
        loaded.unload()


# ---------------------------------------------------------------------------------- Processing


SEG_DIMS = (0, 1)
"""Hidden dimensions of the language model that the mechanics checkpoint rewires."""


def _rewire_to_emit_objects(folder: Path, max_new_tokens: int = 8) -> None:
    """Make an untrained checkpoint caption every box as ``[SEG] building`` pairs.

    An untrained model almost never emits ``[SEG]``, so it yields no objects and the vector
    outputs could not be checked. Here two hidden dimensions of the (tied-embedding) language
    model carry only the input token's embedding: attention and MLP outputs never write them,
    and the embeddings there make greedy decoding alternate ``[SEG]`` and "building" from any
    text token. The relation head always says "next to". Masks stay random: mechanics only.
    """
    import json

    import torch
    from safetensors.torch import load_file, save_file
    from tokenizers import Tokenizer

    from model_core.tokenizer import CaptionTokenizer

    tokenizer = CaptionTokenizer(Tokenizer.from_file(str(folder / "tokenizer.json")))
    word = tokenizer._tok.token_to_id("Ġbuilding")
    assert word is not None, "the base corpus has no 'building' token"
    weights = load_file(str(folder / "model.safetensors"))
    a, b = SEG_DIMS
    scale = 4.0
    embeddings = weights["reasoner.lm.model.embed_tokens.weight"]
    embeddings[:, [a, b]] = 0.5 * scale
    for token in (tokenizer.pad_id, tokenizer.eos_id):
        embeddings[token, [a, b]] = 0.0
    embeddings[word, [a, b]] = torch.tensor([scale, scale])
    embeddings[tokenizer.seg_id, [a, b]] = torch.tensor([scale, -scale])
    for name, tensor in weights.items():
        if name.endswith(("self_attn.o_proj.weight", "mlp.down_proj.weight")):
            tensor[[a, b], :] = 0.0
    weights["reasoner.lm.model.norm.weight"][b] = -1.0
    weights["mask_decoder.relation_head.mlp.2.bias"][1] = 20.0
    save_file(weights, str(folder / "model.safetensors"))
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["max_new_tokens"] = max_new_tokens
    (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")


@pytest.fixture(scope="session")
def processing_checkpoint(random_checkpoint, tmp_path_factory) -> Path:
    """The random tiny checkpoint rewired to give 4 objects and 12 relations per box (random
    masks, caption "building building building building"): for the mechanics of outputs."""
    import shutil

    folder = tmp_path_factory.mktemp("processing") / "mechanics"
    shutil.copytree(random_checkpoint, folder)
    _rewire_to_emit_objects(folder)
    return folder


@pytest.fixture(scope="module")
def clvnet_provider(qgis_processing):
    """The CLV-Net provider in the Processing registry for one test module (added if absent)."""
    from qgis.core import QgsApplication

    from clvnet_qgis.processing.provider import ClvnetProvider

    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("clvnet")
    added = provider is None
    if added:
        provider = ClvnetProvider()
        assert registry.addProvider(provider)
    yield provider
    if added:
        registry.removeProvider(provider)


QGIS_PROCESS = Path("/usr/bin/qgis_process.bin")


class QgisProcess:
    """``qgis_process.bin`` with one folder installed as the ``clvnet`` plugin, enabled in a
    throwaway QGIS profile (never the user's), and the venv's packages on ``PYTHONPATH``.

    This is how a headless server runs the algorithms (README: Processing); the
    ``/usr/bin/qgis_process`` wrapper passes an option QGIS 3.22 rejects, so the binary is called.
    """

    def __init__(self, plugin_folder: Path, home: Path) -> None:
        import os
        import sysconfig

        plugins = home / "plugins"
        plugins.mkdir(parents=True)
        (plugins / "clvnet").symlink_to(plugin_folder, target_is_directory=True)
        self.env = dict(
            os.environ,
            QGIS_PLUGINPATH=str(plugins),
            QGIS_CUSTOM_CONFIG_PATH=str(home / "profile"),
            PYTHONPATH=sysconfig.get_paths()["purelib"],
            QT_QPA_PLATFORM="offscreen",
        )
        self.cwd = home
        enabled = self.run("plugins", "enable", "clvnet")
        assert enabled.returncode == 0, enabled.stdout + enabled.stderr

    def run(self, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
        """Run ``qgis_process.bin ARGS`` (``env`` overrides variables); the completed process."""
        return subprocess.run(
            [str(QGIS_PROCESS), *args],
            env=dict(self.env, **env),
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run_json(self, algorithm: str, **params: str) -> dict:
        """``--json run ALGORITHM -- KEY=VALUE ...``; the parsed JSON (asserts exit code 0)."""
        import json

        done = self.run("--json", "run", algorithm, "--", *(f"{k}={v}" for k, v in params.items()))
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        return json.loads(done.stdout)


@pytest.fixture(scope="session")
def qgis_process(tmp_path_factory) -> Callable[[Path], QgisProcess]:
    """``qgis_process(plugin_folder)`` -> a ``QgisProcess`` with that folder as the plugin."""
    if not QGIS_PROCESS.is_file():
        pytest.skip(f"{QGIS_PROCESS} is missing (Debian package qgis)")

    def make(plugin_folder: Path) -> QgisProcess:
        return QgisProcess(plugin_folder, tmp_path_factory.mktemp("qgis_process"))

    return make
