"""Units as officials name them: finding the record a typed name means, the type-ahead's
matches, and keeping a name that matches none (kind `unlisted`) for an admin to match later.

A name matches a unit of the same province when their `bare_key`s are equal (no case, no
diacritics, no "UBND"/"Ủy ban nhân dân", no "xã"/"phường"/"đặc khu"). Where several official
units share it (Phường and Xã Tân Thành; Xã Văn Lăng and Xã Vạn Lăng), the full key, then the
exact name, must tell them apart; a name that stays ambiguous matches none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from helpdesk import errors, inputs
from helpdesk.auth.models import Unit, UnitKind
from helpdesk.extensions import db

TYPEAHEAD_LIMIT = 20
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,15}")


def match(province_code: str, name: str) -> Unit | None:
    """The listed, active unit of the province that `name` means, or None (one query)."""
    return match_all([(province_code, name)]).get((province_code, name))


def _one_of(candidates: list[Unit], name: str) -> Unit | None:
    if len(candidates) > 1:
        key = Unit.key_for(name)
        candidates = [unit for unit in candidates if unit.key == key] or candidates
    if len(candidates) > 1:
        written = " ".join(name.split()).casefold()
        candidates = [unit for unit in candidates if unit.name.casefold() == written]
    return candidates[0] if len(candidates) == 1 else None


def is_code(value: str) -> bool:
    """Whether `value` is written as a unit's code may be: an official code ("25432") or a
    made one ("T79-001", "B-moj-001"), at most 16 characters."""
    return bool(CODE.fullmatch(value or ""))


def by_code(code: str) -> Unit | None:
    """The listed, active unit with that code, or None."""
    code = (code or "").strip()
    if not code:
        return None
    return db.session.scalar(select(Unit).where(Unit.code == code, Unit.active))


def resolve(province_code: str, name: str = "", code: str = "", *, field: str = "unit") -> Unit:
    """The unit a form, an import row or an API call names: by `code` exactly (which must be
    of the province), else the listed unit `name` matches, else the name kept as written
    (an unlisted unit, found or made; flushed, not committed). errors.Invalid names `field`
    (or `unit_code`) when nothing usable was given."""
    chosen = check(province_code, name, code, field=field)
    if chosen is not None:
        return chosen
    name = " ".join((name or "").split())
    return match(province_code, name) or _unlisted(province_code, name)


def check(
    province_code: str, name: str = "", code: str = "", *, field: str = "unit"
) -> Unit | None:
    """What `resolve` would refuse, refused without writing anything: the unit `code` names
    (None when no code is given, once the name is found usable). Raises errors.Invalid on
    `unit_code` for a code that is unknown or of another province, on `field` for a name that
    cannot be kept."""
    if code and code.strip():
        unit = by_code(code)
        if unit is None or unit.province_code != province_code:
            raise errors.Invalid(_("Choose a unit of the province from the list."), "unit_code")
        return unit
    name = inputs.require_readable(" ".join((name or "").split()), field)
    if not Unit.key_for(name):
        raise errors.Invalid(_("Enter the name of your unit."), field)
    return None


def is_same(unit: Unit | None, province_code: str | None, name: str = "", code: str = "") -> bool:
    """Whether a name or code given with a province means `unit` itself, read without a query:
    the same code, or (no code given) the same name written alike (case, diacritics, spacing
    and "UBND" aside)."""
    if unit is None or not province_code or unit.province_code != province_code:
        return False
    if code and code.strip():
        return unit.code is not None and unit.code == code.strip()
    key = Unit.organ_free_key_for(name or "")
    return bool(key) and key in (unit.key, Unit.organ_free_key_for(unit.name))


def offered(*conditions):
    """The listed, active units (those a form offers), under more conditions."""
    return select(Unit).where(Unit.code.is_not(None), Unit.active, *conditions)


def name_holds(text: str):
    """A condition over Unit: its name holds every word of `text` (case and diacritics
    ignored); None when `text` has no word."""
    words = Unit.key_for(text or "").split()
    if not words:
        return None
    return and_(*(Unit.key.contains(word, autoescape=True) for word in words))


def listed_in(province_code: str) -> list[Unit]:
    """Every listed, active unit of the province, by name (one query; a few hundred at most)."""
    if not province_code:
        return []
    query = offered(Unit.province_code == province_code).order_by(Unit.name, Unit.id)
    return list(db.session.scalars(query))


def _unlisted(province_code: str, name: str) -> Unit:
    key = Unit.key_for(name)[:200]
    unit = db.session.scalar(
        select(Unit).where(
            Unit.province_code == province_code, Unit.key == key, Unit.code.is_(None)
        )
    )
    if unit is None:
        unit = Unit(province_code=province_code, name=name[:200], kind=UnitKind.UNLISTED)
        db.session.add(unit)
        db.session.flush()
    return unit


def search(province_code: str, text: str = "", *, limit: int = TYPEAHEAD_LIMIT) -> list[Unit]:
    """The listed, active units of the province whose names hold every word of `text`
    (diacritics and case ignored), by name; all of them (up to `limit`) for no text."""
    if not province_code:
        return []
    query = offered(Unit.province_code == province_code)
    holds = name_holds(text)
    if holds is not None:
        query = query.where(holds)
    bare = Unit.bare_key_for(text or "")
    # Names that start with what was typed come first ("tân" before "phú tân").
    starts = or_(
        Unit.bare_key.startswith(bare, autoescape=True), Unit.key.startswith(bare, autoescape=True)
    )
    return list(db.session.scalars(query.order_by(starts.desc(), Unit.name, Unit.id).limit(limit)))


def match_all(names: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Unit]:
    """The listed, active unit each (province code, name) pair means, as `match` finds it,
    for many names at once (one query); pairs that match none are left out."""
    wanted = {(province, name): Unit.bare_key_for(name or "") for province, name in names}
    wanted = {pair: bare for pair, bare in wanted.items() if pair[0] and bare}
    if not wanted:
        return {}
    candidates: dict[tuple[str, str], list[Unit]] = {}
    for unit in db.session.scalars(
        offered(
            Unit.province_code.in_(sorted({province for province, _name in wanted})),
            Unit.bare_key.in_(sorted(set(wanted.values()))),
        )
    ):
        candidates.setdefault((unit.province_code, unit.bare_key), []).append(unit)
    found = {}
    for (province, name), bare in wanted.items():
        unit = _one_of(candidates.get((province, bare), []), name)
        if unit is not None:
            found[province, name] = unit
    return found
