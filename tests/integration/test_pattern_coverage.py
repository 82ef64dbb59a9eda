"""Patterns judged by meaning, through real ansible-playbook runs against the emulator.

A path whose rule pattern skips some root sign-ins (here those from one address) is partial:
it is not counted, and the audit names what it skips. The patterns are written out here.

Emulator quirks these tests live with (the code follows AWS):
- email subscriptions are confirmed at once (on AWS they stay pending until the recipient
  confirms); the user-built path is therefore complete in every other link;
- ``describe_rule`` returns the pattern text exactly as it was stored.
"""

import json

from accounts import RECIPE_RULE, Account, build_recipe  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import NAME, read_report, run, stack, write_inventory  # pylint: disable=import-error

# The recipe's pattern, narrowed: AWS would never alert for sign-ins from 198.51.100.99.
NARROWED = {
    "source": ["aws.signin"],
    "detail-type": ["AWS Console Sign In via CloudTrail"],
    "detail": {"userIdentity": {"type": ["Root"]}, "sourceIPAddress": [{"anything-but": "198.51.100.99"}]},
}
GAP = "skips sign-ins whose sourceIPAddress is 198.51.100.99"


def entries_of(reports):
    return {entry["account"]: entry for entry in read_report(reports)[0]["accounts"]}


def test_a_user_built_path_with_a_narrowed_pattern_is_partial_and_not_counted(tmp_path, emulator):
    narrowed, recipe = simulated_accounts(2)
    build_recipe(Account(emulator, narrowed), pattern=NARROWED)
    build_recipe(Account(emulator, recipe))  # the recipe's own pattern: a control that counts
    inventory = write_inventory(tmp_path / "inventory.yml", [narrowed, recipe])
    reports = tmp_path / "audit"
    audit = run(emulator, inventory, reports, check=True)
    assert audit.rc == 0, audit
    assert emulator.write_requests() == []
    entries = entries_of(reports)
    entry = entries[narrowed]
    assert entry["status"] == "needs_action", entry
    assert [p for p in entry["problems"] if RECIPE_RULE in p and GAP in p], entry["problems"]
    verdict = stack(audit, narrowed)["compliance"]
    partial = [p for p in verdict["paths"] if p["rule"] == RECIPE_RULE]
    assert [(p["complete"], p["ours"]) for p in partial] == [(False, False)], partial
    assert [link["link"] for link in partial[0]["links"] if link["ok"] is False] == ["rule"], partial[0]["links"]
    assert entries[recipe]["status"] == "compliant", entries[recipe]


def test_our_own_rule_narrowed_by_someone_reads_needs_action_with_the_gap(tmp_path, emulator):
    account = simulated_accounts(1)[0]
    inventory = write_inventory(tmp_path / "inventory.yml", [account])
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    assert stack(applied, account)["compliance"]["status"] == "compliant"
    events = Account(emulator, account).client("events")
    events.put_rule(Name=NAME, EventPattern=json.dumps(NARROWED), State="ENABLED")
    reports = tmp_path / "audit"
    audit = run(emulator, inventory, reports, check=True)
    assert audit.rc == 0, audit
    assert emulator.write_requests() == []
    entry = entries_of(reports)[account]
    assert entry["status"] == "needs_action", entry
    assert [p for p in entry["problems"] if "rule %s" % NAME in p and GAP in p], entry["problems"]
    # Apply would restore the pattern: the drift says so apart from the verdict.
    assert [d for d in entry["drift"] if d.startswith("update rule %s" % NAME)], entry["drift"]
