"""``clvnet:train_model``: fine-tune a checkpoint on record folders, in its own process.

The trainer (``python -m training.train``) runs with the model's Python, never in QGIS
(``training_process``). It writes into a hidden staging folder beside OUTPUT; its ``log.csv``
drives the progress bar and the loss messages; Cancel terminates it and deletes the staging
folder; only a finished run is moved to OUTPUT (one rename), so OUTPUT is either absent or a
complete checkpoint folder (config, weights, tokenizer, ``MODEL_CARD.md``, ``log.csv``).
"""

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..i18n import plural, tr
from .common import checkpoint_parameter, device_parameter
from .training_algorithm import TrainingCommandAlgorithm
from .training_process import (
    BUNDLED_CHECKPOINT,
    LogFollower,
    loss_summary,
    publish,
    staging_folder,
)

PROGRESS_MESSAGES = 20
"""About how many loss messages a run writes to the log, whatever its length."""


def record_folders(text: str) -> List[Path]:
    """The folders of the DATA parameter: one per line (or separated by ``;``)."""
    return [Path(part.strip()) for part in re.split(r"[;\n]", text) if part.strip()]


def holds_records(folder: Path) -> bool:
    """True when ``folder`` has record JSON files (directly or in ``annotations/``)."""
    return any(folder.glob("*.json")) or any((folder / "annotations").glob("*.json"))


def records_of(folder: Path) -> Path:
    """The records to train on: a prepared folder's ``train`` split, else the folder itself."""
    split = folder / "train"
    return split if holds_records(split) else folder


class TrainModelAlgorithm(TrainingCommandAlgorithm):
    """Fine-tune a CLV-Net checkpoint on record folders (``prepare_training_data``'s output)."""

    DATA = "DATA"
    BASE = "BASE"
    STEPS = "STEPS"
    BATCH_SIZE = "BATCH_SIZE"
    LEARNING_RATE = "LEARNING_RATE"
    SYNTHETIC_SHARE = "SYNTHETIC_SHARE"
    DEVICE = "DEVICE"
    OUTPUT = "OUTPUT"
    STEPS_DONE = "STEPS_DONE"
    FINAL_LOSS = "FINAL_LOSS"

    def name(self) -> str:
        """Algorithm id inside the provider (public interface: never change)."""
        return "train_model"

    def displayName(self) -> str:
        return tr("Fine-tune the model on training records")

    def tags(self) -> List[str]:
        return tr("clvnet,training,fine-tune,fine tuning,checkpoint,deep learning").split(",")

    def shortHelpString(self) -> str:
        return tr(
            'Fine-tunes a CLV-Net checkpoint on record folders written by "Prepare training '
            'data" (or python -m training.prepare), mixed with synthetic scenes so the model '
            "keeps what it knew. Training runs in the model's own Python, never inside QGIS; "
            "progress and losses appear in the log, and Cancel stops it without leaving a "
            "half-written folder.\n\n"
            "Record folders: one per line. Base checkpoint: empty for the bundled model. "
            "Steps: optimiser steps of one batch each; on a CPU a step of 4 takes a few "
            "seconds. Synthetic share: the fraction of each batch drawn from synthetic scenes "
            "(0: records only). The output folder is a checkpoint with its model card: choose "
            "it as the checkpoint in Settings or in the other algorithms."
        )

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:
        self.addParameter(
            QgsProcessingParameterString(
                self.DATA, tr("Record folders (one per line)"), multiLine=True
            )
        )
        self.addParameter(
            checkpoint_parameter(self.BASE, tr("Base checkpoint folder (empty: the bundled model)"))
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.STEPS, tr("Training steps"), defaultValue=200, minValue=1
            )
        )
        self.addParameter(device_parameter(self.DEVICE))
        advanced = [
            QgsProcessingParameterNumber(
                self.BATCH_SIZE, tr("Batch size"), defaultValue=4, minValue=1
            ),
            QgsProcessingParameterNumber(
                self.LEARNING_RATE,
                tr("Learning rate"),
                type=QgsProcessingParameterNumber.Double,
                defaultValue=1e-4,
                minValue=1e-7,
                maxValue=1e-2,
            ),
            QgsProcessingParameterNumber(
                self.SYNTHETIC_SHARE,
                tr("Share of synthetic scenes in the mix"),
                type=QgsProcessingParameterNumber.Double,
                defaultValue=0.25,
                minValue=0.0,
                maxValue=0.9,
            ),
        ]
        for parameter in advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Fine-tuned checkpoint folder"))
        )
        self.addOutput(QgsProcessingOutputNumber(self.STEPS_DONE, tr("Steps trained")))
        self.addOutput(QgsProcessingOutputNumber(self.FINAL_LOSS, tr("Loss at the last step")))

    def processAlgorithm(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        folders = self._recordFolders(parameters, context)
        base = self._baseCheckpoint(parameters, context)
        out = Path(self.parameterAsString(parameters, self.OUTPUT, context))
        python = self.modelPython(out, "train")

        steps = self.parameterAsInt(parameters, self.STEPS, context)
        share = self.parameterAsDouble(parameters, self.SYNTHETIC_SHARE, context)
        staging = staging_folder(out)
        args = ["--out", str(staging), "--synthetic-weight", repr(share)]
        for folder in folders:
            args += ["--records", f"{folder}:{(1.0 - share) / len(folders)!r}"]
        settings = {
            "init_checkpoint": str(base),
            "model_overrides.name": json.dumps(out.name),
            "steps": steps,
            "batch_size": self.parameterAsInt(parameters, self.BATCH_SIZE, context),
            "lr": self.parameterAsDouble(parameters, self.LEARNING_RATE, context),
            "warmup_steps": max(1, min(50, steps // 10)),
            "device": self.parameterAsEnumString(parameters, self.DEVICE, context),
            "log_every": 1,
            "save_every": steps,
            "num_workers": 0,
        }
        for key, value in settings.items():
            args += ["--set", f"{key}={value}"]
        length = plural(steps, tr("1 step"), tr("{0} steps")).format(steps)
        data = plural(len(folders), tr("1 record folder"), tr("{0} record folders"))
        intro = tr("Fine-tuning {0} for {1} on {2}, synthetic share {3}.")
        feedback.pushInfo(intro.format(base, length, data.format(len(folders)), share))
        return self._train(python, args, staging, out, steps, feedback)

    def _recordFolders(self, parameters: Dict[str, Any], context: QgsProcessingContext):
        given = record_folders(self.parameterAsString(parameters, self.DATA, context))
        if not given:
            raise QgsProcessingException(tr("No record folder was given."))
        folders = [records_of(folder) for folder in given]
        for folder in folders:
            if not folder.is_dir() or not holds_records(folder):
                raise QgsProcessingException(
                    tr(
                        "'{0}' is not a folder of training records (JSON files): make one with "
                        '"Prepare training data".'
                    ).format(folder)
                )
        return folders

    def _baseCheckpoint(self, parameters: Dict[str, Any], context: QgsProcessingContext) -> Path:
        text = self.parameterAsString(parameters, self.BASE, context).strip()
        base = Path(text) if text else BUNDLED_CHECKPOINT
        if not (base / "config.json").is_file() or not (base / "model.safetensors").is_file():
            raise QgsProcessingException(
                tr(
                    "'{0}' is not a CLV-Net checkpoint folder (config.json, model.safetensors)."
                ).format(base)
            )
        return base

    def _train(
        self,
        python: str,
        args: List[str],
        staging: Path,
        out: Path,
        steps: int,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        """Run the trainer, follow its log, and move the finished checkpoint to ``out``."""
        follower = LogFollower(staging / "log.csv")
        every = max(1, steps // PROGRESS_MESSAGES)
        last: Dict[str, str] = {}

        def report() -> None:
            for row in follower.new_rows():
                last.update(row)
                step = int(row["step"])
                feedback.setProgress(100.0 * step / steps)
                if step % every == 0 or step == steps:
                    feedback.pushInfo(
                        tr("Step {0}/{1}: {2}").format(step, steps, loss_summary(row))
                    )

        self.runCommand(
            python,
            "train",
            args,
            staging,
            out.parent,
            feedback,
            cancelled=tr("Training was cancelled; nothing was written to '{0}'.").format(out),
            failed=tr("Training failed: {0}"),
            on_tick=report,
        )
        (staging / "train_state.pt").unlink(missing_ok=True)  # optimiser state: not needed
        publish(staging, out)
        feedback.pushInfo(tr("Fine-tuned checkpoint written to {0}.").format(out))
        return {
            self.OUTPUT: str(out),
            self.STEPS_DONE: int(last.get("step", 0)),
            self.FINAL_LOSS: float(last["loss"]) if last.get("loss") else None,
        }
