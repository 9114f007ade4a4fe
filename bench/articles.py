"""1 000 published help articles for the suggestions scenario: deterministic, in the words
officials and the ministries' help desks write, each tied to one or two systems and one
category (a few to none: general articles), with bodies of a few paragraphs. Loaded with one
executemany per table; a database that holds articles already is left as it is.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import psycopg

from bench import schema
from helpdesk.text import fold

ARTICLES = 1000
SEED = 2112

# (category, title, summary): what the knowledge base answers, per kind of problem.
TOPICS = (
    (
        "payment",
        "Tiền phí, lệ phí chưa về tài khoản thụ hưởng",
        "Giao dịch thanh toán trực tuyến thành công nhưng tiền chưa về tài khoản của đơn vị.",
    ),
    (
        "payment",
        "Khai báo, cập nhật tài khoản thụ hưởng của đơn vị",
        "Các bước khai báo tài khoản thu phí, lệ phí và đối chiếu với Kho bạc.",
    ),
    (
        "payment",
        "Đối chiếu giao dịch thanh toán trên cổng thanh toán",
        "Tra cứu trạng thái giao dịch, mã giao dịch và biên lai điện tử.",
    ),
    (
        "account",
        "Không đăng nhập được tài khoản cán bộ",
        "Kiểm tra tên đăng nhập, mật khẩu và đăng nhập bằng tài khoản VNeID.",
    ),
    (
        "account",
        "Tạo tài khoản người dùng bằng tài khoản quản trị đơn vị",
        "Quản trị đơn vị tạo, khóa và cập nhật tài khoản của cán bộ, công chức.",
    ),
    (
        "permission",
        "Phân quyền tiếp nhận và xử lý hồ sơ",
        "Gán vai trò tiếp nhận, xử lý, phê duyệt cho tài khoản tại Trung tâm Phục vụ hành "
        "chính công.",
    ),
    (
        "permission",
        "Thiết lập ủy quyền khi cán bộ nghỉ phép",
        "Ủy quyền xử lý hồ sơ cho cán bộ khác trong thời gian vắng mặt.",
    ),
    (
        "process",
        "Điều chỉnh quy trình điện tử giải quyết thủ tục hành chính",
        "Thêm bước xử lý, đổi người xử lý và thời hạn của quy trình điện tử.",
    ),
    (
        "catalogue",
        "Thủ tục hành chính chưa có trên danh mục của Hệ thống",
        "Đề nghị bổ sung, công khai thủ tục hành chính và cấu hình mẫu đơn.",
    ),
    (
        "dossier",
        "Hồ sơ quá hạn xử lý do lỗi chuyển bước",
        "Cách kiểm tra tiến độ hồ sơ và đề nghị điều chỉnh thời hạn.",
    ),
    (
        "dossier",
        "Trả kết quả giải quyết hồ sơ trực tuyến",
        "Ký số và trả kết quả điện tử cho công dân qua Cổng Dịch vụ công.",
    ),
    (
        "portal_sync",
        "Hồ sơ không đồng bộ lên Cổng Dịch vụ công quốc gia",
        "Kiểm tra trạng thái đồng bộ và gửi lại hồ sơ bị lỗi.",
    ),
    (
        "doc_integration",
        "Kết nối Hệ thống quản lý văn bản để chuyển hồ sơ",
        "Cấu hình kết nối, kiểm tra văn bản đến và văn bản đi.",
    ),
    (
        "sms",
        "Công dân không nhận được tin nhắn SMS thông báo",
        "Kiểm tra số điện thoại, mẫu tin nhắn và nhà mạng.",
    ),
    (
        "e_receipt",
        "Không xuất được biên lai điện tử",
        "Cấu hình mẫu biên lai, ký hiệu và chữ ký số của đơn vị thu.",
    ),
    (
        "postal",
        "Gửi, nhận hồ sơ và kết quả qua dịch vụ bưu chính công ích",
        "Đăng ký dịch vụ bưu chính và theo dõi vận đơn.",
    ),
    (
        "report",
        "Báo cáo thống kê hồ sơ không khớp số liệu",
        "Cách lọc báo cáo theo kỳ, đơn vị và trạng thái hồ sơ.",
    ),
    (
        "training",
        "Tài liệu hướng dẫn sử dụng và video tập huấn",
        "Tải tài liệu hướng dẫn sử dụng, xem video tập huấn cho cán bộ một cửa.",
    ),
    (
        "system_error",
        "Hệ thống báo lỗi khi lưu hồ sơ",
        "Những lỗi thường gặp khi lưu, ký số và chuyển hồ sơ, và cách khắc phục.",
    ),
)
# What makes two articles of one topic differ: the case they answer.
CASES = (
    "trường hợp cấp xã",
    "trường hợp cấp tỉnh",
    "sau khi sắp xếp đơn vị hành chính",
    "khi dùng điện thoại",
    "với hồ sơ liên thông",
    "với tài khoản VNeID",
    "cho Sở, ban, ngành",
    "cho đặc khu",
    "trong giờ cao điểm",
    "khi thay đổi cán bộ phụ trách",
)
STEPS = (
    "Đăng nhập Hệ thống bằng tài khoản được cấp.",
    "Chọn mục Quản trị, rồi chọn Cấu hình đơn vị.",
    "Kiểm tra thông tin đã khai báo và bấm Lưu.",
    "Nếu vẫn chưa được, chụp màn hình lỗi và gửi yêu cầu hỗ trợ kèm mã hồ sơ.",
    "Đối chiếu với số liệu của Kho bạc Nhà nước hoặc ngân hàng.",
    "Chờ 24 giờ làm việc để Hệ thống đồng bộ lại dữ liệu.",
    "Liên hệ đầu mối của Sở để được cấp quyền.",
)
COLUMNS = [
    "slug",
    "title",
    "summary",
    "body",
    "title_en",
    "summary_en",
    "body_en",
    "status",
    "readers",
    "search_text",
    "created_at",
    "updated_at",
    "published_at",
]


def rows(systems: list[str], categories: set[str], count: int = ARTICLES) -> list[dict]:
    """The articles' rows, with their systems and categories (`_systems`, `_categories`)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, no secret
    anchor = datetime(2026, 11, 1, tzinfo=UTC)
    made = []
    for n in range(count):
        category, title, summary = TOPICS[n % len(TOPICS)]
        case = CASES[(n // len(TOPICS)) % len(CASES)]
        title = f"{title} ({case}, bài {n + 1})"
        steps = rng.sample(STEPS, 4)
        body = "\n\n".join(f"{k + 1}. {step}" for k, step in enumerate(steps))
        general = n % 20 == 0  # one in twenty is about every system
        tied = [] if general else rng.sample(systems, 1 + (n % 7 == 0))
        at = anchor - timedelta(hours=n * 7)
        made.append(
            {
                "slug": f"bench-bai-{n + 1:04d}",
                "title": title,
                "summary": summary,
                "body": body,
                "title_en": "",
                "summary_en": "",
                "body_en": "",
                "status": "published",
                "readers": "signed_in" if n % 5 == 0 else "public",
                "search_text": fold(f"{title} {summary} {body}"),
                "created_at": at,
                "updated_at": at,
                "published_at": at,
                "_systems": tied,
                "_categories": [] if n % 10 == 5 or category not in categories else [category],
            }
        )
    return made


def load(url: str) -> int:
    """Add the articles unless the database holds some; how many it holds afterwards."""
    with psycopg.connect(url) as conn:
        held = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        if held:
            return held
        active = "SELECT code FROM systems WHERE active ORDER BY code"
        systems = [r[0] for r in conn.execute(active)]
        categories = {r[0] for r in conn.execute("SELECT code FROM categories WHERE active")}
        extra = schema.extra_values(conn, "articles", COLUMNS)
        names = [*COLUMNS, *extra]
        made = rows(systems, categories)
        with conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO articles ({', '.join(names)})"  # noqa: S608 - our own names
                f" VALUES ({', '.join(['%s'] * len(names))})",
                [[row[name] for name in COLUMNS] + list(extra.values()) for row in made],
            )
            ids = dict(conn.execute("SELECT slug, id FROM articles").fetchall())
            cursor.executemany(
                "INSERT INTO article_systems (article_id, system_code) VALUES (%s, %s)",
                [(ids[row["slug"]], code) for row in made for code in row["_systems"]],
            )
            cursor.executemany(
                "INSERT INTO article_categories (article_id, category_code) VALUES (%s, %s)",
                [(ids[row["slug"]], code) for row in made for code in row["_categories"]],
            )
        conn.execute("ANALYZE articles, article_systems, article_categories")
        conn.commit()
    return len(made)
