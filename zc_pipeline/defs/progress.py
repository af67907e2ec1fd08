"""Progress of long steps on the terminal of `zc run`: one updating line on a TTY, nothing otherwise.

`zc run` hands its terminal over with `to_terminal`; runs launched by the UI, a schedule or a sensor
have none, so their steps draw nothing (their progress is the run's event log).
"""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from tqdm import tqdm

_terminal: TextIO | None = None
_lines: list[tqdm] = []  # the progress lines being drawn


def is_terminal(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


@contextlib.contextmanager
def to_terminal(stream: TextIO | None = None) -> Iterator[bool]:
    """Draw progress lines on `stream` (default stderr) while inside, if it is a terminal; yields whether it is.

    A real stream is written through a duplicate of its file descriptor: Dagster points the process's
    stdout and stderr at the compute-log files while a step runs, and the progress line belongs on
    the terminal only.
    """
    global _terminal
    stream = sys.stderr if stream is None else stream
    previous, own = _terminal, None
    if is_terminal(stream):
        try:
            own = open(os.dup(stream.fileno()), "w", encoding=getattr(stream, "encoding", None) or "utf-8")
        except (AttributeError, OSError, ValueError):  # a terminal-like object without a descriptor
            own = None
        _terminal = own or stream
    else:
        _terminal = None
    try:
        yield _terminal is not None
    finally:
        _terminal = previous
        if own is not None:
            own.close()


@contextlib.contextmanager
def counter(label: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A `(done, total)` callback that draws `label: done/total unit` on one line, erased at the end."""
    line: tqdm | None = None

    def update(done: int, total: int) -> None:
        nonlocal line
        if _terminal is None or total <= 0:
            return
        if line is None:
            line = tqdm(total=total, desc=label, unit=unit, file=_terminal, leave=False,
                        bar_format="{desc}: {n}/{total} {unit} [{elapsed}]")
            _lines.append(line)
        line.total = total
        line.n = min(done, total)
        line.refresh()

    try:
        yield update
    finally:
        if line is not None:
            _lines.remove(line)
            line.close()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Write ordinary lines while progress lines are drawn: they are cleared first and drawn again after."""
    for line in _lines:
        line.clear()
    try:
        yield
    finally:
        for line in _lines:
            line.refresh()
