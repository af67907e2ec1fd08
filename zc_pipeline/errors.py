"""The project's own failures: what a user is told in one line, never a traceback."""
from __future__ import annotations


class UserError(Exception):
    """A failure the user can act on: the message says what, where and what to do.

    The `zc` command prints it as one line and exits non-zero; anything else that escapes is an
    unexpected error, reported with the log file that holds its trace.
    """

    exit_code = 2


class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM stopped the command; it exits with 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
