"""The settings dialog: model checkpoint, device, precision, the model's Python and options."""

import os
from typing import List, Optional, Sequence, Tuple

from qgis import utils as qgis_utils
from qgis.core import QgsCoordinateReferenceSystem
from qgis.gui import QgsFileWidget, QgsProjectionSelectionWidget
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from . import model_env
from .dependencies import offer_environment
from .env_check import EnvironmentCheck, EnvironmentReport
from .i18n import tr
from .settings import CONTEXT_RANGE, PRECISIONS, ClvnetSettings, crs_to_setting


class SettingsDialog(QDialog):
    """Edits a ``ClvnetSettings``; ``settings()`` returns the edited copy.

    A new "Python for the model" is checked by starting the model's server with it (off the GUI
    thread); OK waits for that check and refuses an interpreter that fails it, with a sentence.
    """

    def __init__(
        self,
        settings: ClvnetSettings,
        cuda_devices: Sequence[Tuple[str, str]] = (),
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ClvnetSettingsDialog")
        self.setWindowTitle(tr("CLV-Net settings"))

        self.checkpoint = QgsFileWidget()
        self.checkpoint.setStorageMode(QgsFileWidget.GetDirectory)
        self.checkpoint.setFilePath(settings.checkpoint)
        self.checkpoint.lineEdit().setPlaceholderText(tr("bundled default model"))
        self.checkpoint.setToolTip(
            tr("A checkpoint folder (config.json, model.safetensors, tokenizer.json)")
        )

        self.device = QComboBox()
        choices: List[Tuple[str, str]] = [("auto", tr("Automatic")), ("cpu", tr("CPU"))]
        choices += [(key, f"{key} - {name}") for key, name in cuda_devices]
        if settings.device not in [key for key, _ in choices]:
            choices.append((settings.device, settings.device))
        for key, label in choices:
            self.device.addItem(label, key)
        self.device.setCurrentIndex(self.device.findData(settings.device))

        self.precision = QComboBox()
        for key in PRECISIONS:
            self.precision.addItem(tr("Automatic") if key == "auto" else key, key)
        self.precision.setCurrentIndex(max(0, self.precision.findData(settings.precision)))
        self.precision.setToolTip(tr("Half precision is used on a GPU only"))

        self.context = QDoubleSpinBox()
        self.context.setRange(*CONTEXT_RANGE)
        self.context.setSingleStep(0.1)
        self.context.setValue(settings.context)
        self.context.setToolTip(tr("Margin around the box, as a fraction of its longer side"))

        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(4, 1024)
        self.max_tokens.setValue(settings.max_caption_tokens)
        self.max_tokens.setSuffix(tr(" tokens"))

        self.min_area = QDoubleSpinBox()
        self.min_area.setRange(0.0, 100000.0)
        self.min_area.setValue(settings.min_area_px)
        self.min_area.setSuffix(tr(" px"))
        self.min_area.setToolTip(tr("Polygon parts smaller than this are dropped"))

        self.simplify = QDoubleSpinBox()
        self.simplify.setRange(0.0, 50.0)
        self.simplify.setSingleStep(0.5)
        self.simplify.setValue(settings.simplify_px)
        self.simplify.setSuffix(tr(" px"))

        self.min_score = QDoubleSpinBox()
        self.min_score.setRange(0.0, 1.0)
        self.min_score.setSingleStep(0.05)
        self.min_score.setValue(settings.min_score)
        self.min_score.setToolTip(tr("Objects whose score is lower are not added to the layers"))

        self.bands = []
        bands_row = QHBoxLayout()
        for label, value in zip((tr("R"), tr("G"), tr("B")), settings.rgb_bands):
            spin = QSpinBox()
            spin.setRange(1, 99)
            spin.setPrefix(label + " ")
            spin.setValue(value)
            self.bands.append(spin)
            bands_row.addWidget(spin)

        self.output_crs = QgsProjectionSelectionWidget()
        self.output_crs.setOptionVisible(QgsProjectionSelectionWidget.CrsNotSet, True)
        self.output_crs.setNotSetText(tr("Raster CRS"))
        self.output_crs.setCrs(settings.output_crs_object() or QgsCoordinateReferenceSystem())

        self.model_python = QgsFileWidget()
        self.model_python.setStorageMode(QgsFileWidget.GetFile)
        self.model_python.setFilePath(settings.model_python)
        self.model_python.lineEdit().setPlaceholderText(tr("the environment CLV-Net manages"))
        self.model_python.setToolTip(
            tr(
                "A Python interpreter with the model's packages (a conda environment, a venv); "
                "the environment variable {variable} overrides it."
            ).format(variable=model_env.ENV_VARIABLE)
        )
        self.check_python_button = QPushButton(tr("Check"))
        self.check_python_button.clicked.connect(self.check_model_python)
        self.environment_button = QPushButton(tr("Environment..."))
        self.environment_button.setToolTip(
            tr("Check, create or repair the Python environment CLV-Net manages for the model")
        )
        self.environment_button.clicked.connect(self._open_environment_dialog)
        self.python_status = QLabel()
        self.python_status.setWordWrap(True)
        overriding = os.environ.get(model_env.ENV_VARIABLE, "").strip()
        if overriding:
            self.python_status.setText(
                tr("{variable}={python} overrides this setting.").format(
                    variable=model_env.ENV_VARIABLE, python=overriding
                )
            )
        self.python_check: Optional[EnvironmentCheck] = None
        self.python_report: Optional[EnvironmentReport] = None
        self._accept_after_check = False
        python_row = QHBoxLayout()
        python_row.addWidget(self.model_python, 1)
        python_row.addWidget(self.check_python_button)
        python_row.addWidget(self.environment_button)
        python_box = QVBoxLayout()
        python_box.addLayout(python_row)
        python_box.addWidget(self.python_status)
        self._saved_model_python = settings.model_python

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout(self)
        form.addRow(tr("Checkpoint folder"), self.checkpoint)
        form.addRow(tr("Device"), self.device)
        form.addRow(tr("Precision"), self.precision)
        form.addRow(tr("Context margin"), self.context)
        form.addRow(tr("Maximum caption length"), self.max_tokens)
        form.addRow(tr("Minimum object area"), self.min_area)
        form.addRow(tr("Simplification tolerance"), self.simplify)
        form.addRow(tr("Minimum object score"), self.min_score)
        form.addRow(tr("RGB bands"), bands_row)
        form.addRow(tr("Output CRS"), self.output_crs)
        form.addRow(tr("Python for the model"), python_box)
        form.addRow(self.buttons)

    def settings(self) -> ClvnetSettings:
        """The settings as edited."""
        crs = self.output_crs.crs()
        return ClvnetSettings(
            checkpoint=self.checkpoint.filePath().strip(),
            device=self.device.currentData(),
            precision=self.precision.currentData(),
            context=self.context.value(),
            max_caption_tokens=self.max_tokens.value(),
            min_area_px=self.min_area.value(),
            simplify_px=self.simplify.value(),
            rgb_bands=tuple(spin.value() for spin in self.bands),
            output_crs=crs_to_setting(crs),
            model_python=self.model_python.filePath().strip(),
            min_score=self.min_score.value(),
        )

    # -- "Python for the model" --------------------------------------------------------------
    def check_model_python(self) -> bool:
        """Start checking the chosen interpreter; False (with a sentence) when it cannot be run.

        An empty field means the managed environment and needs no check.
        """
        path = self.model_python.filePath().strip()
        if not path:
            self.python_status.setText(tr("The model uses the environment CLV-Net manages."))
            return True
        problem = model_env.path_problem(path)
        if problem:
            self._refuse(problem)
            return False
        self.python_status.setText(
            tr("Checking {python} by starting the model's server...").format(python=path)
        )
        if self.python_check is not None:
            self.python_check.cancel()
        self.python_check = EnvironmentCheck(path, self)
        self.python_check.finished.connect(self._python_checked)
        self.python_check.start()
        return True

    def _open_environment_dialog(self) -> None:
        """The environment dialog (non-modal, over QGIS's window; installs use its message bar)."""
        offer_environment(qgis_utils.iface)

    def checking_python(self) -> bool:
        """True while the chosen interpreter is being checked."""
        return self.python_check is not None and self.python_check.running()

    def _python_checked(self, report: EnvironmentReport) -> None:
        self.python_report = report
        if not report.ok:
            self._refuse(report.problem)
            return
        self.python_status.setText(
            tr("The model's server answered: {summary}.").format(summary=report.summary())
        )
        known = [self.device.itemData(i) for i in range(self.device.count())]
        for key, name in report.cuda_devices:
            if key not in known:
                self.device.addItem(f"{key} - {name}", key)
        if self._accept_after_check:
            self._accept_after_check = False
            super().accept()

    def _refuse(self, sentence: str) -> None:
        self._accept_after_check = False
        self.python_status.setText(f"<b>{sentence}</b>")

    def _python_needs_check(self) -> bool:
        path = self.model_python.filePath().strip()
        if not path or path == self._saved_model_python:
            return False
        report = self.python_report
        return report is None or report.python != path or not report.ok

    def accept(self) -> None:
        """Close with OK, once a new "Python for the model" has passed its check."""
        if not self._python_needs_check():
            super().accept()
            return
        if (
            self.checking_python()
            and self.python_check.python == self.model_python.filePath().strip()
        ):
            self._accept_after_check = True
            return
        if self.check_model_python():
            self._accept_after_check = True

    def done(self, result: int) -> None:
        """Closing stops a running check."""
        if self.python_check is not None:
            self.python_check.cancel()
        super().done(result)
