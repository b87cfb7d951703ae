"""The meeting document aggregate: free parts before approval, locked versions, hashes."""

from __future__ import annotations

import hashlib
from enum import Enum
from uuid import uuid4

import pytest

from domain import meeting_values, quality, voting
from domain.base import SYSTEM, InvalidValue
from domain.meeting_document import DocumentKind, MeetingDocument, document_id
from domain.meeting_document_errors import (
    ContentHashMismatch,
    DocumentAlreadyApproved,
    DocumentLocked,
    DocumentNotApproved,
    UnknownDocumentVersion,
)
from services.documents import labels

pytestmark = pytest.mark.unit


def new_doc() -> MeetingDocument:
    return MeetingDocument.start(uuid4(), DocumentKind.MINUTES, SYSTEM)


def test_one_document_of_each_kind_per_meeting():
    meeting = uuid4()
    minutes = MeetingDocument.start(meeting, DocumentKind.MINUTES, SYSTEM)
    assert minutes.id == document_id(meeting, DocumentKind.MINUTES)
    assert minutes.id != document_id(meeting, DocumentKind.RESOLUTION)


def test_free_parts_are_edited_until_approval_then_locked():
    doc = new_doc()
    doc.edit_free_parts("Kết luận", ("Việc một",), {2: "Ý kiến đã biên tập"}, SYSTEM)
    assert (doc.conclusion, doc.decisions, doc.opinion_wording) == (
        "Kết luận",
        ("Việc một",),
        {2: "Ý kiến đã biên tập"},
    )
    motion = uuid4()
    digest = doc.approve(motion, '{"a":1}', SYSTEM)
    assert digest == hashlib.sha256(b'{"a":1}').hexdigest()
    with pytest.raises(DocumentLocked):
        doc.edit_free_parts("Khác", (), {}, SYSTEM)
    with pytest.raises(DocumentAlreadyApproved):
        doc.approve(motion, '{"a":2}', SYSTEM)


def test_a_correction_needs_approval_a_reason_and_a_change():
    doc = new_doc()
    with pytest.raises(DocumentNotApproved):
        doc.correct('{"a":2}', "lý do", SYSTEM)
    motion = uuid4()
    first = doc.approve(motion, '{"a":1}', SYSTEM)
    with pytest.raises(InvalidValue):
        doc.correct('{"a":2}', "   ", SYSTEM)
    with pytest.raises(InvalidValue):
        doc.correct('{"a":1}', "không đổi gì", SYSTEM)
    second = doc.correct('{"a":2}', "Ghi sai số phiếu", SYSTEM, ("Kết luận mới", (), {}))
    assert doc.approved_version(1) == (first, '{"a":1}')
    assert doc.approved_version(2) == (second, '{"a":2}')
    assert doc.conclusion == "Kết luận mới"
    events = doc.collect_events()
    correction = events[-1]
    assert isinstance(correction, MeetingDocument.VersionCorrected)
    assert (correction.version_no, correction.reason, correction.motion_id) == (
        2,
        "Ghi sai số phiếu",
        motion,
    )
    with pytest.raises(UnknownDocumentVersion):
        doc.approved_version(3)


def test_a_version_whose_content_no_longer_matches_its_hash_is_refused():
    doc = new_doc()
    doc.approve(uuid4(), '{"a":1}', SYSTEM)
    doc.versions[0] = (doc.versions[0][0], '{"a":9}')  # a tampered copy in memory
    with pytest.raises(ContentHashMismatch):
        doc.approved_version(1)


@pytest.mark.parametrize(
    "enum",
    [
        meeting_values.MeetingKind,
        meeting_values.AttendanceMark,
        quality.Rating,
        voting.MotionKind,
        voting.MotionResult,
        voting.VoteChoice,
        voting.VotingMethod,
    ],
)
def test_every_code_a_document_prints_has_vietnamese_words(enum: type[Enum]):
    for member in enum:
        word = labels.label(member)
        assert word, member
        assert word != member.value, member
        assert labels.label(member.value) == word  # the plain code string too
