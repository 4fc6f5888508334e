"""CLV-Net model core: pure PyTorch model, GIS input/output and command line (no qgis import)."""

__version__ = "0.1.0"
