"""CLV-Net for QGIS: the plugin's GUI (map tool, worker thread, result layers) and Processing.

Importing this package loads nothing heavy: torch, transformers, segment_anything and rasterio
are imported only inside the functions that run the model.
"""
