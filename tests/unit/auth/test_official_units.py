"""The official list as the seed reads it from the `vietnam_provinces` package (2025.10.1)."""

from helpdesk.auth.services import units_seed


def test_the_list_from_the_package_maps_its_kinds_and_codes():
    listed = units_seed.official_units()
    assert len(listed) == len({unit.code for unit in listed}) == 3321
    assert all(len(unit.code) == 5 and unit.code.isdigit() for unit in listed)
    assert all(len(unit.province_code) == 2 for unit in listed)
    assert {unit.kind for unit in listed} == {"commune", "ward", "special_zone"}
