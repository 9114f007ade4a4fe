"""The role table and the scoped rules of auth.permissions, on plain objects (no database)."""

from types import SimpleNamespace

import pytest

from helpdesk.auth import permissions


def person(role, *, id=1, unit_id=10, province_code="79", status="active"):  # noqa: A002
    return SimpleNamespace(
        id=id,
        role=role,
        unit_id=unit_id,
        province_code=province_code,
        status=status,
        is_authenticated=True,
        is_active=status == "active",
    )


def test_unknown_action_is_an_error_not_a_no():
    with pytest.raises(ValueError, match="unknown action"):
        permissions.can(person("admin"), "tickets.fly")


def test_anonymous_may_do_nothing():
    anonymous = SimpleNamespace(is_authenticated=False, is_active=False)
    assert not any(permissions.can(anonymous, action) for action in permissions.ROLE_ACTIONS)
    assert not permissions.can(None, "tickets.file")


def test_inactive_user_may_do_nothing():
    disabled = person("admin", status="disabled")
    assert not any(permissions.can(disabled, action) for action in permissions.ROLE_ACTIONS)


@pytest.mark.parametrize(
    ("applicant", "expected"),
    [
        (person("requester", id=2, unit_id=10), True),
        (person("requester", id=2, unit_id=11), False),  # another unit
        (person("unit_admin", id=2, unit_id=10), False),  # not below the approver
        (person("agent", id=2, unit_id=10), False),
    ],
)
def test_unit_admin_approves_requesters_of_their_unit(applicant, expected):
    assert permissions.can_approve(person("unit_admin"), applicant) is expected


def test_admin_approves_anyone_but_themselves():
    admin = person("admin")
    assert permissions.can_approve(admin, person("agent", id=2, unit_id=None))
    assert not permissions.can_approve(admin, admin)


@pytest.mark.parametrize("role", ["requester", "agent", "supervisor", "observer"])
def test_other_roles_approve_nobody(role):
    assert not permissions.can_approve(person(role), person("requester", id=2))


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"unit_id": 10, "role": "requester"}, True),
        ({"unit_id": 11, "role": "requester"}, False),
        ({"unit_id": 10, "role": "agent"}, False),
        ({"unit_id": 10, "role": "unit_admin"}, False),
        ({"province_code": "01"}, False),
    ],
)
def test_unit_admin_creates_requesters_of_their_unit_only(scope, expected):
    assert permissions.can(person("unit_admin"), "accounts.create", **scope) is expected


def test_unit_admin_without_a_unit_manages_nothing():
    assert not permissions.can(person("unit_admin", unit_id=None), "accounts.manage")


def test_full_cccd_is_for_the_owner_and_admins():
    owner = person("requester", id=5)
    assert permissions.can_see_cccd(owner, owner)
    assert permissions.can_see_cccd(person("admin", id=1), owner)
    assert not permissions.can_see_cccd(person("unit_admin", id=2), owner)
    assert not permissions.can_see_cccd(person("agent", id=3), owner)


def test_role_required_refuses_unknown_roles():
    with pytest.raises(ValueError, match="unknown roles"):
        permissions.role_required("boss")


@pytest.mark.parametrize(
    ("role", "province", "expected"),
    [
        ("admin", "01", True),
        ("admin", None, True),
        ("coordinator", "79", True),
        ("coordinator", None, True),  # the units pages at all
        ("coordinator", "01", False),  # another province's
        ("unit_admin", "79", False),
        ("agent", "79", False),
        ("supervisor", None, False),
        ("requester", "79", False),
        ("observer", None, False),
    ],
)
def test_admins_keep_every_provinces_units_a_coordinator_its_own(role, province, expected):
    assert permissions.can_manage_units(person(role, province_code="79"), province) is expected


def test_a_coordinator_without_a_province_or_disabled_keeps_no_units():
    assert not permissions.can_manage_units(person("coordinator", province_code=None))
    assert not permissions.can_manage_units(person("coordinator", status="disabled"), "79")
    assert not permissions.can_manage_units(None, "79")
