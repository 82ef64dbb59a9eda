"""The stack action checks the role's variables against meta/argument_specs.yml when Ansible's task does not.

playbooks/root_alerts.yml imports the role with ``rolespec_validate: false``; the action then refuses a
bad type or choice itself, with validate_argument_spec's message, before either engine runs.
tests/integration/test_root_alerts_playbook.py proves it through ansible-playbook.
"""

import os

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.template import trust_as_template

from action_task import make_action  # pylint: disable=import-error
from action_task import run  # pylint: disable=import-error
from action_task import stack_args  # pylint: disable=import-error

from ansible_collections.rootwatch.aws.plugins.action import root_login_alerts_stack as engine

ROLE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "root_login_alerts")


class FakeRole:
    """The parts of ansible.playbook.role.Role the action reads."""

    def __init__(self, name=engine.ROLE, should_validate=False, role_path=ROLE_DIR, tasks_from=None, params=None):
        self._name = name
        self._should_validate = should_validate
        self._role_path = role_path
        self._from_files = {"tasks": tasks_from} if tasks_from else {}
        self._role_params = params or {}
        self.read_by_ansible = 0

    def get_name(self):
        return self._name

    def _get_role_argspecs(self):
        self.read_by_ansible += 1
        return {"main": {"options": {"other_flag": {"type": "bool"}}}}


def action_in(role, task_vars=None):
    # No environment: a run that got past the check would fail on credentials, not reach AWS.
    action = make_action(stack_args(), check_mode=True)
    action._task._role = role
    # The task executor's templar sees the task's variables.
    action._templar = Templar(loader=action._loader, variables=task_vars or {})
    return action


def test_a_bad_type_and_a_bad_choice_fail_naming_the_role_variables():
    result = run(action_in(FakeRole()), {"root_login_alerts_verify": "perhaps", "root_login_alerts_trail": "sometimes"})
    assert result["failed"] is True, result
    assert result["msg"].startswith("Validation of arguments failed:\n"), result["msg"]
    assert "root_login_alerts_verify" in result["msg"] and "root_login_alerts_trail" in result["msg"], result["msg"]
    assert "perhaps" in result["msg"] and "sometimes" in result["msg"], result["msg"]
    assert result["validate_args_context"]["name"] == "rootwatch.aws.root_login_alerts"
    assert result["validate_args_context"]["argument_spec_name"] == "main"
    assert len(result["argument_errors"]) == 2, result["argument_errors"]


def test_variables_are_templated_before_they_are_checked():
    # Ansible templates only trusted strings, such as those it read from a playbook or inventory.
    role_vars = {"root_login_alerts_trail": trust_as_template("{{ trail_wanted }}"), "trail_wanted": "sometimes"}
    assert "sometimes" in action_in(FakeRole(), role_vars)._role_variable_errors(role_vars)["msg"]
    role_vars["trail_wanted"] = "auto"
    assert action_in(FakeRole(), role_vars)._role_variable_errors(role_vars) is None


def test_role_params_are_checked_too():
    result = action_in(FakeRole(params={"root_login_alerts_emails": {"to": "security@example.com"}}))._role_variable_errors({})
    assert "root_login_alerts_emails" in result["msg"], result


def test_valid_variables_and_defaults_pass():
    # Read as Ansible reads a role's defaults: their templates are trusted.
    defaults = DataLoader().load_from_file(os.path.join(ROLE_DIR, "defaults", "main.yml"), trusted_as_template=True)
    role_vars = dict(defaults, root_login_alerts_emails=["security@example.com"], ansible_check_mode=True)
    assert action_in(FakeRole(), role_vars)._role_variable_errors(role_vars) is None


def test_nothing_is_checked_twice_outside_our_role_or_when_ansible_checks():
    bad = {"root_login_alerts_verify": "perhaps"}
    assert action_in(FakeRole(should_validate=True))._role_variable_errors(bad) is None
    assert action_in(FakeRole(name="someone.else.role"))._role_variable_errors(bad) is None
    action = make_action(stack_args(), check_mode=True)  # the module called from a play, outside any role
    assert action._role_variable_errors(bad) is None


def test_the_specs_are_read_once_in_the_parent_and_another_copy_of_the_role_by_ansible():
    ours = FakeRole()
    action_in(ours)._role_variable_errors({"root_login_alerts_verify": "perhaps"})
    assert ours.read_by_ansible == 0
    copy = FakeRole(role_path="/elsewhere/root_login_alerts")
    result = action_in(copy)._role_variable_errors({"other_flag": "perhaps"})
    assert copy.read_by_ansible == 1 and "other_flag" in result["msg"], result


def test_another_entry_point_without_a_spec_checks_nothing():
    assert action_in(FakeRole(tasks_from="extra"))._role_variable_errors({"root_login_alerts_verify": "perhaps"}) is None
