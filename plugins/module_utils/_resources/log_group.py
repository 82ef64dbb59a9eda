# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudWatch Logs log group CloudTrail delivers to, for the CIS CloudWatch.1 option (``_verdict/cloudwatch1``).

Ownership: the group carries the owner tag; a same-named group without it is someone else's and is left alone.
Attaching the group and its role to the trail is the trail manager's concern.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import log_group_base_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import aws_pages
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import first_named
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import kept_because
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import tag_plan
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import update_line
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import with_tags
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_match
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_state

# Named in the message about a same-named log group that is not ours.
# CloudWatch Logs: "Log group names can be between 1 and 512 characters long" and consist of
# a-z, A-Z, 0-9, '_', '-', '/', '.' and '#' (CloudTrail user guide, "CloudWatch log group and log
# stream naming for CloudTrail").
LOG_GROUP_NAME_RE = re.compile(r"^[\w\-/.#]{1,512}$")
# PutRetentionPolicy's allowed values (CloudWatch Logs API reference).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


class LogGroupManager(ResourceManager):
    """The CloudWatch Logs log group CloudTrail delivers to.

    ``ensure(params, known)`` params: ``name``, ``state`` (present/absent),
    ``retention_in_days`` (None: not managed), ``tags``, ``purge_tags`` (default
    True), ``owner_tag``. ``known`` may hold ``log_group`` (the DescribeLogGroups
    item, None when absent) and ``tags``. Extra result keys: ``log_group`` (the
    view) and ``log_group_arn`` (CloudTrail's form, ending ``:*``).
    """

    kind = "log group"

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(LogGroupManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.logs = clients("logs", region)

    def describe(self, name):
        """DescribeLogGroups by prefix, pages followed until the exact name."""
        pages = aws_pages("describe the log groups named %s*" % name, self.logs.describe_log_groups, "nextToken",
                          logGroupNamePrefix=name)
        return first_named(pages, "logGroups", "logGroupName", name)

    def list_tags(self, group):
        arn = group.get("logGroupArn") or log_group_base_arn(group.get("arn"))
        return dict(aws_call("list the tags of log group %s" % group.get("logGroupName"), self.logs.list_tags_for_resource,
                             resourceArn=arn).get("tags") or {})

    def ensure(self, params, known=None):
        state = validate_state(params)
        name = validate_match(params.get("name"), LOG_GROUP_NAME_RE, "name", "1-512 letters, digits, '_', '-', '/', '.' or '#'")
        retention = params.get("retention_in_days")
        if retention is not None and retention not in RETENTION_DAYS:
            raise ValidationError("retention_in_days must be one of %s, got %r" % (", ".join(str(d) for d in RETENTION_DAYS), retention))
        known = known or {}
        owner_tag = params.get("owner_tag")
        current = known["log_group"] if "log_group" in known else self.describe(name)
        need_tags = current is not None and (params.get("tags") is not None or owner_tag)
        tags = (known["tags"] if "tags" in known else self.list_tags(current)) if need_tags else None
        facts = {"log_group": current, "tags": tags}
        if state == "absent":
            return self._absent(name, current, tags, owner_tag, facts)
        if current is not None and not is_owned(tags, owner_tag):
            raise ForeignResourceError(foreign_resource_message(
                "CloudWatch Logs log group", name, self.region, owner_tag))
        to_set, to_unset, final_tags = tag_plan(tags, params.get("tags"), params.get("purge_tags", True))
        if current is None:
            return self._create(name, retention, final_tags or {}, facts)
        what = []
        if retention is not None and current.get("retentionInDays") != retention:
            what.append("retention")
        if to_set or to_unset:
            what.append("tags")
        arn = current.get("logGroupArn") or log_group_base_arn(current.get("arn"))
        if what and not self.check_mode:
            if "retention" in what:
                self._put_retention(name, retention)
            if to_unset:
                aws_call("untag log group %s" % name, self.logs.untag_resource, resourceArn=arn, tagKeys=to_unset)
            if to_set:
                aws_call("tag log group %s" % name, self.logs.tag_resource, resourceArn=arn, tags=to_set)
        before = self.view(name, arn, current.get("retentionInDays"), tags)
        after = self.view(name, arn, retention if retention is not None else current.get("retentionInDays"), final_tags)
        changes = [update_line(self.kind, name, what)] if what else []
        return manager_result(bool(what), make_diff(before, after), changes, facts, log_group=after,
                              log_group_arn=arn + ":*")

    def _put_retention(self, name, retention):
        aws_call("set the retention of log group %s" % name, self.logs.put_retention_policy, logGroupName=name,
                 retentionInDays=retention)

    @staticmethod
    def view(name, arn, retention, tags):
        return with_tags({"name": name, "arn": arn, "retention_in_days": retention}, tags)

    def _create(self, name, retention, tags, facts):
        if not self.check_mode:
            kwargs = {"logGroupName": name}
            if tags:
                kwargs["tags"] = tags
            aws_call("create log group %s" % name, self.logs.create_log_group, **kwargs)
            if retention is not None:
                self._put_retention(name, retention)
        arn = log_group_base_arn(log_group_arn(self.region, self.account_id, name))
        after = self.view(name, arn, retention, tags)
        return manager_result(True, make_diff(None, after), ["create %s %s" % (self.kind, name)], facts,
                              log_group=after, log_group_arn=arn + ":*")

    def _absent(self, name, current, tags, owner_tag, facts):
        if current is None:
            return manager_result(False, make_diff(None, None), [], facts, log_group={}, log_group_arn=None)
        arn = current.get("logGroupArn") or log_group_base_arn(current.get("arn"))
        before = self.view(name, arn, current.get("retentionInDays"), tags)
        if owner_tag and not is_owned(tags, owner_tag):
            why = kept_because("Log group", name, owner_tag, self.warn)
            return manager_result(False, make_diff(before, before), [], facts, log_group=before,
                                  log_group_arn=arn + ":*", kept_because=why)
        if not self.check_mode:
            aws_call("delete log group %s" % name, self.logs.delete_log_group, logGroupName=name)
        return manager_result(True, make_diff(before, None), ["delete %s %s" % (self.kind, name)], facts,
                              log_group={}, log_group_arn=None)
