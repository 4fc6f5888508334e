"""Progress of long work: a tqdm bar (rate, time left) on a terminal, one summary line otherwise.

    for item in progress(items, total=len(items), desc="prepare", unit="image", quiet=quiet):
        ...

``Progress`` is the same as a callback for code that counts its own work (``batch``). Output goes
to standard error, so it never mixes with results printed on standard output.
"""

import sys
import time
from typing import Iterable, Iterator, Optional, TextIO, TypeVar

Item = TypeVar("Item")


class Progress:
    """Counts work done; ``progress(done, total)`` may be called as often as wanted.

    On a terminal it draws a tqdm bar; elsewhere (a log file, a pipe, a notebook's captured
    stream) it stays silent until ``close``, which prints one summary line when ``summary`` is
    set. ``quiet`` silences both.
    """

    def __init__(
        self,
        desc: str = "",
        unit: str = "it",
        quiet: bool = False,
        summary: bool = True,
        stream: Optional[TextIO] = None,
    ) -> None:
        self.desc = desc
        self.unit = unit
        self.quiet = quiet
        self.summary = summary
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.total: Optional[int] = None
        self._start = time.perf_counter()
        self._bar = None
        self._terminal = not quiet and _is_terminal(self.stream)

    def __call__(self, done: int, total: Optional[int] = None) -> None:
        """Record that ``done`` of ``total`` items are finished."""
        self.done = done
        if total is not None:
            self.total = total
        if not self._terminal:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total, desc=self.desc, unit=self.unit, file=self.stream, leave=True
            )
        if self.total is not None and self._bar.total != self.total:
            self._bar.total = self.total
        self._bar.update(done - self._bar.n)

    def advance(self, count: int = 1) -> None:
        """Record ``count`` more finished items."""
        self(self.done + count)

    def line(self) -> str:
        """``desc: 12 of 40 done in 3.1 s (3.87 box/s)``."""
        seconds = time.perf_counter() - self._start
        rate = self.done / seconds if seconds > 0 else 0.0
        of_total = f" of {self.total}" if self.total is not None else ""
        prefix = f"{self.desc}: " if self.desc else ""
        return f"{prefix}{self.done}{of_total} done in {seconds:.1f} s ({rate:.2f} {self.unit}/s)"

    def close(self) -> None:
        """Finish the bar, or print the summary line when there was no bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.summary and not self.quiet:
            print(self.line(), file=self.stream, flush=True)
        self.summary = False  # a second close prints nothing

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def progress(
    iterable: Iterable[Item],
    total: Optional[int] = None,
    desc: str = "",
    quiet: bool = False,
    unit: str = "it",
    stream: Optional[TextIO] = None,
) -> Iterator[Item]:
    """Yield every item of ``iterable`` while showing progress (see ``Progress``).

    ``total`` defaults to ``len(iterable)`` when it has one. The summary line is printed when the
    iteration ends or the generator is closed (a loop left early).
    """
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    counter = Progress(desc, unit, quiet, summary=True, stream=stream)
    counter(0, total)
    with counter:
        for item in iterable:
            yield item
            counter.advance()


def _is_terminal(stream: TextIO) -> bool:
    """True when ``stream`` is an interactive terminal."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
