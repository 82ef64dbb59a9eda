# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Region names are checked against botocore's own list, not a pattern."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import known_regions
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
