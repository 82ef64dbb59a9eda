# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: the fragments may change with any release.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options of root_login_alerts_stack but state (rootwatch.aws.resource_module) and the AWS connection (amazon.aws).
    # The role root_login_alerts passes each as root_login_alerts_<name>; tests/unit/docs/test_stack_options_agree.py
    # checks these, the module's argument_spec(), the role's argument_specs.yml, defaults and README against each other.
    DOCUMENTATION = r"""
options:
  emails:
    description:
      - Addresses that receive the alert, one email subscription each. Required when O(state=present).
      - Each recipient must confirm the subscription from the AWS email before alerts reach them.
    type: list
    elements: str
    default: []
  assume_role_arn:
    description:
      - IAM role to assume first; every call then uses its credentials. The account is taken from
        the ARN. Credentials are never returned.
    type: str
  assume_role_session_name:
    description: Session name for O(assume_role_arn).
    type: str
    default: rootwatch-root-login-alerts
  assume_role_external_id:
    description:
      - Sent as C(ExternalId) on the AssumeRole of O(assume_role_arn), for a role whose trust policy requires
        C(sts:ExternalId) (the C(ExternalId) parameter of C(docs/member-role.yml)).
      - 2-1224 letters, digits or the characters C(+=,.@:/_-), as STS accepts.
    type: str
  topic_name:
    description: Name of the SNS topic.
    type: str
    default: root-login-alerts
  rule_name:
    description: Name of the EventBridge rule, on the default event bus.
    type: str
    default: root-login-alerts
  trail:
    description:
      - V(auto) reuses a trail that covers the region for management write events, else manages its own.
      - V(create) always manages its own trail.
      - V(none) leaves CloudTrail alone.
    type: str
    choices: [auto, create, none]
    default: auto
  trail_name:
    description: Name of the trail this module manages when it needs one.
    type: str
    default: root-login-alerts
  trail_bucket:
    description:
      - Log bucket of the trail; created with secure settings when missing.
      - Defaults to C(root-login-alerts-<account>-<region>).
      - Every S3 call on it except C(CreateBucket) sends C(ExpectedBucketOwner) (the account, or
        O(trail_bucket_owner)). A bucket that S3 does not prove to be that account's (403 Access Denied, which is
        also the answer of a bucket of another account with this name) stops an apply before anything is
        written. An audit (check mode) reports the account V(unknown) with the reason; a member in hub mode, whose
        verdict the report judges, fails with it instead.
    type: str
  trail_bucket_owner:
    description:
      - The 12-digit ID of the account that owns O(trail_bucket), for a central log bucket in another account
        (a log archive). It is sent as C(ExpectedBucketOwner), so the trail is never pointed at a bucket of any
        other account with that name.
      - When it names another account, that bucket is neither created nor given a policy here (only its owner
        can do either). One C(s3:HeadBucket) proves its owner, so its bucket policy must allow these credentials
        C(s3:ListBucket), and CloudTrail's delivery statements for this account's trail are its owner's to write.
      - Requires O(trail_bucket). When omitted, the bucket must be the account's own.
    type: str
  management_events:
    description: Management events the module's own trail logs.
    type: str
    choices: [All, WriteOnly]
    default: All
  kms_key_id:
    description:
      - Customer-managed KMS key for the topic. The AWS-managed C(alias/aws/sns) is refused,
        because EventBridge cannot publish to topics encrypted with it.
    type: str
  event_pattern:
    description:
      - Override for the rule's pattern, as a dict or JSON text.
      - The default matches every root console sign-in, successful or failed.
    type: raw
  tags:
    description: Tags for the topic, the rule and the trail this module creates.
    type: dict
    default: {}
  verify:
    description:
      - Test the pattern against a sample root sign-in, a failed root sign-in and an IAM user's
        sign-in. A pattern this run wrote is tested with C(events:TestEventPattern) (or locally where
        the endpoint does not implement it); an unchanged pattern, and check mode, use the local
        evaluation, which gives the same answers without API calls. A surprise is a warning.
    type: bool
    default: true
  send_test_notification:
    description: Publish one test message through the topic (not in check mode).
    type: bool
    default: false
  adopt_existing:
    description:
      - When a complete delivery path that rootwatch.aws did not build already exists (a rule on the
        default bus in us-east-1 that matches root sign-ins, an SNS topic EventBridge may publish to,
        and a confirmed subscription, for example AWS's own CloudFormation recipe), leave the account
        exactly as it is. It is reported compliant through that path.
      - With V(false), such an account gets our path too, and the run warns that every recipient on
        both would get two emails per sign-in.
    type: bool
    default: false
  profiles:
    description:
      - The alert profiles, each a rule on the default bus in O(region) that targets the topic with its own
        readable message. V(console_sign_in) (root console sign-ins, successful and failed) is the rule
        O(rule_name) and is required, since the compliance verdict proves its path.
      - V(credential_changes) adds the rule O(rule_name)C(-credential-changes) for root password recovery and
        changes, MFA device changes, root access-key creation and login-profile changes, which CloudTrail
        records in us-east-1 (the event names are in the collection's docs/profiles.md).
      - V(api_activity) (any API call made as root) and V(assume_root) (C(sts:AssumeRoot) calls) get a rule in
        every Region of O(regions); outside us-east-1 it forwards to us-east-1 (see O(regions)).
      - A profile removed from the list loses its rule, when the rule carries our tag.
    type: list
    elements: str
    default: [console_sign_in]
  regions:
    description:
      - The regions of the profiles that need a rule in every region, C(api_activity) and C(assume_root). A root
        API call, or an C(sts:AssumeRoot) call, is recorded in the region it was made in. Must include us-east-1.
      - Default, every region enabled in the account, read with C(ec2:DescribeRegions) (in check mode too).
      - Outside us-east-1 each such profile's rule forwards to the account's us-east-1 default bus (or, in hub
        mode, to the hub bus) with the forwarding role (O(forwarding_role_name)) and a dead-letter queue in that
        region; the us-east-1 rule alerts. A region no longer listed loses our rules and queue there.
    type: list
    elements: str
  management_account:
    description:
      - This account is the organization's management account (or a delegated administrator of
        IAM's centralized root access). It then also reads C(iam:ListOrganizationsFeatures), so the
        report knows whether the organization deletes its members' root credentials and starts
        their root sessions centrally (C(RootCredentialsManagement), C(RootSessions)).
      - Every account's root credential posture (C(iam:GetAccountSummary)) is read either way.
    type: bool
    default: false
  report_last_used:
    description:
      - Also read when the root user was last used, from the IAM credential report, and return it as
        RV(root_last_used). It costs two requests - C(iam:GenerateCredentialReport) before the other reads,
        C(iam:GetCredentialReport) after them, with no wait. IAM builds a new report at most every four hours and
        answers the last one until then; a report still being generated is reported as such, and the next run
        reads it.
      - A finding beside the verdict, which it never changes (RV(compliance)).
      - The role sets it in audits (check mode) and leaves it off for applies, whose converged no-op stays
        at its request budget.
    type: bool
    default: false
  cis_metric_filter:
    description:
      - Also what Security Hub CloudWatch.1 (CIS AWS Foundations 1.4.0, 4.3) checks for root usage. The
        module's own trail sends its events to a CloudWatch Logs log group of ours, through the role
        CloudTrail assumes (O(cis_role_name), made by C(docs/member-role.yml) with C(EnableCisMetricFilter=true));
        a metric filter on that group uses the CIS pattern
        C({ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" });
        an alarm on its metric notifies the alert topic. RV(cis_cloudwatch1) says whether CloudWatch.1 would pass.
      - A reused trail, or O(trail=none), is left as it is, so nothing of this is set up then; a warning says so.
      - O(state=absent) removes the alarm, the filter and the log group, each only when it carries
        the module's tag (for the metric filter, its C(rootwatch.aws/) metric namespace). The role is left alone.
    type: bool
    default: false
  cis_reused_trail:
    description:
      - With O(cis_metric_filter=true), consent to change a reused trail that rootwatch.aws did not create
        (O(trail=auto) found a covering one). When it is in this account, has its home in O(region) and sends
        no events to CloudWatch Logs yet, it is pointed at the CIS log group. That is its only change, and
        O(state=absent) turns it off again before the log group is deleted.
      - A reused trail that already sends its events to another log group keeps it.
    type: bool
    default: false
  cis_log_group_name:
    description: Name of the log group for O(cis_metric_filter). Default C(root-login-alerts-cloudtrail).
    type: str
  cis_role_name:
    description:
      - Name of the IAM role CloudTrail assumes to write to that log group. Default C(root-login-alerts-cloudtrail-logs).
      - This module never creates or changes it; C(docs/member-role.yml) creates it (C(EnableCisMetricFilter=true)).
        It is read (C(iam:GetRole), C(iam:GetRolePolicy) of C(rootwatch-cloudtrail-to-cloudwatch-logs)) and judged
        by what it may do. Its trust must let C(cloudtrail.amazonaws.com) assume it, and its inline policy must allow
        C(logs:CreateLogStream) and C(logs:PutLogEvents) on the log group's streams, with no explicit Deny of them.
      - When it is missing or may not do that, check mode reports the account V(needs_action) with a line that
        names the role, and an apply fails the account before any write.
    type: str
  cis_metric_filter_name:
    description: Name of the metric filter. Default C(root-login-alerts-root-usage).
    type: str
  cis_alarm_name:
    description: Name of the CloudWatch alarm. Default C(root-login-alerts-root-usage).
    type: str
  hub_account_id:
    description:
      - Hub mode. The 12-digit account that holds the only topic and its subscriptions, and a custom event
        bus in us-east-1 that every other account forwards its root events to. Without it, each account
        has its own topic (per-account mode).
      - In the hub account this module builds what per-account mode builds, plus the bus (whose policy admits
        O(organization_id) or O(member_accounts)), a rule per profile on it to the topic, and a dead-letter
        queue for every target. In every other account (a member) it builds the trail, a rule per profile
        whose target is the hub bus with the forwarding role (O(forwarding_role_name)), and a dead-letter
        queue; no topic and no subscription.
      - A member's RV(compliance) is V(unknown) here; M(rootwatch.aws.root_alerts_report) judges it with the
        hub's RV(hub), read once by the hub's own host. See C(docs/hub.md).
    type: str
  organization_id:
    description:
      - Hub mode. The hub bus policy admits the forwarding role (O(forwarding_role_name)) of every account of
        this organization (C(aws:PrincipalOrgID) and C(aws:PrincipalArn)), for events whose source is C(aws.*) only.
    type: str
  member_accounts:
    description:
      - Hub mode. The hub bus policy admits the forwarding role of these accounts (one statement listing them), for
        events whose source is C(aws.*) only. With
        O(organization_id), both are admitted. One of them is required in hub mode.
    type: list
    elements: str
  hub_bus_name:
    description: Hub mode. The name of the hub's custom event bus. Default C(root-login-alerts-hub).
    type: str
  forwarding_role_name:
    description:
      - The name of the role EventBridge assumes for a target that is an event bus, in a member (to the hub bus) and
        for the regional profiles outside us-east-1 (to the account's us-east-1 default bus). Default
        C(root-login-alerts-forwarding).
      - This module never creates, changes or deletes it; C(docs/member-role.yml) creates it (C(CreateForwardingRole),
        and C(HubAccountId) for the hub bus). It is read (C(iam:GetRole), C(iam:GetRolePolicy) of
        C(rootwatch-forward-to-hub-bus)) and judged by what it may do. Its trust must let C(events.amazonaws.com)
        assume it for our rules (C(aws:SourceAccount) the account, C(aws:SourceArn) the rule), and its inline policy
        must allow C(events:PutEvents) on the bus, with no explicit Deny of it. Attached managed policies and the
        permissions boundary are not read; a role with a boundary is judged V(unknown).
      - When it is missing or may not do that, check mode reports the account V(needs_action) with a line that names
        the role, and an apply fails the account before any write. A trust without C(aws:SourceArn) still works and
        is used, with a warning.
    type: str
  dead_letter_queue_name:
    description:
      - The SQS dead-letter queue of every target, in every mode (SQS-managed encryption, 14 days of retention;
        EventBridge sends there what it could not deliver after 185 attempts over 24 hours). A queue that holds
        events makes the account V(needs_action) in the report. Default C(root-login-alerts-undelivered).
    type: str
  retire_account_topic:
    description:
      - Hub mode, in a member. Remove what per-account mode left in the account, when ours - the topic target
        of our rules, the topic policy statement, the topic and its subscriptions - once the hub alerts for it.
        Until then both paths alert, so moving to hub mode leaves no gap (C(docs/hub.md)).
      - The hub path must be proven in the same run, so this call only returns RV(retire_pending); a later call
        with O(retire_proof) retires, or keeps the topic with a warning that gives the reason (the role does
        this once every account has run).
    type: bool
    default: false
  retire_proof:
    description:
      - The controller's judgement of this member's path through the hub in this run, from the first call's
        result and the hub account's (the filter C(rootwatch.aws.hub_path_proof) makes it). With it, the call
        does only the retirement of O(retire_account_topic), and only when C(proven) is true.
    type: dict
    suboptions:
      proven:
        description: Whether a complete path through the hub was proven in this run.
        type: bool
        required: true
      reason:
        description: Why not, when C(proven) is false.
        type: str
        default: ""
  defer_hub:
    description:
      - With O(state=absent), in the hub account, change nothing and return RV(hub_deferred), so that a later
        call removes the hub after every member (the role does this). Ignored elsewhere.
    type: bool
    default: false
  account_id:
    description:
      - The 12-digit account this invocation must work in. With O(assume_role_arn) the role's
        account must be this one; without it, the credentials' account (sts:GetCallerIdentity) must.
        Otherwise the module fails before any write, naming both accounts.
      - The role C(rootwatch.aws.root_login_alerts) sets it from C(root_login_alerts_account_id),
        or from the inventory host name when that is a 12-digit account ID.
    type: str
  use_controller_credentials:
    description:
      - Without O(assume_role_arn) and without O(account_id) the module refuses to run, because it
        would work in whatever account the credentials happen to belong to. V(true) is the explicit
        opt-in to do that.
    type: bool
    default: false
  chat_channels:
    description:
      - "Slack and Microsoft Teams channels that get every alert through AWS Chatbot (Amazon Q Developer in chat
        applications), each C({type: slack, workspace_id, channel_id}) or C({type: teams, tenant_id, team_id, channel_id})."
      - The workspace or team must first be authorized once in the chat service's console; there is no API for that step.
      - Builds a chat topic (O(chat_topic_name)), a target on each alert rule to it in the chat service's custom-notification
        format, and one channel configuration per channel (named C(<rule_name>-slack-...) or C(<rule_name>-teams-...), API
        Region us-east-2) with the role O(chat_role_name). In hub mode, in the hub only. See C(docs/destinations.md).
      - Nothing is read or built when empty.
    type: list
    elements: dict
    default: []
  chat_topic_name:
    description: The chat topic, kept apart from the email topic. Defaults to C(<topic_name>-chat).
    type: str
  chat_role_name:
    description:
      - The role the chat service assumes for the channel configurations, created by C(docs/member-role.yml)
        (parameter C(CreateChatRole)). It is read, never written; a missing one stops an apply before its first write.
    type: str
    default: root-login-alerts-chat
  webhooks:
    description:
      - HTTPS endpoints (PagerDuty Events API v2, Opsgenie, Slack incoming webhooks, any other) that get every alert through
        an EventBridge connection and API destination each, named C(<rule_name>-<name>), and a target on each alert rule
        with the format's input transformer, the role O(webhook_role_name), the dead-letter queue and the retry policy.
      - The URL, the routing key and the auth secrets are C(no_log); output names the endpoint's host only. See
        C(docs/destinations.md) for how a secret is compared without reading it back.
      - Nothing is read or built when empty.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - The webhook's name (letters, digits, C(.-_)); required.
          - Required keys and allowed values are checked by the module, before any AWS call, so that a message names
            C(root_login_alerts_webhooks[<i>].<key>) (see O(variable_prefix)).
        type: str
      url:
        description: The https endpoint (required); it may be the credential (Slack), so it is never shown.
        type: str
      format:
        description:
          - The payload (required), rendered by the target's input transformer, one of V(pagerduty_v2), V(opsgenie),
            V(slack_webhook), V(raw) (the event as EventBridge delivers it).
        type: str
      routing_key:
        description: The 32-character PagerDuty integration key (V(pagerduty_v2) only). It travels in the payload.
        type: str
      rate_limit_per_second:
        description: The API destination's invocation rate limit; AWS's default when omitted.
        type: int
      auth:
        description: The connection's authorization; optional for V(pagerduty_v2) and V(slack_webhook).
        type: dict
        suboptions:
          type:
            description: The authorization type (required), V(api_key), V(basic) or V(oauth).
            type: str
          header:
            description: The header of V(api_key) (default C(Authorization)).
            type: str
          value:
            description: The value of V(api_key).
            type: str
          username:
            description: The user name of V(basic).
            type: str
          password:
            description: The password of V(basic).
            type: str
          client_id:
            description: The OAuth client ID.
            type: str
          client_secret:
            description: The OAuth client secret.
            type: str
          authorization_endpoint:
            description: The OAuth token endpoint (https).
            type: str
          http_method:
            description: The OAuth token request's method, V(GET), V(POST) (default) or V(PUT).
            type: str
          body_parameters:
            description: OAuth body parameters (not secret).
            type: dict
          header_parameters:
            description: OAuth header parameters (not secret).
            type: dict
          query_string_parameters:
            description: OAuth query string parameters (not secret).
            type: dict
  webhook_role_name:
    description:
      - The role EventBridge assumes to invoke the API destinations, created by C(docs/member-role.yml) (parameter
        C(CreateWebhookRole)). It is read, never written; a missing one stops an apply before its first write.
    type: str
    default: root-login-alerts-webhooks
  webhook_fingerprint_key:
    description:
      - A key of yours for the HMAC fingerprint of each connection's secret kept in its Description; without it, a reader
        of the Description can test guesses of a weak secret offline.
    type: str
  variable_prefix:
    description:
      - Put before an option's name in the message that refuses its value, so that a caller which
        passes its own variables has them named. The role C(rootwatch.aws.root_login_alerts) sets
        V(root_login_alerts_), so a refused value reads
        C(root_login_alerts_emails must list at least one address ...).
      - Every value is checked before the first AWS call, so a refused value changes nothing.
    type: str
    default: ""
"""
