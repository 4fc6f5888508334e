"""Name and style the outputs the toolbox loads, like the map tool's own result layers.

They are styled as the map tool's layers of the same role, but named apart from them (the
algorithm's name follows the role), so the layer tree never shows two identical names.

Processing calls a layer post-processor on the main thread once the output layer is in the
project. The C++ context owns (and deletes) the post-processor, but SIP ties the Python half of
the object to the temporary ``LayerDetails`` wrapper it was given to: once that wrapper is gone,
the C++ object would no longer reach ``postProcessLayer``. So each one is also kept here until
it has run (at most ``MAX_PENDING``: runs that fail before loading leave theirs behind).
"""

import threading
from collections import OrderedDict

from qgis.core import (
    QgsMapLayer,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
    QgsVectorLayer,
)

from ..layers import OBJECTS, PROMPTS, style_objects, style_prompts

STYLES = {OBJECTS: style_objects, PROMPTS: style_prompts}
"""Styles by layer name; the relations table has none."""
MAX_PENDING = 256

_PENDING: "OrderedDict[int, StyleOutput]" = OrderedDict()
_PENDING_LOCK = threading.Lock()  # algorithms add from their thread, QGIS runs them on the main


class StyleOutput(QgsProcessingLayerPostProcessorInterface):
    """Applies the CLV-Net style of ``role`` (a result layer name) to one loaded output."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def postProcessLayer(
        self, layer: QgsMapLayer, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> None:
        """Style the layer (main thread, after it was added to the project)."""
        with _PENDING_LOCK:
            _PENDING.pop(id(self), None)
        style = STYLES.get(self.role)
        if style is not None and isinstance(layer, QgsVectorLayer):
            style(layer)
            layer.triggerRepaint()


def style_loaded_output(context: QgsProcessingContext, dest: str, role: str, name: str) -> None:
    """Load the output ``dest`` as ``name``, styled as the plugin's ``role`` result layer."""
    details = context.layerToLoadOnCompletionDetails(dest)
    details.name = name
    processor = StyleOutput(role)
    with _PENDING_LOCK:
        _PENDING[id(processor)] = processor
        while len(_PENDING) > MAX_PENDING:
            _PENDING.popitem(last=False)
    details.setPostProcessor(processor)
