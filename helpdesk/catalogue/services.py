"""Load the reference data shipped in helpdesk/reference/ and read it back."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated))
        return [
            f"{kind}: {self.created.get(kind, 0)} created, {self.updated.get(kind, 0)} updated"
            for kind in kinds
        ]


def read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def upsert(model, key: str, values: dict, report: SeedReport, kind: str):
    """Create the row, or update the columns that differ; report what changed."""
    row = db.session.get(model, values[key])
    if row is None:
        row = model(**values)
        db.session.add(row)
        report.count(kind, created=True)
        return row
    changed = False
    for column, value in values.items():
        if getattr(row, column) != value:
            setattr(row, column, value)
            changed = True
    if changed:
        report.count(kind, created=False)
    return row


def seed_catalogue(report: SeedReport) -> None:
    """Provinces, systems and categories from reference/; does not commit."""
    for row in read_csv("provinces.csv"):
        upsert(Province, "code", dict(row), report, "provinces")
    for position, row in enumerate(read_csv("ministries.csv")):
        values = {
            "code": row["code"],
            "ministry": row["name"],
            "it_unit": row["it_unit"],
            "url": row["system_url"],
            "vendor": row["vendor"],
            "position": position,
        }
        upsert(System, "code", values, report, "systems")
    for position, row in enumerate(read_csv("categories.csv")):
        values = {
            "code": row["code"],
            "name_vi": row["name_vi"],
            "name_en": row["name_en"],
            "description_vi": row["description_vi"],
            "position": position,
        }
        upsert(Category, "code", values, report, "categories")


def seed_all(report: SeedReport) -> None:
    """Everything `flask seed` loads, in dependency order; does not commit."""
    from helpdesk.routing import services as routing
    from helpdesk.sla import services as sla

    seed_catalogue(report)
    db.session.flush()
    routing.seed_defaults(report)
    sla.seed_defaults(report)


def provinces() -> list[Province]:
    return list(db.session.scalars(select(Province).order_by(Province.name_ascii)))


def systems() -> list[System]:
    return list(db.session.scalars(select(System).where(System.active).order_by(System.position)))


def categories() -> list[Category]:
    return list(
        db.session.scalars(select(Category).where(Category.active).order_by(Category.position))
    )
