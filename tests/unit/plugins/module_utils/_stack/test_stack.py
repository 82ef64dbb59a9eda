"""The stack's local checks (shared with the role) and the alert email."""

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import stack

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
    stack.validate_settings(dict(GOOD, **change), prefix="root_login_alerts_")


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
]


@pytest.mark.parametrize("label,change,message", INVALID, ids=[v[0] for v in INVALID])
def test_invalid_settings_name_the_variable(label, change, message):
    with pytest.raises(ValueError) as err:
        stack.validate_settings(dict(GOOD, **change), prefix="root_login_alerts_")
    assert message in str(err.value), label


def test_module_option_names_without_prefix():
    with pytest.raises(ValueError) as err:
        stack.validate_settings(dict(GOOD, region="nowhere"))
    assert str(err.value).startswith("region must be")


def test_sample_email_reads_like_the_documented_alert():
    text = alert_message.sample_email("us-east-1", "222222222222")
    assert text.startswith('{\n  "alert": "Root user console sign-in to AWS account 222222222222 (recorded in us-east-1).')
    assert '"result": "Success",\n  "mfa_used": "No",\n  "time": "2026-11-24T06:35:38Z",\n  "source_ip": "203.0.113.7",' in text
    assert '"event_id": "3b7a9f1c-0000-4000-8000-000000000002",' in text
    assert '"event_history": "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events"' in text


@pytest.mark.parametrize("name", ["root_sign_in", "failed_root_sign_in", "iam_user_sign_in"])
def test_sample_events_against_the_default_pattern(name):
    event, expected = alert_message.sample_events("111111111111")[name]
    assert event_pattern.matches(alert_message.ROOT_SIGN_IN_PATTERN, event) is expected


RENDER = [
    ("string template", '"from <ip> at <time>"', "from 203.0.113.7 at 2026-11-24T06:35:38Z"),
    ("json template", '{"ip": <ip>, "text": "ip <ip>"}', '{"ip": "203.0.113.7", "text": "ip 203.0.113.7"}'),
    ("missing path", '"x <nothere>"', "x <nothere>"),
    # EventBridge does not escape a value inside a string: the quote ends it (why our templates keep detail values out of strings).
    ("quote in value", '"agent <agent>"', '"agent say "hi""'),
    ("quote in a json value", '{"agent": <agent>}', '{"agent": "say \\"hi\\""}'),
]


@pytest.mark.parametrize("label,template,expected", RENDER, ids=[r[0] for r in RENDER])
def test_render(label, template, expected):
    event = alert_message.sample_events()["root_sign_in"][0]
    event["detail"]["userAgent"] = 'say "hi"'
    paths = dict(alert_message.INPUT_PATHS)
    assert alert_message.render(template, paths, event) == expected, label


def test_failed_sign_in_reads_failure():
    event = alert_message.sample_events()["failed_root_sign_in"][0]
    text = alert_message.render(alert_message.INPUT_TEMPLATE, alert_message.INPUT_PATHS, event)
    assert '"result": "Failure",' in text


def test_profile_rule_names_and_extra_profiles():
    assert stack.profile_rule_name("root-login-alerts", "credential_changes") == "root-login-alerts-credential-changes"
    assert stack.extra_profiles({}) == []
    assert stack.extra_profiles({"profiles": ["console_sign_in", "credential_changes"]}) == ["credential_changes"]
