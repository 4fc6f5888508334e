"""QGIS entry point of the CLV-Net plugin (this folder is the plugin folder).

The plugin folder is put on ``sys.path`` so its packages ``clvnet_qgis`` and ``model_core``
import by their own names, as they do in the repository and on the command line.
"""

import os
import sys

_PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))
if _PLUGIN_DIR not in sys.path:
    sys.path.insert(0, _PLUGIN_DIR)


def classFactory(iface):  # noqa: N802 - the name QGIS looks for
    """Create the plugin for QGIS (imports nothing heavy)."""
    from clvnet_qgis.plugin import ClvnetPlugin

    return ClvnetPlugin(iface)
