"""A meeting document (biên bản, nghị quyết) refused by ``domain.meeting_document``: locked,
approved already or not yet, an unknown version, content no longer matching its hash."""

from __future__ import annotations

from domain.base import InvalidValue, StateConflict


class DocumentLocked(StateConflict):
    """The draft's free parts are edited only before approval; afterwards, correct it."""

    code = "document_locked"


class DocumentNotApproved(StateConflict):
    code = "document_not_approved"


class DocumentAlreadyApproved(StateConflict):
    code = "document_already_approved"


class ContentHashMismatch(InvalidValue):
    code = "content_hash_mismatch"


class UnknownDocumentVersion(InvalidValue):
    code = "unknown_document_version"
