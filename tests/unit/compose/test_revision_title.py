"""A revision's title: our change-request subject keeps the previous title, the officer's own
new subject replaces it."""

from __future__ import annotations

from compose import Source, compose

BODY = (
    "Sáng ngày 02/12, Sở Y tế tổ chức hội nghị triển khai công tác tiêm chủng mở rộng.\n\n"
    "Hội nghị thống nhất kế hoạch tiêm bổ sung cho trẻ dưới 5 tuổi."
)


def revision(subject: str) -> Source:
    return Source(
        channel="email",
        subject=subject,
        text=BODY,
        author="Sở Y tế",
        previous_title="Hội nghị tiêm chủng",
        answers_request=True,
    )


def test_a_reply_to_our_change_request_keeps_the_previous_title() -> None:
    draft = compose(revision("RE: [2026-12-0006] Đề nghị chỉnh sửa bài"))
    assert draft.title == "Hội nghị tiêm chủng"


def test_a_revision_with_its_own_new_subject_takes_it() -> None:
    draft = compose(revision("Hội nghị tiêm chủng mở rộng năm 2026"))
    assert draft.title == "Hội nghị tiêm chủng mở rộng năm 2026"


def test_a_letter_subject_on_a_revision_keeps_the_previous_title() -> None:
    draft = compose(revision("V/v gửi lại tin bài"))
    assert draft.title == "Hội nghị tiêm chủng"
