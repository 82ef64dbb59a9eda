# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of a CloudTrail trail, checked before any AWS call: trail names, KMS keys, the whole set."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_options import validate_params
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_options import validate_trail_key
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_options import validate_trail_name

ACCOUNT = "123456789012"
NAME = "root-login-alerts"
BUCKET = "logs-bucket"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:%s:key/%s" % (ACCOUNT, KEY_ID)


def params(**overrides):
    base = {"name": NAME, "state": "present", "s3_bucket_name": BUCKET, "s3_key_prefix": None, "kms_key_id": None,
            "tags": None, "is_multi_region_trail": True, "include_global_service_events": True, "management_events": "All",
            "reuse_covering_trail": False}
    base.update(overrides)
    return base


@pytest.mark.parametrize("name", ["abc", "root-login-alerts", "My_Trail.1", "a" * 128, "1st-trail", "a.b-c_d"])
def test_valid_trail_names(name):
    assert validate_trail_name(name) == name


@pytest.mark.parametrize(
    "name, words",
    [
        ("ab", "3 to 128"),
        ("a" * 129, "3 to 128"),
        ("-trail", "begin and end"),
        ("trail_", "begin and end"),
        ("my trail", "only ASCII letters"),
        ("trail/x", "only ASCII letters"),
        ("tr\u00e4il", "only ASCII letters"),
        ("my..trail", "adjacent"),
        ("my-_trail", "adjacent"),
        ("my--trail", "adjacent"),
        ("my._trail", "adjacent"),
        ("192.168.5.4", "IP address"),
        (None, "3 to 128"),
    ],
)
def test_invalid_trail_names(name, words):
    with pytest.raises(ValueError, match="name .* is not a valid CloudTrail trail name") as caught:
        validate_trail_name(name)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "key",
    [None, "", KEY_ID, KEY_ARN, "alias/cloudtrail", "arn:aws:kms:us-east-1:111111111111:alias/ct", "mrk-" + "a" * 32],
)
def test_valid_kms_key_ids(key):
    assert validate_trail_key(key) == key


@pytest.mark.parametrize(
    "key, words",
    [
        ("cloudtrail", "must be a KMS key ID"),
        ("arn:aws:s3:::bucket", "must be a KMS key ID"),
        ("alias/aws/s3", "AWS managed key"),
        ("arn:aws:kms:us-east-1:111111111111:alias/aws/cloudtrail", "AWS managed key"),
    ],
)
def test_invalid_kms_key_ids(key, words):
    with pytest.raises(ValueError, match="kms_key_id") as caught:
        validate_trail_key(key)
    assert words in str(caught.value)


def test_params_normalize_a_bucket_arn_and_absent_needs_no_bucket():
    assert validate_params(params(s3_bucket_name="arn:aws:s3:::logs-bucket"))["s3_bucket_name"] == BUCKET
    assert validate_params(params(state="absent", s3_bucket_name=None, management_events="x"))["name"] == NAME
    assert validate_params(params(is_multi_region_trail=False, include_global_service_events=False))
