"""Every Vietnamese text of the review side: cards, button labels, answers, notifications."""

from __future__ import annotations

from domain import glossary

# --- buttons -------------------------------------------------------------------------------
BTN_APPROVE = "✅ Duyệt"
BTN_REQUEST_CHANGES = "✏️ Đề nghị chỉnh sửa"
BTN_REJECT = "❌ Từ chối"
BTN_EDIT_TITLE = "Sửa tiêu đề"
BTN_EDIT_SUMMARY = "Sửa tóm tắt"
BTN_KIND_MENU = "Đổi loại"
BTN_BACK = "← Quay lại"
BTN_PREVIEW = "👁 Xem trước bài Zalo"
BTN_PUBLISH_TIME = "🕒 Hẹn giờ đăng"
BTN_ASSIGN_UNIT = "🏷 Xác định đơn vị gửi"
BTN_DISMISS = "🗑 Loại bỏ (không phải tin, bài)"
BTN_EDIT_BODY = "📝 Sửa nội dung"
BTN_COVER = "🖼 Chọn ảnh bìa"

# --- the card ------------------------------------------------------------------------------
CARD_HEADER = "📝 PHIẾU DUYỆT TIN, BÀI · {code}"
CARD_REVISION = " (bản {revision})"
CARD_UNIT = "Đơn vị: {unit}"
CARD_UNKNOWN_UNIT = "(chưa xác định đơn vị)"
CARD_SENDER = "Người gửi: {sender} · {channel}"
CARD_KIND = "Loại: {kind}"
CARD_TITLE = "Tiêu đề: {title}"
CARD_SUMMARY = "Tóm tắt: {summary}"
CARD_TEXT = "Nội dung: {text}"
CARD_ATTACHMENTS = "Đính kèm: {items}"
CARD_RECEIVED = "Tiếp nhận: {at}"
CARD_PUBLISH_AT = "Hẹn đăng: {at}"
CARD_WARNING = "⚠️ {warning}"
CARD_STATUS = "Trạng thái: {status}"
# "✅ Trần B đã duyệt lúc 09:05 ngày 26/11/2026" (not the calque "Đã duyệt bởi …").
CARD_DECIDED = "{icon} {who} đã {verb} lúc {at}"
DECISION_VERBS = {
    "approved": "duyệt",
    "rejected": "từ chối",
    "changes_requested": "đề nghị chỉnh sửa",
}
CARD_REASON = "Lý do: {reason}"
CARD_REASONS = {"changes_requested": "Nội dung cần chỉnh sửa: {reason}"}
DECISION_ICONS = {"approved": "✅", "rejected": "❌", "changes_requested": "✏️"}
CHANNEL_LABELS = {"email": "thư điện tử", "telegram": "Telegram", "cli": "dòng lệnh"}
MEDIA_LABELS = {"image": "ảnh", "video": "video", "document": "tệp", "other": "tệp khác"}

# --- answers to button presses -------------------------------------------------------------
ANSWER_NOT_EDITOR = (
    "Đồng chí chưa được đăng ký là biên tập viên nên chưa thực hiện được thao tác này. Đề nghị "
    "liên hệ Ban Biên tập để được thêm vào danh sách biên tập viên."
)
ANSWER_STALE = "Phiếu duyệt này đã cũ (tin, bài đã thay đổi). Vui lòng dùng phiếu duyệt mới nhất."
ANSWER_ALREADY = "Tin, bài {code} đã được {who} xử lý ({status}) lúc {at}."
ANSWER_DONE = {
    "approved": "Đã duyệt tin, bài {code}.",
    "rejected": "Đã từ chối tin, bài {code}.",
    "changes_requested": "Đã gửi đề nghị chỉnh sửa tin, bài {code}.",
}
ANSWER_ASK = "Vui lòng trả lời tin nhắn bên dưới."
ANSWER_KIND_SET = "Đã đổi loại thành: {kind}."
ANSWER_UNKNOWN = "Nút này không còn hiệu lực."

# --- ForceReply prompts ---------------------------------------------------------------------
PROMPT_REASON = {
    "rc": "Nhập nội dung cần chỉnh sửa cho bài {code} (trả lời tin nhắn này):",
    "rj": "Nhập lý do từ chối bài {code} (trả lời tin nhắn này):",
    "et": "Nhập tiêu đề mới cho bài {code} (trả lời tin nhắn này):",
    "es": "Nhập tóm tắt mới cho bài {code} (trả lời tin nhắn này):",
    "pt": (
        "Nhập thời điểm đăng bài {code} lên Zalo (giờ Việt Nam), ví dụ {examples}; «ngay» để "
        "đăng sớm nhất có thể (trả lời tin nhắn này):"
    ),
    "dm": (
        "Nhập lý do loại bỏ bài {code} khỏi hàng chờ xác minh, ví dụ: thư tự động, thư rác "
        "(người gửi không được báo; trả lời tin nhắn này):"
    ),
    "eb": (
        "Nhập nội dung mới cho bài {code}: các đoạn cách nhau một dòng trống; dòng bắt đầu "
        "bằng «# » là tiêu đề mục; dòng [Ảnh: tên-tệp.jpg | chú thích] đặt ảnh (xem nội dung "
        "hiện tại bằng «Xem trước bài Zalo»; trả lời tin nhắn này):"
    ),
    "cv": (
        "Nhập số thứ tự của ảnh làm ảnh bìa cho bài {code}, theo thứ tự trong album dưới "
        "phiếu duyệt (trả lời tin nhắn này):"
    ),
    "au": (
        "Nhập tên hoặc mã đơn vị gửi bài {code} (ví dụ: Sở Y tế, Tiền Hải hoặc so-y-te). "
        "Địa chỉ người gửi sẽ được ghi nhớ cho đơn vị (trả lời tin nhắn này):"
    ),
}
PROMPT_PLACEHOLDER = "Trả lời tại đây"
PROMPT_EXPIRED = "Yêu cầu này đã hết hạn. Vui lòng bấm lại nút trên phiếu duyệt."
REPLY_EMPTY = "Nội dung trống. Vui lòng trả lời lại với nội dung cụ thể."
REPLY_SAVED = "Đã cập nhật tin, bài {code}."
REPLY_EDITED = "Đã lưu bản sửa tin, bài {code} (bản {revision}); bản này sẽ được đăng."
REPLY_BAD_COVER = "Chưa xác định được số thứ tự ảnh «{value}». Vui lòng nhập một số, ví dụ: 2."

# --- notifications to the submitter --------------------------------------------------------
NOTIFY_SUBJECT = {
    "approved": "[{code}] Tin, bài đã được duyệt",
    "rejected": "[{code}] Tin, bài không được duyệt",
    "changes_requested": "[{code}] Đề nghị chỉnh sửa tin, bài",
}
NOTIFY_BODY = {
    "approved": "Tin, bài {code} “{title}” đã được Ban Biên tập duyệt và {when}. Cảm ơn đồng chí.",
    "rejected": (
        "Tin, bài {code} “{title}” không được duyệt.\nLý do: {reason}\n"
        "Đồng chí có thể gửi tin, bài mới bất cứ lúc nào."
    ),
    "changes_requested": (
        "Ban Biên tập đề nghị chỉnh sửa tin, bài {code} “{title}”.\n"
        "Nội dung cần chỉnh sửa: {reason}\n{how}"
    ),
}
# When an approved item goes out (the approval notice says it).
WHEN_AT = "sẽ được đăng trên Trang Zalo OA “{oa}” lúc {at}"
WHEN_SOON = (
    "sẽ được đăng trên Trang Zalo OA “{oa}” trong thời gian sớm nhất (tin, bài được đăng từ "
    "{start} đến {end} hằng ngày)"
)
# Decision mails are official mail (outbox.letters): salutation, body, sign-off.

HOW_TELEGRAM = (
    "Để gửi bản sửa: trả lời (reply) tin nhắn này bằng nội dung mới, hoặc bấm nút "
    "«Gửi bản sửa» rồi gửi nội dung. Bản sửa giữ nguyên mã tiếp nhận và thời điểm nhận ban đầu."
)
HOW_EMAIL = (
    "Để gửi bản sửa: trả lời thư này (giữ mã {code} trong tiêu đề) kèm nội dung và tệp mới. "
    "Bản sửa giữ nguyên mã tiếp nhận và thời điểm nhận ban đầu."
)
BTN_SEND_REVISION = "📤 Gửi bản sửa"

# --- CLI ------------------------------------------------------------------------------------
# Audit actions as `review show` lists them (a status reached is shown by its label).
AUDIT_ACTIONS = {
    "received": "Tiếp nhận",
    "new_version": "Nhận bản sửa",
    "review.approved": "Duyệt",
    "review.rejected": "Từ chối",
    "review.changes_requested": "Đề nghị chỉnh sửa",
    "review.edit_title": "Sửa tiêu đề",
    "review.edit_summary": "Sửa tóm tắt",
    "review.edit_kind": "Đổi loại",
    "review.edit_publish_at": "Hẹn giờ đăng",
    "review.notify_skipped": "Không báo được người gửi",  # before the notices were shared
    "notify.skipped": "Không báo được người gửi",
    "review.refused_not_editor": "Từ chối thao tác: không phải biên tập viên",
    "review.refused_decided": "Từ chối thao tác: tin, bài đã được xử lý",
    "review.refused_stale": "Từ chối thao tác: phiếu duyệt đã cũ",
    "quarantine.assigned": "Xác định đơn vị gửi",
    "quarantine.dismissed": "Loại bỏ khỏi hàng chờ xác minh",
    "publish.retry": "Yêu cầu đăng lại",
    "publish.retry_refused_not_editor": "Từ chối yêu cầu đăng lại: không phải biên tập viên",
    "mail_too_large": "Thư quá dung lượng",
    # a publication's moves (storage.publications.transition()): the state it reached
    **{
        f"publication.{k}": f"Lượt đăng: {v}"
        for k, v in glossary.PUBLICATION_STATUS_LABELS.items()
    },
}
CLI_NOT_FOUND = "Không tìm thấy tin, bài có mã {code}."
CLI_NO_PENDING = "Không có tin, bài nào đang chờ duyệt."
CLI_DONE = "{code}: {status}."  # never the row version: "bản 2" is a revision
CLI_STALE = "{code} đã được {who} xử lý trước ({status})."
CLI_REASON_REQUIRED = "Cần ghi lý do (--reason) khi từ chối, loại bỏ hoặc đề nghị chỉnh sửa."

# The publisher's retry button (review/publish_buttons.py).
ANSWER_RETRY_QUEUED = "Đã đưa tin, bài vào hàng đợi đăng lại."
RETRY_DONE_LINE = "🔁 {who} đã yêu cầu đăng lại lúc {at}."

# Quarantine (review/quarantine.py): unknown senders wait for an editor.
QUARANTINE_REASON = "Biên tập viên xác định đơn vị gửi: {unit}"
QUARANTINE_NOT_QUARANTINED = "Tin, bài {code} không ở trạng thái chờ xác minh người gửi."
QUARANTINE_NO_UNIT = (
    "Không tìm thấy đơn vị «{unit}». Hãy ghi tên đơn vị (ví dụ: Sở Y tế, Tiền Hải) hoặc mã đơn vị."
)
QUARANTINE_AMBIGUOUS = "Có nhiều đơn vị khớp «{unit}»: {choices}. Vui lòng chọn một đơn vị."
QUARANTINE_CHOOSE = "Có nhiều đơn vị khớp «{unit}». Chọn đơn vị gửi tin, bài {code}:"
QUARANTINE_ACCEPTED_SUBJECT = "[{code}] Đã tiếp nhận tin, bài “{title}”"
QUARANTINE_ACCEPTED_BODY = (
    "Kính gửi Quý cơ quan, đơn vị,\n\n"
    "Ban Biên tập đã xác nhận tin, bài “{title}” (mã tiếp nhận {code}) là của {unit} "
    "và chuyển sang bước duyệt. Đơn vị sẽ nhận được thông báo kết quả duyệt.\n\n"
    "Để lần sau tin, bài được tiếp nhận ngay, đề nghị đơn vị đăng ký cán bộ đầu mối truyền "
    "thông và gửi từ địa chỉ thư điện tử đã đăng ký.\n\n"
    "{sign_off}"
)
REPLY_EDIT_IGNORED = (
    "Sửa câu trả lời không thay đổi gì: nội dung trả lời lần đầu đã được ghi nhận. Nếu cần, "
    "đồng chí bấm lại nút trên phiếu duyệt."
)
QUARANTINE_DISMISSED = (
    "Đã loại bỏ tin, bài {code} khỏi hàng chờ xác minh (người gửi không được báo)."
)
CLI_NO_QUARANTINED = "Không có tin, bài nào chờ xác minh người gửi."
CLI_ASSIGNED = "Tin, bài {code} đã được gán cho {unit} và chuyển sang chờ duyệt."

# The composed Zalo article, shown on request from the card (review.telegram, Action.PREVIEW).
PREVIEW_HEADER = "Tin, bài {code} sẽ được đăng trên Trang Zalo OA như sau:\n\n"
PREVIEW_OFF = "Chưa cấu hình bản xem trước bài đăng trên Trang Zalo OA."
REPLY_ASSIGNED = "Đã gán tin, bài {code} cho {unit}; phiếu duyệt đã sẵn sàng."
CARD_QUARANTINE = "⚠️ Người gửi chưa đăng ký: hãy xác định đơn vị trước khi duyệt."
REPLY_PUBLISH_AT = "Tin, bài {code} sẽ được đăng lúc {at} (sau khi được duyệt)."
REPLY_PUBLISH_ASAP = "Tin, bài {code} sẽ được đăng sớm nhất có thể sau khi được duyệt."
REPLY_BAD_TIME = "Chưa đặt được giờ đăng: {error}. Vui lòng trả lời lại."
CLI_BAD_TIME = "Chưa đặt được giờ đăng: {error}."
CLI_SCHEDULE_NOT_PENDING = (
    "Chỉ hẹn giờ đăng được khi tin, bài đang chờ duyệt; tin, bài {code} đang ở trạng thái "
    "«{status}»."
)

# --- the article: editors' edits and what changed between versions (issue 20) ---------------
CLI_EDITED = "{code}: đã lưu bản sửa của {who} (bản {revision}); bản này sẽ được đăng."
CLI_EDIT_NOT_PENDING = (
    "Chỉ sửa được tin, bài đang chờ duyệt; tin, bài {code} đang ở trạng thái «{status}»."
)
CARD_EDITED = "✏️ Bản sửa của biên tập viên {who} lúc {at} ({fields})"
EDIT_FIELDS = {"title": "tiêu đề", "summary": "tóm tắt", "body": "nội dung", "cover": "ảnh bìa"}
CARD_ANSWERS = "↩️ Trả lời đề nghị chỉnh sửa của {who}: {reason}"
CARD_CHANGES = "Thay đổi so với bản {revision}:"
CARD_CHANGE_TITLE = "• Tiêu đề: «{old}» → «{new}»"
CARD_CHANGE_LINE = "{sign} {text}"
CARD_CHANGE_MORE = "… và {n} thay đổi khác"
CARD_CHANGE_IMAGES = "• Ảnh: thêm {added}, bớt {removed}"
CARD_NO_CHANGE = "• Nội dung không đổi"
CARD_LETTER = "✉️ Thư gửi kèm (không đăng): {letter}"
CURRENT_BODY = (
    "Nội dung hiện tại của tin, bài {code} (sao chép, sửa rồi trả lời tin nhắn phía trên):\n\n"
)
MEDIA_ALBUM = "{code} · ảnh {first}–{last}/{total}"
MEDIA_FILE = "{code} · {name}"
MEDIA_REFUSED = (
    "{code}: Telegram không nhận {what} ({error}); xem bằng python main.py article show {code}."
)
MEDIA_TOO_LARGE = (
    "{code}: tệp {name} ({size} MB) vượt giới hạn gửi qua Telegram; xem tệp bằng "
    "python main.py article show {code} và trong thư mục lưu trữ."
)
