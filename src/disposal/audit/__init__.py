"""The tamper-evident audit ledger: one redacted, hash-chained record per evaluation.

Data flow: ``build_record`` (record) redacts with a ``Redactor`` (redact, config) and returns a
body; ``LedgerWriter`` (ledger) seals it into the chain (chain, canonical) and appends it;
``verify``, ``show`` and ``replay`` read ledgers back; ``cli`` is the ``disposal audit`` sub-app.
"""

from disposal.audit.canonical import canonical_bytes, sha256_hex
from disposal.audit.chain import GENESIS
from disposal.audit.config import AuditConfig, load_audit_config, load_key
from disposal.audit.errors import AuditError, CanonicalError, LedgerLockedError
from disposal.audit.ledger import LedgerWriter, TornTail, TornTailWarning
from disposal.audit.record import build_record, new_decision_id, utc_now
from disposal.audit.redact import Redactor
from disposal.audit.replay import ReplayReport, replay
from disposal.audit.verify import Break, BreakKind, VerifyReport, verify

__all__ = [
    "GENESIS",
    "AuditConfig",
    "AuditError",
    "Break",
    "BreakKind",
    "CanonicalError",
    "LedgerLockedError",
    "LedgerWriter",
    "Redactor",
    "ReplayReport",
    "TornTail",
    "TornTailWarning",
    "VerifyReport",
    "build_record",
    "canonical_bytes",
    "load_audit_config",
    "load_key",
    "new_decision_id",
    "replay",
    "sha256_hex",
    "utc_now",
    "verify",
]
