"""The audit's verdict against accounts built with boto3, each in one state a user met.

Every account first gets AWS's own recipe by hand (topic ``ROOT-AWS-Console-Sign-In-via-CloudTrail``,
rule ``rootstack-RootActivityRule``, the events statement, an email subscription, a logging trail),
then one link of it is broken. One ``--check`` run judges them all; the verdict must name the
broken link. The role's own names are not used, so every path here is "not ours".

Emulator quirks these tests live with (the code follows AWS):
- email subscriptions are confirmed at once (on AWS they stay pending until the recipient
  confirms, and the path is then needs_action);
- the CloudFormation ``AWS::SNS::TopicPolicy`` resource is accepted but not applied, so the
  recipe is built with boto3 calls, the same calls its stack makes;
- ``DisableKey`` needs the key ID, not the ARN.
"""

import os

from accounts import (  # pylint: disable=import-error
    RECIPE_RULE,
    RECIPE_TOPIC,
    Account,
    add_trail,
    build_recipe,
    customer_key,
    events_statement,
)
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import STACK_TASK, read_report, run, stack, write_inventory  # pylint: disable=import-error

IAM_API_PATTERN = {"detail-type": ["AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["IAMUser"]}}}


STATES = [
    "recipe", "aws_managed_key", "key_without_grant", "disabled_key", "key_with_grant", "deny_for_events",
    "stopped_trail", "source_arn_of_another_rule", "foreign_rule_for_iam_users_only", "no_trail",
]


def arrange(emulator, state, account):
    inside = Account(emulator, account)
    if state == "recipe":
        build_recipe(inside)
    elif state == "aws_managed_key":
        build_recipe(inside, kms_key="alias/aws/sns")
    elif state == "key_without_grant":
        build_recipe(inside, kms_key=customer_key(inside, events=False))
    elif state == "disabled_key":
        build_recipe(inside, kms_key=customer_key(inside, enabled=False))
    elif state == "key_with_grant":
        build_recipe(inside, kms_key=customer_key(inside))
    elif state == "deny_for_events":
        topic = inside.topic_arn(RECIPE_TOPIC)
        deny = dict(events_statement(topic, sid="DenyEvents"), Effect="Deny")
        build_recipe(inside, extra_statements=[deny])
    elif state == "stopped_trail":
        build_recipe(inside, trail=False)
        add_trail(inside, logging=False)
    elif state == "source_arn_of_another_rule":
        topic = inside.topic_arn(RECIPE_TOPIC)
        other = "arn:aws:events:us-east-1:%s:rule/someone-else" % account
        build_recipe(inside, statement=events_statement(topic, **{"aws:SourceArn": other}))
    elif state == "foreign_rule_for_iam_users_only":
        build_recipe(inside, pattern=IAM_API_PATTERN)
    elif state == "no_trail":
        build_recipe(inside, trail=False)


EXPECTED = {
    "recipe": ("compliant", None),
    "key_with_grant": ("compliant", None),
    "aws_managed_key": ("needs_action", "topic %s is encrypted with alias/aws/sns; EventBridge cannot publish to it" % RECIPE_TOPIC),
    "key_without_grant": ("needs_action", "does not let events.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*"),
    "disabled_key": ("needs_action", "which is Disabled"),
    "deny_for_events": ("needs_action", "DenyEvents"),
    "stopped_trail": ("needs_action", "trail management-events: multi-Region trail (home us-east-1); logging is turned off"),
    "source_arn_of_another_rule": ("needs_action", "does not let events.amazonaws.com publish for rule"),
    "foreign_rule_for_iam_users_only": ("needs_action", "no enabled rule on the default event bus in us-east-1 matches a root console sign-in"),
    "no_trail": ("needs_action", "there is no trail"),
}


def test_every_state_gets_the_verdict_its_weakest_link_deserves(tmp_path, emulator):
    accounts = dict(zip(STATES, simulated_accounts(len(STATES))))
    for state, account in accounts.items():
        arrange(emulator, state, account)
    inventory = write_inventory(tmp_path / "inventory.yml", list(accounts.values()))
    reports = tmp_path / "reports"
    audit = run(emulator, inventory, reports, check=True)
    assert audit.rc == 0, audit
    assert emulator.write_requests() == []
    document, markdown = read_report(reports)
    entries = {entry["account"]: entry for entry in document["accounts"]}
    wrong = []
    for state, account in accounts.items():
        status, reason = EXPECTED[state]
        entry = entries[account]
        if entry["status"] != status or (reason and not any(reason in problem for problem in entry["problems"])):
            wrong.append((state, entry["status"], entry["problems"]))
    assert wrong == [], wrong
    # The recipe is named: its rule and topic, not ours, with the confirmed recipient.
    recipe = entries[accounts["recipe"]]
    assert [(p["rule"], p["topic"].rsplit(":", 1)[-1], p["ours"], p["recipients"]) for p in recipe["paths"]] == [
        (RECIPE_RULE, RECIPE_TOPIC, False, ["secops@example.com"])]
    assert "%s -> %s (not ours)" % (RECIPE_RULE, RECIPE_TOPIC) in markdown
    # The foreign rule for IAM users is not a delivery path at all.
    assert entries[accounts["foreign_rule_for_iam_users_only"]]["paths"] == []


def test_recipe_account_warns_of_two_emails_or_is_adopted(tmp_path, emulator):
    warned, adopted = simulated_accounts(2)
    for account in (warned, adopted):
        build_recipe(Account(emulator, account))
    inventory = write_inventory(tmp_path / "inventory.yml", {warned: {}, adopted: {"adopt_existing": True}})
    preview = run(emulator, inventory, tmp_path / "preview", check=True)
    assert preview.rc == 0, preview
    message = "rule %s -> topic arn:aws:sns:us-east-1:%s:%s" % (RECIPE_RULE, warned, RECIPE_TOPIC)
    assert [w for w in stack(preview, warned).get("warnings", []) if "two emails" in w and message in w], stack(preview, warned)

    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    result = stack(applied, warned)
    assert [w for w in result.get("warnings", []) if "two emails" in w], result.get("warnings")
    assert sorted((p["rule"], p["ours"]) for p in result["compliance"]["paths"]) == [
        ("root-login-alerts", True), (RECIPE_RULE, False)]
    # Adopted: nothing was written in that account, and it is compliant through the recipe.
    left = stack(applied, adopted)
    assert left["changed"] is False and left["changes"] == [] and left["adopted"] == [
        {"rule": RECIPE_RULE, "topic": "arn:aws:sns:us-east-1:%s:%s" % (adopted, RECIPE_TOPIC)}]
    assert left["compliance"]["status"] == "compliant"
    assert Account(emulator, adopted).rules() == [RECIPE_RULE]
    assert Account(emulator, adopted).topics() == [Account(emulator, adopted).topic_arn(RECIPE_TOPIC)]


def test_custom_pattern_that_never_matches_root_is_not_compliant(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    inventory = write_inventory(tmp_path / "inventory.yml", [account], event_pattern=IAM_API_PATTERN)
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    verdict = stack(applied, account)["compliance"]
    assert verdict["status"] == "needs_action", verdict
    assert [p for p in verdict["problems"] if "rule root-login-alerts" in p and "does not match a root sign in" in p], verdict["problems"]
    warnings = stack(applied, account).get("warnings", [])
    assert [w for w in warnings if "does not match the sample root sign in" in w], warnings


def test_check_mode_judges_the_trail_as_found_and_lists_the_drift_apart(tmp_path, emulator):
    """Our own trail exists but logs no global service events: the preview says needs_action
    (the account as found), and what apply would change is listed apart as drift."""
    account = simulated_accounts(1)[0]
    inventory = write_inventory(tmp_path / "inventory.yml", [account], trail="create")
    assert run(emulator, inventory, tmp_path / "apply").rc == 0
    cloudtrail = Account(emulator, account).client("cloudtrail")
    cloudtrail.update_trail(Name="root-login-alerts", IsMultiRegionTrail=False, IncludeGlobalServiceEvents=False)
    reports = tmp_path / "audit"
    audit = run(emulator, inventory, reports, check=True)
    assert audit.rc == 0, audit
    assert emulator.write_requests() == []
    entry = {e["account"]: e for e in read_report(reports)[0]["accounts"]}[account]
    assert entry["status"] == "needs_action", entry
    assert [p for p in entry["problems"] if "global service events" in p], entry["problems"]
    assert [d for d in entry["drift"] if d.startswith("update trail root-login-alerts")], entry["drift"]
    assert os.path.exists(os.path.join(str(reports), "report.md"))
    assert stack(audit, account)["changed"] is True and STACK_TASK
