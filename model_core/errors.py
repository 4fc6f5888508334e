"""Errors a user can act on.

Every entry point (command line, plugin, Processing) shows an ``InputError`` as its one-line
message and exits with status 2; anything else is an internal error (status 1).
"""


class InputError(ValueError):
    """Bad input described in one sentence that names the problem (no traceback shown).

    A ``ValueError``, so Python callers of ``model_core.api`` can catch either.
    """


class CheckpointError(InputError):
    """A checkpoint folder that is missing, incomplete, corrupt or of another format version."""


class Cancelled(Exception):
    """The user cancelled a running request; nothing is written and nothing is lost."""
