"""/dangnhap: an editor or a leader asks the bot for a one-time link to the web console."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from intake.telegram.context import BotDeps
from storage.leaders import leader_by_telegram
from storage.logins import LoginRefusedError, Role, issue_link, login_url
from storage.registry import get_editor_by_telegram
from tgbot import outcomes

NOT_KNOWN = (
    "Chỉ biên tập viên và lãnh đạo Sở đã đăng ký mới đăng nhập được trang quản trị. "
    "Vui lòng liên hệ quản trị viên."
)
NO_PUBLIC_URL = (
    "Máy chủ chưa có địa chỉ công khai (NEWSDESK_WEB__PUBLIC_BASE_URL) nên chưa gửi được "
    "liên kết. Vui lòng liên hệ quản trị viên."
)
LINK = (
    "Liên kết đăng nhập trang quản trị (dùng một lần, hiệu lực 15 phút):\n{url}\n\n"
    "Không chuyển liên kết này cho người khác."
)


class LoginCommand:
    """Answers /dangnhap in a private chat with a fresh link (rate-limited per person)."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def login(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        assert message is not None and user is not None
        now = self.deps.clock.now()
        async with self.deps.db.session() as session:
            editor = await get_editor_by_telegram(session=session, telegram_user_id=user.id)
            leader = (
                None
                if editor is not None
                else await leader_by_telegram(session=session, telegram_user_id=user.id, at=now)
            )
            if editor is None and leader is None:
                text = NOT_KNOWN
            elif not self.deps.public_base_url:
                text = NO_PUBLIC_URL
            else:
                try:
                    token = await issue_link(
                        session=session,
                        role=Role.EDITOR if editor is not None else Role.LEADER,
                        now=now,
                        via="telegram",
                        editor_id=editor.id if editor is not None else None,
                        leader_id=leader.id if leader is not None else None,
                    )
                    text = LINK.format(url=login_url(self.deps.public_base_url, token))
                except LoginRefusedError as exc:
                    text = exc.message
            await self.deps.finish(session, update, outcomes.DONE)
        await message.reply_text(text, disable_web_page_preview=True)
