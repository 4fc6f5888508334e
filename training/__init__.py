"""Training package: data (GeoPixelD reader, synthetic scenes), losses, trainer, evaluation.

Imports model_core, never the reverse.
"""
