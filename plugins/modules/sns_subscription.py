#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sns_subscription
short_description: Subscribe endpoints to an SNS topic, aware of pending confirmations
version_added: 0.1.0
description:
  - Subscribe one endpoint (O(endpoint)) or several endpoints of one protocol (O(endpoints)) to an SNS topic,
    or unsubscribe them.
  - A subscription is identified by protocol and endpoint. Endpoints are compared exactly as given, as AWS
    does; C(Ops@example.com) and C(ops@example.com) are two subscriptions.
  - Email, HTTP and HTTPS subscriptions wait for confirmation. AWS lists them as C(PendingConfirmation);
    the module then warns that the recipient must click the link in the email
    C(AWS Notification - Subscription Confirmation), and returns RV(pending_confirmation=true).
  - Nobody can delete a pending subscription; SNS deletes it after 48 hours. O(state=absent) reports such
    subscriptions (RV(pending_confirmation=true) and a warning) and does not fail.
  - The topic's subscriptions are listed once (C(sns:ListSubscriptionsByTopic)) for all endpoints, so a
    converged run makes one call for any number of endpoints, plus one C(sns:GetSubscriptionAttributes)
    per confirmed subscription when O(attributes) is set.
  - Endpoints and attributes are checked before any AWS call - an invalid email address, a URL whose scheme
    is not the protocol, an ARN of the wrong service for C(sqs), C(lambda), C(firehose) or C(application),
    or a phone number not in E.164 form fails at once.
  - When the topic does not exist, check mode reports the subscriptions it would create (an earlier task of
    the same check-mode run may create the topic); a normal run fails.
author:
  - rootwatch maintainers (@rootwatch)
options:
  protocol:
    description:
      - The protocol of the subscriptions.
    type: str
    required: true
    choices: [email, email-json, https, http, sqs, lambda, sms, application, firehose]
  endpoint:
    description:
      - The endpoint to subscribe - an email address, an C(http://) or C(https://) URL, an SQS queue,
        Lambda function, Firehose delivery stream or platform application endpoint ARN, or an E.164
        phone number such as C(+14155550100) (spaces, dots, dashes and brackets are dropped).
      - Exactly one of O(endpoint) and O(endpoints) is required.
    type: str
  endpoints:
    description:
      - Several endpoints of O(protocol), managed in one invocation with one subscription listing.
      - Exactly one of O(endpoint) and O(endpoints) is required.
    type: list
    elements: str
  purge_endpoints:
    description:
      - With O(endpoints) and O(state=present), unsubscribe the other confirmed O(protocol) subscriptions of the
        topic. Pending ones cannot be removed and are reported.
    type: bool
    default: false
  attributes:
    description:
      - Subscription attributes to manage; those not given are left alone. Values are compared by meaning.
      - C(FilterPolicy) (dictionary or JSON text; the order of alternatives in a list does not matter),
        C(FilterPolicyScope) (C(MessageAttributes) or C(MessageBody)),
        C(RawMessageDelivery) (boolean; C(sqs), C(http), C(https), C(firehose)),
        C(RedrivePolicy) (dictionary or JSON text with C(deadLetterTargetArn)),
        C(DeliveryPolicy) (dictionary or JSON text; C(http), C(https)),
        C(SubscriptionRoleArn) (required for C(firehose)).
      - Attributes of a pending subscription cannot be read or set until it is confirmed.
    type: dict
  state:
    description:
      - Whether the subscriptions should exist.
attributes:
  diff_mode:
    description: Returns, per endpoint, whether it is pending and the managed attributes, before and after.
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
- name: Email the security team (each recipient must confirm once)
  rootwatch.aws.sns_subscription:
    topic_arn: "{{ topic.topic_arn }}"
    protocol: email
    endpoints:
      - security@example.com
      - oncall@example.com
  register: subscriptions

- name: Say who still has to click the confirmation link
  ansible.builtin.debug:
    msg: "Waiting for confirmation: {{ subscriptions.pending_endpoints | join(', ') }}"
  when: subscriptions.pending_confirmation

- name: An SQS queue with raw delivery and a filter
  rootwatch.aws.sns_subscription:
    topic_arn: arn:aws:sns:us-east-1:123456789012:root-login-alerts
    protocol: sqs
    endpoint: arn:aws:sqs:us-east-1:123456789012:alerts
    attributes:
      RawMessageDelivery: true
      FilterPolicy:
        severity: [high, critical]

- name: Exactly these addresses; unsubscribe the other email subscriptions
  rootwatch.aws.sns_subscription:
    topic_arn: arn:aws:sns:us-east-1:123456789012:root-login-alerts
    protocol: email
    endpoints: [security@example.com]
    purge_endpoints: true

- name: Unsubscribe an address
  rootwatch.aws.sns_subscription:
    topic_arn: arn:aws:sns:us-east-1:123456789012:root-login-alerts
    protocol: email
    endpoint: former-colleague@example.com
    state: absent
"""

RETURN = r"""
changes:
  description: One line per endpoint that this run subscribed, unsubscribed or updated (or would, in check mode) -
    C(subscribe ENDPOINT), C(unsubscribe ENDPOINT) or C(update subscription ENDPOINT).
  returned: always
  type: list
  elements: str
  sample: ["subscribe security@example.com"]
subscription_arn:
  description:
    - The ARN of the subscription. V(null) when AWS does not reveal it (a pending subscription found by
      listing), in check mode before it is created, or when O(state=absent) found nothing.
  returned: with O(endpoint)
  type: str
  sample: arn:aws:sns:us-east-1:123456789012:root-login-alerts:0e7a5a4c-5a11-4d2e-9a8a-3f1b0c7d9e21
pending_confirmation:
  description: Whether the subscription (with O(endpoints) - any of them) awaits confirmation.
  returned: always
  type: bool
  sample: true
subscription:
  description: The subscription; V({}) when O(state=absent) found nothing.
  returned: with O(endpoint)
  type: dict
  contains:
    subscription_arn:
      description: The ARN, or V(null) when not known.
      type: str
      returned: success
    topic_arn:
      description: The ARN of the topic.
      type: str
      returned: success
    protocol:
      description: The protocol.
      type: str
      returned: success
    endpoint:
      description: The endpoint, as AWS lists it.
      type: str
      returned: success
    pending_confirmation:
      description: Whether it awaits confirmation.
      type: bool
      returned: success
    attributes:
      description: The managed attributes (JSON ones as dictionaries).
      type: dict
      returned: success
    owner:
      description: The account that owns the subscription, when known.
      type: str
      returned: success
subscriptions:
  description: One entry per endpoint (and per purged subscription), shaped like RV(subscription), plus C(action).
  returned: always
  type: list
  elements: dict
  sample:
    - {"endpoint": "security@example.com", "protocol": "email", "pending_confirmation": true, "action": "created"}
pending_endpoints:
  description: The endpoints whose subscription awaits confirmation.
  returned: always
  type: list
  elements: str
  sample: ["security@example.com"]
removed_endpoints:
  description: The endpoints that were (or would be) unsubscribed.
  returned: always
  type: list
  elements: str
  sample: []
"""

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import validate_topic_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import PROTOCOLS
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import SubscriptionManager
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import canonical_endpoint
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import canonical_endpoints
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import normalize_attributes
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import run_manager_module


def prepare(module):
    params = module.params
    validate_topic_arn(params["topic_arn"])
    if params["endpoint"] is not None:
        endpoints = [canonical_endpoint(params["protocol"], params["endpoint"])]
    else:
        endpoints = canonical_endpoints(params["protocol"], params["endpoints"])
    if params["state"] == "present":
        normalize_attributes(params["protocol"], params["attributes"])
    return {
        "topic_arn": params["topic_arn"],
        "protocol": params["protocol"],
        "endpoints": endpoints,
        "state": params["state"],
        "attributes": params["attributes"],
        "purge": params["endpoints"] is not None and params["purge_endpoints"],
        "single": params["endpoint"] is not None,
    }


def main():
    argument_spec = dict(
        topic_arn=dict(type="str", required=True),
        protocol=dict(type="str", required=True, choices=list(PROTOCOLS)),
        endpoint=dict(type="str"),
        endpoints=dict(type="list", elements="str"),
        purge_endpoints=dict(type="bool", default=False),
        attributes=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    run_manager_module(SubscriptionManager, argument_spec, prepare,
                       mutually_exclusive=[("endpoint", "endpoints")], required_one_of=[("endpoint", "endpoints")])


if __name__ == "__main__":
    main()
