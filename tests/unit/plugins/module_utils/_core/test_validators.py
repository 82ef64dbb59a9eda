# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input checks of ``_core/validators``: each names the option in its message."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_account_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_kms_key_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_match
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_organization_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_state


def test_region_is_required():
    with pytest.raises(ValueError, match="region is required"):
        validate_region(None)


def test_state_is_present_or_absent():
    assert validate_state({}) == "present" and validate_state({"state": "absent"}) == "absent"
    with pytest.raises(ValidationError, match="state must be present or absent, got 'gone'"):
        validate_state({"state": "gone"})


def test_a_value_must_match_its_pattern():
    assert validate_match("abc", re.compile(r"^[a-z]+$"), "name", "letters") == "abc"
    with pytest.raises(ValidationError, match="name must be letters, got 7"):
        validate_match(7, re.compile(r"^[a-z]+$"), "name", "letters")


@pytest.mark.parametrize("value", ["12345678901", 123456789012, None, "12345678901a"])
def test_account_ids_are_twelve_digit_strings(value):
    with pytest.raises(ValidationError, match="member must be a 12-digit AWS account ID"):
        validate_account_id(value, "member")
    assert validate_account_id("123456789012") == "123456789012"


@pytest.mark.parametrize("value", ["o-abc", "o-ABCDEFGHIJ", "abcdefghijkl", "o-" + "a" * 33, 123])
def test_organization_ids(value):
    with pytest.raises(ValidationError, match="organization_id must be 'o-'"):
        validate_organization_id(value)
    assert validate_organization_id("o-abcdef1234") == "o-abcdef1234"


def test_kms_key_forms_and_an_aws_managed_alias_is_a_key_too():
    for key in (None, "", "alias/aws/sns", "mrk-" + "a" * 32, "arn:aws:kms:us-east-1:111111111111:alias/ct"):
        assert validate_kms_key_id(key) == key
    with pytest.raises(ValidationError, match="kms_master_key_id must be a KMS key ID"):
        validate_kms_key_id("cloudtrail", "kms_master_key_id")
