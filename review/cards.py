"""Review cards: pure rendering of a submission into card text and inline keyboard rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.glossary import NO_TITLE, fmt_time
from domain.kinds import KIND_LABELS, SubmissionKind
from domain.states import STATUS_LABELS, SubmissionStatus
from domain.warnings import warning_text
from review import texts
from tgbot.callbacks import KIND_ACTIONS, Action, Button, ReviewPress, encode

MAX_CARD = 4000  # Telegram allows 4096 characters per message
EXCERPT = 700


@dataclass(frozen=True)
class CardView:
    """What a card shows; built from the database by the review service."""

    submission_id: int
    code: str
    version: int
    revision: int
    status: SubmissionStatus
    channel: str
    kind: SubmissionKind
    title: str
    summary: str
    text: str
    unit_name: str | None
    sender_name: str
    received_at: datetime
    media: Sequence[str] = ()
    warnings: Sequence[str] = ()
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    publish_at: datetime | None = None
    extra: Sequence[str] = field(default_factory=tuple)


def when(at: datetime) -> str:
    """A local (Asia/Ho_Chi_Minh) time as people read it: 09:05 ngày 26/11/2026."""
    return fmt_time(at)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The start of ``text`` on word boundaries, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"


def media_summary(media: Sequence[str]) -> str:
    """``3 ảnh, 1 video`` from attachment media types."""
    counts = Counter(media)
    order = ["image", "video", "document", "other"]
    return ", ".join(f"{counts[m]} {texts.MEDIA_LABELS[m]}" for m in order if counts[m])


def card_text(view: CardView) -> str:
    """The card's text: who, what, excerpt, attachments, and the decision once made."""
    header = texts.CARD_HEADER.format(code=view.code)
    if view.revision > 1:
        header += texts.CARD_REVISION.format(revision=view.revision)
    sender = view.sender_name or "?"
    lines = [
        header,
        texts.CARD_UNIT.format(unit=view.unit_name or texts.CARD_UNKNOWN_UNIT),
        texts.CARD_SENDER.format(
            sender=sender, channel=texts.CHANNEL_LABELS.get(view.channel, view.channel)
        ),
        texts.CARD_KIND.format(kind=KIND_LABELS[view.kind]),
        texts.CARD_TITLE.format(title=view.title or NO_TITLE),
    ]
    if view.summary:
        lines.append(texts.CARD_SUMMARY.format(summary=excerpt(view.summary, 300)))
    if view.text:
        lines.append(texts.CARD_TEXT.format(text=excerpt(view.text)))
    if view.media:
        lines.append(texts.CARD_ATTACHMENTS.format(items=media_summary(view.media)))
    lines.append(texts.CARD_RECEIVED.format(at=when(view.received_at)))
    if view.publish_at is not None:
        lines.append(texts.CARD_PUBLISH_AT.format(at=when(view.publish_at)))
    lines += [texts.CARD_WARNING.format(warning=warning_text(w)) for w in view.warnings]
    lines += list(view.extra)
    if view.status == SubmissionStatus.QUARANTINED:
        lines.append(texts.CARD_QUARANTINE)
    lines.append("")
    lines += decision_lines(view)
    return "\n".join(lines)[:MAX_CARD]


# After approval the item moves on (scheduled, publishing, published, publish failed): the card
# keeps who approved it and when, then says where it is now.
AFTER_APPROVAL = frozenset(
    {
        SubmissionStatus.SCHEDULED,
        SubmissionStatus.PUBLISHING,
        SubmissionStatus.PUBLISHED,
        SubmissionStatus.PUBLISH_FAILED,
    }
)


def decision_lines(view: CardView) -> list[str]:
    """The status line, or who decided what and when (and why)."""
    icon = texts.DECISION_ICONS.get(view.status.value)
    label = STATUS_LABELS[view.status]
    if view.status in AFTER_APPROVAL and view.decided_by and view.decided_at:
        approved = texts.CARD_DECIDED.format(
            icon=texts.DECISION_ICONS[SubmissionStatus.APPROVED.value],
            verb=texts.DECISION_VERBS[SubmissionStatus.APPROVED.value],
            who=view.decided_by,
            at=when(view.decided_at),
        )
        return [approved, texts.CARD_STATUS.format(status=label)]
    if icon and view.decided_by and view.decided_at:
        lines = [
            texts.CARD_DECIDED.format(
                icon=icon,
                verb=texts.DECISION_VERBS[view.status.value],
                who=view.decided_by,
                at=when(view.decided_at),
            )
        ]
        if view.reason:
            reason = texts.CARD_REASONS.get(view.status.value, texts.CARD_REASON)
            lines.append(reason.format(reason=excerpt(view.reason, 500)))
        return lines
    return [texts.CARD_STATUS.format(status=label)]


def card_keyboard(view: CardView, *, kind_menu: bool = False) -> list[list[Button]]:
    """Buttons while the submission waits for review; none once decided."""

    def button(label: str, action: Action) -> Button:
        return label, encode(ReviewPress(action, view.submission_id, view.version))

    if view.status == SubmissionStatus.QUARANTINED:
        return [
            [button(texts.BTN_ASSIGN_UNIT, Action.ASSIGN_UNIT)],
            [button(texts.BTN_DISMISS, Action.DISMISS)],
        ]
    if view.status != SubmissionStatus.PENDING_REVIEW:
        return []

    if kind_menu:
        kinds = [button(KIND_LABELS[kind], action) for action, kind in KIND_ACTIONS.items()]
        return [kinds[:3], kinds[3:], [button(texts.BTN_BACK, Action.BACK)]]
    return [
        [
            button(texts.BTN_APPROVE, Action.APPROVE),
            button(texts.BTN_REQUEST_CHANGES, Action.REQUEST_CHANGES),
            button(texts.BTN_REJECT, Action.REJECT),
        ],
        [
            button(texts.BTN_EDIT_TITLE, Action.EDIT_TITLE),
            button(texts.BTN_EDIT_SUMMARY, Action.EDIT_SUMMARY),
            button(texts.BTN_KIND_MENU, Action.KIND_MENU),
        ],
        [
            button(texts.BTN_EDIT_BODY, Action.EDIT_BODY),
            button(texts.BTN_COVER, Action.COVER),
        ],
        [
            button(texts.BTN_PUBLISH_TIME, Action.PUBLISH_TIME),
            button(texts.BTN_PREVIEW, Action.PREVIEW),
        ],
    ]
