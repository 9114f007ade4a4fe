"""Password hashing cost: production's strong argon2id parameters, the suite's cheapest, and
hashes made at one cost verifying at another."""

import pytest
from argon2 import Parameters, extract_parameters, profiles
from flask import Flask

from helpdesk.auth.models import User
from helpdesk.auth.services import accounts
from helpdesk.config import Config, TestConfig

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - a test password


def cost(parameters: Parameters) -> dict[str, int]:
    return {
        "time_cost": parameters.time_cost,
        "memory_cost": parameters.memory_cost,
        "parallelism": parameters.parallelism,
    }


@pytest.fixture
def at_cost():
    """`with at_cost(config):` an app context whose hashing cost is that config class's."""

    def enter(config):
        app = Flask(__name__)
        app.config["HELPDESK_PASSWORD_HASHING"] = config.HELPDESK_PASSWORD_HASHING
        return app.app_context()

    return enter


def test_production_keeps_rfc_9106s_strong_parameters():
    assert Config.HELPDESK_PASSWORD_HASHING == cost(profiles.RFC_9106_LOW_MEMORY)
    assert Config.HELPDESK_PASSWORD_HASHING["memory_cost"] >= 64 * 1024  # KiB
    assert Config.HELPDESK_PASSWORD_HASHING["time_cost"] >= 3


def test_the_suite_hashes_at_argon2s_least_cost():
    assert TestConfig.HELPDESK_PASSWORD_HASHING == cost(profiles.CHEAPEST)


def test_production_parameters_hash_and_verify(at_cost):
    with at_cost(Config):
        user = User(password_hash=accounts.hash_password(PASSWORD))
        assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert cost(extract_parameters(user.password_hash)) == Config.HELPDESK_PASSWORD_HASHING
        assert accounts.password_matches(user, PASSWORD)
        assert not accounts.password_matches(user, PASSWORD + "!")
        assert not accounts.hasher().check_needs_rehash(user.password_hash)


def test_a_hash_made_at_another_cost_verifies_and_is_made_again_at_the_apps(at_cost):
    with at_cost(Config):
        strong = User(password_hash=accounts.hash_password(PASSWORD))
    with at_cost(TestConfig):
        cheap = User(password_hash=accounts.hash_password(PASSWORD))
        assert accounts.verify_password(strong, PASSWORD)
        assert cost(extract_parameters(strong.password_hash)) == cost(profiles.CHEAPEST)
    with at_cost(Config):
        assert accounts.verify_password(cheap, PASSWORD)
        assert cost(extract_parameters(cheap.password_hash)) == Config.HELPDESK_PASSWORD_HASHING
