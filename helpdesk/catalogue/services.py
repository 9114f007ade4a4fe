"""Load the reference data shipped in helpdesk/reference/ and read it back (from memory)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, fields
from pathlib import Path

from sqlalchemy import select

from helpdesk import reference_cache
from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


@dataclass
class SeedReport:
    """What a seed changed, kind by kind, and the figures an operator should read (units
    matched, units still unlisted)."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool, number: int = 1) -> None:
        if number:
            bucket = self.created if created else self.updated
            bucket[kind] = bucket.get(kind, 0) + number

    def tell(self, figure: str, number: int) -> None:
        """A figure for the operator, shown when it is not zero."""
        if number:
            self.figures[figure] = self.figures.get(figure, 0) + number

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated))
        return [
            f"{kind}: {self.created.get(kind, 0)} created, {self.updated.get(kind, 0)} updated"
            for kind in kinds
        ] + [f"{figure}: {number}" for figure, number in self.figures.items()]


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


def stage_catalogue(report: SeedReport) -> None:
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


@dataclass(frozen=True, slots=True)
class CachedProvince:
    """A province as the cache keeps it: plain values, safe after commit."""

    code: str
    name: str
    name_ascii: str
    kind: str


@dataclass(frozen=True, slots=True)
class CachedSystem:
    code: str
    ministry: str
    it_unit: str
    url: str
    vendor: str
    position: int
    active: bool


@dataclass(frozen=True, slots=True)
class CachedCategory:
    code: str
    name_vi: str
    name_en: str
    description_vi: str
    position: int
    active: bool

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


@dataclass(frozen=True)
class Catalogue:
    """Every province, system and category (inactive ones too), in display order."""

    provinces: tuple[CachedProvince, ...]
    systems: tuple[CachedSystem, ...]
    categories: tuple[CachedCategory, ...]
    by_code: dict[type, dict[str, object]]


def _rows(model, cached_type, order) -> tuple:
    columns = [model.__table__.c[column.name] for column in fields(cached_type)]
    return tuple(cached_type(*row) for row in db.session.execute(select(*columns).order_by(*order)))


def _load() -> Catalogue:
    provinces = _rows(Province, CachedProvince, (Province.name_ascii, Province.code))
    systems = _rows(System, CachedSystem, (System.position, System.code))
    categories = _rows(Category, CachedCategory, (Category.position, Category.code))
    return Catalogue(
        provinces=provinces,
        systems=systems,
        categories=categories,
        by_code={
            Province: {p.code: p for p in provinces},
            System: {s.code: s for s in systems},
            Category: {c.code: c for c in categories},
        },
    )


_catalogue = reference_cache.register("catalogue", _load)


def catalogue() -> Catalogue:
    """The whole catalogue, from process memory (three queries when reference data changed)."""
    return _catalogue()


def provinces() -> list[CachedProvince]:
    """Every province by its unaccented name."""
    return list(catalogue().provinces)


def systems() -> list[CachedSystem]:
    """The active systems in display order."""
    return [system for system in catalogue().systems if system.active]


def first_system() -> str:
    """The code of the first active system ("" when none): the system a ticket names when
    nothing says which (a request to every system, mail to a queue that has none)."""
    active = systems()
    return active[0].code if active else ""


def categories() -> list[CachedCategory]:
    """The active categories in display order."""
    return [category for category in catalogue().categories if category.active]


def find_province(code: str | None) -> CachedProvince | None:
    return catalogue().by_code[Province].get(code)  # type: ignore[return-value]


def find_system(code: str | None) -> CachedSystem | None:
    """The system of that code, active or not (`.active` says); None if unknown."""
    return catalogue().by_code[System].get(code)  # type: ignore[return-value]


def find_category(code: str | None) -> CachedCategory | None:
    """The category of that code, active or not (`.active` says); None if unknown."""
    return catalogue().by_code[Category].get(code)  # type: ignore[return-value]


# The names pages show for codes; `unknown` where the code is none of the catalogue's (by
# default the code itself).


def system_name(code: str | None, unknown: str | None = None) -> str:
    """The ministry that runs the system of that code (`moj` -> Bộ Tư pháp)."""
    system = find_system(code)
    return system.ministry if system else _unknown(code, unknown)


def category_name(code: str | None, language: str, unknown: str | None = None) -> str:
    category = find_category(code)
    return category.name(language) if category else _unknown(code, unknown)


def province_name(code: str | None, unknown: str | None = None) -> str:
    province = find_province(code)
    return province.name if province else _unknown(code, unknown)


def _unknown(code: str | None, unknown: str | None) -> str:
    return unknown if unknown is not None else (code or "")
