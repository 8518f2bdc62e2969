"""The tamper-evident audit ledger: one redacted, hash-chained record per evaluation."""

from disposal.audit.canonical import canonical_bytes, sha256_hex
from disposal.audit.errors import AuditError, CanonicalError

__all__ = ["AuditError", "CanonicalError", "canonical_bytes", "sha256_hex"]
