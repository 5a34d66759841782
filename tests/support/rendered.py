"""Every text a person receives, rendered from fixed inputs: the snapshot and glossary tests
read them all (mail subjects and bodies, bot messages, cards, reminders, reports)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from domain import glossary
from domain.kinds import SubmissionKind
from domain.periods import TZ
from domain.states import SubmissionStatus
from intake.email import replies
from intake.email import texts as mail_texts
from intake.telegram import texts as bot_texts
from mime.model import ParsedMessage, Sender
from outbox.letters import letter
from outbox.notify import Voice
from publisher import texts as pub_texts
from reports import texts as report_texts
from reports.figures import MonthReport, Officer, Standing, UnitMonth
from review import texts as review_texts
from review.cards import CardView, card_text
from scheduler import texts as sched_texts
from storage.models import Submission

OA = "Thái Bình ngày mới"
DEPARTMENT = "Sở Văn hóa, Thể thao và Du lịch"
DOCUMENT = "Công văn số 123/SVHTTDL-TTBC ngày 02/01/2026"
HOW = sched_texts.HowToSubmit(
    mailbox="tin@svhttdl.example.vn",
    bot_link="https://t.me/tinbai_bot",
    department=DEPARTMENT,
    oa_name=OA,
    document=DOCUMENT,
)
SIGNER = replies.Signer(oa=OA, department=DEPARTMENT)
DEADLINE = datetime(2026, 11, 25, 8, 30, tzinfo=TZ)
DECIDED = datetime(2026, 11, 26, 9, 5, tzinfo=TZ)
RECEIVED = datetime(2026, 11, 24, 14, 12, tzinfo=TZ)
OFFICER = glossary.salutation(officer="Nguyễn Thị Lan", unit="Sở Y tế")


def _parsed(name: str | None = "phongvh", title: str = "Tiêm chủng mở rộng") -> ParsedMessage:
    return ParsedMessage(
        message_id="abc@example.vn",
        sender=Sender(address="phongvh@syt.example.vn", name=name),
        title=title,
        text="Nội dung",
        kind="news",
        attachments=(),
        warnings=(),
    )


def _submission(**values: object) -> Submission:
    base: dict[str, object] = {
        "id": 7,
        "code": "2026-11-0012",
        "revision": 1,
        "kind": "news",
        "title": "Tiêm chủng mở rộng",
        "sender": "phongvh@syt.example.vn",
        "status": "pending_review",
        "received_at": RECEIVED,
    }
    base.update(values)
    return Submission(**base)  # type: ignore[arg-type]


def _card(status: SubmissionStatus, **values: object) -> str:
    view: dict[str, object] = {
        "submission_id": 7,
        "code": "2026-11-0012",
        "version": 3,
        "revision": 1,
        "status": status,
        "channel": "email",
        "kind": SubmissionKind.POSTER,
        "title": "Tiêm chủng mở rộng",
        "summary": "",
        "text": "Sở Y tế triển khai tiêm chủng mở rộng cho trẻ dưới 5 tuổi.",
        "unit_name": "Sở Y tế",
        "sender_name": "Nguyễn Thị Lan",
        "received_at": RECEIVED,
        "media": ("image", "image"),
    }
    view.update(values)
    return card_text(CardView(**view))  # type: ignore[arg-type]


def _decision(status: str, reason: str = "") -> str:
    voice = Voice(department=DEPARTMENT, oa_name=OA, publish_start=time(7), publish_end=time(21))
    when = review_texts.WHEN_SOON.format(oa=voice.oa_name, start="07:00", end="21:00")
    body = review_texts.NOTIFY_BODY[status].format(
        code="2026-11-0012",
        title="Tiêm chủng mở rộng",
        reason=reason,
        when=when,
        how=review_texts.HOW_EMAIL.format(code="2026-11-0012"),
    )
    subject = review_texts.NOTIFY_SUBJECT[status].format(code="2026-11-0012")
    return subject + "\n\n" + letter(salutation=OFFICER, body=body, oa=OA, department=DEPARTMENT)


def _mail(message: dict[str, object]) -> str:
    return f"{message['subject']}\n\n{message['body']}"


def _report(*, only_rejected: bool) -> MonthReport:
    rows = (
        UnitMonth(
            unit_code="s-yte", unit_name="Sở Y tế", submitted=2, approved=1, published=1,
            standing=Standing.ON_TIME, first_received_at=RECEIVED,
            officers=(Officer("Nguyễn Thị Lan", "Chuyên viên", None),),
        ),
        UnitMonth(
            unit_code="s-tc", unit_name="Sở Tài chính", submitted=1, approved=0, published=0,
            standing=Standing.MISSING if only_rejected else Standing.LATE,
        ),
        UnitMonth(
            unit_code="x-vu-thu", unit_name="UBND xã Vũ Thư", submitted=0, approved=0,
            published=0, standing=Standing.MISSING,
        ),
    )  # fmt: skip
    return MonthReport(
        period="2026-11",
        deadline=DEADLINE,
        generated_at=datetime(2026, 12, 1, 8, 0, tzinfo=TZ),
        rows=rows,
        internal=False,
        unregistered=("UBND xã Vũ Thư",),
    )


def _report_mail(report: MonthReport) -> str:
    month = report_texts.fmt_month(report.period)
    subject = report_texts.REPORT_MAIL_SUBJECT.format(month=month)
    body = report_texts.REPORT_MAIL_BODY.format(
        month=month, summary=report_texts.summary(report), department=DEPARTMENT, oa=OA
    )
    return f"{subject}\n\n{body}"


def _reminder(*, now: datetime, overdue: bool, sent: bool, officer: str | None = None) -> str:
    items = [
        sched_texts.SentItem("2026-11-0003", "Phòng chống sốt xuất huyết", "Không được duyệt")
    ]
    subject = sched_texts.reminder_subject(
        period="2026-11", deadline=DEADLINE, overdue=overdue, sent=sent
    )
    body = sched_texts.reminder_body(
        unit_name="Sở Y tế", period="2026-11", deadline=DEADLINE, now=now, overdue=overdue,
        sent=items if sent else [], how=HOW, officer=officer,
    )  # fmt: skip
    return f"{subject}\n\n{body}"


def rendered() -> dict[str, str]:
    """Name -> the text as sent; every surface, every variant that reads differently."""
    texts: dict[str, str] = {}
    # Reminders and the registration campaign.
    texts["reminder_before"] = _reminder(
        now=DEADLINE - timedelta(days=3), overdue=False, sent=True, officer="Nguyễn Thị Lan"
    )
    texts["reminder_today_nothing_sent"] = _reminder(now=DEADLINE - timedelta(hours=2),
                                                     overdue=False, sent=False)  # fmt: skip
    texts["reminder_overdue_in_month"] = _reminder(
        now=DEADLINE + timedelta(days=1), overdue=True, sent=False
    )
    texts["reminder_overdue_after_month"] = _reminder(
        now=datetime(2026, 12, 2, 8, 0, tzinfo=TZ), overdue=True, sent=True
    )
    texts["registration"] = (
        sched_texts.registration_subject(deadline=DEADLINE)
        + "\n\n"
        + sched_texts.registration_body(
            unit_name="UBND xã Vũ Thư", deadline=DEADLINE, now=DEADLINE - timedelta(days=5),
            invite_link="https://t.me/tinbai_bot?start=AB12CD", mailbox=HOW.mailbox,
            sign_off=HOW.sign_off,
        )
    )  # fmt: skip
    texts["digest"] = sched_texts.digest(
        now=DEADLINE,
        period="2026-11",
        deadline=DEADLINE,
        waiting=[
            sched_texts.WaitingItem("2026-11-0012", "Sở Y tế", "Tiêm chủng", timedelta(hours=27))
        ],
        failed=[sched_texts.FailedItem("2026-11-0009", "Sở Tài chính", "Thuế", "lỗi -201")],
        missing=["UBND xã Vũ Thư"],
        total_units=3,
    )
    # Reports.
    texts["report_mail"] = _report_mail(_report(only_rejected=False))
    texts["report_summary_only_rejected"] = report_texts.summary(_report(only_rejected=True))
    texts["report_headers"] = " | ".join(report_texts.MONTH_HEADERS)
    # Review cards.
    texts["card_pending"] = _card(SubmissionStatus.PENDING_REVIEW, publish_at=DEADLINE)
    texts["card_approved"] = _card(
        SubmissionStatus.APPROVED, decided_by="Trần Văn B", decided_at=DECIDED
    )
    texts["card_rejected"] = _card(
        SubmissionStatus.REJECTED, decided_by="Trần Văn B", decided_at=DECIDED,
        reason="Nội dung trùng tin đã đăng ngày 20/11/2026.",
    )  # fmt: skip
    texts["card_changes_requested"] = _card(
        SubmissionStatus.CHANGES_REQUESTED, decided_by="Trần Văn B", decided_at=DECIDED,
        reason="Bổ sung nguồn ảnh.", title="",
    )  # fmt: skip
    texts["card_published"] = _card(
        SubmissionStatus.PUBLISHED, decided_by="Trần Văn B", decided_at=DECIDED
    )
    # Decision and published mail.
    texts["mail_approved"] = _decision("approved")
    texts["mail_rejected"] = _decision("rejected", "Nội dung trùng tin đã đăng.")
    texts["mail_changes_requested"] = _decision("changes_requested", "Bổ sung nguồn ảnh.")
    values = {
        "code": "2026-11-0012",
        "title": "Tiêm chủng mở rộng",
        "link": "https://oa.zalo.me/a",
        "oa": OA,
    }
    texts["mail_published"] = (
        pub_texts.PUBLISHED_SUBMITTER_SUBJECT.format(**values)
        + "\n\n"
        + letter(
            salutation=glossary.TO_UNIT,
            body=pub_texts.PUBLISHED_SUBMITTER.format(**values),
            oa=OA,
            department=DEPARTMENT,
        )
    )
    texts["telegram_published_editors"] = pub_texts.PUBLISHED_EDITORS.format(**values)
    texts["telegram_publish_failed"] = pub_texts.PUBLISH_FAILED.format(
        reason="Zalo từ chối nội dung (lỗi -201: nội dung không hợp lệ).", **values
    )
    texts["quarantine_accepted"] = review_texts.QUARANTINE_ACCEPTED_SUBJECT.format(
        **values
    ) + "\n\n" + review_texts.QUARANTINE_ACCEPTED_BODY.format(
        unit="Sở Y tế", sign_off=glossary.sign_off(oa=OA, department=DEPARTMENT), **values
    )  # fmt: skip
    # Intake mail.
    submission = _submission(officer_id=3, unit_id=2)
    texts["mail_receipt_officer"] = _mail(replies.receipt(
        parsed=_parsed(), submission=submission, unit_name="Sở Y tế", attachments=2,
        officer="Nguyễn Thị Lan", signer=SIGNER,
    ))  # fmt: skip
    texts["mail_receipt_untitled_unknown_officer"] = _mail(replies.receipt(
        parsed=_parsed(title=""), submission=_submission(title=""), unit_name="Sở Y tế",
        attachments=0, signer=SIGNER,
    ))  # fmt: skip
    texts["mail_unknown_sender"] = _mail(replies.unknown_sender(
        parsed=_parsed(), submission_id=7, hours=24, now=RECEIVED, signer=SIGNER
    ))  # fmt: skip
    texts["mail_too_large"] = _mail(replies.too_large(
        parsed=_parsed(), key="k", size=40 * 1_048_576, limit=25 * 1_048_576, signer=SIGNER
    ))  # fmt: skip
    texts["mail_type_refused"] = _mail(replies.type_refused(
        parsed=_parsed(), submission_id=7, files=["virus.exe"], allowed=["docx", "jpg", "mp4"],
        officer="Nguyễn Thị Lan", unit_name="Sở Y tế", signer=SIGNER,
    ))  # fmt: skip
    texts["mail_not_mail"] = mail_texts.NOT_MAIL_BODY.format(
        name="ghichu.txt", size=120, reason="không có dòng đầu thư"
    )
    # The bot.
    texts["bot_welcome_unknown"] = bot_texts.WELCOME_UNKNOWN
    texts["bot_welcome_known"] = bot_texts.WELCOME_KNOWN.format(
        name="Nguyễn Thị Lan", unit="Sở Y tế"
    )
    texts["bot_receipt"] = bot_texts.RECEIPT.format(
        code="2026-11-0012", title=glossary.NO_TITLE, kind=glossary.KIND_LABELS["image"], files=3
    )
    texts["bot_help"] = bot_texts.HELP.format(limit_mb=20, mail_file_mb=18)
    texts["bot_status"] = "\n".join([
        bot_texts.STATUS_HEADER.format(period="11/2026", unit="Sở Y tế"),
        bot_texts.STATUS_LINE.format(code="2026-11-0012", title="Tiêm chủng",
                                     status=glossary.STATUS_LABELS["scheduled"]),
    ])  # fmt: skip
    texts["bot_decision_changes_requested"] = review_texts.NOTIFY_BODY["changes_requested"].format(
        code="2026-11-0012", title="Tiêm chủng mở rộng", reason="Bổ sung nguồn ảnh.",
        when="", how=review_texts.HOW_TELEGRAM,
    )  # fmt: skip
    return texts
