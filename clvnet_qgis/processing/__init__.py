"""QGIS Processing provider "CLV-Net" and its algorithms (toolbox, batch, models, qgis_process).

Nothing here imports torch or the model at module load; the algorithms import ``model_core``'s
heavy parts only when they run.
"""
