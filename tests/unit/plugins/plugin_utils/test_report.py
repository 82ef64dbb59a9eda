"""The organization report: entries from the delivery-path verdict, order, counts, Markdown."""

import json

from ansible_collections.rootwatch.aws.plugins.plugin_utils import report as c

PATH = {"rule": "alerts", "topic": "arn:aws:sns:us-east-1:111111111111:alerts", "ours": True, "complete": True,
        "recipients": ["sec@example.com"], "pending": [], "links": [], "problem": ""}
SOURCE = {"link": "event_source", "ok": True, "reason": "trail audit: logging"}
GOOD = {"status": c.COMPLIANT, "paths": [PATH], "problems": [], "unknown": [], "event_source": SOURCE}
BROKEN = {"status": c.NEEDS_ACTION, "paths": [dict(PATH, complete=False, ours=False, rule="theirs")],
          "problems": ["rule theirs -> arn:aws:sns:us-east-1:222222222222:alerts: rule theirs is DISABLED"],
          "unknown": [], "event_source": SOURCE}
UNREAD = {"status": c.UNKNOWN, "paths": [], "problems": [], "unknown": ["events:ListRules: AccessDeniedException"],
          "event_source": dict(SOURCE, ok=None)}


def test_verdict_entry_keeps_paths_and_lists_unknown_reads_as_problems():
    entry = c.verdict_entry("555555555555", UNREAD, ["create rule r"])
    assert entry["status"] == c.UNKNOWN and entry["problems"] == ["unknown: events:ListRules: AccessDeniedException"]
    assert entry["drift"] == ["create rule r"] and entry["paths"] == []


def test_account_entry_carries_host_and_account():
    entry = c.account_entry("prod", {"root_login_alerts_result": {"account_id": "111111111111", "compliance": GOOD, "changes": []}})
    assert (entry["host"], entry["account"], entry["status"]) == ("prod", "111111111111", c.COMPLIANT)


def test_report_orders_accounts_needing_attention_first_and_counts():
    good = c.verdict_entry("111111111111", GOOD, [])
    bad = c.verdict_entry("222222222222", BROKEN, ["create rule"])
    unread = c.verdict_entry("555555555555", UNREAD, [])
    failed = c.failed_entry("333333333333", "AccessDenied on sts:AssumeRole")
    missing = c.not_run_entry("444444444444")
    report = c.build_report([good, bad, failed, missing, unread], check_mode=True, generated_at="2026-11-24T07:00:00Z")
    document = report["document"]
    assert [a["account"] for a in document["accounts"]] == ["333333333333", "555555555555", "444444444444", "222222222222", "111111111111"]
    assert document["counts"] == {"accounts": 5, "compliant": 1, "needs_action": 1, "unknown": 1, "failed": 1, "not_run": 1, "removed": 0,
                                  "root_credential_findings": 0, "root_credentials_unknown": 0}
    assert document["mode"] == "check"
    json.dumps(document)  # serialisable
    markdown = report["markdown"]
    assert "5 accounts: 1 compliant, 1 need action, 1 unknown, 1 failed, 1 not run." in markdown
    assert "| 222222222222 |  | needs_action |  | BROKEN theirs -> alerts (not ours) | 0 / 0 | yes |" in markdown
    assert "| 111111111111 |  | compliant |  | alerts -> alerts (ours) | 1 / 0 | yes |" in markdown
    assert "| 555555555555 |  | unknown |  | none |" in markdown and "UNKNOWN" in markdown
    assert "create rule" in markdown
    assert report["summary_lines"][0] == "5 accounts: 1 compliant, 1 need action, 1 unknown, 1 failed, 1 not run"
    assert "333333333333 failed: AccessDenied on sts:AssumeRole" in report["summary_lines"]


def test_check_mode_removal_says_would_remove():
    entry = c.account_entry("a", {"root_login_alerts_result": {"account_id": "111111111111", "changes": ["delete rule r"]}})
    check = c.build_report([entry], check_mode=True, generated_at="t")
    assert check["summary_lines"] == ["1 accounts: 0 compliant, 0 need action, 0 unknown, 0 failed, 0 not run, 1 would be removed",
                                      "111111111111 would remove: delete rule r"]
    applied = c.build_report([entry], check_mode=False, generated_at="t")
    assert applied["summary_lines"][1] == "111111111111 removed: delete rule r"


def test_markdown_cells_escape_pipes():
    entry = c.failed_entry("111111111111", "bad | thing\nsecond line")
    markdown = c.build_report([entry], check_mode=False, generated_at="t")["markdown"]
    assert "bad \\| thing second line" in markdown


def test_a_dead_letter_queue_that_holds_events_makes_a_compliant_account_need_action():
    queue = {"name": "root-login-alerts-undelivered", "arn": "arn:aws:sqs:us-east-1:111111111111:root-login-alerts-undelivered",
             "exists": True, "messages": 2}
    result = {"account_id": "111111111111", "compliance": GOOD, "changes": [], "dead_letter_queue": queue}
    entry = c.account_entry("prod", {"root_login_alerts_result": result})
    assert entry["status"] == c.NEEDS_ACTION
    assert "dead-letter queue root-login-alerts-undelivered holds 2 event(s)" in entry["problems"][-1]
    empty = dict(result, dead_letter_queue=dict(queue, messages=0))
    assert c.account_entry("prod", {"root_login_alerts_result": empty})["status"] == GOOD["status"]


# -- profiles (issue 21 item 6) -------------------------------------------------------
API_BROKEN = {"status": c.NEEDS_ACTION, "problems": ["eu-west-1: eu-west-1 receives nothing: no logging CloudTrail trail covers it"],
              "regions": {"us-east-1": {"status": c.COMPLIANT, "problems": []},
                          "eu-west-1": {"status": c.NEEDS_ACTION, "problems": ["eu-west-1 receives nothing: no logging CloudTrail trail covers it"]}}}
API_GOOD = {"status": c.COMPLIANT, "problems": [], "regions": {"us-east-1": {"status": c.COMPLIANT, "problems": []},
                                                               "eu-west-1": {"status": c.COMPLIANT, "problems": []}}}


def test_account_entry_lists_every_profile_per_region_with_console_sign_in_from_the_main_verdict():
    result = {"account_id": "111111111111", "compliance": GOOD, "changes": [], "profiles": {"api_activity": API_GOOD}}
    entry = c.account_entry("prod", {"root_login_alerts_result": result})
    assert entry["status"] == c.COMPLIANT
    assert entry["profiles"] == {
        "console_sign_in": {"status": c.COMPLIANT, "problems": [], "regions": {"us-east-1": {"status": c.COMPLIANT, "problems": []}}},
        "api_activity": API_GOOD,
    }


def test_the_account_status_is_the_worst_of_the_sign_in_path_and_every_profile():
    result = {"account_id": "111111111111", "compliance": GOOD, "changes": [], "profiles": {"api_activity": API_BROKEN}}
    entry = c.account_entry("prod", {"root_login_alerts_result": result})
    assert entry["status"] == c.NEEDS_ACTION
    assert entry["problems"] == ["profile api_activity, eu-west-1: eu-west-1 receives nothing: no logging CloudTrail trail covers it"]
    unknown = dict(API_GOOD, status=c.UNKNOWN)
    entry = c.account_entry("prod", {"root_login_alerts_result": dict(result, compliance=BROKEN, profiles={"assume_root": unknown})})
    assert entry["status"] == c.UNKNOWN  # unknown comes before needs_action (STATUS_ORDER)
    assert entry["profiles"]["console_sign_in"]["status"] == c.NEEDS_ACTION


def test_markdown_has_a_profiles_column_naming_the_regions_that_are_not_compliant():
    result = {"account_id": "111111111111", "compliance": GOOD, "changes": [], "profiles": {"api_activity": API_BROKEN}}
    report = c.build_report([c.account_entry("prod", {"root_login_alerts_result": result})], check_mode=True,
                            generated_at="2026-11-24T07:00:00Z")
    assert "| Status | Profiles (Regions not compliant) | Delivery paths |" in report["markdown"]
    assert "| needs_action | api_activity: needs_action (eu-west-1); console_sign_in: compliant | alerts -> alerts (ours) |" in report["markdown"]
    assert report["document"]["accounts"][0]["profiles"]["api_activity"]["regions"]["eu-west-1"]["status"] == c.NEEDS_ACTION
