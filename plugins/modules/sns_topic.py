#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sns_topic
short_description: Manage an SNS topic (name, display name, KMS key, tags) without touching its policy
version_added: 0.1.0
description:
  - Create, update or delete a standard Amazon SNS topic.
  - The topic is found by its ARN, which is predicted from the caller's account (one C(sts:GetCallerIdentity)
    call), the region and O(name). That costs one call but spares paging through every topic with
    C(sns:ListTopics); a converged run makes three calls (C(sts:GetCallerIdentity),
    C(sns:GetTopicAttributes) and, when O(tags) is set, C(sns:ListTagsForResource)).
  - The topic policy is never changed here; use M(rootwatch.aws.sns_topic_policy), which merges statements
    by C(Sid) and keeps the statements AWS, the console (C(AWSEvents_*)) or other teams added.
  - Check mode predicts the topic ARN and reports what would change, also for a topic that does not exist yet.
  - Options that are not set are not managed.
author:
  - rootwatch maintainers (@rootwatch)
options:
  name:
    description:
      - The name of the topic, 1-256 letters, digits, hyphens or underscores.
      - FIFO topics (names ending in C(.fifo)) are not supported.
    type: str
    required: true
  state:
    description:
      - Whether the topic should exist.
      - V(absent) deletes the topic with its subscriptions and policy.
  display_name:
    description:
      - The display name of the topic, used as the sender name of email notifications.
      - V("") removes it. Not managed when unset.
    type: str
  kms_master_key_id:
    description:
      - The KMS key that encrypts the topic at rest (server-side encryption), as a key ID, key ARN,
        alias name (C(alias/...)) or alias ARN. V("") turns encryption off. Not managed when unset.
      - Two spellings of the same key are the same key. When the text differs from what the topic has,
        C(kms:DescribeKey) resolves both (only then), so an alias and the ARN of the key it points at
        do not report a change.
      - The AWS-managed key C(alias/aws/sns) (or its alias ARN) is refused unless O(allow_aws_managed_key=true),
        see there.
      - For EventBridge to publish, the key policy of a customer-managed key must allow C(events.amazonaws.com)
        C(kms:GenerateDataKey*) and C(kms:Decrypt).
    type: str
  allow_aws_managed_key:
    description:
      - Allow O(kms_master_key_id) to be the AWS-managed key C(alias/aws/sns).
      - EventBridge cannot publish to a topic encrypted with the AWS-managed key, because its key policy does
        not allow C(events.amazonaws.com) and cannot be changed. Publishing then fails without an error anywhere
        you would look, and alerts are silently not delivered. So the key is refused by default.
      - Set this only for topics no EventBridge rule (or other AWS service) publishes to.
    type: bool
    default: false
attributes:
  diff_mode:
    description: Returns the managed attributes (O(display_name), O(kms_master_key_id), O(tags)) before and after.
extends_documentation_fragment:
  - rootwatch.aws.resource_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
seealso:
  - module: rootwatch.aws.sns_topic_policy
  - module: rootwatch.aws.sns_subscription
"""

EXAMPLES = r"""
- name: Topic for root sign-in alerts, encrypted with a customer-managed key
  rootwatch.aws.sns_topic:
    name: root-login-alerts
    display_name: Root login alert
    kms_master_key_id: alias/root-login-alerts
    tags:
      owner: security
  register: topic

- name: Its ARN for the next tasks
  ansible.builtin.debug:
    msg: "{{ topic.topic_arn }}"

- name: Turn encryption off
  rootwatch.aws.sns_topic:
    name: root-login-alerts
    kms_master_key_id: ""

- name: Delete the topic
  rootwatch.aws.sns_topic:
    name: root-login-alerts
    state: absent
"""

RETURN = r"""
changes:
  description:
    - "What this run changed, or would change in check mode - C(create topic NAME), C(update topic NAME: ATTRIBUTES)
      with the SNS attributes set (C(DisplayName), C(KmsMasterKeyId)) or else C(tags), or C(delete topic NAME)."
  returned: always
  type: list
  elements: str
  sample: ["create topic root-login-alerts"]
topic_arn:
  description: The ARN of the topic (predicted in check mode when the topic does not exist yet).
  returned: always
  type: str
  sample: arn:aws:sns:us-east-1:123456789012:root-login-alerts
topic:
  description: The topic's attributes after the change (predicted in check mode); V({}) when O(state=absent).
  returned: always
  type: dict
  contains:
    arn:
      description: The ARN of the topic.
      type: str
      returned: when O(state=present)
      sample: arn:aws:sns:us-east-1:123456789012:root-login-alerts
    name:
      description: The name of the topic.
      type: str
      returned: when O(state=present)
      sample: root-login-alerts
    display_name:
      description: The display name (V("") when none).
      type: str
      returned: when O(state=present)
      sample: Root login alert
    kms_master_key_id:
      description: The KMS key as the topic has it (V("") when not encrypted).
      type: str
      returned: when O(state=present)
      sample: alias/root-login-alerts
    owner:
      description: The account that owns the topic.
      type: str
      returned: when O(state=present)
      sample: "123456789012"
    policy:
      description: The topic policy as a dictionary (not managed by this module).
      type: dict
      returned: when O(state=present)
    subscriptions_confirmed:
      description: The number of confirmed subscriptions.
      type: int
      returned: when O(state=present)
      sample: 2
    subscriptions_pending:
      description: The number of subscriptions awaiting confirmation.
      type: int
      returned: when O(state=present)
      sample: 1
    tags:
      description: The topic's tags.
      type: dict
      returned: when O(state=present) and O(tags) is set
      sample: {"owner": "security"}
created:
  description: Whether the topic was (or, in check mode, would be) created.
  returned: when O(state=present)
  type: bool
  sample: false
updated_attributes:
  description: The topic attributes that were (or would be) set.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["KmsMasterKeyId"]
"""

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import TopicManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import validate_topic_options
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import run_manager_module


def prepare(module):
    """Local validation first: no AWS call for a mistake we can see here."""
    params = module.params
    validate_topic_options(params["name"], params["kms_master_key_id"], params["allow_aws_managed_key"])
    return params


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        display_name=dict(type="str"),
        kms_master_key_id=dict(type="str", no_log=False),
        allow_aws_managed_key=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    run_manager_module(TopicManager, argument_spec, prepare)


if __name__ == "__main__":
    main()
