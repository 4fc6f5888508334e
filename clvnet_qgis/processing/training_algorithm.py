"""What the two training algorithms share: checks before a run, and the run itself.

``clvnet:prepare_training_data`` and ``clvnet:train_model`` both run a ``training`` command in
the model's Python (``training_process``) into a staging folder that becomes OUTPUT only when
the command finished; a cancelled or failed run leaves nothing behind.
"""

from pathlib import Path
from typing import Callable, List

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingFeedback

from .. import model_env
from .training_process import (
    ModuleRun,
    TrainingUnavailable,
    check_training_package,
    discard,
    output_problem,
)


class TrainingCommandAlgorithm(QgsProcessingAlgorithm):
    """Base of the algorithms that run ``python -m training.<module>`` outside QGIS."""

    def createInstance(self) -> "TrainingCommandAlgorithm":
        """A fresh instance per run (Processing runs clones)."""
        return type(self)()

    def modelPython(self, out: Path, module: str) -> str:
        """The model's Python, once ``out`` can take a folder and it has ``training.<module>``."""
        problem = output_problem(out)
        if problem:
            raise QgsProcessingException(problem)
        try:
            python = model_env.server_python()
            check_training_package(python, module)
        except (model_env.ModelEnvironmentMissing, TrainingUnavailable) as err:
            raise QgsProcessingException(str(err)) from err
        return python

    def runCommand(
        self,
        python: str,
        module: str,
        args: List[str],
        staging: Path,
        cwd: Path,
        feedback: QgsProcessingFeedback,
        cancelled: str,
        failed: str,
        on_tick: Callable[[], None] = lambda: None,
    ) -> None:
        """Run the command to its end, calling ``on_tick`` while it runs.

        ``cancelled`` and ``failed`` are the messages of a cancelled run and of a failed one
        (``{0}``: the reason); either discards ``staging`` and raises.
        """
        try:
            run = ModuleRun(python, module, args, cwd)
        except TrainingUnavailable as err:
            discard(staging)
            raise QgsProcessingException(str(err)) from err
        try:
            if not run.wait(feedback.isCanceled, on_tick):
                discard(staging)
                raise QgsProcessingException(cancelled)
            if run.process.returncode != 0:
                discard(staging)
                raise QgsProcessingException(failed.format(run.failure()))
        finally:
            run.close()
