# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's loop: every step through its manager, the same way; gates, check mode, reads, expansions, callbacks.

The managers here are stand-ins that record what the loop gives them (the flows against AWS's answers are in
test_stack_destinations, test_stack_regions and the integration tests).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import BucketNotVerifiedError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import UnsafeChangeError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import steps
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.stack import RootLoginAlertsStack

ACCOUNT = "111111111111"
CALLS = []


class Recorder(ResourceManager):
    """Records (name, region, params, known) and answers with one change named by ``params["name"]``."""

    def ensure(self, params, known=None):
        CALLS.append((params["name"], self.region, params, known))
        if params.get("warn"):
            self.warn(params["warn"])
        return manager_result(True, {"before": {}, "after": {"name": params["name"]}}, ["change %s" % params["name"]], {},
                              arn="arn:%s" % params["name"], blocking=params.get("blocking", False), message="role %s is missing" % params["name"])

    def look(self, name):
        CALLS.append(("look", name))
        return {"seen": name}

    def hook(self, name, callback):
        CALLS.append((name, "calls back", callback("argument")))
        return manager_result(False, {}, [], {})


class Squatted(ResourceManager):
    def ensure(self, params, known=None):
        raise BucketNotVerifiedError("S3 bucket logs is not proven to belong to account %s" % ACCOUNT)


class Foreign(ResourceManager):
    def ensure(self, params, known=None):
        raise ForeignResourceError("CloudTrail trail t in us-east-1 exists but was not created by rootwatch.aws. Either choose "
                                   "another name, so rootwatch.aws builds its own, or hand this one over.")


@pytest.fixture(autouse=True)
def calls():
    del CALLS[:]
    return CALLS


def stack(check_mode=False):
    warnings = []
    return RootLoginAlertsStack(lambda service, region=None: None, "us-east-1", check_mode=check_mode, warn=warnings.append,
                                account_id=ACCOUNT), warnings


def test_steps_run_in_order_with_their_region_and_later_values_from_earlier_outcomes(calls):
    run, unused = stack()
    done = run.run([steps.step("first", Recorder, {"name": "a"}),
                    steps.step("second", Recorder, {"name": "b", "after": steps.output("first", "arn")}, {"arn": steps.output("first", "arn")},
                               region="eu-west-1")])
    assert [(c[0], c[1]) for c in calls] == [("a", "us-east-1"), ("b", "eu-west-1")]
    assert calls[1][2]["after"] == "arn:a" and calls[1][3] == {"arn": "arn:a"}
    assert list(done) == ["first", "second"] and [key for key, unused in run.outcomes] == ["first", "second"]
    assert run.progress == ["change a", "change b"]


def test_check_mode_records_no_progress_and_quiet_steps_warn_nothing():
    run, unused = stack(check_mode=True)
    run.run([steps.step("loud", Recorder, {"name": "a", "warn": "said"}), steps.step("hushed", Recorder, {"name": "b", "warn": "not said"}, quiet=True)])
    assert run.progress == [] and run._messages == ["said"]


def test_when_notice_read_and_expand():
    run, unused = stack()
    run.run([steps.read("seen", Recorder, "look", name="x"),
             steps.step("skipped", Recorder, {"name": "no"}, when=steps.Later(lambda done: "nothing" in done)),
             steps.notice(lambda done: "saw %s" % done["seen"]["seen"]), steps.notice(lambda done: None),
             steps.expand(lambda done: [steps.step("grown", Recorder, {"name": done["seen"]["seen"] + "-grown"})])])
    assert CALLS[0] == ("look", "x") and [c[0] for c in CALLS[1:]] == ["x-grown"]
    assert run._messages == ["saw x"]
    assert [key for key, unused in run.outcomes] == ["grown"] and run.done["seen"] == {"seen": "x"}  # a read is no outcome


def test_a_callback_runs_its_steps_when_the_manager_calls_it():
    run, unused = stack()
    callback = steps.Callback(lambda argument: [steps.step("inner", Recorder, {"name": argument})], steps.output("inner", "arn"))
    run.run([steps.step("outer", Recorder, {"name": "outer", "callback": callback}, method="hook")])
    assert CALLS == [("argument", "us-east-1", {"name": "argument"}, None), ("outer", "calls back", "arn:argument")]
    assert [key for key, unused in run.outcomes] == ["inner", "outer"]


def test_a_gate_stops_an_apply_after_its_step_and_an_audit_goes_on():
    run, unused = stack()
    with pytest.raises(UnsafeChangeError) as caught:
        run.run([steps.step("role", Recorder, {"name": "r", "blocking": True}, gate=True), steps.step("after", Recorder, {"name": "x"})])
    assert str(caught.value) == "Account 111111111111: nothing was changed, because role r is missing"
    assert [c[0] for c in CALLS] == ["r"]
    audit, unused = stack(check_mode=True)
    audit.run([steps.step("role", Recorder, {"name": "r", "blocking": True}, gate=True), steps.step("after", Recorder, {"name": "x"})])
    assert [c[0] for c in CALLS] == ["r", "r", "x"]


def test_a_bucket_not_proven_ours_fails_an_apply_and_makes_an_audit_unknown():
    with pytest.raises(BucketNotVerifiedError):
        stack()[0].run([steps.step("trail", Squatted, {}, unverified_bucket=True)])
    with pytest.raises(BucketNotVerifiedError):  # a member's audit: no unverified_bucket
        stack(check_mode=True)[0].run([steps.step("trail", Squatted, {})])
    done = stack(check_mode=True)[0].run([steps.step("trail", Squatted, {}, unverified_bucket=True)])
    assert done["trail"]["changed"] is False and done["trail"]["unknown"] == ["S3 bucket logs is not proven to belong to account %s" % ACCOUNT]


def test_a_foreign_resource_says_which_role_variable_names_it():
    """Managers do not know the role's variables; the step that names the resource adds it."""
    with pytest.raises(ForeignResourceError) as caught:
        stack()[0].run([steps.step("trail", Foreign, {}, named_by="trail_name")])
    assert str(caught.value) == (
        "CloudTrail trail t in us-east-1 exists but was not created by rootwatch.aws. Either choose another name, so rootwatch.aws "
        "builds its own, or hand this one over. Its name is set by root_login_alerts_trail_name in the role rootwatch.aws.root_login_alerts.")
    with pytest.raises(ForeignResourceError, match=r"hand this one over\.$"):
        stack()[0].run([steps.step("trail", Foreign, {})])


def test_the_gates_before_the_first_write():
    run, unused = stack()
    with pytest.raises(ForeignResourceError, match="^one two$"):
        run._refuse(["one", "two"])
    with pytest.raises(UnsafeChangeError, match="because IAM role x does not exist$"):
        run._refuse([], [{"usable": False, "problems": ["IAM role x does not exist"]}])
    stack(check_mode=True)[0]._refuse([], [{"usable": False, "problems": ["reported, not refused"]}])


def test_the_progress_note_names_what_stays():
    run, unused = stack()
    assert run.progress_note() == "Nothing was changed by this run before the failure."
    run.progress.extend(["create topic root-login-alerts", "create queue root-login-alerts-dlq"])
    assert run.progress_note() == ("Before the failure this run had made these changes, which stay: create topic root-login-alerts; create queue "
                                   "root-login-alerts-dlq. A re-run converges the rest.")


def test_the_account_the_credentials_reach_must_be_the_one_the_host_names():
    run = RootLoginAlertsStack(lambda service, region=None: None, "us-east-1", account_id="222222222222")
    with pytest.raises(UnsafeChangeError) as caught:
        run.ensure({"state": "present", "emails": ["a@example.com"], "region": "us-east-1", "account_id": ACCOUNT, "topic_name": "t",
                    "rule_name": "r", "trail": "none"})
    assert str(caught.value) == ("The credentials reach account 222222222222, but this host names account 111111111111 (account_id, or a "
                                 "12-digit host name); nothing was changed")
