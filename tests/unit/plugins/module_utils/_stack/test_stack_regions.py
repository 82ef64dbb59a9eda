# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The regions of the regional profiles, read from AWS with botocore Stubber answers shaped like AWS's.

Emulator difference this covers: moto's ec2:DescribeRegions lists every region it knows, while AWS
"Describes the Regions that are enabled for your account" (EC2 API reference): a region the
account has not opted in to is missing from the answer, and the stack must not deploy there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from aws_stubs import Stubs  # pylint: disable=import-error

from ansible_collections.rootwatch.aws.plugins.module_utils._stack.reads import StackReader
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import UnsafeChangeError

ACCOUNT = "111111111111"
# AWS's answer for an account that has opted in to none of the opt-in regions: ap-east-1 is missing.
ENABLED = {"Regions": [
    {"RegionName": "eu-west-1", "Endpoint": "ec2.eu-west-1.amazonaws.com", "OptInStatus": "opt-in-not-required"},
    {"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com", "OptInStatus": "opt-in-not-required"},
]}
SETTINGS = {"rule_name": "root-login-alerts", "profiles": ["console_sign_in", "api_activity"]}


def reader(stubs):
    return StackReader(stubs.factory, "us-east-1", check_mode=True, warn=stubs.warn, account_id=ACCOUNT)


def test_the_enabled_regions_come_from_aws_us_east_1_first():
    stubs = Stubs()
    stubs.stub("ec2").add_response("describe_regions", ENABLED, {})
    assert reader(stubs).enabled_regions() == ["us-east-1", "eu-west-1"]
    stubs.assert_done()


def test_a_listed_region_that_is_not_enabled_stops_the_account_before_any_write():
    stubs = Stubs()
    stubs.stub("ec2").add_response("describe_regions", ENABLED, {})
    with pytest.raises(UnsafeChangeError) as caught:
        reader(stubs).regions(dict(SETTINGS, regions=["us-east-1", "ap-east-1"]), [])
    assert "lists ap-east-1, which ec2:DescribeRegions does not report as enabled" in str(caught.value)
    assert "nothing was changed" in str(caught.value)
    stubs.assert_done()  # no rule was read, nothing written


def test_without_a_list_every_enabled_region_is_read_and_only_those():
    stubs = Stubs()
    stubs.stub("ec2").add_response("describe_regions", ENABLED, {})
    events = stubs.stub("events", "eu-west-1")
    for name in ("root-login-alerts-api-activity", "root-login-alerts-assume-root"):
        events.add_client_error("describe_rule", "ResourceNotFoundException", expected_params={"Name": name, "EventBusName": "default"})
    sqs = stubs.stub("sqs", "eu-west-1")
    sqs.add_client_error("get_queue_url", "AWS.SimpleQueueService.NonExistentQueue", expected_params={"QueueName": "root-login-alerts-undelivered"})
    regions = reader(stubs).regions(SETTINGS, [])
    assert regions["listed"] == ["us-east-1", "eu-west-1"] and regions["queues"]["eu-west-1"]["queue_url"] is None
    assert [(e["region"], e["profile"], e["wanted"]) for e in regions["rules"]] == [("eu-west-1", "api_activity", True)]
    stubs.assert_done()


def test_no_regional_profile_and_none_deployed_makes_no_call():
    stubs = Stubs()
    assert reader(stubs).regions(dict(SETTINGS, profiles=["console_sign_in"]), ["root-login-alerts"]) is None
    stubs.assert_done()
