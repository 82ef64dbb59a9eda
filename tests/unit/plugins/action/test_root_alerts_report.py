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
