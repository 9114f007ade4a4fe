"""Reference rows: provinces, systems (one per ministry), categories."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db


class Province(db.Model):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_ascii: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))

    def __repr__(self) -> str:
        return f"<Province {self.code}>"


class System(db.Model):
    """A ministry's centralized TTHC system; its code is the ministry's slug (`moj`)."""

    __tablename__ = "systems"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    ministry: Mapped[str] = mapped_column(String(200))
    it_unit: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(200), default="")
    vendor: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<System {self.code}>"


class Category(db.Model):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_vi: Mapped[str] = mapped_column(String(1000), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi

    def __repr__(self) -> str:
        return f"<Category {self.code}>"
