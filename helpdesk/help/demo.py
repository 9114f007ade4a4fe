"""The demo desk's help articles (`flask user demo`, tickets/services/demo.py): three short
answers officials ask for most, published, so that /help shows what it is for."""

from __future__ import annotations

from datetime import datetime

from helpdesk.auth.models import User
from helpdesk.help import services
from helpdesk.help.models import Article
from helpdesk.help.services import ArticleDraft

ARTICLES = (
    ArticleDraft(
        title="Tiền phí, lệ phí nộp trực tuyến chưa về tài khoản thụ hưởng",
        summary="Người dân đã thanh toán thành công nhưng đơn vị chưa nhận được tiền: "
        "các bước kiểm tra trước khi gửi yêu cầu hỗ trợ.",
        body="""Khi người dân đã thanh toán phí, lệ phí trực tuyến thành công nhưng tiền chưa \
về tài khoản của đơn vị, anh/chị kiểm tra lần lượt:

1. **Tài khoản thụ hưởng đã khai báo đúng chưa.** Đối chiếu số tài khoản, tên chủ tài khoản \
và ngân hàng đã khai báo trên Hệ thống với thông báo của Kho bạc hoặc ngân hàng nơi đơn vị mở \
tài khoản.
2. **Thời gian đối soát.** Giao dịch thường về tài khoản sau 1–2 ngày làm việc; giao dịch \
vào cuối tuần, ngày lễ về vào ngày làm việc kế tiếp.
3. **Mã giao dịch.** Lấy mã giao dịch trên biên lai hoặc trong chi tiết hồ sơ để tra cứu.

Sau 2 ngày làm việc tiền vẫn chưa về: gửi yêu cầu hỗ trợ, chọn loại vướng mắc \
*Thanh toán trực tuyến, tài khoản thụ hưởng*, ghi kèm:

- mã hồ sơ và mã giao dịch;
- số tiền, ngày giờ thanh toán;
- ảnh chụp màn hình thông tin tài khoản thụ hưởng đã khai báo.
""",
        systems=("moj",),
        categories=("payment",),
    ),
    ArticleDraft(
        title="Tạo tài khoản cho cán bộ bằng tài khoản quản trị đơn vị",
        summary="Tài khoản quản trị của xã, phường, Sở tự tạo tài khoản cho cán bộ của đơn vị, "
        "không cần gửi yêu cầu lên Bộ.",
        body="""Mỗi xã, phường, đặc khu và mỗi Sở có một **tài khoản quản trị đơn vị**. Người \
giữ tài khoản này tạo tài khoản cho cán bộ, công chức của đơn vị mình:

1. Đăng nhập bằng tài khoản quản trị đơn vị.
2. Vào chức năng quản lý người dùng, chọn **Thêm mới**.
3. Nhập họ tên, **số Căn cước** (12 chữ số), đơn vị công tác, thư điện tử, số điện thoại.
4. Phân quyền theo nhiệm vụ của cán bộ: tiếp nhận, xử lý, phê duyệt.
5. Lưu, rồi báo cán bộ tên đăng nhập; cán bộ đổi mật khẩu ở lần đăng nhập đầu.

Lưu ý:

- Tên đăng nhập có dạng `số Căn cước@ht.com`.
- Sai số Căn cước hoặc đơn vị công tác: sửa thông tin tài khoản, không tạo tài khoản thứ hai.
- Đơn vị chưa có tài khoản quản trị: gửi yêu cầu hỗ trợ, loại \
*Tài khoản người dùng, tài khoản quản trị đơn vị*.
""",
        categories=("account",),
    ),
    ArticleDraft(
        title="Đề nghị điều chỉnh quy trình điện tử",
        summary="Quy trình trên Hệ thống chưa khớp quy trình nội bộ đã công bố: cần gửi gì, "
        "ai điều chỉnh phần nào.",
        body="""Quy trình điện tử (các bước, người xử lý, thời hạn) được thiết lập theo quy \
trình nội bộ đã công bố. Khi quy trình trên Hệ thống chưa khớp thực tế của địa phương:

1. Đối chiếu với quyết định công bố quy trình nội bộ giải quyết thủ tục hành chính của tỉnh.
2. Ghi rõ **mã thủ tục**, tên thủ tục, cấp thực hiện (tỉnh, xã) và phần cần sửa: thêm, bớt \
bước; đổi người xử lý; đổi thời hạn.
3. Gửi yêu cầu hỗ trợ, loại *Cấu hình quy trình điện tử*, đính kèm quyết định công bố (PDF).

| Cần điều chỉnh | Ai thực hiện |
| --- | --- |
| Người xử lý trong đơn vị | Tài khoản quản trị đơn vị |
| Bước, thời hạn của quy trình | Bộ phận hỗ trợ, theo quyết định công bố |

Hồ sơ đang giải quyết tiếp tục theo quy trình cũ; quy trình mới áp dụng cho hồ sơ nộp sau khi \
điều chỉnh.
""",
        categories=("process",),
    ),
)


def create_articles(editor: User, *, now: datetime) -> list[Article]:
    """Draft and publish the demo articles through the services (each commits); `editor`
    must publish (an admin, or staff marked as editor)."""
    made = []
    for draft in ARTICLES:
        article = services.create_draft(editor, draft, now=now)
        made.append(services.publish(editor, article, now=now))
    return made
