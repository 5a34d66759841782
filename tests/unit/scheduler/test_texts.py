"""The Vietnamese texts of reminders, the registration campaign and the digest."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from domain.periods import TZ
from scheduler import texts

DEADLINE = datetime(2024, 7, 19, 17, 0, tzinfo=TZ)
HOW = texts.HowToSubmit(mailbox="tin@stttt.thaibinh.gov.vn", bot_link="https://t.me/newsdesk_bot")


def test_reminder_before_the_deadline_says_what_when_how_and_sent_so_far() -> None:
    body = texts.reminder_body(
        unit_name="Sở Y tế",
        period="2024-07",
        deadline=DEADLINE,
        now=datetime(2024, 7, 16, 8, 0, tzinfo=TZ),
        overdue=False,
        sent=[texts.SentItem("2024-07-0003", "Tiêm chủng mở rộng", "Không được duyệt")],
        how=HOW,
    )
    assert body == (
        "Kính gửi: Sở Y tế,\n"
        "\n"
        f"{HOW.what_is_due}\n"
        "\n"
        "Đơn vị chưa có tin, bài đạt yêu cầu tháng 07/2024.\n"
        "Hạn gửi: 17:00 ngày 19/07/2024 (còn 3 ngày).\n"
        "\n"
        "Tin, bài đơn vị đã gửi trong tháng 07/2024, chưa có tin, bài đạt:\n"
        "  • 2024-07-0003 «Tiêm chủng mở rộng» – Không được duyệt\n"
        "\n"
        "Cách gửi:\n"
        "  • Email: gửi thư (nội dung và tệp đính kèm) tới tin@stttt.thaibinh.gov.vn\n"
        "  • Telegram: gửi qua bot https://t.me/newsdesk_bot\n"
        "\n"
        f"{HOW.sign_off}"
    )
    assert unicodedata.is_normalized("NFC", body)
    assert HOW.sign_off == (
        "Trân trọng,\nBan Biên tập Trang Zalo OA “Công dân số Thái Bình”\n"
        "Sở Thông tin và Truyền thông"
    )
    assert "Newsdesk" not in body


def test_reminder_is_addressed_to_the_officer_by_name() -> None:
    body = texts.reminder_body(
        unit_name="Sở Y tế", period="2024-07", deadline=DEADLINE,
        now=datetime(2024, 7, 16, 8, 0, tzinfo=TZ), overdue=False, sent=[],
        how=texts.HowToSubmit(department="Sở Văn hóa và Thông tin", oa_name="Thái Bình ngày mới"),
        officer="Nguyễn Thị Lan",
    )  # fmt: skip
    assert body.startswith("Kính gửi đồng chí Nguyễn Thị Lan (Sở Y tế),\n")
    assert body.endswith(
        "Ban Biên tập Trang Zalo OA “Thái Bình ngày mới”\nSở Văn hóa và Thông tin"
    )


def test_reminder_on_the_deadline_day_and_nothing_sent() -> None:
    body = texts.reminder_body(
        unit_name="UBND huyện Vũ Thư",
        period="2024-07",
        deadline=DEADLINE,
        now=datetime(2024, 7, 19, 8, 0, tzinfo=TZ),
        overdue=False,
        sent=[],
        how=texts.HowToSubmit(mailbox="tin@example.vn"),
    )
    assert "Hạn gửi: 17:00 ngày 19/07/2024 (hạn là hôm nay)." in body
    assert "Trong tháng 07/2024 đơn vị chưa gửi tin, bài nào." in body
    assert "Telegram" not in body


def test_overdue_within_the_month_still_invites_a_late_submission() -> None:
    body = texts.reminder_body(
        unit_name="Sở Y tế",
        period="2024-07",
        deadline=DEADLINE,
        now=datetime(2024, 7, 22, 8, 0, tzinfo=TZ),
        overdue=True,
        sent=[],
        how=HOW,
    )
    assert "Đơn vị chưa gửi tin, bài tháng 07/2024." in body
    assert "vẫn được ghi nhận nhưng trễ hạn" in body
    assert "đạt yêu cầu" not in body  # never both "chưa gửi" and "đã gửi nhưng chưa đạt"


def test_overdue_after_the_month_says_it_is_recorded_missing() -> None:
    body = texts.reminder_body(
        unit_name="Sở Y tế",
        period="2024-07",
        deadline=datetime(2024, 7, 31, 17, 0, tzinfo=TZ),
        now=datetime(2024, 8, 1, 8, 0, tzinfo=TZ),
        overdue=True,
        sent=[],
        how=HOW,
    )
    assert "tháng 07/2024 đã kết thúc; báo cáo tháng 07/2024 ghi đơn vị chưa đạt" in body
    assert "gửi tin, bài tháng 08/2024." in body  # names the month, never "tháng này"
    assert "tháng này" not in body


def test_reminder_subjects() -> None:
    assert texts.reminder_subject(period="2024-07", deadline=DEADLINE, overdue=False) == (
        "Đề nghị gửi tin, bài tháng 07/2024 (hạn: 17:00 ngày 19/07/2024)"
    )
    assert texts.reminder_subject(period="2024-07", deadline=DEADLINE, overdue=True) == (
        "Đơn vị chưa gửi tin, bài tháng 07/2024 (đã quá hạn)"
    )
    sent = texts.reminder_subject(period="2024-07", deadline=DEADLINE, overdue=True, sent=True)
    assert sent == "Đơn vị chưa có tin, bài đạt yêu cầu tháng 07/2024 (đã quá hạn)"


def test_registration_text_has_invite_link_and_purpose() -> None:
    body = texts.registration_body(
        unit_name="UBND huyện Kiến Xương",
        deadline=DEADLINE,
        now=datetime(2024, 7, 12, 8, 0, tzinfo=TZ),
        invite_link="https://t.me/newsdesk_bot?start=ABC123",
        mailbox="tin@example.vn",
        sign_off=HOW.sign_off,
    )
    assert body.endswith(HOW.sign_off)
    assert "trước 17:00 ngày 19/07/2024 (còn 7 ngày)" in body
    assert "  https://t.me/newsdesk_bot?start=ABC123\n" in body
    assert "họ tên, chức vụ, số điện thoại" in body
    assert "không công khai" in body
    assert texts.registration_subject(deadline=DEADLINE) == (
        "Đề nghị đăng ký cán bộ đầu mối truyền thông (hạn: 19/07/2024)"
    )


def test_durations() -> None:
    assert texts.fmt_duration(timedelta(days=2, hours=4, minutes=10)) == "2 ngày 4 giờ"
    assert texts.fmt_duration(timedelta(days=1)) == "1 ngày"
    assert texts.fmt_duration(timedelta(hours=3, minutes=15)) == "3 giờ 15 phút"
    assert texts.fmt_duration(timedelta(hours=5)) == "5 giờ"
    assert texts.fmt_duration(timedelta(minutes=5, seconds=59)) == "5 phút"
    assert texts.fmt_duration(timedelta(seconds=-3)) == "0 phút"


def test_digest() -> None:
    text = texts.digest(
        now=datetime(2024, 7, 17, 7, 30, tzinfo=TZ),
        period="2024-07",
        deadline=DEADLINE,
        waiting=[
            texts.WaitingItem("2024-07-0004", "Sở Y tế", "Tiêm chủng", timedelta(hours=3)),
            texts.WaitingItem(
                "2024-07-0002", "Sở Tư pháp", "Luật mới", timedelta(days=2, hours=1)
            ),
        ],
        failed=[texts.FailedItem("2024-07-0001", "Sở Nội vụ", "Tuyển dụng", "ảnh quá lớn")],
        missing=["Sở Xây dựng", "UBND huyện Đông Hưng"],
        total_units=30,
    )
    assert text == (
        "🗞 Bản tin ngày 17/07/2024\n"
        "\n"
        "⏳ Chờ duyệt: 2 (lâu nhất 2 ngày 1 giờ)\n"
        "  • 2024-07-0004 · Sở Y tế · «Tiêm chủng» · chờ 3 giờ\n"
        "  • 2024-07-0002 · Sở Tư pháp · «Luật mới» · chờ 2 ngày 1 giờ\n"
        "⚠️ Đăng không thành công: 1\n"
        "  • 2024-07-0001 · Sở Nội vụ · «Tuyển dụng» · ảnh quá lớn\n"
        "📭 Chưa gửi tháng 07/2024: 2/30 đơn vị (hạn 17:00 ngày 19/07/2024): "
        "Sở Xây dựng, UBND huyện Đông Hưng"
    )


def test_quiet_digest_and_long_lists() -> None:
    quiet = texts.digest(
        now=datetime(2024, 7, 17, 7, 30, tzinfo=TZ),
        period="2024-07",
        deadline=DEADLINE,
        waiting=[],
        failed=[],
        missing=[],
        total_units=30,
    )
    assert quiet.splitlines()[2:] == [
        "⏳ Không có tin, bài chờ duyệt.",
        "✅ Tất cả 30 đơn vị đã gửi tin, bài tháng 07/2024.",
    ]
    many = texts.digest(
        now=datetime(2024, 7, 17, 7, 30, tzinfo=TZ),
        period="2024-07",
        deadline=DEADLINE,
        waiting=[texts.WaitingItem(f"c{i}", "U", "T", timedelta(hours=i)) for i in range(12)],
        failed=[],
        missing=[f"Đơn vị {i}" for i in range(35)],
        total_units=40,
    )
    assert "  … và 2 mục khác" in many.splitlines()
    assert many.endswith("Đơn vị 29 … và 5 đơn vị khác")


def test_outbox_keys_fit_the_column() -> None:
    from scheduler.store import KEY_MAX, Message

    short = Message(7, "2024-07", "before-3", "email", "an@a.vn", "s", "b")
    assert short.key == "reminder:2024-07:before-3:7:email:an@a.vn"
    long = Message(7, "2024-07", "before-3", "email", "a" * 240 + "@a.vn", "s", "b")
    assert len(long.key) <= KEY_MAX
    assert long.key.startswith("reminder:2024-07:before-3:7:email:sha256:")
    assert long.key != Message(8, "2024-07", "before-3", "email", long.recipient, "s", "b").key


def test_no_user_facing_text_names_the_software() -> None:
    """The sender is the office: no text a person receives says "Newsdesk"."""
    from intake.email import texts as email_texts
    from intake.telegram import texts as bot_texts
    from publisher import texts as publisher_texts
    from reports import texts as report_texts
    from review import texts as review_texts

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        return []

    found = [
        f"{module.__name__}.{name}"
        for module in (texts, email_texts, bot_texts, publisher_texts, report_texts, review_texts)
        for name, value in vars(module).items()
        if name.isupper() and any("Newsdesk" in s for s in strings(value))
    ]
    assert found == []
