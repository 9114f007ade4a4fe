"""Messages as Thunderbird, Gmail, Outlook and Apple Mail send them (tests/fixtures/mail), and
what their senders typed: the text a reply must become, without its quoted history."""

from __future__ import annotations

from pathlib import Path

MAIL = Path(__file__).resolve().parent / "fixtures" / "mail"
DESK = "hotro@example.gov.vn"
QUOTED = "Yêu cầu HT-2026-000123"  # the desk's own words, in every reply's quoted history


def fixture(name: str) -> bytes:
    return (MAIL / name).read_bytes()


# Each reply: its sender, its recipients, its subject, and what the sender typed.
REPLIES = {
    "thunderbird_reply.eml": (
        "john.smith@phuonga.example.gov.vn",
        (
            "hotro+ht-2026-000123.41.3f9a0c2b7d1e5a6c8b4f@example.gov.vn",
            "vanphong@phuonga.example.gov.vn",
            DESK,
        ),
        "Re: [HT-2026-000123] Online fee payment has not arrived",
        "Hello,\n\nI have reconfigured the beneficiary account in the payment portal as you "
        "suggested, but the fee for dossier 000.00.12.H29-261207-0001 has still not arrived in "
        "the treasury account.\n\nCould you check the transaction log again?",
    ),
    "gmail_reply.eml": (
        "mary.tran.ubnd@gmail.com",
        ("hotro+ht-2026-000123.42.9c1e7a3b5d0f2e4a6c8b@example.gov.vn", DESK),
        "Re: [HT-2026-000123] Online fee payment has not arrived",
        "Thanks, the account is correct now.\n"
        "The payment made yesterday is still missing: receipt 2026-12-06-0042.",
    ),
    "outlook_reply.eml": (
        "planning@sotc.example.gov.vn",
        ("hotro+ht-2026-000123.43.0d2f4b6a8c1e3a5b7d9f@example.gov.vn",),
        "RE: [HT-2026-000123] Online fee payment has not arrived",
        "Dear support team,\n\nThe Finance & Planning office confirms the account number. "
        'The transfer is still "pending" in the portal.',
    ),
    "gmail_reply_vi.eml": (
        "hoa.ubnd@gmail.com",
        ("hotro+ht-2026-000123.44.7b5d3f1a9e0c2b4d6f8a@example.gov.vn", DESK),
        "Re: [HT-2026-000123] Tiền lệ phí trực tuyến chưa về",
        "Tôi đã cấu hình lại tài khoản thụ hưởng, nhưng tiền vẫn chưa về.",
    ),
    "outlook_reply_vi.eml": (
        "lethibinh@tanphu.example.gov.vn",
        ("hotro+ht-2026-000123.45.4e6a8c0b2d1f3e5a7c9b@example.gov.vn", DESK),
        "RE: [HT-2026-000123] Hồ sơ trực tuyến không đồng bộ",
        "Dạ, em đã thử lại nhưng hệ thống vẫn báo lỗi “Không tìm thấy hồ sơ”.",
    ),
    "apple_mail_vi.eml": (
        "tranminh@icloud.com",
        ("hotro+ht-2026-000123.48.a1c3e5b7d9f0a2c4e6b8@example.gov.vn",),
        "Re: [HT-2026-000123] Bổ sung hồ sơ",
        "Dạ em đã nộp lại hồ sơ, nhờ anh chị kiểm tra giúp em.",
    ),
}
