"""Export the result layers with QGIS's own writer: GeoPackage, Shapefile or GeoJSON.

GeoPackage holds the three layers in one file. Shapefile and GeoJSON write one file per layer,
as ``model_core.writers`` does: ``NAME.shp`` (objects), ``NAME_prompts.shp`` and
``NAME_relations.dbf``; ``NAME.geojson``, ``NAME_prompts.geojson`` and
``NAME_relations.geojson``. Shapefile text is cut to 254 bytes and field names to 10
characters; every cut is announced.
"""

import os
from pathlib import Path
from typing import Dict, List, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsField,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.gui import QgsFileWidget, QgsProjectionSelectionWidget
from qgis.PyQt.QtCore import QVariant
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QWidget

from model_core.errors import InputError

from .i18n import tr
from .layers import OBJECTS, PROMPTS, RELATIONS, ResultLayers

SHAPEFILE = "ESRI Shapefile"
DRIVERS = {".gpkg": "GPKG", ".shp": SHAPEFILE, ".geojson": "GeoJSON", ".json": "GeoJSON"}
SHAPEFILE_TEXT_BYTES = 254
SHAPEFILE_FIELD_NAME = 10


class _ShapefileConverter(QgsVectorFileWriter.FieldValueConverter):
    """Cuts text values to 254 UTF-8 bytes (at a character boundary) and counts the cuts."""

    def __init__(self, layer: QgsVectorLayer) -> None:
        super().__init__()
        self.layer = layer
        self.cut: Dict[str, int] = {}

    def fieldDefinition(self, field: QgsField) -> QgsField:
        out = QgsField(field)
        if field.type() == QVariant.String:
            out.setLength(SHAPEFILE_TEXT_BYTES)
        return out

    def convert(self, index: int, value):
        if isinstance(value, str):
            data = value.encode("utf-8")
            if len(data) > SHAPEFILE_TEXT_BYTES:
                name = self.layer.fields().at(index).name()
                self.cut[name] = self.cut.get(name, 0) + 1
                return data[:SHAPEFILE_TEXT_BYTES].decode("utf-8", "ignore")
        return value

    def clone(self) -> "_ShapefileConverter":
        return _ShapefileConverter(self.layer)


def output_paths(path: str) -> Dict[str, str]:
    """Where each result layer goes for ``path`` (same file for all three in a GeoPackage)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in DRIVERS:
        raise InputError(
            tr("The export file '{path}' must end in .gpkg, .shp or .geojson.").format(path=path)
        )
    if suffix == ".gpkg":
        return {name: str(target) for name in (OBJECTS, PROMPTS, RELATIONS)}
    stem = target.with_suffix("")
    table = ".dbf" if suffix == ".shp" else suffix
    return {
        OBJECTS: str(target),
        PROMPTS: f"{stem}_prompts{suffix}",
        RELATIONS: f"{stem}_relations{table}",
    }


def export_message(path: str, notes: List[str]) -> str:
    """What the message bar says after an export: every file written, then the notes."""
    files = list(dict.fromkeys(output_paths(path).values()))
    folder = Path(files[0]).resolve().parent
    if len(files) == 1:
        done = tr("Exported the objects, boxes and relations to {file} in {folder}.").format(
            file=Path(files[0]).name, folder=folder
        )
    else:
        done = tr("Exported {files} and {last} to {folder}.").format(
            files=", ".join(Path(f).name for f in files[:-1]),
            last=Path(files[-1]).name,
            folder=folder,
        )
    return " ".join([done, *notes])


def export_results(
    layers: ResultLayers, path: str, crs: Optional[QgsCoordinateReferenceSystem] = None
) -> List[str]:
    """Write the objects, prompts and relations layers to ``path``.

    Args:
        layers: the project's result layers.
        path: output file; its extension picks the format.
        crs: output CRS; None keeps the layers' CRS (the raster's unless chosen otherwise).

    Returns:
        Notes for the user (Shapefile cuts); empty when nothing was changed.

    Raises:
        InputError: nothing to export, a bad extension, or an unwritable path.
    """
    sources = {name: layers.layer(name) for name in (OBJECTS, PROMPTS, RELATIONS)}
    if not layers.exist():
        raise InputError(tr("There are no CLV-Net results to export yet."))
    targets = output_paths(path)
    folder = Path(path).resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise InputError(
            tr("Cannot write to '{folder}': the folder is missing or not writable.").format(
                folder=folder
            )
        )
    driver = DRIVERS[Path(path).suffix.lower()]
    notes: List[str] = []
    first = True
    for name, layer in sources.items():
        if layer is None:
            continue
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = driver
        options.fileEncoding = "UTF-8"
        options.layerName = name
        same_file = driver == "GPKG" and not first
        options.actionOnExistingFile = (
            QgsVectorFileWriter.CreateOrOverwriteLayer
            if same_file
            else QgsVectorFileWriter.CreateOrOverwriteFile
        )
        if crs is not None and crs.isValid() and layer.isSpatial() and layer.crs() != crs:
            options.ct = QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance())
        converter = None
        if driver == SHAPEFILE:
            converter = _ShapefileConverter(layer)
            options.fieldValueConverter = converter
            notes += _long_field_names(layer)
        # A table without geometry becomes NAME.dbf when it is written as NAME.shp.
        target = (
            str(Path(targets[name]).with_suffix(".shp")) if driver == SHAPEFILE else targets[name]
        )
        error, message, _, _ = QgsVectorFileWriter.writeAsVectorFormatV3(
            layer, target, QgsProject.instance().transformContext(), options
        )
        if error != QgsVectorFileWriter.NoError:
            raise InputError(
                tr("Cannot write '{path}': {reason}").format(path=targets[name], reason=message)
            )
        if converter is not None:
            notes += [
                tr(
                    "Shapefile text is limited to 254 characters: "
                    "{n} '{field}' values of {layer} were cut."
                ).format(n=count, field=field, layer=name)
                for field, count in converter.cut.items()
            ]
        first = False
    return notes


def _long_field_names(layer: QgsVectorLayer) -> List[str]:
    """Notes for field names that a Shapefile cuts to 10 characters."""
    return [
        tr("Shapefile field names have at most 10 characters: '{name}' becomes '{short}'.").format(
            name=f.name(), short=f.name()[:SHAPEFILE_FIELD_NAME]
        )
        for f in layer.fields()
        if len(f.name()) > SHAPEFILE_FIELD_NAME
    ]


class ExportDialog(QDialog):
    """Asks for the output file (its extension picks the format) and the output CRS."""

    def __init__(self, crs: QgsCoordinateReferenceSystem, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Export CLV-Net results"))
        self.file_widget = QgsFileWidget()
        self.file_widget.setStorageMode(QgsFileWidget.SaveFile)
        self.file_widget.setFilter(
            tr("GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)")
        )
        self.crs_widget = QgsProjectionSelectionWidget()
        self.crs_widget.setCrs(crs)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(tr("File"), self.file_widget)
        form.addRow(tr("CRS"), self.crs_widget)
        form.addRow(buttons)
        self.resize(520, 120)

    def path(self) -> str:
        """The chosen file, with .gpkg added when it has no known extension."""
        path = self.file_widget.filePath().strip()
        if path and Path(path).suffix.lower() not in DRIVERS:
            path += ".gpkg"
        return path

    def crs(self) -> QgsCoordinateReferenceSystem:
        """The chosen output CRS."""
        return self.crs_widget.crs()
