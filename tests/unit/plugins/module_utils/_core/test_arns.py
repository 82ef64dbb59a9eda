# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Region names are checked against botocore's own list, not a pattern; the ARN builders and parsers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import iam_principal
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import is_sns_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import known_regions
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_name_from_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import root_principal
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import unknown_region_problem


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"])
def test_real_regions_are_known(region):
    assert unknown_region_problem(region) is None


@pytest.mark.parametrize("region", ["us-fake-9", "US-EAST-1", "us-east-1 ", "", None, "eu-west"])
def test_names_botocore_does_not_list_are_refused(region):
    problem = unknown_region_problem(region)
    assert problem.startswith("%r is not an AWS region where events is available" % (region,)), problem


def test_the_list_is_botocores_and_read_once():
    regions = known_regions()
    assert "us-east-1" in regions and len(regions) > 25
    assert known_regions() is regions


def test_log_group_and_topic_arns():
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:rootwatch/cloudtrail:*"
    assert log_group_arn("us-east-1", "123456789012", "rootwatch/cloudtrail") == arn
    assert log_group_name_from_arn(arn) == "rootwatch/cloudtrail"
    assert log_group_name_from_arn(arn[:-2]) == "rootwatch/cloudtrail"
    assert log_group_name_from_arn("arn:aws:s3:::b") is None
    assert is_sns_topic_arn("arn:aws:sns:us-east-1:123456789012:root-login-alerts")
    assert not is_sns_topic_arn("arn:aws:automate:us-east-1:ec2:stop")


def test_root_principal():
    assert root_principal("aws-cn", "123456789012") == "arn:aws-cn:iam::123456789012:root"


@pytest.mark.parametrize("arn, named", [
    ("arn:aws:iam::123456789012:root", ("root", "aws", "123456789012", None)),
    ("arn:aws-cn:iam::123456789012:role/path/to/forwarder", ("role", "aws-cn", "123456789012", "forwarder")),
    ("arn:aws:iam::123456789012:role/forwarder", ("role", "aws", "123456789012", "forwarder")),
    ("arn:aws:sts::123456789012:assumed-role/forwarder/i-0123", ("session", "aws", "123456789012", "forwarder")),
    ("arn:aws:sts::123456789012:assumed-role/forwarder", None),
    ("arn:aws:iam::123456789012:user/alice", None),
    ("arn:aws:iam::aws:policy/ReadOnlyAccess", None),
    ("123456789012", None),
    (None, None),
])
def test_iam_principal(arn, named):
    assert iam_principal(arn) == named
