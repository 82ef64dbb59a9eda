"""eventbridge_rule through real ansible-playbook runs against the emulator."""

import json
import os

from playbook_runner import run_playbook  # pylint: disable=import-error

PLAYBOOK = os.path.join(os.path.dirname(__file__), "playbooks", "eventbridge_rule.yml")
TASK = "Rule"
SEED = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
# The same pattern, spelled differently: JSON text, other key order, a duplicate value.
SEED_RESPELLED = '{ "detail" : {"userIdentity": {"type": ["Root", "Root"]}},\n "detail-type": ["AWS Console Sign In via CloudTrail"] }'
TOPIC = "arn:aws:sns:us-east-1:123456789012:root-login-alerts"
TARGET = {
    "id": "alerts",
    "arn": TOPIC,
    "input_transformer": {
        "input_paths_map": {"account": "$.detail.recipientAccountId", "ip": "$.detail.sourceIPAddress"},
        "input_template": '{"text": "Root sign-in to <account> from <ip>", "ip": <ip>}',
    },
}
TARGET_RESPELLED = dict(
    TARGET,
    input_transformer={
        "input_paths_map": {"ip": "$.detail.sourceIPAddress", "account": "$.detail.recipientAccountId"},
        "input_template": '{ "ip":<ip>,\n  "text":"Root sign-in to <account> from <ip>" }',
    },
)


def apply(emulator, check=False, diff=True, **options):
    extra = {"rule_" + key: value for key, value in options.items()}
    run = run_playbook(PLAYBOOK, emulator.environ(), extra_vars=extra, check=check, diff=diff)
    return run


def ok(run):
    assert run.rc == 0, run
    return run.result(TASK)


def test_create_then_equivalent_spelling_is_a_no_op(emulator):
    created = ok(apply(emulator, pattern=SEED, targets=[TARGET], description="root sign-in"))
    assert created["changed"] is True
    assert created["rule"]["arn"] == "arn:aws:events:us-east-1:123456789012:rule/root-login-alerts"
    assert created["rule"]["event_pattern"] == SEED
    assert [t["id"] for t in created["rule"]["targets"]] == ["alerts"]

    emulator.clear_recording()
    again = ok(apply(emulator, pattern=SEED_RESPELLED, targets=[TARGET_RESPELLED]))
    assert again["changed"] is False
    assert again["rule"]["description"] == "root sign-in"
    actions = [request.action for request in emulator.requests()]
    # A no-op reads only the rule and its targets.
    assert actions == ["DescribeRule", "ListTargetsByRule"]
    assert emulator.write_requests() == []


def test_tags_are_read_only_when_given(emulator):
    ok(apply(emulator, pattern=SEED, tags={"owner": "security"}))
    emulator.clear_recording()
    again = ok(apply(emulator, pattern=SEED, tags={"owner": "security"}))
    assert again["changed"] is False
    assert again["rule"]["tags"] == {"owner": "security"}
    assert [r.action for r in emulator.requests()] == ["DescribeRule", "ListTargetsByRule", "ListTagsForResource"]
    changed = ok(apply(emulator, pattern=SEED, tags={"owner": "platform"}))
    assert changed["changed"] is True and changed["rule"]["tags"] == {"owner": "platform"}


def test_check_mode_on_a_fresh_rule_writes_nothing_and_predicts_the_arn(emulator):
    run = apply(emulator, check=True, pattern=SEED, targets=[TARGET])
    result = ok(run)
    assert result["changed"] is True
    assert result["rule"]["arn"] == "arn:aws:events:us-east-1:123456789012:rule/root-login-alerts"
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["event_pattern"] == SEED
    assert emulator.write_requests() == []
    assert emulator.client("events").list_rules()["Rules"] == []


def test_check_mode_on_an_existing_rule_previews_the_change(emulator):
    ok(apply(emulator, pattern=SEED, targets=[TARGET]))
    emulator.clear_recording()
    new_pattern = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root", "IAMUser"]}}}
    result = ok(apply(emulator, check=True, pattern=new_pattern, targets=[TARGET]))
    assert result["changed"] is True
    assert result["diff"]["before"]["event_pattern"] == SEED
    assert result["diff"]["after"]["event_pattern"]["detail"]["userIdentity"]["type"] == ["IAMUser", "Root"]
    assert emulator.write_requests() == []
    stored = emulator.client("events").describe_rule(Name="root-login-alerts")["EventPattern"]
    assert json.loads(stored) == SEED


def test_diff_is_readable_in_console_output(emulator):
    run = run_playbook(PLAYBOOK, emulator.environ(), extra_vars={"rule_pattern": SEED}, check=True, diff=True, callback="default")
    assert run.rc == 0, run.stderr
    # The pattern is pretty-printed, one value per line.
    assert '+    "event_pattern": {' in run.raw
    assert '"AWS Console Sign In via CloudTrail"' in run.raw


def test_foreign_target_is_kept_unless_purged(emulator):
    ok(apply(emulator, pattern=SEED, targets=[TARGET]))
    events = emulator.client("events")
    events.put_targets(Rule="root-login-alerts", Targets=[{"Id": "someone-else", "Arn": "arn:aws:sqs:us-east-1:123456789012:audit"}])

    kept = ok(apply(emulator, pattern=SEED, targets=[TARGET]))
    assert kept["changed"] is False
    assert [t["id"] for t in kept["rule"]["targets"]] == ["alerts", "someone-else"]

    emulator.clear_recording()
    purged = ok(apply(emulator, pattern=SEED, targets=[TARGET], purge_targets=True))
    assert purged["changed"] is True
    assert [t["id"] for t in purged["rule"]["targets"]] == ["alerts"]
    assert [r.action for r in emulator.write_requests()] == ["RemoveTargets"]
    remaining = events.list_targets_by_rule(Rule="root-login-alerts")["Targets"]
    assert [t["Id"] for t in remaining] == ["alerts"]


def test_disabled_then_absent(emulator):
    ok(apply(emulator, pattern=SEED, targets=[TARGET]))
    disabled = ok(apply(emulator, pattern=SEED, targets=[TARGET], state="disabled"))
    assert disabled["changed"] is True and disabled["rule"]["state"] == "DISABLED"
    assert emulator.client("events").describe_rule(Name="root-login-alerts")["State"] == "DISABLED"

    emulator.clear_recording()
    absent = ok(apply(emulator, state="absent"))
    assert absent["changed"] is True
    assert [r.action for r in emulator.write_requests()] == ["RemoveTargets", "DeleteRule"]
    assert emulator.client("events").list_rules()["Rules"] == []

    emulator.clear_recording()
    again = ok(apply(emulator, state="absent"))
    assert again["changed"] is False
    assert emulator.write_requests() == []


def test_absent_with_our_targets_keeps_a_rule_that_others_use(emulator):
    ok(apply(emulator, pattern=SEED, targets=[TARGET]))
    emulator.client("events").put_targets(
        Rule="root-login-alerts", Targets=[{"Id": "someone-else", "Arn": "arn:aws:sqs:us-east-1:123456789012:audit"}]
    )
    result = ok(apply(emulator, state="absent", targets=[TARGET]))
    assert result["changed"] is True
    assert result["kept_targets"] == ["someone-else"]
    remaining = emulator.client("events").list_targets_by_rule(Rule="root-login-alerts")["Targets"]
    assert [t["Id"] for t in remaining] == ["someone-else"]


def test_custom_bus_by_name_and_by_arn(emulator):
    bus_arn = emulator.client("events").create_event_bus(Name="security")["EventBusArn"]
    by_name = ok(apply(emulator, pattern=SEED, bus="security", targets=[TARGET]))
    assert by_name["changed"] is True
    assert by_name["rule"]["arn"] == "arn:aws:events:us-east-1:123456789012:rule/security/root-login-alerts"
    assert by_name["rule"]["event_bus_name"] == "security"
    emulator.clear_recording()
    by_arn = ok(apply(emulator, pattern=SEED_RESPELLED, bus=bus_arn, targets=[TARGET]))
    assert by_arn["changed"] is False
    assert emulator.write_requests() == []
    assert emulator.client("events").list_rules()["Rules"] == []  # the default bus is untouched


def test_invalid_pattern_fails_before_any_call(emulator):
    run = apply(emulator, check=True, pattern={"detail": {"userIdentity": {"type": "Root"}}})
    assert run.rc != 0
    result = run.result(TASK)
    assert result["failed"] is True
    assert "detail.userIdentity.type" in result["msg"]
    assert '["Root"]' in result["msg"]
    assert emulator.requests() == []


def test_unknown_operator_fails_before_any_call(emulator):
    run = apply(emulator, pattern={"source": [{"prefx": "aws."}]})
    assert run.rc != 0
    assert "source[0].prefx: unknown operator" in run.result(TASK)["msg"]
    assert emulator.requests() == []
