"""Every event kind has a Vietnamese sentence in the audit trail (issue 12 §5)."""

from __future__ import annotations

from projections.audit_sentences import PHRASES, phrase_of
from projections.audit_trail import event_topics, kind_of

# Base classes the library re-creates under each aggregate: never recorded as such.
BASES = ("Event", "Created")


def recorded_kinds() -> list[str]:
    kinds = [kind_of(topic)[1] for topic in event_topics()]
    return sorted({k for k in kinds if k.rsplit(".", 1)[1] not in BASES})


def test_every_event_kind_has_a_phrase():
    missing = [kind for kind in recorded_kinds() if kind not in PHRASES]
    assert missing == []


def test_no_phrase_shows_a_class_name_or_an_english_word():
    for kind in recorded_kinds():
        phrase = phrase_of(kind)
        assert phrase.template is not None, kind
        assert kind not in phrase.template
        assert kind.rsplit(".", 1)[1] not in phrase.template, kind
