# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the module_utils unit tests (a test module's own fixture of the same name wins)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from aws_stubs import Stubs  # pylint: disable=import-error


@pytest.fixture
def stubs():
    """Stubbed AWS clients (aws_stubs.Stubs). A Stubber fails on any call not queued, and every answer queued must be
    asked for by the end of the test: a test that queues only reads proves that nothing was written."""
    made = Stubs()
    yield made
    made.assert_done()
