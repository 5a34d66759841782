"""Every Vietnamese sentence composition shows editors (one place, correct diacritics)."""

from __future__ import annotations

LETTER_SPLIT = "Đã tách thư gửi kèm ({lines} dòng), không đăng"
LETTER_ONLY = "Thư chỉ là thư gửi kèm; nội dung bài lấy từ tệp Word {name}"
DOCUMENT_USED = "Nội dung bài lấy từ tệp Word đính kèm: {name}"
TITLE_FROM_SUBJECT = "Tiêu đề lấy từ tiêu đề thư"
TITLE_FROM_DOCUMENT = "Tiêu đề lấy từ tiêu đề của tệp Word"
TITLE_FROM_FIRST_LINE = "Tiêu đề lấy từ dòng đầu của nội dung"
TITLE_LETTER_SUBJECT = (
    "Tiêu đề thư «{subject}» là tiêu đề của công văn, không dùng làm tiêu đề bài"
)
TITLE_PREVIOUS = "Bản sửa trả lời thư đề nghị chỉnh sửa: giữ tiêu đề của bản trước"
TITLE_MISSING = "Chưa có tiêu đề rõ ràng: đề nghị biên tập viên đặt tiêu đề"
TITLE_EDITED = "Tiêu đề do biên tập viên đặt"
TITLE_CUT = "Tiêu đề dài quá 150 ký tự, đã cắt bớt"
SUMMARY_FROM_LEAD = "Tóm tắt lấy từ đoạn mở đầu"
SUMMARY_CUT = "Đoạn mở đầu dài quá 300 ký tự, tóm tắt đã cắt bớt"
SUMMARY_MISSING = "Chưa có tóm tắt: đề nghị biên tập viên viết tóm tắt"
COVER_FIRST = "Ảnh bìa là ảnh đầu tiên ({name}); ảnh này không lặp lại trong thân bài"
COVER_CHOSEN = "Ảnh bìa do biên tập viên chọn: {name}"
COVER_NONE = "Không có ảnh: bài dùng ảnh bìa mặc định"
COVER_CAPTION_UNUSED = "Chú thích của ảnh bìa không hiển thị trên Zalo: «{caption}»"
CAPTION_AS_TEXT = (
    "Bài gửi qua Telegram không có đoạn văn riêng: chú thích ảnh được dùng làm nội dung"
)
HEADING_REMOVED = "Dòng tiêu đề ở đầu nội dung không lặp lại trong thân bài"
OFFICER_PHONE_REMOVED = "Đã xóa số điện thoại của cán bộ đầu mối khỏi nội dung ({count})"
OFFICER_EMAIL_REMOVED = "Đã xóa địa chỉ thư điện tử của cán bộ đầu mối khỏi nội dung ({count})"
OFFICER_CONTACT_KEPT = "Biên tập viên giữ thông tin liên hệ của cán bộ trong nội dung: {value}"
PHONE_FOUND = "Có số điện thoại trong nội dung: {value}"
EMAIL_FOUND = "Có địa chỉ thư điện tử trong nội dung: {value}"
CITIZEN_ID_FOUND = "Có dãy 12 chữ số (có thể là số căn cước công dân) trong nội dung: {value}"
EDITED = "Nội dung do biên tập viên sửa"
EDIT_IMAGES_APPENDED = "Nội dung sửa không ghi vị trí ảnh: các ảnh được đặt cuối bài"
EMPTY_BODY = "Bài không có nội dung văn bản"
IMAGE_UNKNOWN = "Nội dung sửa nhắc tới ảnh không có trong bài: {name}"
COMPOSE_FAILED = "Không tự soạn được bài ({error}): hiển thị nội dung như đã nhận"
