"""Compliance verdicts and the organization report."""

import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils import compliance as c

GOOD = dict(
    rule_present=True, rule_enabled=True, pattern_matches=True, rule_targets_topic=True,
    policy_statement_present=True, subscriptions=[{"endpoint": "sec@example.com", "pending": False}],
    trail_covered=True, trail_name="org-trail", trail_logging=True, trail_reason="multi-region, logging", drift=[],
)

CASES = [
    ("compliant", {}, c.COMPLIANT, []),
    ("rule missing", {"rule_present": False}, c.NEEDS_ACTION, ["rule missing"]),
    ("rule disabled", {"rule_enabled": False}, c.NEEDS_ACTION, ["rule disabled"]),
    ("pattern differs", {"pattern_matches": False}, c.NEEDS_ACTION, ["rule pattern differs"]),
    ("no target", {"rule_targets_topic": False}, c.NEEDS_ACTION, ["rule does not target the topic"]),
    ("no statement", {"policy_statement_present": False}, c.NEEDS_ACTION,
     ["topic policy lacks the EventBridge publish statement"]),
    ("only pending", {"subscriptions": [{"endpoint": "a@example.com", "pending": True}]}, c.NEEDS_ACTION,
     ["no confirmed subscription (pending: a@example.com)"]),
    ("one confirmed one pending", {"subscriptions": [{"endpoint": "a@example.com", "pending": True},
                                                     {"endpoint": "b@example.com", "pending": False}]}, c.COMPLIANT, []),
    ("missing subscription", {"subscriptions": [{"endpoint": "b@example.com", "pending": False},
                                                {"endpoint": "a@example.com", "missing": True}]}, c.NEEDS_ACTION,
     ["not subscribed: a@example.com"]),
    ("no trail", {"trail_covered": False, "trail_reason": "trail x: logging off"}, c.NEEDS_ACTION,
     ["no trail logs management write events: trail x: logging off"]),
    ("trail not checked", {"trail_covered": None}, c.COMPLIANT, []),
]


@pytest.mark.parametrize("label,change,status,problems", CASES, ids=[x[0] for x in CASES])
def test_assess(label, change, status, problems):
    verdict = c.assess(**dict(GOOD, **change))
    assert verdict["status"] == status, label
    assert verdict["problems"] == problems


def test_report_orders_accounts_needing_action_first_and_counts():
    good = dict(c.assess(**GOOD), account="111111111111")
    bad_input = dict(GOOD)
    bad_input.update(rule_present=False, drift=["create rule"])
    bad = dict(c.assess(**bad_input), account="222222222222")
    failed = c.failed_entry("333333333333", "AccessDenied on sts:AssumeRole")
    missing = c.not_run_entry("444444444444")
    report = c.build_report([good, bad, failed, missing], check_mode=True, generated_at="2026-11-24T07:00:00Z")
    document = report["document"]
    assert [a["account"] for a in document["accounts"]] == ["333333333333", "444444444444", "222222222222", "111111111111"]
    assert document["counts"] == {"accounts": 4, "compliant": 1, "needs_action": 1, "failed": 1, "not_run": 1, "removed": 0}
    assert document["mode"] == "check"
    json.dumps(document)  # serialisable
    markdown = report["markdown"]
    assert "4 accounts: 1 compliant, 1 need action, 1 failed, 1 not run." in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| 2") or line.startswith("| 1") or line.startswith("| 3")]
    assert rows[0].startswith("| 333333333333 | failed |")
    assert "| 222222222222 | needs_action | MISSING |" in markdown
    assert "create rule" in markdown
    assert report["summary_lines"][0] == "4 accounts: 1 compliant, 1 need action, 1 failed, 1 not run"
    assert "333333333333 failed: AccessDenied on sts:AssumeRole" in report["summary_lines"]


def test_markdown_cells_escape_pipes():
    entry = c.failed_entry("111111111111", "bad | thing\nsecond line")
    markdown = c.build_report([entry], check_mode=False, generated_at="t")["markdown"]
    assert "bad \\| thing second line" in markdown
