"""Errors raised by the audit ledger, with stable codes like the rest of the tool.

Messages name the ledger file, the line and the field; they never quote record contents, keys or
identifiers (the ledger holds personal data even after redaction).
"""

from __future__ import annotations

from disposal.errors import DisposalError


class AuditError(DisposalError):
    """A ledger, key or audit-record problem the user can act on (exit code 2).

    A *broken chain* is not an exception: ``verify`` reports it as data and the CLI exits 1.
    """

    phase = "audit"


class CanonicalError(AuditError):
    """A value has no canonical JSON form (NaN, a date object, a non-string key ...)."""


class LedgerLockedError(AuditError):
    """Another process holds the ledger's write lock and did not release it in time."""
