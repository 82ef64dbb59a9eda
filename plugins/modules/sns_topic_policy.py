#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sns_topic_policy
short_description: Add or remove SNS topic policy statements by Sid, keeping everyone else's
version_added: 0.1.0
description:
  - Manage the statements of an SNS topic policy one by one, identified by their C(Sid).
  - Statements this task does not name are kept, for example AWS's C(__default_statement_ID), the
    C(AWSEvents_*) statements the console adds when it creates an EventBridge target, or another team's.
    Only O(purge_statements=true) removes them.
  - Policies are compared by meaning, as C(amazon.aws) C(compare_policies) does, so the order of statements,
    actions or principals, a string versus a one-element list, a missing C(Version), or an account ID versus
    its C(:root) ARN as principal do not count as a change. An equal policy is not written.
  - A converged run makes one call (C(sns:GetTopicAttributes)).
  - When the topic does not exist, check mode predicts from the default policy AWS gives a new topic and
    reports a change (an earlier task of the same check-mode run may create the topic); a normal run fails.
author:
  - rootwatch maintainers (@rootwatch)
options:
  state:
    description:
      - V(present) adds the statements, replacing those with the same C(Sid).
      - V(absent) removes exactly the statements with these C(Sid)s; each may then be given as just
        a C(Sid) entry.
      - When removing would leave no statement, the default topic policy is written instead, since AWS
        refuses an empty policy.
  statements:
    description:
      - IAM policy statements, each with a unique C(Sid).
      - With O(state=present) each needs C(Effect) (C(Allow) or C(Deny)), C(Action), C(Principal) and
        C(Resource); a C(Condition) must map each operator to an object of condition keys and values.
    type: list
    elements: dict
    default: []
  eventbridge_publish:
    description:
      - Adds (or with O(state=absent) removes) the least-privilege statement that lets EventBridge publish to
        this topic - C(events.amazonaws.com) may call C(sns:Publish) on this topic only, on behalf of the rule
        O(eventbridge_publish.rule_arn) only (condition C(aws:SourceArn)).
    type: dict
    suboptions:
      rule_arn:
        description:
          - The ARN of the EventBridge rule (or a list of rule ARNs) allowed to publish.
          - Required with O(state=present).
        type: raw
      source_account:
        description:
          - Also require the publishing rule to be in this account (condition C(aws:SourceAccount)).
        type: str
      sid:
        description:
          - The C(Sid) of the statement.
        type: str
        default: AllowEventBridgePublish
  purge_statements:
    description:
      - With O(state=present), remove every statement not given here, including C(__default_statement_ID)
        and statements other owners added. Same-account principals keep the access their IAM policies grant.
    type: bool
    default: false
attributes:
  diff_mode:
    description: Returns the whole policy document before and after.
extends_documentation_fragment:
  - rootwatch.aws.topic_arn
  - rootwatch.aws.resource_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
seealso:
  - module: rootwatch.aws.sns_topic
"""

EXAMPLES = r"""
- name: Let the root-login rule (and only it) publish to the topic
  rootwatch.aws.sns_topic_policy:
    topic_arn: "{{ topic.topic_arn }}"
    eventbridge_publish:
      rule_arn: arn:aws:events:us-east-1:123456789012:rule/root-login-alerts
      source_account: "123456789012"

- name: The same statement, written out, next to one of our own
  rootwatch.aws.sns_topic_policy:
    topic_arn: arn:aws:sns:us-east-1:123456789012:root-login-alerts
    statements:
      - Sid: AllowEventBridgePublish
        Effect: Allow
        Principal:
          Service: events.amazonaws.com
        Action: sns:Publish
        Resource: arn:aws:sns:us-east-1:123456789012:root-login-alerts
        Condition:
          ArnEquals:
            aws:SourceArn: arn:aws:events:us-east-1:123456789012:rule/root-login-alerts
          StringEquals:
            aws:SourceAccount: "123456789012"
      - Sid: DenyInsecureTransport
        Effect: Deny
        Principal: "*"
        Action: sns:Publish
        Resource: arn:aws:sns:us-east-1:123456789012:root-login-alerts
        Condition:
          Bool:
            aws:SecureTransport: false

- name: Remove exactly our statements; the others stay
  rootwatch.aws.sns_topic_policy:
    topic_arn: arn:aws:sns:us-east-1:123456789012:root-login-alerts
    state: absent
    statements:
      - Sid: DenyInsecureTransport
    eventbridge_publish: {}
"""

RETURN = r"""
changes:
  description: One line per statement that this run added, replaced or removed (or would, in check mode) -
    C(add topic policy statement SID), C(replace topic policy statement SID) or C(remove topic policy statement SID).
  returned: always
  type: list
  elements: str
  sample: ["add topic policy statement AllowEventBridgePublish"]
topic_arn:
  description: The ARN of the topic.
  returned: always
  type: str
  sample: arn:aws:sns:us-east-1:123456789012:root-login-alerts
topic_exists:
  description: Whether the topic exists (V(false) only in check mode or with O(state=absent)).
  returned: always
  type: bool
  sample: true
policy:
  description: The policy document after the change (predicted in check mode); V({}) when there is none.
  returned: always
  type: dict
  sample: {"Version": "2008-10-17", "Statement": [{"Sid": "AllowEventBridgePublish", "Effect": "Allow"}]}
statements_added:
  description: The Sids that were (or would be) added.
  returned: always
  type: list
  elements: str
  sample: ["AllowEventBridgePublish"]
statements_replaced:
  description: The Sids whose statement was (or would be) replaced because its meaning differed.
  returned: always
  type: list
  elements: str
  sample: []
statements_removed:
  description: The Sids that were (or would be) removed.
  returned: always
  type: list
  elements: str
  sample: []
"""

from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import validate_sids
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import validate_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import validate_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import DEFAULT_EVENTBRIDGE_SID
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import TopicPolicyManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import eventbridge_publish_statement
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import run_manager_module


def wanted_statements(params):
    """The validated statements of this task (raise ValueError naming the problem)."""
    validate_topic_arn(params["topic_arn"])
    statements = list(params["statements"] or [])
    publish = params["eventbridge_publish"]
    if params["state"] == "present":
        if publish is not None:
            if not publish.get("rule_arn"):
                raise ValidationError("eventbridge_publish.rule_arn is required with state=present")
            statements.append(
                eventbridge_publish_statement(
                    params["topic_arn"], publish["rule_arn"], publish.get("source_account"), publish.get("sid")
                )
            )
        validate_statements(statements)
    else:
        if publish is not None:
            statements.append({"Sid": publish.get("sid") or DEFAULT_EVENTBRIDGE_SID})
        validate_sids(statements)
    return statements


def prepare(module):
    params = module.params
    statements = wanted_statements(params)
    return {"topic_arn": params["topic_arn"], "statements": statements, "state": params["state"], "purge": params["purge_statements"]}


def main():
    argument_spec = dict(
        topic_arn=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        statements=dict(type="list", elements="dict", default=[]),
        eventbridge_publish=dict(
            type="dict",
            options=dict(
                rule_arn=dict(type="raw"),
                source_account=dict(type="str"),
                sid=dict(type="str", default=DEFAULT_EVENTBRIDGE_SID),
            ),
        ),
        purge_statements=dict(type="bool", default=False),
    )
    run_manager_module(TopicPolicyManager, argument_spec, prepare)


if __name__ == "__main__":
    main()
