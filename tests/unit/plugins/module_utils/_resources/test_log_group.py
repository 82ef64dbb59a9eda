# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LogGroupManager against stubbed AWS answers.

A Stubber fails on any call not queued, so a test that queues only reads proves
that nothing was written (converged runs and check mode).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.log_group import LogGroupManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError

from aws_stubs import manager  # pylint: disable=import-error

ACCOUNT = "123456789012"
REGION = "us-east-1"
OWNER = {"rootwatch:created-by": "root_login_alerts"}
GROUP = "rootwatch/cloudtrail"
GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:rootwatch/cloudtrail:*"
GROUP_BASE_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:rootwatch/cloudtrail"


def group(retention=None):
    item = {"logGroupName": GROUP, "arn": GROUP_ARN, "logGroupArn": GROUP_BASE_ARN, "creationTime": 1, "storedBytes": 0}
    if retention:
        item["retentionInDays"] = retention
    return item


def describe_groups(stubber, *groups, **extra):
    response = {"logGroups": list(groups)}
    response.update(extra.get("response", {}))
    stubber.add_response("describe_log_groups", response, dict({"logGroupNamePrefix": GROUP}, **extra.get("params", {})))


def group_tags(stubber, tags):
    stubber.add_response("list_tags_for_resource", {"tags": tags}, {"resourceArn": GROUP_BASE_ARN})


GROUP_PARAMS = {"name": GROUP, "state": "present", "retention_in_days": 365, "tags": dict(OWNER), "owner_tag": OWNER}


class TestLogGroupManager:
    def test_create(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs)
        logs.add_response("create_log_group", {}, {"logGroupName": GROUP, "tags": OWNER})
        logs.add_response("put_retention_policy", {}, {"logGroupName": GROUP, "retentionInDays": 365})
        result = manager(LogGroupManager, stubs).ensure(dict(GROUP_PARAMS))
        assert result["changed"] is True
        assert result["changes"] == ["create log group %s" % GROUP]
        assert result["log_group_arn"] == GROUP_ARN
        assert result["diff"]["before"] == {} and result["diff"]["after"]["retention_in_days"] == 365
        assert result["facts"] == {"log_group": None, "tags": None}

    def test_converged_reads_only(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, dict(OWNER, team="sec"))
        result = manager(LogGroupManager, stubs).ensure(dict(GROUP_PARAMS, purge_tags=False))
        assert result["changed"] is False and result["changes"] == []
        assert result["diff"]["before"] == result["diff"]["after"]

    def test_prefix_pages_are_followed_to_the_exact_name(self, stubs):
        logs = stubs.stub("logs")
        longer = dict(group(), logGroupName=GROUP + "-old")
        describe_groups(logs, longer, response={"nextToken": "t"})
        describe_groups(logs, group(365), params={"nextToken": "t"})
        group_tags(logs, dict(OWNER))
        assert manager(LogGroupManager, stubs).ensure(dict(GROUP_PARAMS))["changed"] is False

    def test_update_retention_and_tags(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(30))
        group_tags(logs, dict(OWNER, old="x"))
        logs.add_response("put_retention_policy", {}, {"logGroupName": GROUP, "retentionInDays": 365})
        logs.add_response("untag_resource", {}, {"resourceArn": GROUP_BASE_ARN, "tagKeys": ["old"]})
        logs.add_response("tag_resource", {}, {"resourceArn": GROUP_BASE_ARN, "tags": {"team": "sec"}})
        result = manager(LogGroupManager, stubs).ensure(dict(GROUP_PARAMS, tags=dict(OWNER, team="sec")))
        assert result["changed"] is True
        assert result["changes"] == ["update log group %s: retention, tags" % GROUP]
        assert result["diff"]["before"]["retention_in_days"] == 30 and result["diff"]["after"]["tags"] == dict(OWNER, team="sec")

    def test_check_mode_create_writes_nothing_and_predicts_the_arn(self, stubs):
        describe_groups(stubs.stub("logs"))
        result = manager(LogGroupManager, stubs, check_mode=True).ensure(dict(GROUP_PARAMS))
        assert result["changed"] is True and result["log_group_arn"] == GROUP_ARN

    def test_check_mode_update_writes_nothing(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(30))
        group_tags(logs, dict(OWNER))
        result = manager(LogGroupManager, stubs, check_mode=True).ensure(dict(GROUP_PARAMS))
        assert result["changes"] == ["update log group %s: retention" % GROUP]

    def test_foreign_log_group_raises(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, {"team": "other"})
        with pytest.raises(ForeignResourceError) as error:
            manager(LogGroupManager, stubs).ensure(dict(GROUP_PARAMS))
        assert "Either choose another name, so" in str(error.value) and GROUP in str(error.value)

    def test_absent_deletes_ours(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, dict(OWNER))
        logs.add_response("delete_log_group", {}, {"logGroupName": GROUP})
        result = manager(LogGroupManager, stubs).ensure({"name": GROUP, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is True and result["changes"] == ["delete log group %s" % GROUP]
        assert result["diff"]["after"] == {}

    def test_absent_check_mode_writes_nothing(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, dict(OWNER))
        result = manager(LogGroupManager, stubs, check_mode=True).ensure({"name": GROUP, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is True

    def test_absent_keeps_a_foreign_log_group(self, stubs):
        logs = stubs.stub("logs")
        describe_groups(logs, group(365))
        group_tags(logs, {})
        result = manager(LogGroupManager, stubs).ensure({"name": GROUP, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is False and "not created by rootwatch.aws" in result["kept_because"]
        assert stubs.warnings

    def test_absent_when_missing(self, stubs):
        describe_groups(stubs.stub("logs"))
        result = manager(LogGroupManager, stubs).ensure({"name": GROUP, "state": "absent", "owner_tag": OWNER})
        assert result["changed"] is False

    def test_known_saves_the_reads(self, stubs):
        result = manager(LogGroupManager, stubs).ensure(dict(GROUP_PARAMS), known={"log_group": group(365), "tags": dict(OWNER)})
        assert result["changed"] is False

    @pytest.mark.parametrize("params", [{"name": "bad:name"}, {"name": GROUP, "retention_in_days": 2}, {"name": GROUP, "state": "gone"}])
    def test_validation_before_any_call(self, stubs, params):
        with pytest.raises(ValueError):
            manager(LogGroupManager, stubs).ensure(params)
