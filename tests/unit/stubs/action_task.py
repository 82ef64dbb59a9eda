"""An ActionModule of the root_login_alerts_stack engine for one task, as the strategy would build it."""

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import connection_loader
from ansible.template import Templar

from emulator import role_arn  # pylint: disable=import-error

from ansible_collections.rootwatch.aws.plugins.action import root_login_alerts_stack as engine

ACCOUNT = "123456789012"


def make_action(args, check_mode=False, diff=False, environment=None, connection="local", async_val=0):
    task = Task()
    task.action = engine.MODULE
    task.args = dict(args)
    task.check_mode = check_mode
    task.diff = diff
    task.async_val = async_val
    task.environment = [environment] if environment else []
    context = PlayContext()
    context.check_mode = check_mode
    conn = connection_loader.get(connection, context)
    loader = DataLoader()
    return engine.ActionModule(task, conn, context, loader=loader, templar=Templar(loader=loader), shared_loader_obj=None)


def stack_args(**extra):
    args = {"state": "present", "emails": ["security@example.com"], "region": "us-east-1",
            "assume_role_arn": role_arn(ACCOUNT, "OrganizationAccountAccessRole"), "trail": "create"}
    args.update(extra)
    return args


def run(action, task_vars=None):
    return action.run(task_vars=dict({"inventory_hostname": ACCOUNT}, **(task_vars or {})))
