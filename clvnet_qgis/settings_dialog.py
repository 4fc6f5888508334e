"""The settings dialog: model checkpoint, device, precision and the box tool's options."""

from typing import List, Optional, Sequence, Tuple

from qgis.core import QgsCoordinateReferenceSystem
from qgis.gui import QgsFileWidget, QgsProjectionSelectionWidget
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from .i18n import tr
from .settings import PRECISIONS, ClvnetSettings, crs_to_setting


class SettingsDialog(QDialog):
    """Edits a ``ClvnetSettings``; ``settings()`` returns the edited copy."""

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
        self.context.setRange(0.0, 3.0)
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

        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout(self)
        form.addRow(tr("Checkpoint folder"), self.checkpoint)
        form.addRow(tr("Device"), self.device)
        form.addRow(tr("Precision"), self.precision)
        form.addRow(tr("Context margin"), self.context)
        form.addRow(tr("Maximum caption length"), self.max_tokens)
        form.addRow(tr("Minimum object area"), self.min_area)
        form.addRow(tr("Simplification tolerance"), self.simplify)
        form.addRow(tr("RGB bands"), bands_row)
        form.addRow(tr("Output CRS"), self.output_crs)
        form.addRow(buttons)

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
        )
