"""Every Vietnamese text the officer-side bot sends (one place, correct diacritics)."""

from __future__ import annotations

# --- onboarding ----------------------------------------------------------------------------
WELCOME_UNKNOWN = (
    "Xin chào! Đây là kênh tiếp nhận tin, bài của Ban Biên tập.\n\n"
    "Tài khoản Telegram của đồng chí chưa được liên kết với đơn vị nào. Có hai cách:\n"
    "1. Bấm nút «Chia sẻ số điện thoại» bên dưới nếu số của đồng chí đã được đơn vị đăng ký "
    "là cán bộ đầu mối.\n"
    "2. Mở đường liên kết mời (hoặc gõ /start MÃ_MỜI) do đơn vị hoặc Ban Biên tập cung cấp."
)
BTN_SHARE_PHONE = "📱 Chia sẻ số điện thoại"
WELCOME_KNOWN = (
    "Xin chào đồng chí {name} ({unit}).\n"
    "Gửi tin, bài, ảnh, video hoặc tệp vào đây; bot sẽ gom thành một bản nháp để đồng chí "
    "kiểm tra rồi bấm «Gửi duyệt». Gõ /huongdan để xem hướng dẫn, /trangthai để xem tình "
    "trạng tin, bài đã gửi trong tháng."
)
CONTACT_NOT_OWN = "Vui lòng chia sẻ số điện thoại của chính đồng chí (bấm nút bên dưới)."
CONTACT_NO_MATCH = (
    "Số điện thoại {phone} chưa có trong danh sách cán bộ đầu mối của các đơn vị. "
    "Đề nghị đồng chí liên hệ đơn vị để được đăng ký, hoặc dùng mã mời (/start MÃ_MỜI)."
)
CONTACT_BAD_PHONE = "Không đọc được số điện thoại này. Vui lòng thử lại."
LINKED = "Đã liên kết tài khoản với đơn vị {unit}. Đồng chí {name} có thể gửi tin, bài ngay."
CONSENT_QUESTION = (
    "Ban Biên tập lưu số điện thoại của đồng chí để liên hệ về tin, bài đã gửi và nhắc hạn gửi "
    "tin, bài hằng tháng. Đồng chí có đồng ý không?"
)
BTN_CONSENT_YES = "Đồng ý"
BTN_CONSENT_NO = "Không đồng ý"
CONSENT_THANKS = "Cảm ơn đồng chí. Đã ghi nhận sự đồng ý."
CONSENT_DECLINED = (
    "Đã ghi nhận: Ban Biên tập sẽ không lưu số điện thoại của đồng chí. "
    "Đồng chí vẫn gửi tin, bài bình thường."
)
INVITE_INVALID = "Mã mời không hợp lệ, đã dùng hoặc đã hết hạn. Vui lòng xin mã mới từ đơn vị."
INVITE_START = "Mã mời hợp lệ cho đơn vị {unit}. Vui lòng nhập họ và tên của đồng chí:"
ASK_POSITION = "Chức vụ của đồng chí là gì? (ví dụ: Chuyên viên Văn phòng)"
ASK_PHONE = "Số điện thoại liên hệ của đồng chí? Gõ số hoặc bấm «Chia sẻ số điện thoại»."
INVALID_NAME = "Họ tên chưa hợp lệ. Vui lòng nhập lại họ và tên đầy đủ."
INVALID_PHONE = "Số điện thoại chưa hợp lệ (ví dụ: 0912 345 678). Vui lòng nhập lại."
ALREADY_LINKED = "Tài khoản này đã được liên kết với đơn vị {unit}."
EDIT_APPLIED = "Đã cập nhật nội dung tin nhắn vừa sửa vào bản nháp."
EDIT_DURING_WALK = (
    "Chỉnh sửa tin nhắn không được ghi nhận khi đăng ký. Để sửa thông tin đã gửi, đồng chí "
    "gõ lại /start kèm mã mời để bắt đầu lại (mã mời chỉ hết hiệu lực khi đăng ký xong)."
)
EDIT_NOT_IN_DRAFT = (
    "Tin nhắn vừa sửa không còn thuộc bản nháp (bản nháp đã gửi duyệt hoặc đã hủy), nên "
    "chỉnh sửa này không thay đổi gì. Nếu cần, đồng chí gửi lại nội dung mới; tin, bài đã gửi "
    "duyệt sẽ được biên tập viên đề nghị chỉnh sửa khi cần."
)
NOT_LINKED = (
    "Tài khoản Telegram của đồng chí chưa được liên kết với đơn vị nào nên chưa thể gửi tin, bài. "
    "Gõ /start để xem cách liên kết."
)

# --- drafts --------------------------------------------------------------------------------
DRAFT_SUMMARY = "🗂 Bản nháp gồm: {items}.\n{title_line}Bấm «Gửi duyệt» để gửi Ban Biên tập."
DRAFT_REVISION_SUMMARY = (
    "🗂 Bản sửa cho tin, bài {code} gồm: {items}.\nBấm «Gửi duyệt» để gửi lại Ban Biên tập."
)
DRAFT_TITLE_LINE = "Tiêu đề: {title}\n"
DRAFT_ITEM_TEXT = "{n} đoạn văn bản"
DRAFT_ITEM_MEDIA = {"image": "{n} ảnh", "video": "{n} video", "document": "{n} tệp"}
BTN_SEND = "📤 Gửi duyệt"
BTN_CANCEL = "🗑 Hủy"
DRAFT_EMPTY = "Bản nháp đang trống. Hãy gửi nội dung, ảnh, video hoặc tệp trước."
DRAFT_CANCELLED = "Đã hủy bản nháp."
DRAFT_GONE = "Bản nháp này đã được gửi hoặc đã hủy."
RECEIPT = (
    "✅ Đã tiếp nhận tin, bài, mã tiếp nhận {code}.\nTiêu đề: {title}\nLoại: {kind}\n"
    "Đính kèm: {files} tệp.\n"
    "Tin, bài đang chờ Ban Biên tập duyệt; kết quả sẽ được báo lại tại đây."
)
RECEIPT_REVISION = (
    "✅ Đã tiếp nhận bản sửa (bản {revision}) của tin, bài {code}. Tin, bài đang chờ Ban Biên "
    "tập duyệt lại."
)
REVISION_BOUND = (
    "Đồng chí đang soạn bản sửa cho tin, bài {code}. Gửi nội dung, ảnh hoặc tệp mới rồi bấm "
    "«Gửi duyệt»."
)
REVISION_NOT_OPEN = "Tin, bài {code} hiện không ở trạng thái cần chỉnh sửa."
UNSUPPORTED = (
    "Bot chưa nhận loại nội dung này (nhãn dán, tin nhắn thoại...). Vui lòng gửi văn bản, "
    "ảnh, video hoặc tệp."
)
TOO_BIG = (
    "Tệp «{name}» ({size_mb} MB) vượt quá giới hạn {limit_mb} MB mà bot Telegram tải được, "
    "nên chưa được đưa vào bản nháp.\nĐồng chí có thể: {by_mail}tải lên Google Drive/Fshare "
    "rồi gửi đường liên kết vào đây, hoặc nén/giảm dung lượng rồi gửi lại."
)
# Only when the file fits in a mail within the e-mail limit (base64 adds a third).
TOO_BIG_BY_MAIL = "gửi tệp qua thư điện tử {email} (tệp đến {mail_file_mb} MB), hoặc "
DOWNLOAD_FAILED = (
    "Chưa tải được tệp «{name}» từ Telegram; bản nháp vẫn được giữ. Vui lòng bấm «Gửi duyệt» "
    "lại sau ít phút."
)

# --- status and help -----------------------------------------------------------------------
STATUS_HEADER = "📋 Tin, bài {unit} đã gửi tháng {period}:"
STATUS_LINE = "• {code} · {title} · {status}"
STATUS_EMPTY = "Tháng {period}, {unit} chưa gửi tin, bài nào."
HELP = (
    "📖 HƯỚNG DẪN GỬI TIN, BÀI\n\n"
    "1. Gửi nội dung vào đây: văn bản, ảnh (có thể gửi nhiều ảnh một lúc), video, tệp Word/PDF. "
    "Chú thích ảnh được giữ lại. Các tin nhắn liên tiếp được gom vào một bản nháp.\n"
    "2. Kiểm tra bản nháp rồi bấm «Gửi duyệt». Bot báo lại mã tiếp nhận (ví dụ 2026-11-0012).\n"
    "3. Ban Biên tập duyệt, từ chối hoặc đề nghị chỉnh sửa; kết quả được báo lại tại đây.\n"
    "4. Khi được đề nghị chỉnh sửa: trả lời (reply) tin nhắn đề nghị bằng nội dung mới, hoặc "
    "bấm «Gửi bản sửa». Bản sửa giữ nguyên mã và thời điểm nhận ban đầu.\n"
    "5. Bot tải được tệp đến {limit_mb} MB; thư điện tử mang được tệp đến {mail_file_mb} MB. "
    "Tệp lớn hơn: gửi đường liên kết (Google Drive, Fshare...).\n\n"
    "Lệnh: /trangthai xem tình trạng tin, bài trong tháng · /huongdan xem hướng dẫn này · "
    "/huy hủy bản nháp đang soạn."
)
