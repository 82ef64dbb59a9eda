"""The role's controller-side filters."""

from ansible_collections.rootwatch.aws.plugins.filter import root_login_alerts as filters

SETTINGS = {"state": "present", "emails": ["security@example.com"], "region": "us-east-1", "topic_name": "t",
            "rule_name": "r", "trail": "auto", "trail_name": "root-login-alerts"}


def test_problems_empty_when_valid():
    assert filters.root_login_alerts_problems(SETTINGS) == []


def test_problems_name_the_role_variable():
    problems = filters.root_login_alerts_problems(dict(SETTINGS, emails=["nope"]))
    assert len(problems) == 1 and problems[0].startswith("root_login_alerts_emails")


def test_report_from_hostvars():
    verdict = {"status": "compliant", "problems": [], "drift": []}
    hostvars = {
        "a": {"root_login_alerts_result": {"account_id": "111111111111", "compliance": verdict}},
        "b": {"root_login_alerts_failure": "Could not assume role"},
        "c": {},
        "d": {"root_login_alerts_result": {"account_id": "444444444444", "changes": ["delete rule r"]}},
    }
    report = filters.root_alerts_report(["a", "b", "c", "d"], hostvars, check_mode=True)
    statuses = dict((e["account"], e["status"]) for e in report["document"]["accounts"])
    assert statuses == {"111111111111": "compliant", "b": "failed", "c": "not_run", "444444444444": "removed"}
    assert report["document"]["mode"] == "check"


def test_filters_are_registered():
    names = set(filters.FilterModule().filters())
    assert names == {"root_login_alerts_problems", "root_login_alerts_sample_email", "root_alerts_report"}
