"""Review buttons and ForceReply answers in the editors' chat (PTB handlers over the service).

A button's data is read with the one codec (tgbot.callbacks). A question asked with ForceReply
is remembered by its message id (the press's stored outcome, tgbot.outcomes.prompt), and an
editor's reply is routed by the id of the message it replies to: never by the prompt's wording.
An answer that may be corrected (an unknown unit, an unreadable time or cover number) is itself
remembered as a prompt, so a reply to it answers the original question.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from compose import body_text
from domain.clock import Clock
from domain.errors import RejectedError, StaleTransitionError
from domain.kinds import KIND_LABELS
from domain.periods import parse_local_time, time_examples
from domain.states import STATUS_LABELS, SubmissionStatus
from domain.text import clean, nfc
from outbox.notify import Voice
from review import texts
from review.after_presses import AfterPresses
from review.cards import card_keyboard, when
from review.editors import EditorCache
from review.edits import ArticleEdit, CoverNumberError, EditError, edit_article
from review.quarantine import AmbiguousUnitError, UnknownUnitError, assign_unit, dismiss
from review.refusals import Refusal, RefusalLog
from review.service import card_view, decide, edit_field, notify_decision, set_publish_time
from review.sync import CardSync
from sources.stored import load_draft
from storage.audit import add_audit
from storage.db import Database
from storage.files import FileStore
from storage.models import Editor, Submission, TelegramUpdate, Unit
from storage.submissions import get_submission
from tgbot import outcomes
from tgbot.answer import answer
from tgbot.bot import Finisher, TelegramBot
from tgbot.callbacks import KIND_ACTIONS, Action, Button, ReviewPress, decode, review_data
from tgbot.keyboards import markup
from tgbot.outcomes import Kind, Outcome
from tgbot.presses import PressHandler
from tgbot.updates import record_new, record_outcome, set_outcome, with_outcome

S = SubmissionStatus
DECIDE = {
    Action.APPROVE: S.APPROVED,
    Action.REQUEST_CHANGES: S.CHANGES_REQUESTED,
    Action.REJECT: S.REJECTED,
}
ASKS = (
    Action.REQUEST_CHANGES,
    Action.REJECT,
    Action.EDIT_TITLE,
    Action.EDIT_SUMMARY,
    Action.ASSIGN_UNIT,
    Action.DISMISS,
    Action.PUBLISH_TIME,
    Action.EDIT_BODY,
    Action.COVER,
)
QUARANTINE_ACTIONS = (Action.ASSIGN_UNIT, Action.DISMISS, Action.PICK_UNIT)
EDITS = {Action.EDIT_TITLE: "title", Action.EDIT_SUMMARY: "summary"}
DECIDED_KEPT = 2048  # decided submissions remembered for the refusal fast path
PROMPT_HOPS = 10  # how many error answers in a row may stand between a reply and its prompt


@dataclass(frozen=True)
class Reply:
    """The bot's answer to an editor's reply: its text, buttons (a choice of units), and
    whether the same question may be answered again by replying to this answer."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    retry: bool = False


@dataclass(frozen=True)
class Prompts:
    """What a reply answers: the press that asked (with the error answers in between), and
    whether that question was answered already."""

    rows: list[TelegramUpdate]
    used: bool = False


@dataclass
class ReviewDeps:
    """What the review handlers need from the running service."""

    db: Database
    clock: Clock
    editors_chat_id: int
    cards: CardSync
    wake_outbox: Callable[[], None]
    wake_publisher: Callable[[], None] = lambda: None
    # The article as the publisher would compose it (publisher.prepare.card_preview).
    preview: Callable[[Any, Submission], Awaitable[str]] | None = None
    finisher: Finisher = field(default_factory=Finisher)  # shared with the bot's update log
    files: FileStore | None = None  # «Sửa nội dung» shows the current body to copy
    default_author: str = ""
    voice: Voice = field(default_factory=Voice)  # who signs the submitter's notices


def already_text(sub: Submission) -> str:
    """Who decided a submission, for the loser of a race or a late press."""
    at = when(sub.decided_at) if sub.decided_at else "?"
    return texts.ANSWER_ALREADY.format(
        code=sub.code, who=sub.decided_by or "?", status=STATUS_LABELS[S(sub.status)], at=at
    )


def refusal(editor: Editor | None, sub: Submission | None, cb: ReviewPress) -> tuple[str, str]:
    """('', '') when the press may proceed, else (audit action, answer text)."""
    if editor is None:
        return "review.refused_not_editor", texts.ANSWER_NOT_EDITOR
    if sub is None:
        return "", texts.ANSWER_UNKNOWN
    wanted = S.QUARANTINED if cb.action in QUARANTINE_ACTIONS else S.PENDING_REVIEW
    if sub.status != wanted:
        return "review.refused_decided", already_text(sub)
    if sub.version != cb.version:
        return "review.refused_stale", texts.ANSWER_STALE
    return "", ""


class ReviewHandlers:
    """Handles presses on review cards and the editors' ForceReply answers."""

    def __init__(self, deps: ReviewDeps) -> None:
        self.deps = deps
        self.editors = EditorCache(deps.db)
        self.refusals = RefusalLog(deps.db)
        # Submissions this process decided, by id (newest last): a press on one of their older
        # versions is refused without a database read. Versions only grow, so such a press
        # can never win; the answer names the decision, which stays true.
        self.decided: OrderedDict[int, Submission] = OrderedDict()
        # an approval is work for the card sync, the outbox and the publisher
        self.after_presses = AfterPresses(
            [deps.cards.wake, lambda: deps.wake_outbox(), lambda: deps.wake_publisher()]
        )

    def _known_decided(self, editor: Editor | None, cb: ReviewPress) -> Submission | None:
        known = self.decided.get(cb.submission_id)
        if editor is None or known is None or cb.version >= known.version:
            return None
        return known

    def _remember(self, sub: Submission) -> None:
        assert sub.id is not None
        self.decided[sub.id] = sub
        self.decided.move_to_end(sub.id)
        while len(self.decided) > DECIDED_KEPT:
            self.decided.popitem(last=False)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """The PTB handlers to register (group 0)."""
        replies = filters.Chat(self.deps.editors_chat_id) & filters.REPLY & filters.TEXT
        return [
            PressHandler(self.on_button, ReviewPress),
            MessageHandler(replies & ~filters.COMMAND, self.on_reply),
        ]

    def register(self, bot: TelegramBot) -> None:
        """The handlers, the refusal batch beside the bot, and its last flush at the end."""
        bot.add_handlers(self.handlers())
        bot.add_task(self.refusals.run)
        bot.on_stop(self.refusals.flush)  # refusals of the last presses handled

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press: check the editor and version, decide, answer; what the decision causes
        (the card's edit, the outbox, the publisher) starts once the presses pause."""
        changed = False
        try:
            changed = await self._press(update)
        finally:
            self.after_presses.pressed(changed=changed)

    async def _press(self, update: Update) -> bool:
        """Handle one press; True when it changed the submission."""
        query = update.callback_query
        assert query is not None
        cb = decode(query.data)
        async with self.deps.db.session() as session:
            if not isinstance(cb, ReviewPress):  # the handler's pattern lets only these in
                await answer(query, texts.ANSWER_UNKNOWN)
                await self._finish(session, update)
                return False
            editor = await self.editors.get(query.from_user.id)
            sub = self._known_decided(editor, cb)
            if sub is None and editor is not None and cb.action == Action.APPROVE:
                # the compare-and-set checks status and version itself: no read before it
                changed = await self._approve(session, update, query, cb, editor)
            else:
                if sub is None:
                    sub = await get_submission(session=session, submission_id=cb.submission_id)
                action, text = refusal(editor, sub, cb)
                if text:
                    await self._refuse(session, update, query, cb, action, text)
                    return False
                assert editor is not None and sub is not None
                changed = await self._act(session, update, query, cb, editor, sub)
        if changed:
            self.deps.cards.first(cb.submission_id)  # its card's edit goes before others
        return changed

    async def _refuse(
        self,
        session: Any,
        update: Update,
        query: CallbackQuery,
        cb: ReviewPress,
        action: str,
        text: str,
    ) -> None:
        """Answer a refused press at once; its audit row follows (see review.refusals)."""
        await answer(query, text, show_alert=True)  # first: the editor is waiting
        if not action:  # nothing to audit (an unknown submission)
            await self._finish(session, update)
            return
        # written a moment later, so the presses queued behind this one are not held up
        self.refusals.add(
            Refusal(
                raw=update.to_dict(),
                actor=f"tg:{query.from_user.id}",
                action=action,
                submission_id=cb.submission_id,
                details={
                    "button": cb.action.value,
                    "version": cb.version,
                    "name": query.from_user.full_name,
                },
                at=self.deps.clock.now(),
            )
        )
        self.deps.finisher.handled.add(update.update_id)

    async def _approve(
        self, session: Any, update: Update, query: CallbackQuery, cb: ReviewPress, ed: Editor
    ) -> bool:
        """Approve by compare-and-set; True when this press decided."""
        text, won, refused = await self._decide(session, cb, ed, S.APPROVED, None)
        if won is None:
            await self._refuse(session, update, query, cb, refused, text)
            return False
        await answer(query, text)  # as soon as the compare-and-set has resolved
        await notify_decision(session=session, submission=won, voice=self.deps.voice)
        if await self._finish(session, update):
            self._remember(won)
        return True

    async def _act(
        self,
        session: Any,
        update: Update,
        query: CallbackQuery,
        cb: ReviewPress,
        ed: Editor,
        sub: Submission,
    ) -> bool:
        """Carry out a permitted press; True when the submission changed."""
        if cb.action == Action.APPROVE:
            return await self._approve(session, update, query, cb, ed)
        if cb.action in ASKS:
            await answer(query, texts.ANSWER_ASK)
            assert query.message is not None
            prompt = await query.get_bot().send_message(
                query.message.chat.id,
                texts.PROMPT_REASON[cb.action.value].format(
                    code=sub.code, examples=time_examples(self.deps.clock.now())
                ),
                reply_to_message_id=query.message.message_id,
                reply_markup=ForceReply(input_field_placeholder=texts.PROMPT_PLACEHOLDER),
            )
            await self._finish(session, update, outcomes.prompt(prompt.chat_id, prompt.message_id))
            if cb.action == Action.EDIT_BODY and self.deps.files is not None:
                await self._send_current_body(session, query, sub, prompt.message_id)
            return False
        if cb.action == Action.PICK_UNIT:
            unit = await session.get(Unit, cb.arg)
            text = (await self._assign(session, cb, ed, unit.code if unit else "")).text
            await answer(query, text)
            await self._finish(session, update)
            with contextlib.suppress(BadRequest):  # the choice is made: no buttons left
                await query.edit_message_text(text)
            return True
        if cb.action == Action.PREVIEW:
            await answer(query)
            await self._finish(session, update)
            await self._send_preview(session, query, sub)
            return False
        if cb.action in (Action.KIND_MENU, Action.BACK):
            await answer(query)
            view = await card_view(session=session, submission=sub)
            rows = card_keyboard(view, kind_menu=cb.action == Action.KIND_MENU)
            await self._finish(session, update)
            await query.edit_message_reply_markup(markup(rows))
            return False
        kind = KIND_ACTIONS[cb.action]
        refused = await self._edit(session, cb, ed, "kind", kind.value)
        await answer(query, refused or texts.ANSWER_KIND_SET.format(kind=KIND_LABELS[kind]))
        await self._finish(session, update)
        return refused is None

    async def _decide(
        self,
        session: Any,
        cb: ReviewPress,
        ed: Editor,
        decision: SubmissionStatus,
        reason: str | None,
    ) -> tuple[str, Submission | None, str]:
        """Decide (uncommitted): the answer text, the submission if this press won, and the
        refusal's audit action if it did not ("" when there is nothing to audit)."""
        try:
            sub = await decide(
                session=session,
                submission_id=cb.submission_id,
                expected_version=cb.version,
                decision=decision,
                editor_name=ed.full_name,
                actor=f"editor:{ed.id}",
                now=self.deps.clock.now(),
                reason=reason,
                notify=False,
            )
        except StaleTransitionError:
            await session.rollback()
            current = await get_submission(session=session, submission_id=cb.submission_id)
            action, text = refusal(ed, current, cb)
            return text or texts.ANSWER_STALE, None, action
        return texts.ANSWER_DONE[decision.value].format(code=sub.code), sub, ""

    async def _edit(
        self, session: Any, cb: ReviewPress, ed: Editor, name: str, value: str
    ) -> str | None:
        """Edit a field and commit; None on success, else the refusal text."""
        try:
            await edit_field(
                session=session,
                submission_id=cb.submission_id,
                expected_version=cb.version,
                field=name,
                value=value,
                actor=f"editor:{ed.id}",
            )
        except StaleTransitionError:
            await session.rollback()
            return texts.ANSWER_STALE
        return None

    async def _edit_article(
        self, session: Any, cb: ReviewPress, ed: Editor, text: str, value: str
    ) -> Reply:
        """«Sửa nội dung» (the reply, paragraphs kept, is the new body) or «Chọn ảnh bìa»."""
        if cb.action == Action.COVER:
            if not value.isdigit():
                return Reply(texts.REPLY_BAD_COVER.format(value=value), retry=True)
            change = ArticleEdit(cover=int(value))
        else:
            change = ArticleEdit(body=nfc(text).strip())
        try:
            sub = await edit_article(
                session=session,
                submission_id=cb.submission_id,
                expected_version=cb.version,
                edit=change,
                editor_name=ed.full_name,
                actor=f"editor:{ed.id}",
                now=self.deps.clock.now(),
            )
        except EditError as exc:
            await session.rollback()
            return Reply(str(exc), retry=isinstance(exc, CoverNumberError))
        except StaleTransitionError:
            await session.rollback()
            return Reply(texts.ANSWER_STALE)
        return Reply(texts.REPLY_EDITED.format(code=sub.code, revision=sub.revision))

    async def _assign(self, session: Any, cb: ReviewPress, ed: Editor, unit_text: str) -> Reply:
        """A quarantined submission gets its unit, named by code or name (and the sender is
        remembered for it); several matching units come back as a choice of buttons."""
        sub = await get_submission(session=session, submission_id=cb.submission_id)
        if sub is None:
            return Reply(texts.ANSWER_UNKNOWN)
        try:
            sub = await assign_unit(
                session=session,
                code=sub.code,
                unit_code=unit_text,
                actor=f"editor:{ed.id}",
                remember_sender=True,
                voice=self.deps.voice,
            )
        except AmbiguousUnitError as exc:
            rows: list[list[Button]] = [
                [(u.name, review_data(Action.PICK_UNIT, cb.submission_id, sub.version, u.id or 0))]
                for u in exc.units
            ]
            text = texts.QUARANTINE_CHOOSE.format(unit=clean(unit_text), code=sub.code)
            return Reply(text, markup(rows), retry=True)
        except RejectedError as exc:
            return Reply(str(exc), retry=isinstance(exc, UnknownUnitError))
        unit = await session.get(Unit, sub.unit_id)
        return Reply(texts.REPLY_ASSIGNED.format(code=sub.code, unit=unit.name if unit else "?"))

    async def _dismiss(self, session: Any, cb: ReviewPress, ed: Editor, reason: str) -> str:
        """A quarantined item that is not a submission leaves the queue (nobody is told)."""
        sub = await get_submission(session=session, submission_id=cb.submission_id)
        if sub is None:
            return texts.ANSWER_UNKNOWN
        try:
            sub = await dismiss(
                session=session,
                code=sub.code,
                reason=reason,
                editor_name=ed.full_name,
                actor=f"editor:{ed.id}",
                now=self.deps.clock.now(),
                expected_version=cb.version,
            )
        except RejectedError as exc:
            return str(exc)
        except StaleTransitionError:
            await session.rollback()
            current = await get_submission(session=session, submission_id=cb.submission_id)
            return refusal(ed, current, cb)[1] or texts.ANSWER_STALE
        # not remembered for the refusal fast path: this transaction commits later, in
        # on_reply, and a decision that might not land must not refuse presses from memory
        return texts.QUARANTINE_DISMISSED.format(code=sub.code)

    async def _publish_time(self, session: Any, cb: ReviewPress, ed: Editor, value: str) -> Reply:
        """The editor's publish slot, kept on the submission for the publisher."""
        try:
            at = parse_local_time(value, now=self.deps.clock.now())
        except ValueError as exc:
            return Reply(texts.REPLY_BAD_TIME.format(error=exc), retry=True)
        try:
            sub = await set_publish_time(
                session=session,
                submission_id=cb.submission_id,
                expected_version=cb.version,
                publish_at=at,
                actor=f"editor:{ed.id}",
            )
        except StaleTransitionError:
            await session.rollback()
            return Reply(texts.ANSWER_STALE)
        if at is None:
            return Reply(texts.REPLY_PUBLISH_ASAP.format(code=sub.code))
        return Reply(texts.REPLY_PUBLISH_AT.format(code=sub.code, at=when(at)))

    async def _send_current_body(
        self, session: Any, query: CallbackQuery, sub: Submission, prompt_id: int
    ) -> None:
        """The body as it stands, in the form «Sửa nội dung» takes, to copy and change."""
        assert query.message is not None and self.deps.files is not None
        draft, _ = await load_draft(
            session=session,
            files=self.deps.files,
            submission=sub,
            default_author=self.deps.default_author,
        )
        text = texts.CURRENT_BODY.format(code=sub.code) + body_text(draft.body)
        await query.get_bot().send_message(
            query.message.chat.id, text[:4000], reply_to_message_id=prompt_id
        )

    async def _send_preview(self, session: Any, query: CallbackQuery, sub: Submission) -> None:
        """Reply under the card with the composed article (nothing changes state)."""
        assert query.message is not None
        if self.deps.preview is None:
            text = texts.PREVIEW_OFF
        else:
            text = texts.PREVIEW_HEADER.format(code=sub.code) + await self.deps.preview(
                session, sub
            )
        await query.get_bot().send_message(
            query.message.chat.id, text[:4000], reply_to_message_id=query.message.message_id
        )

    async def _finish(
        self, session: Any, update: Update, outcome: Outcome = outcomes.DONE
    ) -> bool:
        """Record the update with its outcome in the decision's transaction, and commit.

        A press delivered twice finds its row already there: its effects are rolled back, so
        it is handled once (the state check refuses it anyway: the first one decided).
        """
        if update.callback_query is not None:
            if not await record_new(session=session, raw=update.to_dict(), outcome=outcome):
                await session.rollback()
                return False
        else:
            await record_outcome(session=session, raw=update.to_dict(), outcome=outcome)
        await session.commit()
        self.deps.finisher.handled.add(update.update_id)
        return True

    async def on_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An editor's answer to a ForceReply prompt: the reason, the new title or summary...

        Routed by the replied message's id: a reply to anything that is not one of our
        prompts (a comment under a card) is left alone.
        """
        message = update.effective_message
        assert message is not None and message.reply_to_message is not None
        replied = message.reply_to_message
        if replied.from_user is None or replied.from_user.id != context.bot.id:
            return
        async with self.deps.db.session() as session:
            prompts = await self._prompt_of(session, replied.chat_id, replied.message_id)
        if prompts is None:
            return  # a comment under a card, not an answer to one of our prompts
        if update.edited_message is not None:  # the first answer was the one used
            async with self.deps.db.session() as session:
                await self._finish(session, update, outcomes.note("edit_ignored"))
            await message.reply_text(texts.REPLY_EDIT_IGNORED)
            return
        async with self.deps.db.session() as session:
            user_id = message.from_user.id if message.from_user else 0
            editor = await self.editors.get(user_id)
            reply = await self._answer_prompt(
                session, prompts, editor, message.text or "", user_id
            )
            retry = reply.retry and not prompts.used
            if not prompts.used and not retry:
                await self._mark_used(session, prompts.rows[-1])
            if not retry:
                await self._finish(session, update)
        if retry:
            # The error answer is a prompt too: a reply to it answers the original prompt.
            sent = await self._reply_again(message, reply)
            async with self.deps.db.session() as session:
                await self._finish(session, update, outcomes.prompt(sent.chat_id, sent.message_id))
        else:
            await message.reply_text(reply.text, reply_markup=reply.keyboard)
        self.deps.cards.wake()
        self.deps.wake_outbox()

    @staticmethod
    async def _mark_used(session: Any, press: TelegramUpdate) -> None:
        """The press's question is answered: a later reply to it is told it came too late."""
        asked = Outcome.decode(press.outcome)
        if asked is None or asked.kind != Kind.PROMPT:
            return
        await set_outcome(
            session=session,
            update_id=press.update_id,
            outcome=outcomes.prompt_used(*asked.ids),
        )

    @staticmethod
    async def _reply_again(message: Message, reply: Reply) -> Message:
        if reply.keyboard is not None:  # a choice of units: buttons, or a reply with another name
            return await message.reply_text(reply.text, reply_markup=reply.keyboard)
        placeholder = ForceReply(input_field_placeholder=texts.PROMPT_PLACEHOLDER)
        return await message.reply_text(reply.text, reply_markup=placeholder)

    async def _prompt_of(self, session: Any, chat_id: int, message_id: int) -> Prompts | None:
        """The button press whose prompt a reply answers, following error answers back to
        it (each error answer's editor message is recorded with the error's own key); None
        when the replied message is no prompt of ours."""
        for _ in range(PROMPT_HOPS):
            asked = outcomes.prompt(chat_id, message_id)
            used = outcomes.prompt_used(chat_id, message_id)
            rows = await with_outcome(session=session, outcomes=[asked, used])
            if not rows:
                return None
            if "callback_query" in rows[-1].raw:
                return Prompts(rows, used=rows[-1].outcome == used.encode())
            replied = rows[-1].raw.get("message", {}).get("reply_to_message") or {}
            if "message_id" not in replied:
                return None
            message_id = int(replied["message_id"])
        return None

    async def _answer_prompt(
        self, session: Any, prompts: Prompts, editor: Editor | None, text: str, user_id: int
    ) -> Reply:
        if prompts.used:
            return Reply(texts.PROMPT_EXPIRED)
        cb = decode(prompts.rows[-1].raw.get("callback_query", {}).get("data"))
        if not isinstance(cb, ReviewPress):
            return Reply(texts.PROMPT_EXPIRED)
        if editor is None:
            add_audit(
                session=session,
                actor=f"tg:{user_id}",
                action="review.refused_not_editor",
                submission_id=cb.submission_id,
                details={"button": cb.action.value},
            )
            return Reply(texts.ANSWER_NOT_EDITOR)
        value = clean(text)
        if not value:
            return Reply(texts.REPLY_EMPTY, retry=True)
        if cb.action in (Action.EDIT_BODY, Action.COVER):
            return await self._edit_article(session, cb, editor, text, value)
        if cb.action == Action.ASSIGN_UNIT:
            return await self._assign(session, cb, editor, value)
        if cb.action == Action.DISMISS:
            return Reply(await self._dismiss(session, cb, editor, value))
        if cb.action == Action.PUBLISH_TIME:
            return await self._publish_time(session, cb, editor, value)
        if cb.action in DECIDE:
            reply, won, _ = await self._decide(session, cb, editor, DECIDE[cb.action], value)
            if won is not None:
                await notify_decision(session=session, submission=won, voice=self.deps.voice)
            return Reply(reply)
        refused = await self._edit(session, cb, editor, EDITS[cb.action], value)
        if refused:
            return Reply(refused)
        sub = await get_submission(session=session, submission_id=cb.submission_id)
        return Reply(texts.REPLY_SAVED.format(code=sub.code if sub else "?"))
