# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CIS root usage filter pattern and how a pattern found on a log group compares with it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import CIS_ROOT_USAGE_PATTERN
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import pattern_match
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import pattern_reordered
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.metric_filter_pattern import pattern_tokens


# Security Hub's remediation prints the CIS pattern without spaces around the operators.
SECURITY_HUB_PATTERN = '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'


class TestPattern:
    def test_the_constant_is_the_cis_text(self):
        assert CIS_ROOT_USAGE_PATTERN == (
            '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }')

    def test_tokens(self):
        assert pattern_tokens(SECURITY_HUB_PATTERN) == [
            "{", "$.userIdentity.type", "=", '"Root"', "&&", "$.userIdentity.invokedBy", "NOT", "EXISTS", "&&",
            "$.eventType", "!=", '"AwsServiceEvent"', "}"]

    @pytest.mark.parametrize("pattern, how", [
        (CIS_ROOT_USAGE_PATTERN, "exact"),
        (SECURITY_HUB_PATTERN, "whitespace"),
        ('{\n  $.userIdentity.type = "Root"\n  && $.userIdentity.invokedBy NOT EXISTS\n  && $.eventType != "AwsServiceEvent"\n}', "whitespace"),
        ('\t{$.userIdentity.type="Root"&&$.userIdentity.invokedBy   NOT\tEXISTS&&$.eventType!="AwsServiceEvent"}  ', "whitespace"),
    ])
    def test_accepted(self, pattern, how):
        assert pattern_match(pattern) == how
        assert pattern_reordered(pattern) is False

    @pytest.mark.parametrize("pattern", [
        '{ $.eventType != "AwsServiceEvent" && $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }',
        '{$.userIdentity.invokedBy NOT EXISTS&&$.eventType!="AwsServiceEvent"&&$.userIdentity.type="Root"}',
    ])
    def test_reordered_terms_are_not_the_exact_filter(self, pattern):
        """Security Hub CloudWatch.1 "fails if the exact metric filters prescribed by CIS are not used"
        (Security Hub controls reference, cloudwatch-controls.html#cloudwatch-1): the same meaning in
        another order does not pass, and is recognised only to say why."""
        assert pattern_match(pattern) == ""
        assert pattern_reordered(pattern) is True

    @pytest.mark.parametrize("pattern", [
        None,
        "",
        '{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }',
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }',
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" && $.x = 1 }',
        '{ ($.userIdentity.type = "Root") && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        '{ $.userIdentity.type = "Root" || $.userIdentity.invokedBy NOT EXISTS || $.eventType != "AwsServiceEvent" }',
        '{ $.userIdentity.type = "root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy not exists && $.eventType != "AwsServiceEvent" }',
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType = "AwsServiceEvent" }',
        '{ $.userIdentity.type = "Root" && && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        '$.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent"',
    ])
    def test_refused(self, pattern):
        assert pattern_match(pattern) == ""
        assert pattern_reordered(pattern) is False
