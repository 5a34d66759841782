"""Officer onboarding: /start, phone contact matched against the registry, or an invite code.

The invite walk (name, position, phone, consent) keeps its progress in ``onboarding_walk``,
written in the same transaction as the update that moved it, so a restart loses nothing; a walk
left alone for WALK_HOURS is forgotten. The invite is consumed only when the officer is created.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import ContextTypes

from domain.phones import normalise_phone
from domain.text import clean
from intake.telegram import texts
from intake.telegram.context import BotDeps
from intake.telegram.invites import find_valid_invite, use_invite
from storage.audit import add_audit
from storage.models import Officer, OnboardingWalk, Unit
from storage.registry import create_officer, find_officers_by_phone, get_officer_by_telegram
from tgbot import outcomes
from tgbot.answer import answer
from tgbot.callbacks import Consent, decode
from tgbot.keyboards import button, markup
from tgbot.updates import forget_phone

WALK_HOURS = 24  # an abandoned walk stops catching the user's messages after this


async def load_walk(
    session: AsyncSession, user_id: int, *, now: datetime | None = None
) -> dict[str, Any] | None:
    """The user's walk in progress (None when there is none, or it was left too long)."""
    row = await session.get(OnboardingWalk, user_id, populate_existing=True)
    if row is None:
        return None
    if now is not None and now - row.updated_at > timedelta(hours=WALK_HOURS):
        await session.delete(row)
        return None
    return dict(row.state)


async def save_walk(
    session: AsyncSession, user_id: int, state: dict[str, Any] | None, *, now: datetime
) -> None:
    """Store the walk's new state (None ends it); the caller commits with the update."""
    row = await session.get(OnboardingWalk, user_id)
    if state is None:
        if row is not None:
            await session.delete(row)
        return
    if row is None:
        row = OnboardingWalk(telegram_user_id=user_id, state=dict(state), updated_at=now)
    else:
        row.state, row.updated_at = dict(state), now  # a new dict: the JSON column notices
    session.add(row)


def share_phone_keyboard() -> ReplyKeyboardMarkup:
    """A one-button keyboard that shares the user's own phone number."""
    button = KeyboardButton(texts.BTN_SHARE_PHONE, request_contact=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def consent_keyboard() -> InlineKeyboardMarkup | None:
    """Yes / no to keeping the phone number."""
    return markup(
        [
            [
                button(texts.BTN_CONSENT_YES, Consent(agreed=True)),
                button(texts.BTN_CONSENT_NO, Consent(agreed=False)),
            ]
        ]
    )


def phone_or_none(raw: str) -> str | None:
    """E.164 or None when the text is not a usable phone number."""
    try:
        return normalise_phone(raw)
    except ValueError:
        return None


class Onboarding:
    """Links Telegram users to officers of registered units."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start and /start <invite code>."""
        message, user = update.effective_message, update.effective_user
        assert message is not None and user is not None
        now = self.deps.clock.now()
        async with self.deps.db.session() as session:
            officer = await get_officer_by_telegram(
                session=session, telegram_user_id=user.id, active_at=now
            )
            code = context.args[0] if context.args else ""
            if officer is not None:
                unit = await session.get(Unit, officer.unit_id)
                text = texts.WELCOME_KNOWN.format(
                    name=officer.full_name, unit=unit.name if unit else ""
                )
                await self.deps.finish(session, update, outcomes.note("start_known"))
                await message.reply_text(text, reply_markup=ReplyKeyboardRemove())
                return
            invite = await find_valid_invite(session=session, code=code, now=now) if code else None
            unit = await session.get(Unit, invite.unit_id) if invite else None
            if invite is not None and unit is not None:
                walk = {"invite_id": invite.id, "unit_id": unit.id, "unit": unit.name}
                await save_walk(session, user.id, walk | {"step": "name"}, now=now)
            await self.deps.finish(
                session, update, outcomes.note("start_invite" if invite else "start_unknown")
            )
        if code and (invite is None or unit is None):
            await message.reply_text(texts.INVITE_INVALID)
        elif invite is not None and unit is not None:
            await message.reply_text(texts.INVITE_START.format(unit=unit.name))
            return
        await message.reply_text(texts.WELCOME_UNKNOWN, reply_markup=share_phone_keyboard())

    async def contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared contact: in the invite walk it is the phone step, else it links by phone."""
        message, user = update.effective_message, update.effective_user
        assert message is not None and message.contact is not None and user is not None
        if message.contact.user_id != user.id:
            await self._done(update)
            await message.reply_text(texts.CONTACT_NOT_OWN, reply_markup=share_phone_keyboard())
            return
        phone = phone_or_none(message.contact.phone_number)
        async with self.deps.db.session() as session:
            reg = await load_walk(session, user.id, now=self.deps.clock.now())
            await session.commit()
        if reg is not None and reg["step"] == "phone":
            await self._ask_consent(update, reg, phone, message)
            return
        if phone is None:
            await self._done(update)
            await message.reply_text(texts.CONTACT_BAD_PHONE)
            return
        await self._link_by_phone(update, message, user.id, phone)

    async def _link_by_phone(
        self, update: Update, message: Message, user_id: int, phone: str
    ) -> None:
        async with self.deps.db.session() as session:
            officers = [
                o
                for o in await find_officers_by_phone(session=session, phone=phone)
                if o.telegram_user_id in (None, user_id)
            ]
            for officer in officers:
                officer.telegram_user_id = user_id
                session.add(officer)
                add_audit(
                    session=session,
                    actor=f"tg:{user_id}",
                    action="officer.linked",
                    details={"officer_id": officer.id, "by": "contact"},
                )
            unit = await session.get(Unit, officers[0].unit_id) if officers else None
            if officers:  # linked: an invite walk left open would only get in the way
                await save_walk(session, user_id, None, now=self.deps.clock.now())
            await self.deps.finish(
                session, update, outcomes.note("linked" if officers else "link_no_match")
            )
        if not officers or unit is None:
            await message.reply_text(
                texts.CONTACT_NO_MATCH.format(phone=phone), reply_markup=ReplyKeyboardRemove()
            )
            return
        name = officers[0].full_name
        await message.reply_text(
            texts.LINKED.format(unit=unit.name, name=name), reply_markup=ReplyKeyboardRemove()
        )
        await message.reply_text(texts.CONSENT_QUESTION, reply_markup=consent_keyboard())

    async def edited(self, update: Update) -> bool:
        """An edited message during the invite walk: explained (the walk has moved on, so the
        edit cannot replace the answer); False when the user is not registering."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return False
        async with self.deps.db.session() as session:
            reg = await load_walk(session, user.id, now=self.deps.clock.now())
            if reg is None:
                await session.commit()  # a stale walk was dropped
                return False
            await self.deps.finish(session, update, outcomes.note("edit_walk"))
        await message.reply_text(texts.EDIT_DURING_WALK)
        return True

    async def step(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """A text during the invite walk; False when the user is not registering."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return False
        async with self.deps.db.session() as session:
            reg = await load_walk(session, user.id, now=self.deps.clock.now())
            await session.commit()
        if reg is None:
            return False
        value = clean(message.text)
        if reg["step"] == "name":
            if len(value) < 4 or any(ch.isdigit() for ch in value):
                await self._reply(update, message, texts.INVALID_NAME)
            else:
                await self._save(update, reg | {"name": value, "step": "position"})
                await message.reply_text(texts.ASK_POSITION)
        elif reg["step"] == "position":
            await self._save(update, reg | {"position": value[:255], "step": "phone"})
            await message.reply_text(texts.ASK_PHONE, reply_markup=share_phone_keyboard())
        elif reg["step"] == "phone":
            phone = phone_or_none(value)
            if phone is None:
                await self._reply(update, message, texts.INVALID_PHONE)
            else:
                await self._ask_consent(update, reg, phone, message)
        else:
            await self._reply(update, message, texts.CONSENT_QUESTION)
        return True

    async def _ask_consent(
        self, update: Update, reg: dict[str, Any], phone: str | None, message: Message
    ) -> None:
        if phone is None:
            await self._reply(update, message, texts.INVALID_PHONE)
            return
        await self._save(update, reg | {"phone": phone, "step": "consent"})
        await message.reply_text(texts.CONSENT_QUESTION, reply_markup=consent_keyboard())

    async def consent(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Yes/no to keeping the phone; completes an invite walk, or records it for a link."""
        query, user = update.callback_query, update.effective_user
        assert query is not None and user is not None
        await answer(query)
        agreed = decode(query.data) == Consent(agreed=True)
        async with self.deps.db.session() as session:
            reg = await load_walk(session, user.id, now=self.deps.clock.now())
            if reg is not None and reg.get("step") == "consent":
                text = await self._register(session, reg, user.id, agreed=agreed)
                await save_walk(session, user.id, None, now=self.deps.clock.now())
            else:
                text = await self._record_consent(session, user.id, agreed=agreed)
            await self.deps.finish(
                session, update, outcomes.note(f"consent_{'yes' if agreed else 'no'}")
            )
        await query.edit_message_reply_markup(None)
        if query.message is not None:
            await context.bot.send_message(
                query.message.chat.id, text, reply_markup=ReplyKeyboardRemove()
            )

    async def _register(
        self, session: AsyncSession, reg: dict[str, Any], user_id: int, *, agreed: bool
    ) -> str:
        now = self.deps.clock.now()
        if not await use_invite(
            session=session, invite_id=reg["invite_id"], telegram_user_id=user_id, now=now
        ):
            return texts.INVITE_INVALID
        if not agreed and reg.get("phone"):
            await forget_phone(session=session, telegram_user_id=user_id, phone=reg["phone"])
        officer = await create_officer(
            session=session,
            unit_id=reg["unit_id"],
            full_name=reg["name"],
            position=reg.get("position", ""),
            phone=reg["phone"] if agreed else None,
            telegram_user_id=user_id,
            consent_at=now if agreed else None,
        )
        add_audit(
            session=session,
            actor=f"tg:{user_id}",
            action="officer.registered",
            details={
                "officer_id": officer.id,
                "unit_id": reg["unit_id"],
                "invite_id": reg["invite_id"],
                "phone_consent": agreed,
            },
        )
        done = texts.LINKED.format(unit=reg["unit"], name=officer.full_name)
        return done + "\n" + (texts.CONSENT_THANKS if agreed else texts.CONSENT_DECLINED)

    async def _record_consent(self, session: AsyncSession, user_id: int, *, agreed: bool) -> str:
        now = self.deps.clock.now()
        officer: Officer | None = await get_officer_by_telegram(
            session=session, telegram_user_id=user_id, active_at=now
        )
        if officer is None:
            return texts.NOT_LINKED
        officer.consent_at = now if agreed else None
        erased = 0
        if not agreed and officer.phone:
            # The bot promises the number is not kept: not in the registry, not in the
            # stored updates (the shared contact or the typed number).
            erased = await forget_phone(
                session=session, telegram_user_id=user_id, phone=officer.phone
            )
            officer.phone = None
        session.add(officer)
        add_audit(
            session=session,
            actor=f"tg:{user_id}",
            action="officer.consent",
            details={
                "officer_id": officer.id,
                "phone_consent": agreed,
                **({} if agreed else {"phone_erased": True, "updates_scrubbed": erased}),
            },
        )
        return texts.CONSENT_THANKS if agreed else texts.CONSENT_DECLINED

    async def _save(self, update: Update, reg: dict[str, Any]) -> None:
        """The walk's next state, committed with the update that moved it."""
        assert update.effective_user is not None
        async with self.deps.db.session() as session:
            await save_walk(session, update.effective_user.id, reg, now=self.deps.clock.now())
            await self.deps.finish(session, update, outcomes.DONE)

    async def _done(self, update: Update) -> None:
        async with self.deps.db.session() as session:
            await self.deps.finish(session, update, outcomes.DONE)

    async def _reply(self, update: Update, message: Message, text: str) -> None:
        await self._done(update)
        await message.reply_text(text)
