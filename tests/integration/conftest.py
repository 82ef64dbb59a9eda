"""Integration fixtures: one moto server per test session (per pytest-xdist worker), reset before each test."""

import pytest

from emulator import Emulator  # pylint: disable=import-error


@pytest.fixture(scope="session")
def emulator_server():
    with Emulator() as server:
        yield server


@pytest.fixture
def emulator(emulator_server):
    emulator_server.reset()
    return emulator_server


# The files that take longest, first: pytest-xdist (--dist loadfile) hands out files in collection order, and a long
# file handed out last keeps one worker busy while the others idle. Order from the stage's --durations, roughly.
LONGEST_FIRST = (
    "test_hub_mode.py", "test_iam_policy.py", "test_regions.py", "test_destinations.py", "test_cloudtrail_trail.py",
    "test_cis_metric_filter.py", "test_root_alerts_playbook.py", "test_eventbridge_rule.py", "test_alert_profiles.py",
    "test_recipients.py", "test_kill_and_concurrency.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file's tests keep their order
