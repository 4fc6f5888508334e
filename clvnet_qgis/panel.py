"""The CLV-Net dock: layer chooser, model status, progress, captions, relations and history.

The caption of the selected box shows each grounded phrase in its polygon's colour, with the
object's score; clicking a phrase selects and flashes that polygon on the map. The model line
says when the loaded model knows only generated scenes, and why a load failed.
"""

import contextlib
import html
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.core import QgsMapLayer, QgsMapLayerProxyModel, QgsRasterLayer
from qgis.gui import QgisInterface, QgsDockWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt, QUrl, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QAction,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .i18n import tr
from .layers import (
    OBJECTS,
    ObjectRow,
    ResultLayers,
    history_rows,
    object_rows,
    phrase_colors,
    relation_rows,
)
from .worker import ModelStatus

ANCHOR_SCHEME = "clvnet"


def caption_segments(tagged: str) -> List[Tuple[str, Optional[int]]]:
    """Split a tagged caption into (text, object index or None) pieces, tags removed.

    ``a <p> white building </p> [SEG] by <p> a road </p> [SEG]`` ->
    ``[("a", None), ("white building", 0), ("by", None), ("a road", 1)]``; the n-th ``[SEG]``
    grounds the phrase just before it, as in ``model_core.predictor.phrases_for_segs``.
    """
    segments: List[Tuple[str, Optional[int]]] = []
    plain: List[str] = []
    phrase: Optional[List[str]] = None
    pending: Optional[int] = None  # index in ``segments`` of a closed phrase awaiting [SEG]
    seg_count = 0

    def flush() -> None:
        if plain:
            segments.append((" ".join(plain), None))
            plain.clear()

    for word in tagged.split():
        if word == "<p>":
            flush()
            phrase, pending = [], None
        elif word == "</p>" and phrase is not None:
            segments.append((" ".join(phrase), None))
            pending, phrase = len(segments) - 1, None
        elif word == "[SEG]":
            if pending is not None:
                segments[pending] = (segments[pending][0], seg_count)
            pending = None
            seg_count += 1
        elif phrase is not None:
            phrase.append(word)
        else:
            plain.append(word)
    if phrase:
        segments.append((" ".join(phrase), None))
    flush()
    return segments


def highlight(color: QColor) -> str:
    """``#rrggbb`` of a legend colour over white, as its semi-transparent fill looks."""
    mix = [round(0.45 * c + 0.55 * 255) for c in (color.red(), color.green(), color.blue())]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def caption_html(
    tagged: str, box_id: int, grounded: Dict[int, ObjectRow], colors: Dict[str, QColor]
) -> str:
    """HTML of a caption: each grounded phrase (one with a polygon) is a link in its legend
    colour, followed by the object's score."""
    parts = []
    for text, obj_id in caption_segments(tagged):
        if obj_id is None or obj_id not in grounded:
            parts.append(html.escape(text))
            continue
        phrase, score = grounded[obj_id]
        background = highlight(colors.get(phrase, QColor("lightgray")))
        parts.append(
            f'<a href="{ANCHOR_SCHEME}:{box_id}/{obj_id}" '
            f'style="background-color:{background};color:#000;text-decoration:none">'
            f"{html.escape(text)}</a>"
            f'<span style="color:#666;font-size:small"> {score:.2f}</span>'
        )
    return " ".join(parts)


class ClvnetPanel(QgsDockWidget):
    """The dock widget; the plugin feeds it and listens to ``cancelRequested``."""

    cancelRequested = pyqtSignal()

    def __init__(
        self,
        iface: QgisInterface,
        layers: ResultLayers,
        actions: Sequence[QAction],
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(tr("CLV-Net"), parent)
        self.setObjectName("ClvnetPanel")
        self.iface = iface
        self.layers = layers
        self._follow_active = True

        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.layer_combo.setToolTip(tr("The raster layer the box tool reads"))
        self.layer_combo.activated.connect(self._user_chose_layer)
        self._follow(iface.activeLayer())
        iface.currentLayerChanged.connect(self._follow)

        tools = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            tools.addWidget(button)
        tools.addStretch(1)

        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.model_label.setTextFormat(Qt.RichText)
        self.set_model_status(ModelStatus("not loaded", ""))

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.stage_label = QLabel()
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancelRequested)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.progress, 1)
        busy_row.addWidget(self.cancel_button)
        self.busy_widget = QWidget()
        busy_layout = QVBoxLayout(self.busy_widget)
        busy_layout.setContentsMargins(0, 0, 0, 0)
        busy_layout.addWidget(self.stage_label)
        busy_layout.addLayout(busy_row)
        self.busy_widget.setVisible(False)

        self.caption_view = QTextBrowser()
        self.caption_view.setOpenLinks(False)
        self.caption_view.setPlaceholderText(
            tr("Pick the box tool and drag a box over the raster.")
        )
        self.caption_view.anchorClicked.connect(self._anchor_clicked)
        self.relations_list = QListWidget()
        self.history_list = QListWidget()
        self.history_list.currentItemChanged.connect(self._history_selected)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel(tr("Raster layer")))
        layout.addWidget(self.layer_combo)
        layout.addLayout(tools)
        layout.addWidget(self.model_label)
        layout.addWidget(self.busy_widget)
        layout.addWidget(QLabel(tr("Caption")))
        layout.addWidget(self.caption_view, 2)
        layout.addWidget(QLabel(tr("Relations")))
        layout.addWidget(self.relations_list, 1)
        layout.addWidget(QLabel(tr("Boxes of this session")))
        layout.addWidget(self.history_list, 1)
        self.setWidget(body)

    # -- layer choice -----------------------------------------------------------------------

    def chosen_layer(self) -> Optional[QgsMapLayer]:
        """The layer the box tool reads: the one chosen here, else the active layer."""
        return self.layer_combo.currentLayer() or self.iface.activeLayer()

    def _user_chose_layer(self, _index: int) -> None:
        self._follow_active = False

    def _follow(self, layer: Optional[QgsMapLayer]) -> None:
        """Until the user picks a layer here, follow the active raster layer."""
        if self._follow_active and isinstance(layer, QgsRasterLayer):
            self.layer_combo.setLayer(layer)

    # -- model and progress -----------------------------------------------------------------

    def set_model_status(self, status: ModelStatus) -> None:
        """Show the checkpoint, device and whether the model is loaded (or why it is not)."""
        warning = ""
        if status.state == "loaded":
            text = tr("Model {model} loaded on {device} (checkpoint {checkpoint}).").format(
                model=status.model, device=status.device, checkpoint=status.checkpoint
            )
            if status.generated_only:
                warning = tr(
                    "It was trained on generated scenes only: check its captions and "
                    "polygons before trusting them on real imagery."
                )
        elif status.error:
            text = tr("The model is not loaded: {reason}").format(reason=status.error)
        elif status.state == "loading":
            text = tr("Loading the model (checkpoint {checkpoint})...").format(
                checkpoint=status.checkpoint or tr("bundled default")
            )
        else:
            text = tr(
                "Model not loaded yet (checkpoint {checkpoint}, device {device}); "
                "it loads on first use."
            ).format(
                checkpoint=status.checkpoint or tr("bundled default"),
                device=status.device or "auto",
            )
        markup = html.escape(text)
        if warning:
            markup += f" <b>{html.escape(warning)}</b>"
        self.model_label.setText(markup)

    def set_busy(self, text: str) -> None:
        """Show the progress bar, what runs now and the Cancel button."""
        self.stage_label.setText(text)
        self.busy_widget.setVisible(True)

    def set_idle(self) -> None:
        """Hide the progress bar."""
        self.busy_widget.setVisible(False)

    # -- results ----------------------------------------------------------------------------

    def refresh_history(self, select_box: Optional[int] = None) -> None:
        """Re-list the boxes from the prompts layer and show ``select_box`` (default: last)."""
        self.history_list.blockSignals(True)
        self.history_list.clear()
        rows = history_rows(self.layers)
        for box_id, caption, _tagged in rows:
            short = caption if len(caption) <= 70 else caption[:67] + "..."
            item = QListWidgetItem(f"#{box_id}  {short}")
            item.setData(Qt.UserRole, box_id)
            item.setToolTip(caption)
            self.history_list.addItem(item)
        self.history_list.blockSignals(False)
        if not rows:
            self.caption_view.clear()
            self.relations_list.clear()
            return
        wanted = select_box if select_box is not None else rows[-1][0]
        for row in range(self.history_list.count()):
            if self.history_list.item(row).data(Qt.UserRole) == wanted:
                self.history_list.setCurrentRow(row)

    def show_box(self, box_id: int) -> None:
        """Show one box's caption (phrases linked to their polygons) and its relations."""
        tagged = next((t for b, _c, t in history_rows(self.layers) if b == box_id), "")
        grounded = object_rows(self.layers, box_id)
        colors = phrase_colors(self.layers.layer(OBJECTS))
        self.caption_view.setHtml(caption_html(tagged, box_id, grounded, colors))
        self.relations_list.clear()
        names = {obj_id: row.phrase for obj_id, row in grounded.items()}
        for subj, predicate, obj, score in relation_rows(self.layers, box_id):
            self.relations_list.addItem(
                tr("{subject} - {predicate} - {object} ({score:.2f})").format(
                    subject=names.get(subj, tr("object {n}").format(n=subj + 1)),
                    predicate=predicate,
                    object=names.get(obj, tr("object {n}").format(n=obj + 1)),
                    score=score,
                )
            )

    def flash_object(self, box_id: int, obj_id: int) -> List[int]:
        """Select and flash the polygon of one object; returns the feature ids selected."""
        objects = self.layers.layer(OBJECTS)
        ids = self.layers.feature_ids(OBJECTS, box_id, obj_id)
        if objects is not None and ids:
            objects.selectByIds(ids)
            self.iface.mapCanvas().flashFeatureIds(objects, ids)
        return ids

    def _history_selected(self, item: Optional[QListWidgetItem], _previous) -> None:
        if item is not None:
            self.show_box(int(item.data(Qt.UserRole)))

    def _anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() != ANCHOR_SCHEME:
            return
        box_id, obj_id = (int(p) for p in url.path().split("/"))
        self.flash_object(box_id, obj_id)

    def disconnect_iface(self) -> None:
        """Stop following the active layer (before the panel is deleted)."""
        with contextlib.suppress(TypeError):
            self.iface.currentLayerChanged.disconnect(self._follow)
