# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's settings: the checks shared with the role (before any AWS call), and the names they imply."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._stack import settings as stack_settings
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import validate_settings

GOOD = {
    "state": "present",
    "emails": ["security@example.com"],
    "region": "us-east-1",
    "assume_role_arn": "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
    "topic_name": "root-login-alerts",
    "rule_name": "root-login-alerts",
    "trail": "auto",
    "trail_name": "root-login-alerts",
    "trail_bucket": None,
    "kms_key_id": None,
    "event_pattern": None,
}

VALID = [
    ("defaults", {}),
    ("no role, account named", {"assume_role_arn": None, "account_id": "111111111111"}),
    ("no role, controller credentials on purpose", {"assume_role_arn": None, "use_controller_credentials": True}),
    ("role into the named account", {"account_id": "111111111111"}),
    ("role with path", {"assume_role_arn": "arn:aws:iam::111111111111:role/path/to/Role"}),
    ("control tower role", {"assume_role_arn": "arn:aws:iam::111111111111:role/AWSControlTowerExecution"}),
    ("customer key alias", {"kms_key_id": "alias/security-alerts"}),
    ("customer key arn", {"kms_key_id": "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"}),
    ("absent without emails", {"state": "absent", "emails": []}),
    ("pattern override", {"event_pattern": {
        "detail-type": ["AWS Console Sign In via CloudTrail"],
        "detail": {"userIdentity": {"type": ["Root"]}, "responseElements": {"ConsoleLogin": ["Success"]}},
    }}),
    ("trail none ignores names", {"trail": "none", "trail_name": "bad name!"}),
    ("bucket given", {"trail_bucket": "example-org-trail-logs"}),
    ("default profile", {"profiles": ["console_sign_in"]}),
    ("credential changes too", {"profiles": ["console_sign_in", "credential_changes"]}),
    ("external id", {"assume_role_external_id": "rootwatch-7f3a:prod/2026"}),
]


@pytest.mark.parametrize("label,change", VALID, ids=[v[0] for v in VALID])
def test_valid_settings(label, change):
    given = dict(GOOD, **change)
    checked = validate_settings(dict(given), prefix="root_login_alerts_")
    # Accepted as given: every value kept, and the destinations normalized to none.
    assert dict((key, checked[key]) for key in given) == given, label
    assert checked["chat_channels"] == [] and checked["webhooks"] == [], label


INVALID = [
    ("bad email", {"emails": ["security@"]}, "root_login_alerts_emails"),
    ("email with space", {"emails": ["sec urity@example.com"]}, "root_login_alerts_emails"),
    ("duplicate email", {"emails": ["a@example.com", "a@example.com"]}, "root_login_alerts_emails lists an address twice"),
    ("same mailbox in two cases", {"emails": ["secops@acme.test", "SecOps@Acme.test"]},
     "'secops@acme.test' and 'SecOps@Acme.test' are one mailbox"),
    ("another region", {"region": "eu-west-1"},
     "root_login_alerts_region must be us-east-1, got 'eu-west-1': CloudTrail records every root user console sign-in in us-east-1"),
    ("made-up region", {"region": "us-fake-9"}, "root_login_alerts_region must be us-east-1: 'us-fake-9' is not an AWS region where events is available"),
    ("govcloud", {"region": "us-gov-west-1"}, "does not accept root user credentials"),
    ("china", {"region": "cn-north-1"}, "the China Regions have no root user credentials"),
    ("no emails when present", {"emails": []}, "root_login_alerts_emails must list at least one address"),
    ("emails not a list", {"emails": "a@example.com"}, "root_login_alerts_emails must be a list"),
    ("region typo", {"region": "us-east-x"}, "root_login_alerts_region must be an AWS region name"),
    ("region upper", {"region": "US-EAST-1"}, "root_login_alerts_region"),
    ("role not an arn", {"assume_role_arn": "OrganizationAccountAccessRole"}, "root_login_alerts_assume_role_arn must be an IAM role ARN"),
    ("user arn", {"assume_role_arn": "arn:aws:iam::111111111111:user/alice"}, "root_login_alerts_assume_role_arn"),
    ("short account", {"assume_role_arn": "arn:aws:iam::1111:role/R"}, "root_login_alerts_assume_role_arn"),
    ("aws managed key", {"kms_key_id": "alias/aws/sns"}, "root_login_alerts_kms_key_id 'alias/aws/sns' is the AWS-managed key"),
    ("aws managed key arn", {"kms_key_id": "arn:aws:kms:us-east-1:111111111111:alias/aws/sns"}, "AWS-managed key"),
    ("bad key", {"kms_key_id": "not a key"}, "root_login_alerts_kms_key_id"),
    ("unbracketed Root", {"event_pattern": {"detail": {"userIdentity": {"type": "Root"}}}},
     "root_login_alerts_event_pattern: event_pattern at detail.userIdentity.type"),
    ("pattern not JSON", {"event_pattern": "{nope"}, "root_login_alerts_event_pattern"),
    ("bad topic name", {"topic_name": "root alerts"}, "root_login_alerts_topic_name"),
    ("bad rule name", {"rule_name": "root alerts"}, "root_login_alerts_rule_name"),
    ("bad trail mode", {"trail": "reuse"}, "root_login_alerts_trail must be one of auto, create, none"),
    ("bad trail name", {"trail_name": "-bad"}, "root_login_alerts_trail_name"),
    ("bad bucket", {"trail_bucket": "Bad_Bucket"}, "root_login_alerts_trail_bucket"),
    ("bad state", {"state": "enabled"}, "root_login_alerts_state must be present or absent"),
    ("no role, no account, no opt-in", {"assume_role_arn": None},
     "root_login_alerts_assume_role_arn is not set, so this host would work in whatever account the controller's own "
     "credentials belong to"),
    ("role into another account", {"account_id": "910000000011"},
     "leads into account 111111111111, but this host names account 910000000011"),
    ("account id not 12 digits", {"account_id": "91000"}, "root_login_alerts_account_id must be a 12-digit AWS account ID"),
    ("external id without a role", {"assume_role_arn": None, "account_id": "111111111111", "assume_role_external_id": "abc123"},
     "root_login_alerts_assume_role_external_id is set, but root_login_alerts_assume_role_arn is not"),
    ("external id too short", {"assume_role_external_id": "a"}, "root_login_alerts_assume_role_external_id must be 2-1224"),
    ("external id with a space", {"assume_role_external_id": "two words"}, "root_login_alerts_assume_role_external_id must be 2-1224"),
    ("external id with a newline", {"assume_role_external_id": "abc\n"}, "root_login_alerts_assume_role_external_id must be 2-1224"),
    ("unknown profile", {"profiles": ["console_sign_in", "root_everything"]},
     "root_login_alerts_profiles: value[1]: unknown profile 'root_everything'; known profiles: console_sign_in, api_activity"),
    ("profiles not a list", {"profiles": "console_sign_in"}, "root_login_alerts_profiles: value must be a list of profile names"),
    ("without console sign-in", {"profiles": ["credential_changes"]},
     "root_login_alerts_profiles: must include console_sign_in: it is the path the compliance verdict proves"),
    ("regions without us-east-1", {"profiles": ["console_sign_in", "api_activity"], "regions": ["eu-west-1"]},
     "root_login_alerts_regions: must include us-east-1"),
    ("an unknown region", {"regions": ["us-east-1", "mars-north-1"]}, "root_login_alerts_regions: value[1]:"),
    ("regions not a list", {"regions": "us-east-1"}, "root_login_alerts_regions: value must be a list of region names"),
    ("duplicate profile", {"profiles": ["console_sign_in", "console_sign_in"]}, "duplicate profile 'console_sign_in'"),
    ("rule name too long for a profile rule", {"rule_name": "r" * 60, "profiles": ["console_sign_in", "credential_changes"]},
     "is too long for the rule of profile credential_changes"),
    ("a rule name that cannot begin a chat channel configuration's name",
     {"rule_name": "root.alerts", "chat_channels": [{"type": "slack", "workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}]},
     "root_login_alerts_rule_name must be 1-64 letters, digits, '-' or '_' with root_login_alerts_chat_channels"),
    ("a forwarding role name IAM refuses",
     {"forwarding_role_name": "r\u00f4le", "hub_account_id": "111111111111", "member_accounts": ["222222222222"]},
     "root_login_alerts_forwarding_role_name must be an IAM role name"),
]


@pytest.mark.parametrize("label,change,message", INVALID, ids=[v[0] for v in INVALID])
def test_invalid_settings_name_the_variable(label, change, message):
    with pytest.raises(ValueError) as err:
        validate_settings(dict(GOOD, **change), prefix="root_login_alerts_")
    assert message in str(err.value), label


def test_module_option_names_without_prefix():
    with pytest.raises(ValueError) as err:
        validate_settings(dict(GOOD, region="nowhere"))
    assert str(err.value).startswith("region must be")


def test_profile_rule_names_and_extra_profiles():
    assert stack_settings.profile_rule_name("root-login-alerts", "credential_changes") == "root-login-alerts-credential-changes"
    assert stack_settings.extra_profiles({}) == []
    assert stack_settings.extra_profiles({"profiles": ["console_sign_in", "credential_changes"]}) == ["credential_changes"]
    assert stack_settings.regional_profiles(["console_sign_in", "credential_changes", "api_activity"]) == ["api_activity"]


def test_the_names_the_settings_imply():
    checked = validate_settings(dict(GOOD, chat_channels=[{"type": "slack", "workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}]))
    assert stack_settings.chat_topic_name(checked) == "root-login-alerts-chat"
    assert stack_settings.chat_topic_name(dict(checked, chat_topic_name="alerts-chat")) == "alerts-chat"
    assert stack_settings.destination_role_name(checked, "chat") == "root-login-alerts-chat"
    assert stack_settings.destination_role_name(dict(checked, webhook_role_name="hooks"), "webhooks") == "hooks"
    assert stack_settings.cis_names({"cis_alarm_name": "mine"}) == {
        "cis_log_group_name": "root-login-alerts-cloudtrail", "cis_role_name": "root-login-alerts-cloudtrail-logs",
        "cis_metric_filter_name": "root-login-alerts-root-usage", "cis_alarm_name": "mine"}
    assert stack_settings.default_bucket_name("111111111111", "us-east-1") == "root-login-alerts-111111111111-us-east-1"
    assert stack_settings.trail_mode({"trail": None}) == "auto"
    assert stack_settings.chat_params(checked, account_id="111111111111", region="us-east-1") == {
        "state": "present", "name_prefix": "root-login-alerts", "owner_tag": {"rootwatch:created-by": "root_login_alerts"},
        "api_region": "us-east-2", "tags": {}, "channels": checked["chat_channels"],
        "topic_arns": ["arn:aws:sns:us-east-1:111111111111:root-login-alerts-chat"]}
    assert stack_settings.chat_params(checked, "absent")["state"] == "absent" and "channels" not in stack_settings.chat_params(checked, "absent")


def test_the_default_sign_in_pattern_and_an_override():
    assert stack_settings.sign_in_pattern({})["detail"]["userIdentity"]["type"] == ["Root"]
    override = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
    assert stack_settings.sign_in_pattern({"event_pattern": override}) == override


def test_notes_name_the_roles_variables():
    assert stack_settings.role_variable("adopt_existing") == "root_login_alerts_adopt_existing"
    assert stack_settings.DESTINATION_ROLES["webhooks"]["variable"] == "root_login_alerts_webhook_role_name"
