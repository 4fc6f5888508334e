"""The dependency check: a failing import shows the dialog (closed by the test), QGIS goes on."""

import sys
from pathlib import Path
from typing import List

import pytest
from qgis.core import Qgis
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication

from clvnet_qgis import dependencies
from clvnet_qgis.dependencies import DependencyDialog


def close_dialog_when_shown(seen: List[str], attempts: int = 250) -> None:
    """Poll for the modal DependencyDialog, record its command and decline it."""

    def check(left: int) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, DependencyDialog):
            seen.append(dialog.command_view.toPlainText())
            dialog.reject()
        elif left > 0:
            QTimer.singleShot(20, lambda: check(left - 1))

    QTimer.singleShot(20, lambda: check(attempts))


@pytest.fixture()
def no_segment_anything(monkeypatch):
    """Make ``import segment_anything`` fail, as on a QGIS without the package."""
    monkeypatch.setitem(sys.modules, "segment_anything", None)
    with pytest.raises(ImportError):
        import segment_anything  # noqa: F401


def test_everything_is_there_in_this_environment():
    assert dependencies.missing_dependencies(load=True) == []


def test_a_failing_import_shows_the_dialog(no_segment_anything, qgis_parent):
    missing = dependencies.missing_dependencies()
    assert [dep.module for dep in missing] == ["segment_anything"]
    seen: List[str] = []
    close_dialog_when_shown(seen)
    assert dependencies.ensure_dependencies(qgis_parent) is False
    assert len(seen) == 1
    command = seen[0]
    assert "-m pip install" in command and "--target" in command
    assert "segment-anything" in command and "torchvision" in command
    assert "numpy==" in command and "transformers" not in command
    assert str(dependencies.deps_dir()) in command


def test_declining_keeps_qgis_working(no_segment_anything, plugin, qgis_iface):
    seen: List[str] = []
    close_dialog_when_shown(seen)
    plugin.box_action.trigger()
    assert seen, "the dependency dialog was not shown"
    assert not plugin.box_action.isChecked()
    assert qgis_iface.mapCanvas().mapTool() is not plugin.tool
    warnings = qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert any("Python packages" in m for m in warnings)


def test_qgis_python_when_sys_executable_is_qgis(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/usr/bin/qgis")
    python = Path(dependencies.qgis_python())
    assert python.name.startswith("python") and python.is_file()
    command = dependencies.install_command(dependencies.required()[:1], Path("/tmp/deps"))
    assert command[:4] == [str(python), "-m", "pip", "install"]


def test_the_dialog_runs_pip_in_a_qprocess(monkeypatch, tmp_path, wait_until, qgis_parent):
    monkeypatch.setattr(dependencies, "deps_dir", lambda: tmp_path / "deps")
    monkeypatch.setattr(sys, "path", list(sys.path))
    ok = DependencyDialog(
        dependencies.required()[:1], qgis_parent, [sys.executable, "-c", "print('pip says hi')"]
    )
    ok.install()
    assert ok.running() and not ok.install_button.isEnabled()
    wait_until(lambda: not ok.running(), 30, "the fake pip")
    wait_until(lambda: "pip says hi" in ok.output_view.toPlainText(), 5, "pip's output")
    assert "Installed" in ok.status.text()
    assert str(tmp_path / "deps") in sys.path

    failing = DependencyDialog(
        dependencies.required()[:1], qgis_parent, [sys.executable, "-c", "raise SystemExit(3)"]
    )
    failing.install()
    wait_until(lambda: not failing.running(), 30, "the failing pip")
    assert "exit code 3" in failing.status.text() and failing.install_button.isEnabled()
