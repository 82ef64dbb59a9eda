#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: root_login_alerts_stack
short_description: Root user sign-in email alerts for one AWS account, in one invocation
version_added: 0.1.0
description:
  - Sets up everything that makes an AWS root user console sign-in reach the security team by
    email, for one account, or removes it again.
  - AWS documents no delivery time for the email. CloudTrail delivers events to EventBridge on a
    best-effort basis, so in rare cases an event might not be delivered (EventBridge user guide,
    U(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html)).
  - The trail. With O(trail=auto) a trail that already logs management write events in the region
    is reused (an organization trail included); otherwise, and with O(trail=create), the module
    manages its own multi-region trail and a secure log bucket.
  - An SNS topic (optionally encrypted with a customer-managed KMS key) with one email subscription
    per address in O(emails).
  - The topic-policy statement that lets C(events.amazonaws.com) call C(sns:Publish) on this topic
    only, conditioned on C(aws:SourceArn) (the rule) and C(aws:SourceAccount).
  - The EventBridge rule matching root console sign-ins, with the topic as its target and an input
    transformer that makes the email readable.
  - It composes the managers behind M(rootwatch.aws.cloudtrail_trail), M(rootwatch.aws.sns_topic),
    M(rootwatch.aws.sns_subscription), M(rootwatch.aws.sns_topic_policy) and
    M(rootwatch.aws.eventbridge_rule) in one process, so an organization-wide run pays one module
    start per account. The role C(rootwatch.aws.root_login_alerts) is the usual way to call it.
  - Everything others own is kept. Foreign topic-policy statements, rule targets and
    subscriptions stay, and a reused trail is never modified.
  - It makes no IAM write. The two IAM roles it needs, the forwarding role (hub mode, regional profiles) and
    the role CloudTrail assumes for O(cis_metric_filter), come from C(docs/member-role.yml). It reads and
    verifies them before any write (O(forwarding_role_name), O(cis_role_name)) and passes them to their service.
  - With O(state=absent) it removes what it created and nothing else. The topic and the rule are
    deleted only when no one else uses them, and the trail only when it carries the tag this
    module sets at creation. The log bucket and its logs are always kept.
  - Check mode makes no write call. Assuming O(assume_role_arn) is a read, so check mode does it.
  - The verdict in RV(compliance) is proven link by link on every delivery path found in the account,
    whoever built it. A path is a rule on the default event bus in us-east-1 whose pattern matches a
    root sign-in, with one of its targets. Its links are the trail, the rule, the target topic, the
    topic policy (Allow and Deny, evaluated for this rule), the topic's KMS key and its key policy,
    and a confirmed subscription. A read that fails makes the account V(unknown), never V(compliant),
    and an apply then changes nothing.
  - O(region) must be us-east-1, where CloudTrail records every root user console sign-in. Other
    Regions are refused before any AWS call.
author:
  - rootwatch maintainers (@rootwatch)
options:
  # The other options are in rootwatch.aws.stack_options.
  state:
    description: V(present) sets the alerts up; V(absent) removes what this module created.
    type: str
    choices: [present, absent]
    default: present
notes:
  - On the local connection, an action plugin of the same name runs this module's code in the controller's
    worker process, with no module process per account (docs/performance.md). It falls back to the module
    process for another connection, async, become or another Python interpreter, and when the environment
    variable C(ROOTWATCH_IN_PROCESS) or the variable C(rootwatch_in_process) is false.
attributes:
  # Written here rather than taken from rootwatch.aws.resource_module: every one says something of the stack.
  check_mode:
    support: full
    description: Makes no write call and predicts every change, including ARNs of new resources.
  diff_mode:
    support: full
    description: Returns before and after of the trail, topic, subscriptions, topic policy and rule.
  platform:
    support: N/A
    platforms: all
    description: It calls AWS APIs only, from wherever its task runs (usually the controller, see the notes).
  action_group:
    support: full
    membership:
      - rootwatch.aws.rootwatch
    description: With the other modules of the collection in the action group, so that C(module_defaults) can set the AWS connection options once.
extends_documentation_fragment:
  - rootwatch.aws.stack_options
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Root sign-in alerts in the account the credentials belong to, which must be 111111111111
  rootwatch.aws.root_login_alerts_stack:
    region: us-east-1
    account_id: "111111111111"
    emails:
      - security@example.com

- name: In a member account, through its role, preview only
  rootwatch.aws.root_login_alerts_stack:
    assume_role_arn: arn:aws:iam::111111111111:role/OrganizationAccountAccessRole
    emails: [security@example.com, oncall@example.com]
    trail: auto
    kms_key_id: alias/security-alerts
  check_mode: true

- name: Hub mode, in the hub account 999999999999 (run the same task in every member account)
  rootwatch.aws.root_login_alerts_stack:
    account_id: "999999999999"
    hub_account_id: "999999999999"
    organization_id: o-a1b2c3d4e5
    emails: [security@example.com]

- name: Remove what it created, in whatever account the credentials reach
  rootwatch.aws.root_login_alerts_stack:
    state: absent
    emails: [security@example.com]
    use_controller_credentials: true
"""

RETURN = r"""
account_id:
  description: The account the stack is in.
  returned: always
  type: str
  sample: "111111111111"
topic_arn:
  description: ARN of the topic (predicted when check mode would create it).
  returned: always
  type: str
  sample: arn:aws:sns:us-east-1:111111111111:root-login-alerts
rule_arn:
  description: ARN of the rule (predicted when check mode would create it).
  returned: always
  type: str
  sample: arn:aws:events:us-east-1:111111111111:rule/root-login-alerts
changes:
  description: What this run changed, or would change in check mode, one line each.
  returned: always
  type: list
  elements: str
  sample: ["create topic root-login-alerts", "subscribe security@example.com"]
subscriptions:
  description: The email subscriptions, with C(pending_confirmation) and the C(action) taken.
  returned: always
  type: list
  elements: dict
  sample: [{"endpoint": "security@example.com", "pending_confirmation": true, "action": "unchanged"}]
pending_confirmation:
  description: Addresses whose subscription still awaits the recipient's confirmation.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["oncall@example.com"]
topic:
  description: Facts of the topic (see M(rootwatch.aws.sns_topic)).
  returned: when O(state=present)
  type: dict
topic_policy:
  description: The topic's policy document after the run.
  returned: when O(state=present)
  type: dict
rule:
  description: The rule after the run (see M(rootwatch.aws.eventbridge_rule)).
  returned: always
  type: dict
trail:
  description:
    - What the run did about the trail, by O(trail). Whether a trail delivers the sign-in events is
      the C(event_source) link of RV(compliance).
  returned: always
  type: dict
  sample: {"mode": "auto", "reused": true, "created": false, "name": "org-trail",
           "arn": "arn:aws:cloudtrail:us-east-1:999999999999:trail/org-trail"}
pattern_tests:
  description: The pattern tested against sample events.
  returned: when O(state=present) and O(verify=true)
  type: list
  elements: dict
  sample: [{"event": "root_sign_in", "expected": true, "matched": true, "method": "TestEventPattern"}]
compliance:
  description:
    - The account's verdict from the delivery-path evaluator, judged on the state found (check mode,
      and an apply that changed nothing) or as it stands after the apply.
    - C(status) is V(compliant) (at least one complete path), V(needs_action) or V(unknown) (a
      needed read failed). C(paths) lists each path with C(rule), C(topic), C(ours), C(complete),
      C(recipients), C(reaches) and its C(links). C(problems) names the first broken link of each path;
      C(unknown) the reads that failed.
    - C(reaches) lists the kinds of destination with a complete path, V(email), V(slack), V(teams) and
      V(webhook:<name>). A chat path is an SNS path whose recipient is the chat service's subscription with an
      ENABLED channel configuration listing the topic; a webhook path has the links C(target), C(role),
      C(connection) (V(AUTHORIZED)) and C(api_destination) (V(ACTIVE)) after the rule.
  returned: when O(state=present)
  type: dict
  sample: {"status": "needs_action", "problems": ["rule root-login-alerts -> arn:aws:sns:us-east-1:111111111111:root-login-alerts:
           topic root-login-alerts has no confirmed subscription (pending: security@example.com)"], "unknown": [], "paths": [],
           "reaches": []}
chat:
  description:
    - With O(chat_channels), the chat topic, the channel configurations by name (their IDs, topics, role, guardrail,
      logging level) and the chat role as read (C(usable), C(problems)).
  returned: when O(state=present) and O(chat_channels) is not empty (not in a hub-mode member)
  type: dict
  sample: {"topic_arn": "arn:aws:sns:us-east-1:111111111111:root-login-alerts-chat", "topic_name": "root-login-alerts-chat",
           "api_region": "us-east-2", "channels": {"root-login-alerts-slack-T0123ABCD-C0123ABCD": {"type": "slack"}},
           "role": {"name": "root-login-alerts-chat", "usable": true, "problems": []}}
webhooks:
  description:
    - With O(webhooks), per webhook name its C(format), the resources' C(name), C(target_id), C(connection_arn) and
      C(api_destination_arn) (null in check mode for a new one), and the C(connection) (auth type, header or user
      name, C(secret) set) and C(api_destination) (endpoint host only) as the run leaves them. Never a secret.
  returned: when O(state=present) and O(webhooks) is not empty (not in a hub-mode member)
  type: dict
  sample: {"pagerduty": {"format": "pagerduty_v2", "name": "root-login-alerts-pagerduty", "target_id": "rootwatch-webhook-pagerduty",
           "connection": {"authorization_type": "API_KEY", "header": "X-Rootwatch-Source", "secret": "set"},
           "api_destination": {"endpoint": "https://events.pagerduty.com/...", "http_method": "POST"}}}
webhook_role:
  description: With O(webhooks), the invocation role as read (C(name), C(arn), C(usable), C(problems)).
  returned: when O(state=present) and O(webhooks) is not empty (not in a hub-mode member)
  type: dict
cis_cloudwatch1:
  description:
    - With O(cis_metric_filter=true), whether Security Hub CloudWatch.1 would pass, judged like the delivery
      path (as found in check mode, as it stands after an apply). It has C(passes) (true, false, or null
      when a read failed), C(status) (passed, failed, unknown, no_data) and the C(reasons).
  returned: when O(cis_metric_filter=true) and O(state=present)
  type: dict
  sample: {"passes": true, "status": "passed", "reasons": ["trail root-login-alerts -> log group root-login-alerts-cloudtrail -> ..."]}
profiles:
  description:
    - The verdict of each extra alert profile in O(profiles) (console_sign_in is C(compliance)), by profile
      name, judged like C(compliance) (as found in check mode, as it stands after an apply) in each Region the
      profile alerts in. C(status) is the worst of its Regions; each Region has C(status) and C(problems).
    - A Region counts only when a logging trail covers it (multi-Region, or homed there); the rule must exist
      in the profile's state (api_activity and assume_root need C(ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)),
      its pattern must cover the profile's events, and its target must reach a confirmed recipient (other
      Regions through the us-east-1 default bus and the profile's rule there).
    - Per-account mode and the hub; a member in hub mode has none here.
  returned: when O(state=present) and a path was judged
  type: dict
  sample: {"api_activity": {"status": "needs_action", "problems": ["eu-west-1: eu-west-1 receives nothing: ..."],
           "regions": {"us-east-1": {"status": "compliant", "problems": []},
                       "eu-west-1": {"status": "needs_action", "problems": ["eu-west-1 receives nothing: ..."]}}}}
profile_rules:
  description: The rule of each extra alert profile in O(profiles), by profile name, as it stands after the run.
  returned: when O(state=present)
  type: dict
  sample: {"credential_changes": {"name": "root-login-alerts-credential-changes", "state": "enabled"}}
root_credentials:
  description:
    - The root user's credential posture, a second dimension beside C(compliance) that never changes
      it. From C(iam:GetAccountSummary), and with O(management_account=true) the organization's features.
    - C(mfa_enabled) (V(not_applicable) once centralized root access deleted the credentials),
      C(access_keys_present), C(signing_certificates_present) and C(password_present) are true, false or
      V(unknown) (the read failed, or the endpoint did not return the key). C(centralized_root_access) is
      true, false or V(unknown) (not read from the management account). C(findings) lists what an auditor
      flags, for example V(root user has an access key); C(status) is V(ok), V(findings) or V(unknown).
  returned: when O(state=present)
  type: dict
  sample: {"status": "findings", "findings": ["root user has no MFA"], "mfa_enabled": false, "access_keys_present": false,
           "signing_certificates_present": false, "password_present": true, "centralized_root_access": "unknown"}
root_credentials_read:
  description: What C(iam:GetAccountSummary) returned of the root user's keys (C(summary)), or the C(error).
  returned: when O(state=present)
  type: dict
  sample: {"summary": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0}}
root_last_used:
  description:
    - With O(report_last_used=true), when the root user was last used, from the IAM credential report's
      C(<root_account>) row. C(last_used) is the latest of C(password_last_used) and each access key's
      C(last_used) (null when IAM records no use); C(used_recently) says whether that was in the last 90 days.
    - C(status) is V(read), V(generating) (IAM is building the report; the next run reads it) or V(unknown)
      (a read failed, or the report has no root row, as C(unknown) says). C(notes) says when the report is
      older than four hours or IAM has no record of the password's use.
  returned: when O(report_last_used=true) and O(state=present)
  type: dict
  sample: {"status": "read", "last_used": "2026-11-20T10:15:00+00:00", "password_last_used": "2026-11-20T10:15:00+00:00",
           "access_keys": [], "report_generated_at": "2026-12-03T09:00:00+00:00", "used_recently": true, "notes": [], "unknown": []}
organization_features:
  description: With O(management_account=true), the C(organization_id) and C(enabled_features) read, or C(error).
  returned: when O(management_account=true) and O(state=present)
  type: dict
  sample: {"organization_id": "o-a1b2c3d4e5", "enabled_features": ["RootCredentialsManagement", "RootSessions"]}
adopted:
  description: With O(adopt_existing=true), the paths of others that the account was left alone for.
  returned: when an existing path was adopted
  type: list
  elements: dict
  sample: [{"rule": "rootstack-RootActivityRule", "topic": "arn:aws:sns:us-east-1:111111111111:ROOT-AWS-Console-Sign-In-via-CloudTrail"}]
dead_letter_queue:
  description: The dead-letter queue of this account's targets, C(name), C(arn), C(exists) and C(messages) (as read).
  returned: with O(state=present), except in a member (see RV(member))
  type: dict
  sample: {"name": "root-login-alerts-undelivered", "arn": "arn:aws:sqs:us-east-1:111111111111:root-login-alerts-undelivered",
           "exists": true, "messages": 0}
profile_pattern_tests:
  description:
    - For each extra profile (O(profiles)), its rule's pattern against the profile's real-shaped sample events,
      as RV(pattern_tests) does for the sign-in rule. The samples it must not match include an IAM user's
      event, an assumed role's and a service event. Only with O(verify=true).
  returned: with O(state=present)
  type: dict
  sample: {"credential_changes": [{"event": "iam_user_create_access_key", "expected": false, "matched": false,
           "method": "local evaluation"}]}
hub_mode:
  description: In hub mode, what this account is, V(hub) or V(member).
  returned: with O(hub_account_id)
  type: str
  sample: member
hub:
  description:
    - In the hub account, what the report judges every member with; the hub is read once per run.
    - C(bus_arn), C(bus_exists), C(bus_policy) (or C({"error"}) when it could not be read), C(organization_id),
      C(verdict) (the paths from the hub bus, as RV(compliance) without the C(event_source) link),
      C(dead_letter_queue) (C(name), C(arn), C(exists), C(messages)) and C(rules) (each hub bus rule's C(Name),
      C(Arn), C(State) and C(EventPattern), which each member's own events are matched with).
  returned: in the hub account, with O(state=present)
  type: dict
member:
  description:
    - In a member account, what it forwards, for the report to judge with the hub's RV(hub). These are
      C(event_source) (its trail link), C(rules) (the rules of its default bus that match a root sign-in, with
      their targets), C(roles) (the execution roles of the targets that are the hub bus), C(local) (its own
      delivery-path verdict, for a topic it still has), C(hub_bus_arn), C(dead_letter_queue) and C(organization)
      (C(id), the member's own organization, V(null) in none, and C(error); V(null) when it was not read; it is read,
      with one organizations:DescribeOrganization, only with O(organization_id)).
  returned: in a member account, with O(state=present)
  type: dict
retire_pending:
  description: O(retire_account_topic) waits for the hub path to be proven in this run; a later call retires.
  returned: in a member account, with O(retire_account_topic=true) and without O(retire_proof)
  type: bool
  sample: true
retired:
  description: Whether the call with O(retire_proof) retired the member's own topic (false keeps it, with a warning).
  returned: with O(retire_proof), in a member account
  type: bool
  sample: true
hub_deferred:
  description: The hub was left for a later call (O(defer_hub)).
  returned: in the hub account, with O(state=absent) and O(defer_hub=true)
  type: bool
  sample: true
forwarding_role_arn:
  description: The member's forwarding role.
  returned: in a member account, with O(state=present)
  type: str
  sample: arn:aws:iam::111111111111:role/root-login-alerts-forwarding
hub_bus_arn:
  description: The hub bus this member forwards to.
  returned: in a member account, with O(state=present)
  type: str
  sample: arn:aws:events:us-east-1:999999999999:event-bus/root-login-alerts-hub
topic_kept_because:
  description: With O(state=absent), why the topic was kept (others use it), or empty.
  returned: when O(state=absent)
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.profiles import SIGN_IN_PROFILE
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.webhook_formats import webhooks_argument_spec
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import arn_account
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import AwsClients
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import module_warn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import MODULE_ERRORS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import REFUSALS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import fail_cleanly
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import failing_cleanly
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.stack import RootLoginAlertsStack
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import validate_settings


def argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        emails=dict(type="list", elements="str", default=[]),
        assume_role_arn=dict(type="str"),
        assume_role_session_name=dict(type="str", default="rootwatch-root-login-alerts"),
        assume_role_external_id=dict(type="str"),
        topic_name=dict(type="str", default="root-login-alerts"),
        rule_name=dict(type="str", default="root-login-alerts"),
        trail=dict(type="str", choices=["auto", "create", "none"], default="auto"),
        trail_name=dict(type="str", default="root-login-alerts"),
        trail_bucket=dict(type="str"),
        trail_bucket_owner=dict(type="str"),
        management_events=dict(type="str", choices=["All", "WriteOnly"], default="All"),
        kms_key_id=dict(type="str", no_log=False),
        event_pattern=dict(type="raw"),
        tags=dict(type="dict", default={}),
        verify=dict(type="bool", default=True),
        send_test_notification=dict(type="bool", default=False),
        adopt_existing=dict(type="bool", default=False),
        profiles=dict(type="list", elements="str", default=[SIGN_IN_PROFILE]),
        regions=dict(type="list", elements="str"),
        management_account=dict(type="bool", default=False),
        report_last_used=dict(type="bool", default=False),
        cis_metric_filter=dict(type="bool", default=False),
        cis_reused_trail=dict(type="bool", default=False),
        cis_log_group_name=dict(type="str"),
        cis_role_name=dict(type="str"),
        cis_metric_filter_name=dict(type="str"),
        cis_alarm_name=dict(type="str"),
        hub_account_id=dict(type="str"),
        organization_id=dict(type="str"),
        member_accounts=dict(type="list", elements="str"),
        hub_bus_name=dict(type="str"),
        forwarding_role_name=dict(type="str"),
        dead_letter_queue_name=dict(type="str"),
        retire_account_topic=dict(type="bool", default=False),
        retire_proof=dict(type="dict", options=dict(proven=dict(type="bool", required=True), reason=dict(type="str", default=""))),
        defer_hub=dict(type="bool", default=False),
        account_id=dict(type="str"),
        use_controller_credentials=dict(type="bool", default=False),
        chat_channels=dict(type="list", elements="dict", default=[]),
        chat_topic_name=dict(type="str"),
        chat_role_name=dict(type="str", default="root-login-alerts-chat"),
        webhooks=webhooks_argument_spec(),
        webhook_role_name=dict(type="str", default="root-login-alerts-webhooks"),
        webhook_fingerprint_key=dict(type="str", no_log=True),
        variable_prefix=dict(type="str", default=""),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    settings = dict(module.params, region=module.region)
    with failing_cleanly(module):
        validate_settings(settings, prefix=settings.pop("variable_prefix") or "")

    role_arn = settings.get("assume_role_arn")
    where = "account %s" % (arn_account(role_arn) if role_arn else "of the credentials")
    clients = AwsClients(module)
    if role_arn:
        with failing_cleanly(module, where=where):
            clients.assume_role(role_arn, settings["assume_role_session_name"], settings.get("assume_role_external_id"))

    stack = RootLoginAlertsStack(
        clients,
        clients.region,
        check_mode=module.check_mode,
        warn=module_warn,
        account_id=arn_account(role_arn) if role_arn else None,
    )
    try:
        result = stack.ensure(settings)
    except MODULE_ERRORS as exc:
        # A refusal comes before the write it concerns and names what to fix; any other error (AWS's, or a write
        # that did not take) may come part-way, so it names the account. Either way the changes already made are
        # listed, and stay: a re-run converges.
        refused = isinstance(exc, REFUSALS)
        note = stack.progress_note() if stack.progress or not refused else None
        fail_cleanly(module, exc, where=None if refused else where, note=note, changes=stack.progress)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
