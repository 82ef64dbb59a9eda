# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every error type of the project, raised through every module's entry point, is a clean failure.

Each module's manager (or the stack) is patched to raise; main() must answer as a failed task with
a message, never an uncaught exception (Ansible's "MODULE FAILURE" with a traceback). The error
types are found in the plugins' source, so a new type without a way to fail cleanly fails here.
The controller plugins (the report action, the inventory, the filters) must turn the same errors
into Ansible's own error of their kind, with the message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import inspect
import json
import os
import pkgutil

import pytest

from unittest import mock

from botocore.exceptions import ClientError
from botocore.exceptions import EndpointConnectionError

from ansible.errors import AnsibleActionFail
from ansible.errors import AnsibleError
from ansible.errors import AnsibleFilterError
from ansible.inventory.data import InventoryData
from ansible.module_utils.testing import patch_module_args
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

from ansible_collections.rootwatch.aws.plugins import module_utils as module_utils_package
from ansible_collections.rootwatch.aws.plugins.action import root_alerts_report as report_action
from ansible_collections.rootwatch.aws.plugins.filter import root_login_alerts as alert_filters
from ansible_collections.rootwatch.aws.plugins.inventory import organization_accounts as organization_inventory
from ansible_collections.rootwatch.aws.plugins.module_utils._core import managers
from ansible_collections.rootwatch.aws.plugins.module_utils._core import errors as module_errors
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import OrganizationAccountsError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import UnsafeChangeError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import BucketNotVerifiedError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import RootwatchError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.modules import cloudtrail_coverage_info
from ansible_collections.rootwatch.aws.plugins.modules import cloudtrail_trail
from ansible_collections.rootwatch.aws.plugins.modules import eventbridge_rule
from ansible_collections.rootwatch.aws.plugins.modules import root_login_alerts_stack
from ansible_collections.rootwatch.aws.plugins.modules import sns_subscription
from ansible_collections.rootwatch.aws.plugins.modules import sns_topic
from ansible_collections.rootwatch.aws.plugins.modules import sns_topic_policy

ACCOUNT = "123456789012"
TOPIC = "arn:aws:sns:us-east-1:123456789012:root-login-alerts"
RULE = "arn:aws:events:us-east-1:123456789012:rule/root-login-alerts"
CONNECTION = {"region": "us-east-1", "access_key": "AKIAIOSFODNN7EXAMPLE", "secret_key": "not-a-secret"}
DENIED = ClientError({"Error": {"Code": "AccessDenied", "Message": "User is not authorized to perform: sns:CreateTopic"},
                      "ResponseMetadata": {"RequestId": "0f1e2d3c-0000-4000-8000-EXAMPLE", "HTTPStatusCode": 403}}, "CreateTopic")


def handler_error():
    """The AwsCallError that the one AWS call function raises (RootwatchErrorHandler) for DENIED."""
    def create_topic(**unused):
        raise DENIED
    with pytest.raises(AwsCallError) as raised:
        aws_call("create SNS topic root-login-alerts", create_topic, Name="root-login-alerts")
    return raised.value


# One instance of every exception type, by class: what the code raises, with a message of its kind.
ERRORS = {
    AwsCallError: handler_error(),
    ForeignResourceError: ForeignResourceError("SNS topic root-login-alerts in us-east-1 exists but was not created by rootwatch.aws"),
    RootwatchError: RootwatchError("Could not read the account's aliases"),
    ValidationError: ValidationError("emails[0] must be an email address, got 'x'"),
    BucketNotVerifiedError: BucketNotVerifiedError("S3 bucket root-login-alerts-logs is not proven to belong to account 123456789012"),
    WriteConflictError: WriteConflictError("The policy of queue root-login-alerts-dlq changed while this run wrote it (another writer at the "
                                           "same time); a re-run merges both"),
    PatternError: PatternError("detail.userIdentity.type", "must be a list"),
    OrganizationAccountsError: OrganizationAccountsError("ou_ids: ou-zzzz-00000000 is not an organizational unit"),
    UnsafeChangeError: UnsafeChangeError("Account 123456789012: nothing was changed, because reads the decision depends on failed"),
    ValueError: ValueError("emails must be a list of email addresses, got 'x'"),
    AnsibleAWSError: AnsibleAWSError(message="Could not read trail root-login-alerts", exception=DENIED),
    ClientError: DENIED,
    EndpointConnectionError: EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com/"),
}

# Each module: its arguments, and what its main() hands the work to (patched to raise).
MODULES = {
    "cloudtrail_coverage_info": (cloudtrail_coverage_info, {}, (cloudtrail_coverage_info.TrailCoverageChecker, "evaluate")),
    "cloudtrail_trail": (cloudtrail_trail, {"name": "root-login-alerts", "s3_bucket_name": "root-login-alerts-logs"},
                         (cloudtrail_trail.CloudTrailTrailManager, "ensure")),
    "eventbridge_rule": (eventbridge_rule, {"name": "root-login-alerts", "event_pattern": {"source": ["aws.signin"]}},
                         (eventbridge_rule.EventBridgeRuleManager, "ensure")),
    "root_login_alerts_stack": (root_login_alerts_stack, {"emails": ["security@example.com"], "account_id": ACCOUNT},
                                (root_login_alerts_stack.RootLoginAlertsStack, "ensure")),
    "sns_subscription": (sns_subscription, {"topic_arn": TOPIC, "protocol": "email", "endpoint": "security@example.com"},
                         (sns_subscription.SubscriptionManager, "ensure")),
    "sns_topic": (sns_topic, {"name": "root-login-alerts"}, (sns_topic.TopicManager, "ensure")),
    "sns_topic_policy": (sns_topic_policy, {"topic_arn": TOPIC, "eventbridge_publish": {"rule_arn": RULE}},
                         (sns_topic_policy.TopicPolicyManager, "ensure")),
}


def project_exception_types():
    """Every exception class that a module_utils file of the project defines."""
    found = set()
    for info in pkgutil.walk_packages(module_utils_package.__path__, module_utils_package.__name__ + "."):
        loaded = importlib.import_module(info.name)
        for unused, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == loaded.__name__:
                found.add(cls)
    return found


def modules_with_main():
    directory = os.path.join(os.path.dirname(module_utils_package.__path__[0]), "modules")
    names = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as source:
            if "\ndef main(" in source.read():
                names.append(name[:-3])
    return names


def test_every_exception_type_of_the_project_is_caught_and_raised_here():
    types = project_exception_types()
    assert WriteConflictError in types and UnsafeChangeError in types and PatternError in types
    for cls in types:
        assert issubclass(cls, module_errors.RootwatchError), "%s is not a RootwatchError" % cls.__name__
        assert issubclass(cls, module_errors.MODULE_ERRORS), "%s is not caught by module_errors.MODULE_ERRORS" % cls.__name__
        assert cls in ERRORS, "%s has no instance in ERRORS" % cls.__name__


def test_every_module_with_a_main_is_exercised():
    assert sorted(MODULES) == modules_with_main()


def run_main(name, error, capsys):
    """main() with its work patched to raise ``error``; no client is made (that would only cost time here)."""
    module, args, (owner, method) = MODULES[name]
    with patch_module_args(dict(CONNECTION, **args)), no_clients(module), mock.patch.object(owner, method, side_effect=error):
        with pytest.raises(SystemExit) as exited:
            module.main()
    assert exited.value.code == 1, "fail_json exits 1"
    return json.loads(capsys.readouterr().out)


def no_clients(module):
    """AwsClients replaced where a module makes its clients: itself, or ``managers.module_manager``."""
    owner = module if hasattr(module, "AwsClients") else managers
    return mock.patch.object(owner, "AwsClients")


@pytest.mark.parametrize("error_type", list(ERRORS), ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_error_through_each_module_is_a_clean_failure(name, error_type, capsys):
    result = run_main(name, ERRORS[error_type], capsys)
    assert result["failed"] is True
    text = str(ERRORS[error_type].msg if error_type is AwsCallError else ERRORS[error_type])
    assert text.split(":", maxsplit=1)[0] in result["msg"], result["msg"]
    assert "Traceback" not in result["msg"] and "MODULE FAILURE" not in result["msg"]


def test_the_stack_says_what_was_changed_before_an_event_hub_error(capsys):
    """WriteConflictError on the dead-letter queue's policy write, after other writes: the failure names them."""
    def fail_after_writes(stack, settings):
        stack.progress.extend(["create topic root-login-alerts", "create queue root-login-alerts-dlq"])
        raise ERRORS[WriteConflictError]
    module, args, (owner, method) = MODULES["root_login_alerts_stack"]
    with patch_module_args(dict(CONNECTION, **args)), no_clients(module), \
            mock.patch.object(owner, method, autospec=True, side_effect=fail_after_writes):
        with pytest.raises(SystemExit):
            module.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True and "exception" not in result
    assert result["changes"] == ["create topic root-login-alerts", "create queue root-login-alerts-dlq"]
    assert result["msg"] == (
        "account of the credentials: The policy of queue root-login-alerts-dlq changed while this run wrote it (another writer "
        "at the same time); a re-run merges both. Before the failure this run had made these changes, which stay: create topic "
        "root-login-alerts; create queue root-login-alerts-dlq. A re-run converges the rest.")


def test_an_aws_error_keeps_its_code_without_a_traceback(capsys):
    result = run_main("cloudtrail_coverage_info", ERRORS[AwsCallError], capsys)
    assert result["msg"].startswith("Failed to create SNS topic root-login-alerts: An error occurred (AccessDenied)")
    assert result["error"]["code"] == "AccessDenied" and "exception" not in result


# -- the controller plugins -----------------------------------------------------------------------------


def message_of(error):
    return str(ERRORS[error].msg if isinstance(ERRORS[error], module_errors.RootwatchError) else ERRORS[error]).split(":", maxsplit=1)[0]


@pytest.mark.parametrize("error_type", list(ERRORS), ids=lambda cls: cls.__name__)
def test_each_error_through_the_report_action_is_an_action_failure(error_type, tmp_path):
    task = Task()
    task.args = {"accounts": ["a"], "dest": str(tmp_path)}
    action = report_action.ActionModule(task, mock.MagicMock(), PlayContext(), loader=None, templar=None, shared_loader_obj=None)
    with mock.patch.object(report_action.compliance, "build_report", side_effect=ERRORS[error_type]):
        with pytest.raises(AnsibleActionFail) as raised:
            action.run(task_vars={"hostvars": {"a": {}}})
    assert message_of(error_type) in str(raised.value) and "could not be built" in str(raised.value)


@pytest.mark.parametrize("error_type", list(ERRORS), ids=lambda cls: cls.__name__)
def test_each_error_through_the_inventory_is_an_ansible_error(error_type, monkeypatch):
    monkeypatch.setattr(AWSInventoryBase, "parse", lambda plugin, inventory, loader, path, cache=True: None)
    options = dict((name, None) for name in organization_inventory.QUERY_OPTIONS + organization_inventory.HOST_SETTING_OPTIONS)
    options.update(cache=False, hostnames="id", role_name="OrganizationAccountAccessRole", ou_group_prefix="ou_",
                   assume_role_arn_template="arn:{partition}:iam::{account_id}:role/{role_name}")
    plugin = organization_inventory.InventoryModule()
    plugin.get_option = lambda name, hostvars=None: options.get(name)
    plugin.organizations_client = mock.MagicMock
    with mock.patch.object(organization_inventory.OrganizationReader, "collect", side_effect=ERRORS[error_type]):
        with pytest.raises(AnsibleError) as raised:
            plugin.parse(InventoryData(), DataLoader(), "/inventories/demo.organization_accounts.yml", cache=False)
    assert str(raised.value).startswith("rootwatch.aws.organization_accounts: ")
    assert message_of(error_type) in str(raised.value)


@pytest.mark.parametrize("error_type", list(ERRORS), ids=lambda cls: cls.__name__)
def test_each_error_through_the_hub_path_filter_is_a_filter_error(error_type):
    with mock.patch.object(alert_filters, "hub_path_proof", side_effect=ERRORS[error_type]):
        with pytest.raises(AnsibleFilterError) as raised:
            alert_filters.root_login_alerts_hub_path_proof({}, {}, [])
    assert message_of(error_type) in str(raised.value)
