"""The root_alerts_report action: entries from host variables, files written atomically, clear errors."""

import json
import os
import re
import stat
from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.rootwatch.aws.plugins.action import root_alerts_report as report_action
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
    assert oct(os.stat(dest / "report.md").st_mode & 0o777) == "0o600"
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


# -- the report directory: run ids, links, modes (issue 19 item 7) ---------------------------------
def tree(root):
    """Every path under ``root`` (links not followed), relative to it."""
    found = set()
    for folder, directories, files in os.walk(str(root)):
        for name in directories + files:
            found.add(os.path.relpath(os.path.join(folder, name), str(root)))
    return found


def mode_of(path):
    return oct(stat.S_IMODE(os.lstat(str(path)).st_mode))


def plant_report(dest, run_id):
    """A report.json (and report.md) as another run would leave it, finished in the far future."""
    dest.mkdir(parents=True, exist_ok=True)
    planted = {"accounts": [], "run": {"id": run_id, "started_at": "2026-01-01T00:00:00Z", "finished_at": "9999-12-31T23:59:59Z"}}
    (dest / "report.json").write_text(json.dumps(planted))
    (dest / "report.md").write_text("planted\n")


@pytest.mark.parametrize("planted_id", ["../../escaped", "/../../escaped", "a/b", "3f2a9c1b7d4", "3F2A9C1B7D4E", "3f2a9c1b7d4e\n"])
def test_a_planted_run_id_never_becomes_a_file_name(tmp_path, planted_id):
    dest = tmp_path / "outer" / "reports"
    plant_report(dest, planted_id)
    (dest / "report-").mkdir()  # lets "report-/../../escaped.json" resolve outside dest
    before = tree(tmp_path)
    started = run({"phase": "start", "dest": str(dest)})["run"]
    result = run({"accounts": ["a"], "dest": str(dest), "run": started})
    assert tree(tmp_path) == before, "no file may appear or move anywhere: %s" % (tree(tmp_path) ^ before)
    # The planted report is treated as one without a run: replaced by ours, kept nowhere.
    assert "concurrent_runs" not in result["report"]
    assert json.loads((dest / "report.json").read_text())["run"]["id"] == started["id"]
    assert (dest / "report.md").read_text().startswith("# Root sign-in alerts")


def test_a_well_formed_run_id_is_still_kept_beside(tmp_path):
    dest = tmp_path / "reports"
    plant_report(dest, "0123456789ab")  # the format phase=start gives: 12 lowercase hex digits
    started = run({"phase": "start", "dest": str(dest)})["run"]
    result = run({"accounts": ["a"], "dest": str(dest), "run": started})
    assert result["report"]["concurrent_runs"][0]["kept_as"] == "report-0123456789ab.json"
    assert (dest / "report-0123456789ab.md").read_text().endswith("planted\n")


@pytest.mark.parametrize("bad", [{"id": "../../x"}, {"id": 123456789012}, {"started_at": "2026-01-01T00:00:00Z"},
                                 {"id": "0123456789ab", "started_at": 5}])
def test_a_malformed_run_option_is_refused_before_anything_is_written(tmp_path, bad):
    dest = tmp_path / "reports"
    with pytest.raises(AnsibleActionFail, match=r"^run: "):
        run({"accounts": ["a"], "dest": str(dest), "run": bad})
    assert not dest.exists()


@pytest.mark.parametrize("name", ["report.json", "report.md"])
@pytest.mark.parametrize("phase", ["start", "finish"])
def test_a_linked_report_file_is_refused_and_its_target_untouched(tmp_path, name, phase):
    dest = tmp_path / "reports"
    plant_report(dest, "0123456789ab")
    secret = tmp_path / "secret"
    secret.write_text("not for the report\n")
    (dest / name).unlink()
    (dest / name).symlink_to(secret)
    with pytest.raises(AnsibleActionFail, match="%s is a symbolic link" % re.escape(str(dest / name))):
        run({"phase": phase, "accounts": ["a"], "dest": str(dest)})
    assert secret.read_text() == "not for the report\n"
    assert os.path.islink(str(dest / name))
    assert "not for the report" not in "".join(p.read_text() for p in dest.iterdir() if not p.is_symlink())


def test_a_linked_kept_file_is_refused_before_anything_moves(tmp_path):
    dest = tmp_path / "reports"
    plant_report(dest, "0123456789ab")
    elsewhere = tmp_path / "elsewhere.md"
    (dest / "report-0123456789ab.md").symlink_to(elsewhere)
    started = run({"phase": "start", "dest": str(dest)})["run"]
    with pytest.raises(AnsibleActionFail, match="%s is a symbolic link" % re.escape(str(dest / "report-0123456789ab.md"))):
        run({"accounts": ["a"], "dest": str(dest), "run": started})
    assert not elsewhere.exists()
    assert json.loads((dest / "report.json").read_text())["run"]["id"] == "0123456789ab"  # nothing moved
    assert not (dest / "report-0123456789ab.json").exists()


def test_a_link_in_place_of_the_temporary_file_is_refused(tmp_path):
    dest = tmp_path / "reports"
    dest.mkdir()
    target = tmp_path / "target"
    (dest / ".report.json.planted").symlink_to(target)
    with mock.patch.object(report_action, "temporary_name", side_effect=lambda name: ".%s.planted" % name):
        with pytest.raises(AnsibleActionFail, match="%s already exists" % re.escape(str(dest / ".report.json.planted"))):
            run({"accounts": ["a"], "dest": str(dest)})
    assert not target.exists() and not (dest / "report.json").exists()


def test_a_linked_destination_directory_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "reports").symlink_to(real, target_is_directory=True)
    with pytest.raises(AnsibleActionFail, match="dest: %s is a symbolic link" % re.escape(str(tmp_path / "reports"))):
        run({"accounts": ["a"], "dest": str(tmp_path / "reports")})
    assert os.listdir(str(real)) == []


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_created_directories_are_0700_and_files_0600_whatever_the_umask(tmp_path, umask):
    dest = tmp_path / "new" / "reports"
    previous = os.umask(umask)
    try:
        started = run({"phase": "start", "dest": str(dest)})["run"]
        result = run({"accounts": ["a"], "dest": str(dest), "run": started})
    finally:
        os.umask(previous)
    assert result["file_mode"] == "0600"
    assert mode_of(tmp_path / "new") == "0o700" and mode_of(dest) == "0o700"
    assert mode_of(dest / "report.json") == "0o600" and mode_of(dest / "report.md") == "0o600"


@pytest.mark.parametrize("given", ["0640", "640", "0o640", 0o640])
def test_root_alerts_report_mode_sets_the_files_and_the_directory_follows(tmp_path, given):
    dest = tmp_path / "reports"
    result = run({"accounts": ["a"], "dest": str(dest), "mode": given})
    assert result["file_mode"] == "0640"
    assert mode_of(dest / "report.json") == "0o640" and mode_of(dest / "report.md") == "0o640"
    assert mode_of(dest) == "0o750"  # x where r is set


def test_an_existing_directory_keeps_its_mode_and_old_files_are_replaced_private(tmp_path):
    dest = tmp_path / "reports"
    dest.mkdir()
    os.chmod(str(dest), 0o755)
    (dest / "report.json").write_text("{}")
    os.chmod(str(dest / "report.json"), 0o644)
    run({"accounts": ["a"], "dest": str(dest)})
    assert mode_of(dest) == "0o755"
    assert mode_of(dest / "report.json") == "0o600" and mode_of(dest / "report.md") == "0o600"


@pytest.mark.parametrize("given, reason", [
    ("u=rw", "an octal mode"),
    ("06400", "an octal mode"),
    (640, "as a quoted octal string"),     # the decimal number 640, not 0o640
    ("416", "owner must keep read and write"),  # 0640 unquoted in YAML is 416; a string "416" is 0o416
    ("0400", "owner must keep read and write"),
    ("0755", "execute"),
    (True, "an octal mode"),
    (-1, "as a quoted octal string"),
])
def test_a_bad_root_alerts_report_mode_is_named_before_anything_is_written(tmp_path, given, reason):
    dest = tmp_path / "reports"
    with pytest.raises(AnsibleActionFail, match=r"^mode \(root_alerts_report_mode\): .*%s" % re.escape(reason)):
        run({"accounts": ["a"], "dest": str(dest), "mode": given})
    assert not dest.exists()
