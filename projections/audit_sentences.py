"""The Vietnamese sentence of each audit trail row (câu nhật ký): who did what, where, why.

"Đ/c {full name} ({role}) {phrase}[ tại {unit}][; lý do: {reason}]." The phrase comes from
``PHRASES`` by kind; kinds without one, or events missing a field their phrase names, get a
generic phrase. ``{subject}`` in a phrase is the aggregate's display name (a member's name),
every other placeholder is the event field of that name, ISO dates shown as dd/mm/yyyy.

A rebuild writes millions of sentences, so the parts that do not depend on the event are made
once: a phrase's parsed placeholders (:func:`phrase_of`) and the opening per actor and role.
The actor is named as a person reads it (:func:`actor_name`): the account's full name, or a
label for the system and the console, never the account's id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from string import Formatter
from typing import Any, NamedTuple
from uuid import UUID

from domain.user import ROLE_LABELS
from projections.audit_labels import CODED

ROLE_VI = {
    **{role.value: words for role, words in ROLE_LABELS.items()},
    "superior": "cấp ủy viên cấp trên",
    "system": "hệ thống",
}

PHRASES = {
    "OrgUnit.Founded": "thành lập tổ chức «{name}»",
    "OrgUnit.Renamed": "đổi tên tổ chức thành «{name}»",
    "OrgUnit.Moved": "chuyển tổ chức sang trực thuộc tổ chức khác từ ngày {moved_on}",
    "OrgUnit.Dissolved": "giải thể tổ chức từ ngày {dissolved_on}",
    "OrgUnit.ChildAttached": "ghi nhận một tổ chức trực thuộc mới",
    "OrgUnit.ChildDetached": "ghi nhận một tổ chức thôi trực thuộc",
    "OrgUnit.MeetingWindowSet": "đặt khung ngày sinh hoạt định kỳ",
    "Member.Enrolled": "ghi nhận đảng viên {full_name} vào sinh hoạt",
    "Member.CardNumberRecorded": "ghi số thẻ đảng viên {number} cho đảng viên {subject}",
    "PartyCard.Registered": "đăng ký số thẻ đảng viên {number}",
    "PartyCard.Claimed": "ghi nhận người giữ số thẻ đảng viên",
    "PartyCard.Released": "giải phóng số thẻ đảng viên",
    "OrgUnit.CodeAssigned": "đặt mã tổ chức {code}",
    "Member.TransferredBetweenCells": "chuyển sinh hoạt đảng cho đảng viên {subject} từ ngày {on}",
    "Member.Exempted": "miễn sinh hoạt cho đảng viên {subject} từ ngày {start}",
    "Member.ExemptionEnded": "chấm dứt miễn sinh hoạt của đảng viên {subject} từ ngày {on}",
    "Member.Departed": "ghi nhận đảng viên {subject} rời danh sách ({reason}) từ ngày {on}",
    "CellRoster.Opened": "lập danh sách đảng viên của chi bộ",
    "CellRoster.Changed": "ghi nhận thay đổi danh sách đảng viên ({change}) ngày {on}",
    "Province.Registered": "đăng ký tỉnh «{name}»",
    "Meeting.Scheduled": "lên lịch sinh hoạt chi bộ tháng {month}/{year}",
    "Meeting.Opened": "khai mạc buổi sinh hoạt",
    "Meeting.AttendanceMarked": "điểm danh đảng viên dự sinh hoạt",
    "Meeting.MotionProposed": "đưa ra biểu quyết «{title}»",
    "Meeting.BallotCast": "ghi nhận phiếu biểu quyết của một đảng viên",
    "Meeting.MotionDecided": "ghi nhận biểu quyết: {votes_for} tán thành, {against} không tán"
    " thành, {abstain} không biểu quyết — {result}",
    "Meeting.MinutesRecorded": "ghi biên bản buổi sinh hoạt",
    "Meeting.QualityAssessed": "đánh giá chất lượng buổi sinh hoạt: {rating}",
    "Meeting.Closed": "bế mạc buổi sinh hoạt",
    "Meeting.Corrected": "đính chính biên bản buổi sinh hoạt",
    "Meeting.TallyCorrected": "đính chính kết quả biểu quyết",
    "Petition.Raised": "ghi nhận ý kiến, kiến nghị «{content}»",
    "Petition.Resolved": "ghi nhận kết quả giải quyết kiến nghị",
    "AdmissionCase.Opened": "mở hồ sơ kết nạp cho quần chúng {full_name}",
    "AdmissionCase.CellVoted": "ghi nhận biểu quyết kết nạp của chi bộ: {votes_for}/{official_members}"
    " đảng viên chính thức tán thành",
    "Province.SettingsChanged": "thay đổi quy định của tỉnh, hiệu lực từ ngày {effective_on}",
    # issue 12 §1–2 (voting base, admissions)
    "Meeting.AbsenceApproved": "ghi nhận cấp ủy đồng ý cho một đảng viên vắng mặt",
    "AdmissionCase.NoYouthUnionStated": "ghi nhận nơi người vào Đảng không có tổ chức Đoàn",
    "AdmissionCase.DeadlineExtended": "gia hạn {working_days} ngày làm việc theo quyết định"
    " {decision_no}, hạn mới {due_on}",
    # issue 17 (papers of a meeting, invitations)
    "Meeting.Cancelled": "hủy buổi sinh hoạt",
    "MeetingPapers.Started": "mở danh mục tài liệu của buổi sinh hoạt",
    "MeetingPapers.Attached": "đăng tài liệu «{title}» (tệp {name}, SHA-256 {sha256})",
    "MeetingPapers.Replaced": "thay tài liệu bằng tệp {name} (SHA-256 {sha256})",
    # issue 12 §4 (the quality ballot and the superior's confirmation)
    "QualityBallot.Opened": "mở biểu quyết mức chất lượng buổi sinh hoạt",
    "QualityBallot.Voted": "ghi nhận biểu quyết mức chất lượng: {votes_for} tán thành,"
    " {against} không tán thành, {abstain} không biểu quyết",
    "QualityBallot.Confirmed": "cấp ủy viên cấp trên {guest_name} xác nhận mức chất lượng",
    # Issue 12 §5: every kind a sentence, no raw codes (the fields named are names and dates).
    "Meeting.Rescheduled": "dời lịch buổi sinh hoạt",
    "Meeting.PremeetingLinked": "gắn cuộc họp chi ủy với kỳ sinh hoạt",
    "Meeting.GuestAdded": "ghi khách mời dự buổi sinh hoạt",
    "Meeting.OpinionRecorded": "ghi một ý kiến phát biểu tại buổi sinh hoạt",
    "Meeting.SelfCriticismRecorded": "ghi lượt tự phê bình và phê bình của một đảng viên",
    "Meeting.DuesCollected": "ghi sổ thu nộp đảng phí: người đã nộp và người chưa nộp",
    "Meeting.DuesCorrected": "đính chính sổ thu nộp đảng phí",
    "Meeting.AttendanceCorrected": "đính chính điểm danh buổi sinh hoạt",
    "Meeting.MinutesCorrected": "đính chính biên bản buổi sinh hoạt",
    "Meeting.SelfCriticismCorrected": "đính chính, bổ sung lượt tự phê bình của một đảng viên",
    "Member.Recognised": "công nhận đảng viên chính thức cho đảng viên {subject}",
    "Member.Suspended": "ghi nhận đảng viên {subject} bị đình chỉ sinh hoạt từ ngày {start}",
    "Member.SuspensionEnded": "chấm dứt đình chỉ sinh hoạt của đảng viên {subject}",
    "Member.TransferredOut": "chuyển sinh hoạt đảng của đảng viên {subject} ra ngoài tỉnh",
    "Member.ArrivedFromProvince": "tiếp nhận đảng viên {subject} chuyển đến từ tỉnh khác",
    "Member.RemovalGroundRecorded": "ghi căn cứ xóa tên đối với đảng viên {subject}",
    "Member.SpecialDutyNoted": "ghi nhận đảng viên {subject} làm nhiệm vụ đặc biệt (lực lượng"
    " vũ trang) từ ngày {start}",
    "Member.SpecialDutyEnded": "ghi nhận đảng viên {subject} kết thúc nhiệm vụ đặc biệt ngày {on}",
    "Member.MonthNoted": "ghi nhận tháng vắng sinh hoạt không lý do hoặc chưa nộp đảng phí"
    " của đảng viên {subject}",
    "AdmissionCase.CourseCertified": "ghi giấy chứng nhận học lớp nhận thức về Đảng",
    "AdmissionCase.DossierItemFiled": "nộp một giấy tờ vào hồ sơ kết nạp",
    "AdmissionCase.IntroducerAssigned": "ghi đảng viên giới thiệu người vào Đảng",
    "AdmissionCase.IntroducedByOrganisation": "ghi nghị quyết giới thiệu của đoàn thể",
    "AdmissionCase.CommitteeVoted": "ghi kết quả biểu quyết của đảng ủy cơ sở về kết nạp",
    "AdmissionCase.AdmissionDecided": "ghi quyết định kết nạp đảng viên",
    "AdmissionCase.CeremonyHeld": "ghi lễ kết nạp đảng viên",
    "AdmissionCase.RecognitionVoted": "ghi kết quả biểu quyết công nhận đảng viên chính thức",
    "AdmissionCase.RecognitionDecided": "ghi quyết định công nhận đảng viên chính thức",
    "AdmissionCase.Closed": "đóng hồ sơ kết nạp",
    "AttendancePlan.Made": "lập kế hoạch phân công dự sinh hoạt chi bộ",
    "AttendancePlan.Assigned": "phân công cấp ủy viên dự sinh hoạt chi bộ",
    "AttendancePlan.Reassigned": "phân công lại người dự sinh hoạt chi bộ",
    "AttendancePlan.Contacted": "ghi liên hệ với chi bộ trước buổi sinh hoạt",
    "AttendancePlan.Attended": "ghi nhận cấp ủy viên đã dự sinh hoạt chi bộ theo phân công",
    "AttendancePlan.AttendedUnplanned": "ghi nhận cấp ủy viên dự sinh hoạt chi bộ ngoài kế hoạch",
    "AttendancePlan.Missed": "ghi nhận một lần phân công dự sinh hoạt không thực hiện",
    "AttendancePlan.ReportFiled": "nộp báo cáo sau khi dự sinh hoạt chi bộ",
    "Petition.Reclassified": "xếp lại cấp có thẩm quyền giải quyết kiến nghị",
    "Petition.Forwarded": "chuyển kiến nghị đến cấp có thẩm quyền",
    "Petition.Accepted": "tiếp nhận kiến nghị để giải quyết",
    "Petition.AnsweredBack": "trả lời kiến nghị cho tổ chức đảng nơi nêu ý kiến",
    "Petition.Reopened": "mở lại kiến nghị",
    "RotationSchedule.Opened": "lập lịch tự phê bình và phê bình xoay vòng của chi bộ",
    "RotationSchedule.MemberQueued": "đưa một đảng viên vào lịch tự phê bình xoay vòng",
    "RotationSchedule.MemberDropped": "đưa một đảng viên ra khỏi lịch tự phê bình xoay vòng",
    "RotationSchedule.TurnTaken": "ghi lượt tự phê bình của một đảng viên theo lịch xoay vòng",
    "RotationSchedule.TurnCarried": "chuyển lượt tự phê bình của một đảng viên sang kỳ sau",
    "RotationSchedule.MeetingSettled": "chốt các lượt tự phê bình của buổi sinh hoạt",
    "UserAccount.Opened": "mở tài khoản người dùng",
    "UserAccount.RoleGranted": "cấp vai trò cho tài khoản người dùng",
    "UserAccount.PasswordChanged": "đổi mật khẩu tài khoản",
    "UserAccount.Locked": "khóa tài khoản người dùng",
    "UserAccount.Unlocked": "mở khóa tài khoản người dùng",
    "MeetingDocument.Started": "soạn văn bản của buổi sinh hoạt",
    "MeetingDocument.FreePartsEdited": "sửa phần soạn tự do của văn bản buổi sinh hoạt",
    "MeetingDocument.VersionApproved": "duyệt một phiên bản văn bản của buổi sinh hoạt",
    "MeetingDocument.VersionCorrected": "đính chính một phiên bản văn bản của buổi sinh hoạt",
}
"""Vietnamese phrases by kind; features add theirs (e.g. "Meeting.VoteRecorded"). Each kind's
phrase is read once per process (:func:`phrase_of`), so add them here, not at run time."""

SUBJECT = "subject"
"""The placeholder for the aggregate's display name, not an event field."""


class Phrase(NamedTuple):
    """What the sentence of one kind needs, worked out once per kind."""

    template: str | None
    """From ``PHRASES``; None for a kind without one."""
    fields: tuple[str, ...]
    """The event fields the template names (``subject`` excluded)."""
    names_subject: bool
    fixed: str | None
    """The whole phrase when it names nothing (most meeting events)."""
    positional: str | None
    """The template with ``{0}``… for ``fields`` and the subject last, when every placeholder
    is a plain name: ``str.format`` then fills it without a dict per event."""
    generic: str
    """The fallback phrase without its ``của «subject»`` part."""
    labels: tuple[Mapping[str, str] | None, ...] = ()
    """Per field of ``fields``, the words for its codes (``audit_labels.CODED``); () if none."""
    reasons: Mapping[str, str] = {}
    """The words for a ``reason`` that is a code of this kind (a departure, a carried turn)."""

    def reason(self, given: Any) -> Any:
        """The reason as a sentence shows it: a code in words, a person's text as written."""
        return self.reasons.get(given, given) if given.__class__ is str else given


@cache
def phrase_of(kind: str) -> Phrase:
    generic = f"ghi nhận thay đổi «{kind}»"
    reasons = CODED.get((kind, "reason"), {})
    template = PHRASES.get(kind)
    if template is None:
        return Phrase(None, (), False, None, None, generic, (), reasons)
    parsed = list(Formatter().parse(template))
    names = {name for _, name, _, _ in parsed if name is not None}
    fields = tuple(sorted(names - {SUBJECT}))
    fixed = positional = None
    if not names:
        try:
            fixed = template.format_map({})
        except (KeyError, IndexError):
            return Phrase(None, (), False, None, None, generic, (), reasons)
    elif all(n is None or (n.isidentifier() and not s and not c) for _, n, s, c in parsed):
        slots = {**{name: i for i, name in enumerate(fields)}, SUBJECT: len(fields)}
        positional = "".join(
            text.replace("{", "{{").replace("}", "}}") + ("" if n is None else f"{{{slots[n]}}}")
            for text, n, _, _ in parsed
        )
    labels = tuple(CODED.get((kind, name)) for name in fields)
    return Phrase(template, fields, SUBJECT in names, fixed, positional, generic,
                  labels if any(labels) else (), reasons)  # fmt: skip


def render(phrase: Phrase, values: Sequence[Any] | None, subject: str | None) -> str:
    """The phrase of one event; ``values`` of ``phrase.fields`` in order, None if one is missing."""
    if phrase.fixed is not None:
        return phrase.fixed
    if values is not None:
        if phrase.labels:  # codes in words (``kha`` → "Khá"); a value of no code as it is
            values = tuple(
                v if t is None or v.__class__ is not str else t.get(v, v)
                for v, t in zip(values, phrase.labels, strict=True)
            )
        if phrase.positional is not None:
            return phrase.positional.format(*map(_text, values), subject or "")
        if phrase.template is not None:
            mapping = dict(zip(phrase.fields, map(_text, values), strict=True))
            if phrase.names_subject:
                mapping[SUBJECT] = subject or ""
            try:
                return phrase.template.format_map(mapping)
            except (KeyError, IndexError):
                pass
    return phrase.generic + (f" của «{subject}»" if subject else "")


def opening(actor: Any, role: Any, account_name: str | None = None) -> str:
    """The sentence's start, made once per actor, role and account name: "Đ/c {full name}
    ({role in Vietnamese}) " for a person, "Hệ thống " or the console operator otherwise."""
    if actor.__class__ is str and role.__class__ is str:
        return _opening(actor, role, account_name)
    # Other JSON values (never written by the domain) are not cached: 0 and False would share
    # an entry, and a list cannot be a key.
    return _opening.__wrapped__(actor, role, account_name)


@lru_cache(maxsize=65_536)
def _opening(actor: Any, role: Any, account_name: str | None) -> str:
    name, title = actor_name(actor, account_name)
    if not title and role == "system":  # "Hệ thống (hệ thống)" says nothing more
        return f"{name} "
    return f"{title}{name} ({ROLE_VI.get(role, role)}) "


def shown_name(actor: Any, account_name: str | None) -> str:
    """The ``actor_name`` column: :func:`actor_name` without its title."""
    if actor.__class__ is str:
        return _shown_name(actor, account_name)
    return actor_name(actor, account_name)[0]


@lru_cache(maxsize=65_536)
def _shown_name(actor: str, account_name: str | None) -> str:
    return actor_name(actor, account_name)[0]


SYSTEM_ACTOR = "Hệ thống"
UNKNOWN_ACCOUNT = "Tài khoản chưa rõ tên"


def actor_name(actor: Any, account_name: str | None) -> tuple[str, str]:
    """(who acted as a person reads it, the title before it: "Đ/c " for a person, else "").

    ``account_name`` is the full name the account was opened with (``UserAccount.Opened``),
    when ``actor`` is an account id the trail knows. The console (``cli:<login>``, see
    ``services.cli.users``), background jobs (``job:<name>``) and the system get a label; an
    account id the trail does not know is never shown as its UUID.
    """
    if account_name:
        return account_name, "Đ/c "
    if actor.__class__ is not str:
        return str(actor), "Đ/c "
    if actor == "system":
        return SYSTEM_ACTOR, ""
    kind, sep, rest = actor.partition(":")
    if sep and kind == "cli":
        return f"Người vận hành máy chủ «{rest}» (dòng lệnh)", ""
    if sep and kind == "job":
        return f"Tác vụ tự động «{rest}»", ""
    if sep and kind == "system":
        return f"{SYSTEM_ACTOR} ({SYSTEM_TASKS.get(rest, rest)})", ""
    if _is_uuid(actor):
        return UNKNOWN_ACCOUNT, ""
    return actor, "Đ/c "


SYSTEM_TASKS = {"login-guard": "khóa tài khoản sau nhiều lần đăng nhập sai"}


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def closing(unit: str | None, reason: Any, source: str = "") -> str:
    """The sentence's end, " tại {unit} (nhập từ tệp «X»); lý do: {reason}." (each part only
    if there is one; ``source`` is :func:`imported_from` of the event's request)."""
    where = (f" tại {unit}" if unit else "") + source
    return f"{where}; lý do: {reason}." if isinstance(reason, str) and reason else f"{where}."


IMPORT_REQUEST = "import:"
"""Events an import writes carry ``import:<file hash>:<file name>`` as their request id."""


def import_request_id(sha256: str, file_name: str) -> str:
    return f"{IMPORT_REQUEST}{sha256[:16]}:{file_name[:120]}"


def imported_from(request_id: Any) -> str:
    """ " (nhập từ tệp «X»)" for an event an import wrote, else ""."""
    if request_id.__class__ is str and request_id.startswith(IMPORT_REQUEST):
        return f" (nhập từ tệp «{request_id.split(':', 2)[-1]}»)"
    return ""


def sentence(kind: str, actor: str, role: str, fields: Mapping[str, Any], subject: str | None,
             unit: str | None, account_name: str | None = None) -> str:  # fmt: skip
    """The sentence of one event whose state is decoded into ``fields``."""
    phrase = phrase_of(kind)
    try:
        values: tuple[Any, ...] | None = tuple(fields[n] for n in phrase.fields)
    except KeyError:
        values = None
    phrase_text = render(phrase, values, subject)
    source = imported_from(fields.get("request_id"))
    return (
        opening(actor, role, account_name)
        + phrase_text
        + closing(unit, phrase.reason(fields.get("reason")), source)
    )


def _text(value: Any) -> str:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"  # ISO date → dd/mm/yyyy
    return str(value)
