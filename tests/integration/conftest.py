"""Integration fixtures: one moto server per test session, reset before each test."""

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
