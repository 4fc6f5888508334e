"""The model's Python environment, explained in plain words and set up from one non-modal dialog.

CLV-Net's model runs in a separate process with its own Python (``model_env``). When there is
none, or it is broken, ``offer_environment`` shows ``EnvironmentDialog``: it says what is wrong
and offers to create (or repair) the environment the plugin manages, or to use another Python.
Creating it runs in the background with its progress and a Cancel button in QGIS's message bar;
the dialog never comes back by itself, so nothing loops.
"""

from typing import Optional

from qgis.core import Qgis
from qgis.gui import QgisInterface, QgsMessageBar
from qgis.PyQt.QtCore import QObject, Qt
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from . import model_env
from .base_python import BasePython, BasePythonSearch
from .env_builder import EnvironmentBuilder, pypi_fallback, torch_build_for_this_machine
from .env_check import EnvironmentCheck, EnvironmentReport
from .i18n import tr
from .model_env import ModelEnvironmentMissing
from .settings import ClvnetSettings

MESSAGE_TITLE = "CLV-Net"


def environment_ready() -> bool:
    """True when an interpreter for the model is configured (no process is started)."""
    try:
        model_env.server_python()
    except ModelEnvironmentMissing:
        return False
    return True


class InstallProgress(QObject):
    """The message-bar item that shows an ``EnvironmentBuilder``'s progress, with Cancel.

    Non-modal: QGIS stays usable while pip runs. When the builder finishes the item is replaced
    by one message saying how it went.
    """

    def __init__(self, builder: EnvironmentBuilder, bar: QgsMessageBar) -> None:
        super().__init__(builder)
        self.builder = builder
        self.bar = bar
        # A QgsMessageBarItem: its setText replaces the message (its only QLabel is the icon).
        widget = bar.createMessage(MESSAGE_TITLE, tr("Preparing the model's Python environment..."))
        self.message = widget
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.clicked.connect(builder.cancel)
        widget.layout().addWidget(self.progress)
        widget.layout().addWidget(self.cancel_button)
        self.item = bar.pushWidget(widget, Qgis.Info, 0)
        builder.step.connect(self._step)
        builder.progress.connect(self.progress.setValue)
        builder.busy.connect(self._busy)
        builder.finished.connect(self._finished)

    def _step(self, text: str) -> None:
        self.message.setText(text)

    def _busy(self, busy: bool) -> None:
        """A moving bar while pip installs silently (no value to show); 0-100 again after (the
        builder sends the next value at once)."""
        self.progress.setRange(0, 0 if busy else 100)

    def _finished(self, ok: bool, sentence: str) -> None:
        self.bar.popWidget(self.item)
        self.bar.pushMessage(MESSAGE_TITLE, sentence, Qgis.Success if ok else Qgis.Critical, 0)


class EnvironmentDialog(QDialog):
    """Says whether the model's Python environment works and offers to create or repair it.

    States: missing (nothing configured), broken (the server did not start or load the model:
    the sentence says what broke), ok. Buttons: "Create environment" / "Repair", "Use another
    Python..." and "Close". Shown with ``show()`` (non-modal).
    """

    def __init__(
        self, message_bar: QgsMessageBar, parent: Optional[QWidget] = None, problem: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ClvnetEnvironmentDialog")
        self.setWindowTitle(tr("CLV-Net: the model's Python environment"))
        self.setModal(False)
        self.message_bar = message_bar
        self.builder: Optional[EnvironmentBuilder] = None
        self.check: Optional[EnvironmentCheck] = None
        self.report: Optional[EnvironmentReport] = None
        self.base: Optional[BasePython] = None
        self.search: Optional[BasePythonSearch] = None
        self.action = ""
        self.planning = False
        self.build = torch_build_for_this_machine()

        intro = QLabel(
            "<p>"
            + tr(
                "CLV-Net runs its model in a separate program with its own Python environment: "
                "QGIS never loads PyTorch itself, so the model's libraries cannot clash with "
                "QGIS's, and if the model crashes only one box is lost, never your QGIS session."
            )
            + "</p>"
        )
        intro.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.plan.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.create_button = QPushButton(tr("Create environment"))
        self.other_button = QPushButton(tr("Use another Python..."))
        self.buttons.addButton(self.create_button, QDialogButtonBox.AcceptRole)
        self.buttons.addButton(self.other_button, QDialogButtonBox.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.Close)
        self.create_button.clicked.connect(self.create_environment)
        self.other_button.clicked.connect(self._choose_python)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (intro, self.status, self.plan, self.buttons):
            layout.addWidget(widget)
        self.resize(620, 300)
        if problem:
            self.show_problem(problem)
        else:
            self.refresh()

    # -- states ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Look at the configured interpreter: missing, or start the server to check it."""
        try:
            python = model_env.server_python()
        except ModelEnvironmentMissing as missing:
            self._show_plan(str(missing), repair=False)
            return
        self.status.setText(
            tr("Checking the model's Python ({python}) by starting its server...").format(
                python=python
            )
        )
        self._stop_planning()
        self._run_check(python, self._checked_configured)

    def show_problem(self, problem: str) -> None:
        """The broken state: what broke, with Repair and Use another Python."""
        self._show_plan(problem, repair=True)

    def _show_plan(self, sentence: str, repair: bool) -> None:
        self.status.setText(f"<b>{sentence}</b>")
        self._offer_build(tr("Repair") if repair else tr("Create environment"))

    def _offer_build(self, action: str) -> None:
        """Name the build button ``action`` and explain what it does, with which base Python.

        The base Python is looked for once, in the background (``BasePythonSearch``: each
        candidate interpreter is run, and one may hang); the button waits for it.
        """
        self.action = action
        self.planning = True
        self.create_button.setText(action)
        if self.base is not None:
            self._explain_plan()
            return
        self.create_button.setEnabled(False)
        self.plan.setText(tr("Looking for a Python to build from..."))
        if self.search is None or not self.search.running():
            self.search = BasePythonSearch(parent=self)
            self.search.finished.connect(self._base_found)
            self.search.start()

    def _stop_planning(self) -> None:
        """Leave the plan empty; a base Python found later only remembers itself."""
        self.planning = False
        self.plan.clear()

    def searching(self) -> bool:
        """True while the base Python is being looked for."""
        return self.search is not None and self.search.running()

    def _base_found(self, base: Optional[BasePython], problem: str) -> None:
        self.base = base
        if not self.planning:
            return
        if base is None:
            self.create_button.setEnabled(False)
            self.plan.setText(problem)
            return
        self._explain_plan()

    def _explain_plan(self) -> None:
        self.create_button.setEnabled(True)
        self.plan.setText(
            tr(
                "{action} installs PyTorch ({reason}), Transformers and Segment Anything, in the "
                "versions CLV-Net is tested with, into {folder}: about {download} GB to download "
                "and {disk} GB on disk. It uses {python}. QGIS stays usable meanwhile; the "
                "progress and a Cancel button appear in the message bar."
            ).format(
                action=self.action,
                reason=self.build.reason,
                folder=model_env.managed_env_dir(),
                download=self.build.download_gb,
                disk=self.build.disk_gb,
                python=self.base.describe(),
            )
            + self._fallback_note()
        )

    def _fallback_note(self) -> str:
        """What is installed instead when the build's own wheel index cannot be reached."""
        if not self.build.index_url:
            return ""
        fallback = pypi_fallback(self.build)
        return " " + tr(
            "If that index cannot be reached, PyPI's larger build is installed instead: about "
            "{download} GB to download and {disk} GB on disk."
        ).format(download=fallback.download_gb, disk=fallback.disk_gb)

    def _checked_configured(self, report: EnvironmentReport) -> None:
        self.report = report
        if report.ok:
            self.status.setText(
                tr("The model's Python environment works: {summary}.").format(
                    summary=report.summary()
                )
            )
            self._offer_build(tr("Recreate environment"))
        else:
            self.show_problem(report.problem)

    # -- actions -----------------------------------------------------------------------------
    def create_environment(self) -> Optional[EnvironmentBuilder]:
        """Start creating (or repairing) the managed environment and close the dialog.

        Returns the running builder (None when no base Python was found).
        """
        if self.base is None:
            return None
        self.builder = EnvironmentBuilder(
            self.base, model_env.managed_env_dir(), self.build, parent=self.message_bar
        )
        self.builder.finished.connect(self._built)
        InstallProgress(self.builder, self.message_bar)
        self.builder.start()
        self.accept()
        return self.builder

    def _built(self, ok: bool, _sentence: str) -> None:
        if ok and ClvnetSettings.load().model_python:
            # Repair replaces a broken "Python for the model" by the managed environment.
            settings = ClvnetSettings.load()
            settings.model_python = ""
            settings.save()

    def _choose_python(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Python for the model"))
        if path:
            self.use_python(path)

    def use_python(self, path: str) -> None:
        """Check ``path`` by starting the server with it; save it as "Python for the model"."""
        problem = model_env.path_problem(path)
        if problem:
            self.status.setText(f"<b>{problem}</b>")
            return
        self.status.setText(
            tr("Checking {python} by starting the model's server...").format(python=path)
        )
        self._run_check(path, self._checked_other)

    def _checked_other(self, report: EnvironmentReport) -> None:
        self.report = report
        if not report.ok:
            self.status.setText(f"<b>{report.problem}</b>")
            return
        settings = ClvnetSettings.load()
        settings.model_python = report.python
        settings.save()
        self.status.setText(
            tr("The model will use {python}: {summary}.").format(
                python=report.python, summary=report.summary()
            )
        )
        self.create_button.setEnabled(False)
        self._stop_planning()

    def _run_check(self, python: str, slot) -> None:
        if self.check is not None:
            self.check.cancel()
        self.check = EnvironmentCheck(python, self)
        self.check.finished.connect(slot)
        self.check.start()

    def checking(self) -> bool:
        """True while a server check runs."""
        return self.check is not None and self.check.running()

    def done(self, result: int) -> None:
        """Closing stops a running check or search (a running installation goes on)."""
        if self.check is not None:
            self.check.cancel()
        if self.search is not None:
            self.search.cancel()
        super().done(result)


_DIALOG: Optional[EnvironmentDialog] = None


def environment_being_built() -> bool:
    """True while the dialog's "Create environment" / "Repair" runs (pip in the background)."""
    builder = _DIALOG.builder if _DIALOG is not None else None
    return builder is not None and builder.running()


def offer_environment(iface: QgisInterface, problem: str = "") -> EnvironmentDialog:
    """Show the (one) environment dialog, non-modal; ``problem`` puts it in the broken state."""
    global _DIALOG
    if _DIALOG is not None:
        _DIALOG.close()
        _DIALOG.deleteLater()
    _DIALOG = EnvironmentDialog(iface.messageBar(), iface.mainWindow(), problem)
    _DIALOG.show()
    return _DIALOG
