"""Evaluation of CLV-Net checkpoints with the GCG metrics (ARCHITECTURE section 3).

``python -m training.evaluate --checkpoint DIR --data DIR --out report.json`` runs a checkpoint on
records and writes the report; ``metrics`` holds the model-free metric code.
"""

from .metrics import EvalItem, evaluate_predictions
from .phrases import ENCODER_NOTE, PhraseEncoder

__all__ = ["ENCODER_NOTE", "EvalItem", "PhraseEncoder", "evaluate_predictions"]
