"""The root_login_alerts_stack action: the module's main() in this process, with module semantics.

The runs that reach AWS use the emulator (tests/harness/emulator.py), reached only through the
task's ``environment``: that also proves the environment is applied for the call and removed after.
"""

import json
import os
import sys
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils import _internal as module_internal

from emulator import Emulator  # pylint: disable=import-error
from action_task import make_action  # pylint: disable=import-error
from action_task import run  # pylint: disable=import-error
from action_task import stack_args  # pylint: disable=import-error

from ansible_collections.rootwatch.aws.plugins.action import root_login_alerts_stack as engine
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import stack as stack_utils

SECRET = "Sekr1t-Value-9876"


@pytest.fixture(scope="module")
def aws():
    with Emulator() as server:
        yield server


@pytest.fixture
def clean(aws):
    aws.reset()
    return aws


def warning_texts(result):
    """Warnings as the controller decodes a module's result: WarningSummary objects (ansible-core 2.19)."""
    return [w.event.msg if hasattr(w, "event") else w for w in result.get("warnings", [])]


def assert_state_restored(environ_before):
    assert dict(os.environ) == environ_before
    assert module_internal.is_controller is True
    assert basic._ANSIBLE_ARGS is None and basic._ANSIBLE_PROFILE is None


def test_check_mode_previews_without_a_write_and_the_environment_is_gone_after(clean):
    before = dict(os.environ)
    assert "AWS_ENDPOINT_URL" not in before
    result = run(make_action(stack_args(), check_mode=True, environment=clean.environ()))
    assert result.get("failed") is not True, result
    assert result["changed"] is True
    assert "delete" not in " ".join(result["changes"]) and result["changes"], result["changes"]
    assert clean.requests() and clean.write_requests() == []
    assert "diff" not in result  # no --diff
    assert_state_restored(before)


def test_diff_and_apply_then_converged(clean):
    applied = run(make_action(stack_args(), diff=True, environment=clean.environ()))
    assert applied["changed"] is True and applied.get("diff"), applied
    assert clean.write_requests()
    again = run(make_action(stack_args(), check_mode=True, environment=clean.environ()))
    assert again["changed"] is False, again.get("changes")
    assert again["compliance"]["status"] == "compliant"


def test_a_module_warning_is_in_the_result_not_lost(clean):
    # A sign-in rule pattern that does not match the sample root sign-in is warned about (module_warn).
    pattern = {"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["IAMUser"]}}}
    result = run(make_action(stack_args(event_pattern=pattern), check_mode=True, environment=clean.environ()))
    assert [w for w in warning_texts(result) if "does not match the sample root sign in" in w], warning_texts(result)
    # The next run starts with no warning of this one.
    assert module_internal.is_controller is True
    second = run(make_action(stack_args(), check_mode=True, environment=clean.environ()))
    assert not [w for w in warning_texts(second) if "does not match" in w]


def test_fail_json_is_a_failed_result_and_the_secret_stays_out(capsys):
    before = dict(os.environ)
    with mock.patch("syslog.syslog") as logged:
        result = run(make_action(stack_args(secret_key=SECRET, access_key="AKIAEXAMPLE", topic_name=SECRET + " no spaces")))
    assert result["failed"] is True
    assert "topic_name" in result["msg"], result["msg"]
    assert SECRET not in repr(result) and "********" in result["msg"], result["msg"]
    assert logged.called  # the invocation was logged, masked
    assert all(SECRET not in repr(call) for call in logged.call_args_list), logged.call_args_list
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "module_stdout" not in result  # the module's JSON was parsed
    assert_state_restored(before)


def test_argument_validation_fails_like_the_module():
    result = run(make_action(stack_args(state="gone")))
    assert result["failed"] is True and "value of state must be one of: present, absent" in result["msg"], result["msg"]


def test_an_exception_is_a_failed_result_with_its_message_and_no_traceback(clean):
    before = dict(os.environ)
    with mock.patch.object(stack_utils.RootLoginAlertsStack, "ensure", side_effect=RuntimeError("boom")):
        result = run(make_action(stack_args(), check_mode=True, environment=clean.environ()))
    assert result["failed"] is True
    assert "RuntimeError: boom" in result["msg"], result
    assert "exception" not in result and "Traceback" not in json.dumps(result)
    assert_state_restored(before)


@pytest.mark.parametrize("how", ["ssh", "async", "switch", "variable", "interpreter"])
def test_falls_back_to_the_module_process(how, monkeypatch):
    kwargs = {"connection": "ssh"} if how == "ssh" else {"async_val": 30} if how == "async" else {}
    task_vars = {}
    if how == "switch":
        monkeypatch.setenv(engine.SWITCH_ENV, "false")
    if how == "variable":
        task_vars[engine.SWITCH_VAR] = False
    if how == "interpreter":
        task_vars["ansible_python_interpreter"] = "/usr/bin/false"
    action = make_action(stack_args(), **kwargs)
    with mock.patch.object(engine.ActionModule, "_execute_module", return_value={"changed": False, "via": "module"}) as module_process:
        with mock.patch.object(engine.ActionModule, "_run_in_process") as in_process:
            result = run(action, task_vars)
    assert module_process.called and not in_process.called
    assert result["via"] == "module"
    assert module_process.call_args.kwargs["wrap_async"] == (how == "async")


def test_the_controller_interpreter_runs_in_process():
    action = make_action(stack_args())
    assert action._in_process_refusal({"ansible_python_interpreter": sys.executable}) is None
    assert engine.PRELOAD_PROBLEM is None  # boto3, the module and the models were loaded at import


def test_the_preload_turns_off_by_the_environment(monkeypatch):
    monkeypatch.setenv(engine.PRELOAD_ENV, "false")
    with mock.patch.object(engine.importlib, "import_module") as imported:
        assert "turned off" in engine.preload()
    assert not imported.called


def test_a_controller_without_the_module_code_falls_back_cleanly(monkeypatch):
    # As on a controller whose Python lacks boto3 (an execution environment's target interpreter has it).
    with mock.patch.object(engine.importlib, "import_module", side_effect=ImportError("No module named 'boto3'")):
        problem = engine.preload()
    assert problem == "ImportError: No module named 'boto3'"
    monkeypatch.setattr(engine, "PRELOAD_PROBLEM", problem)
    refusal = make_action(stack_args())._in_process_refusal({})
    assert "does not load on the controller" in refusal and "boto3" in refusal


def test_an_unknown_ansible_core_falls_back(monkeypatch):
    monkeypatch.delattr(basic, "_ANSIBLE_PROFILE")
    assert "basic._ANSIBLE_PROFILE" in engine.engine_problem()
