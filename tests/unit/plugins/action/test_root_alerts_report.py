"""The root_alerts_report action: entries from host variables, files written atomically, clear errors."""

import json
import os
from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.rootwatch.aws.plugins.action.root_alerts_report import ActionModule

VERDICT = {"status": "compliant", "paths": [], "problems": [], "unknown": [], "event_source": {"ok": True}}
HOSTVARS = {
    "a": {"root_login_alerts_result": {"account_id": "111111111111", "compliance": VERDICT}},
    "b": {"root_login_alerts_failure": "Could not assume role"},
    "c": {},
    "d": {"root_login_alerts_result": {"account_id": "444444444444", "changes": ["delete rule r"]}},
}


def run(args, check_mode=False, hostvars=None):
    task = Task()
    task.args = args
    context = PlayContext()
    context.check_mode = check_mode
    action = ActionModule(task, mock.MagicMock(), context, loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={"hostvars": HOSTVARS if hostvars is None else hostvars})


def test_writes_both_files_with_every_account(tmp_path):
    dest = tmp_path / "new" / "reports"
    result = run({"accounts": ["a", "b", "c", "d"], "dest": str(dest)}, check_mode=True)
    assert result["changed"] is False
    statuses = dict((e["account"], e["status"]) for e in result["report"]["accounts"])
    assert statuses == {"111111111111": "compliant", "b": "failed", "c": "not_run", "444444444444": "removed"}
    assert result["report"]["mode"] == "check"
    assert [e["account"] for e in result["report"]["accounts"]][:2] == ["b", "c"]  # needing action first
    written = json.loads((dest / "report.json").read_text())
    assert written == result["report"]
    assert result["json_path"] == str(dest / "report.json")
    markdown = (dest / "report.md").read_text()
    assert "| b | b | failed |" in markdown and "Could not assume role" in markdown
    assert result["summary"][0] == "4 accounts: 1 compliant, 0 need action, 0 unknown, 1 failed, 1 not run, 1 would be removed"
    assert oct(os.stat(dest / "report.md").st_mode & 0o777) == "0o644"
    assert sorted(os.listdir(dest)) == ["report.json", "report.md"]  # no temporary file left


def test_apply_mode_and_rewrite(tmp_path):
    run({"accounts": ["a"], "dest": str(tmp_path)})
    result = run({"accounts": ["b"], "dest": str(tmp_path)})
    assert result["report"]["mode"] == "apply"
    assert [e["account"] for e in json.loads((tmp_path / "report.json").read_text())["accounts"]] == ["b"]


def test_missing_option_is_named(tmp_path):
    with pytest.raises(AnsibleActionFail, match="dest"):
        run({"accounts": ["a"]})


def test_unwritable_destination_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(AnsibleActionFail, match="dest: could not write the report into"):
        run({"accounts": ["a"], "dest": str(blocker / "reports")})


def test_each_report_carries_its_run_and_a_started_run_marks_the_previous_report(tmp_path):
    first = run({"phase": "start", "dest": str(tmp_path)})["run"]
    run({"accounts": ["a"], "dest": str(tmp_path), "run": first})
    written = json.loads((tmp_path / "report.json").read_text())
    assert written["run"]["id"] == first["id"] and written["run"]["started_at"] == first["started_at"]
    assert written["run"]["finished_at"] and written["run"]["hosts"] == 1
    # A second run starts and is killed before it writes: the first report says so.
    second = run({"phase": "start", "dest": str(tmp_path)})["run"]
    marked = json.loads((tmp_path / "report.json").read_text())
    assert marked["superseded_by"]["id"] == second["id"] and "may be out of date" in marked["superseded_by"]["note"]
    assert (tmp_path / "report.md").read_text().startswith("> **This report may be out of date.** Run %s" % second["id"])


def test_a_run_that_finished_meanwhile_is_kept_not_overwritten(tmp_path):
    slow = run({"phase": "start", "dest": str(tmp_path)})["run"]
    fast = run({"phase": "start", "dest": str(tmp_path)})["run"]
    run({"accounts": ["b"], "dest": str(tmp_path), "run": fast})  # its failure must not vanish
    result = run({"accounts": ["a"], "dest": str(tmp_path), "run": slow})
    kept = json.loads((tmp_path / ("report-%s.json" % fast["id"])).read_text())
    assert [(e["host"], e["status"]) for e in kept["accounts"]] == [("b", "failed")]
    assert result["report"]["concurrent_runs"][0]["kept_as"] == "report-%s.json" % fast["id"]
    assert [line for line in result["summary"] if fast["id"] in line and "kept as" in line], result["summary"]
    assert "its report is kept as report-%s.json" % fast["id"] in (tmp_path / "report.md").read_text()


def test_failed_hosts_are_returned_for_the_playbook_to_fail(tmp_path):
    result = run({"accounts": ["a", "b", "c", "d"], "dest": str(tmp_path)})
    assert result["failed_hosts"] == ["b"]
