"""Every error a user can act on, in one place.

The CLIs catch ``QuotableError`` at the top and print one line (``str(err)``)
with the exit code the error carries; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

REBUILD = "python -m ingest --rebuild"


def rebuild_command(index_dir) -> str:
    """The command that rebuilds this index: the folder named, so a custom --index-dir is rebuilt, not .index/."""
    return f"{REBUILD} --index-dir {index_dir}"


class QuotableError(Exception):
    exit_code = 1


class IngestError(QuotableError):
    """A file that cannot be ingested; the message names the file and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexProblem(QuotableError):
    """The index is missing, stale or corrupt; the message says how to rebuild it."""

    exit_code = 3


class IndexMissing(IndexProblem):
    pass


class StaleIndex(IndexProblem):
    pass


class CorruptIndex(IndexProblem):
    pass


class StoreUnavailable(IndexProblem):
    """The search engine holding the index (a Milvus server, the embedded database) cannot be reached."""


class IndexLocked(QuotableError):
    """Another ingest holds the index lock."""


class UsageError(QuotableError):
    """A bad question, flag or filter value (exit 2)."""

    exit_code = 2


class UnknownCountry(UsageError):
    pass


class UnknownDocument(UsageError):
    pass


class ModelUnavailable(QuotableError):
    """The embedding model cannot be loaded offline."""
