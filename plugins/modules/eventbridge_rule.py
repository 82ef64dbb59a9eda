#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eventbridge_rule
short_description: Manage an EventBridge rule, its event pattern and its targets, idempotently
version_added: 0.1.0
description:
  - Creates, updates, disables or deletes an Amazon EventBridge rule on any event bus, with its
    event pattern, tags and targets.
  - The event pattern is compared by meaning, not by text. Key order, the order of values in a list,
    duplicate values and JSON formatting do not matter, so any equivalent spelling reports
    C(changed=false) and makes no write call.
  - Targets are compared by meaning too. C(input) JSON is normalized and an input transformer's
    C(input_template) is compared as JSON when it is JSON (placeholders included), else as text.
  - Targets that others attached to the rule are kept unless O(purge_targets=true).
  - The pattern and targets are validated locally before any API call, check mode included, with
    errors that name the path in the pattern and the problem.
  - Check mode makes no write call and predicts the result, including the ARN of a new rule.
  - A run that changes nothing calls only C(events:DescribeRule) and C(events:ListTargetsByRule),
    plus C(events:ListTagsForResource) when O(tags) is given.
author:
  - rootwatch maintainers (@rootwatch)
options:
  name:
    description:
      - Name of the rule, 1-64 characters of letters, digits, C(.), C(-) and C(_).
    type: str
    required: true
  event_bus_name:
    description:
      - The event bus, by name or by ARN.
    type: str
    default: default
  description:
    description:
      - Description of the rule. When omitted, an existing description is kept.
    type: str
  # Written whole: rootwatch.aws.resource_module gives this module its attributes, not these four states.
  state:
    description:
      - V(present) makes sure the rule exists and is enabled.
      - V(disabled) makes sure the rule exists and is disabled.
      - V(enabled_with_all_cloudtrail_management_events) makes sure the rule exists in state
        C(ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS), so that it also receives read-only management
        events delivered through CloudTrail, which a rule in state C(ENABLED) never sees (EventBridge API
        reference, PutRule C(State)).
      - V(absent) removes the rule's targets, then the rule. When O(targets) is given with
        V(absent), only those targets are removed, and the rule is deleted only when no other
        target remains (targets that others attached are never removed that way).
    type: str
    choices: [present, disabled, enabled_with_all_cloudtrail_management_events, absent]
    default: present
  event_pattern:
    description:
      - The event pattern, as a dict or as JSON text. Required unless O(state=absent).
      - 'Every leaf value must be inside an array, for example C({"type": ["Root"]}).'
    type: raw
  targets:
    description:
      - Targets of the rule, identified by O(targets[].id).
    type: list
    elements: dict
    default: []
    suboptions:
      id:
        description: Unique ID of the target within the rule.
        type: str
        required: true
      arn:
        description: ARN of the target, for example an SNS topic.
        type: str
        required: true
      role_arn:
        description: IAM role EventBridge uses to call the target, where the target needs one.
        type: str
      input:
        description:
          - Constant JSON passed to the target instead of the event, as a dict or JSON text.
          - Mutually exclusive with O(targets[].input_path) and O(targets[].input_transformer).
        type: raw
      input_path:
        description: JSONPath of the part of the event to pass to the target.
        type: str
      input_transformer:
        description: Reshapes the event before it reaches the target.
        type: dict
        suboptions:
          input_paths_map:
            description: Map of placeholder name to JSONPath in the event.
            type: dict
          input_template:
            description:
              - Template with C(<placeholder>) references. JSON, or a quoted JSON string for plain text.
            type: str
            required: true
      dead_letter_arn:
        description: ARN of an SQS queue that receives events the target could not take.
        type: str
      retry_policy:
        description: How EventBridge retries delivery to the target.
        type: dict
        suboptions:
          maximum_retry_attempts:
            description: Retry attempts, 0-185.
            type: int
          maximum_event_age_in_seconds:
            description: How long an event is retried, 60-86400 seconds.
            type: int
  purge_targets:
    description:
      - Remove targets of the rule that are not listed in O(targets).
      - The default V(false) keeps targets that others attached.
    type: bool
    default: false
attributes:
  check_mode:
    description: Runs in check mode with no write call and predicts the result, including a new rule's ARN.
  diff_mode:
    description: Returns the rule and its targets before and after, with the pattern pretty-printed.
extends_documentation_fragment:
  - rootwatch.aws.resource_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Alert on root console sign-ins
  rootwatch.aws.eventbridge_rule:
    name: root-login-alerts
    region: us-east-1
    description: Root user console sign-in
    event_pattern:
      source: ["aws.signin"]  # only AWS may send aws.* sources: a custom event cannot match
      detail-type: ["AWS Console Sign In via CloudTrail"]
      detail:
        userIdentity:
          type: ["Root"]
    targets:
      - id: root-login-alerts-sns
        arn: arn:aws:sns:us-east-1:111111111111:root-login-alerts
        input_transformer:
          input_paths_map:
            account: $.account  # set by EventBridge; detail fields are the sender's text
          input_template: '"Root sign-in to AWS account <account>"'
        retry_policy:
          maximum_retry_attempts: 10
          maximum_event_age_in_seconds: 3600

- name: The same pattern as JSON text, on a custom bus, disabled
  rootwatch.aws.eventbridge_rule:
    name: root-login-alerts
    event_bus_name: security
    state: disabled
    event_pattern: '{"source": ["aws.signin"], "detail": {"userIdentity": {"type": ["Root"]}}, "detail-type": ["AWS Console Sign In via CloudTrail"]}'

- name: Own the target list completely, removing targets others attached
  rootwatch.aws.eventbridge_rule:
    name: root-login-alerts
    event_pattern: {"source": ["aws.signin"]}
    purge_targets: true
    targets:
      - id: only-this-one
        arn: arn:aws:sqs:us-east-1:111111111111:security-events

- name: Remove only our target; delete the rule only if no other target remains
  rootwatch.aws.eventbridge_rule:
    name: root-login-alerts
    state: absent
    targets:
      - id: root-login-alerts-sns
        arn: arn:aws:sns:us-east-1:111111111111:root-login-alerts

- name: Remove the rule and all of its targets
  rootwatch.aws.eventbridge_rule:
    name: root-login-alerts
    state: absent
"""

RETURN = r"""
changes:
  description:
    - "What this run changed, or would change in check mode, one line each. C(create rule NAME), C(update rule NAME: FIELDS)
      with the fields that change (C(event_pattern), C(state), C(description), C(targets), C(tags)), or C(delete rule NAME)."
    - "With O(state=absent) and O(targets), C(remove our target from rule NAME (kept for other targets: IDS)) when
      targets of others keep the rule."
    - NAME is followed by C(on bus BUS) for a rule that is not on the default bus.
  returned: always
  type: list
  elements: str
  sample: ["update rule root-login-alerts: event_pattern"]
rule:
  description: The rule after the run (predicted in check mode). Empty when the rule is absent.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the rule; predicted for a rule that check mode would create.
      type: str
      sample: arn:aws:events:us-east-1:111111111111:rule/root-login-alerts
    name:
      description: Name of the rule.
      type: str
      sample: root-login-alerts
    event_bus_name:
      description: Name of the event bus.
      type: str
      sample: default
    state:
      description: C(ENABLED), C(DISABLED) or C(ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
      type: str
      sample: ENABLED
    description:
      description: Description of the rule.
      type: str
      sample: Root user console sign-in
    event_pattern:
      description: The event pattern as a dict, in canonical form after a write.
      type: dict
      sample: {"detail": {"userIdentity": {"type": ["Root"]}}, "detail-type": ["AWS Console Sign In via CloudTrail"]}
    targets:
      description: All targets of the rule, sorted by id, including targets others attached.
      type: list
      elements: dict
      sample: [{"id": "root-login-alerts-sns", "arn": "arn:aws:sns:us-east-1:111111111111:root-login-alerts"}]
    tags:
      description: Tags of the rule, only when O(tags) was given.
      type: dict
      sample: {"owner": "security"}
kept_targets:
  description: With O(state=absent) and O(targets), the targets of others that kept the rule in place.
  returned: when the rule was kept because other targets remain
  type: list
  elements: str
  sample: ["audit-queue"]
"""

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import EventBridgeRuleManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import validate_params
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import run_manager_module


def argument_spec():
    target = dict(
        id=dict(type="str", required=True),
        arn=dict(type="str", required=True),
        role_arn=dict(type="str"),
        input=dict(type="raw"),
        input_path=dict(type="str"),
        input_transformer=dict(
            type="dict",
            options=dict(
                input_paths_map=dict(type="dict"),
                input_template=dict(type="str", required=True),
            ),
        ),
        dead_letter_arn=dict(type="str"),
        retry_policy=dict(
            type="dict",
            options=dict(
                maximum_retry_attempts=dict(type="int"),
                maximum_event_age_in_seconds=dict(type="int"),
            ),
        ),
    )
    return dict(
        name=dict(type="str", required=True),
        event_bus_name=dict(type="str", default="default"),
        description=dict(type="str"),
        state=dict(type="str", choices=["present", "disabled", "enabled_with_all_cloudtrail_management_events", "absent"],
                   default="present"),
        event_pattern=dict(type="raw"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        targets=dict(type="list", elements="dict", options=target, default=[]),
        purge_targets=dict(type="bool", default=False),
    )


def prepare(module):
    validate_params(module.params)
    return module.params


def main():
    run_manager_module(EventBridgeRuleManager, argument_spec(), prepare)


if __name__ == "__main__":
    main()
