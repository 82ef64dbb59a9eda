# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run rootwatch.aws.root_login_alerts_stack in the controller's worker process (docs/performance.md).

A module process costs about 1 CPU-s per account (interpreter, AnsiballZ, ansible, boto3 and our
module_utils imported and compiled, botocore's JSON parsed), against some 50 ms of real work. On
the local connection, this action runs the unchanged module's ``main()`` in the worker Ansible
forked for the task, with the module's own semantics:

- the arguments go through ``_update_module_args`` (check mode, diff, no_log, verbosity...) and
  the module serialization profile, as AnsiballZ hands them over, and ``AnsibleModule`` reads
  them from ``ansible.module_utils.basic._ANSIBLE_ARGS``, the global it documents for that;
  ``module_defaults`` and the action group are in the task args before an action runs;
- module-side warnings and deprecations are collected into the result, as in a module process;
- the result is printed by the module and parsed by ``_parse_returned_data``, as for a module;
- the task's ``environment`` is applied to ``os.environ`` for the call, and everything is
  restored after it: environment, working directory, the module globals;
- ``exit_json``/``fail_json`` raise SystemExit, which ends the call; any other exception becomes a
  failed result with its message.

It falls back to the module process (``_execute_module``) for another connection (a delegated
non-local host included), async, become, another Python interpreter, a controller without boto3
or ansible-core internals it does not know, and when ``ROOTWATCH_IN_PROCESS`` (environment) or
``rootwatch_in_process`` (variable) is false.

Importing this file imports boto3, the module, our module_utils and botocore's models once.
Ansible's linear and free strategies import an action class in the parent process before
forking the task's workers, so every worker starts with them loaded. ``ROOTWATCH_PRELOAD=false``
turns that off; so does a controller without boto3 (the fallback then runs the module).

In the role rootwatch.aws.root_login_alerts, the role variables are also checked here against
the role's argument specs, as ``validate_argument_spec`` would, before either engine runs. A play
that imports the role with ``rolespec_validate: false`` (playbooks/root_alerts.yml) then saves a
task, and a worker, per account; the errors still name the role variables. The specs are parsed
once, at import, in the parent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import copy
import importlib
import io
import json
import os
import sys

import yaml

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.json import Direction
from ansible.module_utils.common.json import get_module_encoder
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.plugins.action.validate_argument_spec import ActionModule as ValidateArgumentSpec
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash
from ansible.vars.clean import remove_internal_keys

try:  # ansible-core 2.19: module code sees is_controller False; checked before use
    from ansible.module_utils import _internal as module_internal
    from ansible.module_utils._internal import _traceback as module_traceback
except ImportError:  # pragma: no cover - other ansible-core versions fall back to the module
    module_internal = module_traceback = None

display = Display()

MODULE = "rootwatch.aws.root_login_alerts_stack"
MODULE_IMPORT = "ansible_collections.rootwatch.aws.plugins.modules.root_login_alerts_stack"
# The module declares no metadata, so AnsiballZ uses the legacy serialization profile.
PROFILE = "legacy"
SWITCH_ENV = "ROOTWATCH_IN_PROCESS"
SWITCH_VAR = "rootwatch_in_process"
PRELOAD_ENV = "ROOTWATCH_PRELOAD"
# The services the stack's clients use; their models are parsed once, in the parent.
SERVICES = ("events", "sns", "cloudtrail", "iam", "sts", "s3", "sqs", "kms", "logs", "cloudwatch", "ec2", "organizations")
# What a client's creation reads besides its service-2 model.
SERVICE_DATA = ("service-2", "endpoint-rule-set-1")
COMMON_DATA = ("endpoints", "partitions", "sdk-default-configuration", "_retry")
ROLE = "rootwatch.aws.root_login_alerts"
# plugins/action/ -> the collection -> the role's argument specs
ROLE_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles", "root_login_alerts")


def _switch(value, default=True):
    if value is None or value == "":
        return default
    try:
        return boolean(value, strict=True)
    except TypeError:
        return default


def engine_problem():
    """Why this ansible-core cannot run the module in-process (None: it can)."""
    needed = [(basic, "_ANSIBLE_ARGS"), (basic, "_ANSIBLE_PROFILE"), (basic, "_PARSED_MODULE_ARGS"),
              (module_warnings, "_global_warnings"), (module_warnings, "_global_deprecations"),
              (module_internal, "is_controller"), (module_traceback, "_module_tracebacks_enabled_events")]
    missing = ["%s.%s" % (getattr(owner, "__name__", "?"), name) for owner, name in needed if owner is None or not hasattr(owner, name)]
    if missing:
        return "ansible-core lacks %s" % ", ".join(missing)
    return None


def preload():
    """Import boto3, the module and its module_utils, and parse botocore's data, once (None: done)."""
    if not _switch(os.environ.get(PRELOAD_ENV)) or not _switch(os.environ.get(SWITCH_ENV)):
        return "turned off by %s or %s" % (PRELOAD_ENV, SWITCH_ENV)
    try:
        importlib.import_module(MODULE_IMPORT)
        from ansible_collections.rootwatch.aws.plugins.module_utils._core import arns
        from ansible_collections.rootwatch.aws.plugins.module_utils._core import botocore_data
        loader = botocore_data.shared_loader(botocore_data.botocore_session().get_config_variable("data_path"))
        for name in COMMON_DATA:
            loader.load_data(name)
        for service in SERVICES:
            for type_name in SERVICE_DATA:
                loader.load_service_model(service, type_name)
        arns.known_regions()
    except Exception as exc:  # pylint: disable=broad-except
        # Not fatal: each run then imports what it needs, or falls back to the module process.
        return "%s: %s" % (type(exc).__name__, exc)
    return None


PRELOAD_PROBLEM = preload()


def _read_role_argument_specs(role_path):
    """The argument_specs of a role's meta/argument_specs.yml (None: no such file)."""
    for extension in (".yml", ".yaml"):
        path = os.path.join(role_path, "meta", "argument_specs" + extension)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                return (yaml.load(handle, Loader=loader) or {}).get("argument_specs") or {}
    return None


# Parsed here, in the parent, so no worker reads the file; another copy of the role is read by Ansible.
ROLE_ARGUMENT_SPECS = {os.path.realpath(ROLE_PATH): _read_role_argument_specs(ROLE_PATH)}


@contextlib.contextmanager
def module_process_state(payload, environment):
    """The process state a module process would have, for one call; everything restored after."""
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_args = (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, basic._PARSED_MODULE_ARGS)
    saved_controller = module_internal.is_controller
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        os.environ.update(dict((str(key), str(value)) for key, value in environment.items()))
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, basic._PARSED_MODULE_ARGS = payload, PROFILE, None
        module_traceback._module_tracebacks_enabled_events = None
        module_warnings._global_warnings.clear()
        module_warnings._global_deprecations.clear()
        # Module code: warn() and deprecate() collect into the result, not the controller's display.
        module_internal.is_controller = False
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            yield stdout, stderr
    finally:
        module_internal.is_controller = saved_controller
        module_warnings._global_warnings.clear()
        module_warnings._global_deprecations.clear()
        module_traceback._module_tracebacks_enabled_events = None
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, basic._PARSED_MODULE_ARGS = saved_args
        if os.getcwd() != saved_cwd:
            os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)


class ActionModule(NormalAction):
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars if task_vars is not None else {}
        invalid = self._role_variable_errors(task_vars)
        if invalid:
            return invalid
        refusal = self._in_process_refusal(task_vars)
        if refusal:
            display.vvv("%s: module process (%s)" % (MODULE, refusal), host=self._task_host(task_vars))
            return super(ActionModule, self).run(tmp, task_vars)
        # ActionBase's checks (check mode, async support), without the module process.
        result = super(NormalAction, self).run(tmp, task_vars)  # pylint: disable=bad-super-call
        display.vvv("%s: in the controller's worker process" % MODULE, host=self._task_host(task_vars))
        result = merge_hash(result, self._run_in_process(task_vars))
        return result

    def _role_variable_errors(self, task_vars):
        """The failed result validate_argument_spec would give for the role's variables (None: valid).

        Only in our role, and only when Ansible's own validation task was turned off for it.
        """
        role = getattr(self._task, "_role", None)
        if role is None or role.get_name() != ROLE or getattr(role, "_should_validate", False):
            return None
        specs = ROLE_ARGUMENT_SPECS.get(os.path.realpath(role._role_path))
        if specs is None:
            specs = role._get_role_argspecs()
        entry_point = role._from_files.get("tasks") or "main"
        options = (specs.get(entry_point) or {}).get("options") or {}
        if not options:
            return None
        # Ansible's own validation action, with the arguments its role validation task would get
        # (role params are templated with the task's args, before an action runs).
        check = self._task.copy(exclude_parent=True, exclude_tasks=True)
        check.async_val = 0  # the check itself is synchronous, as Ansible's task would be
        check.args = {
            "argument_spec": options,
            "provided_arguments": self._templar.template(role._role_params),
            "validate_args_context": {"type": "role", "name": ROLE, "argument_spec_name": entry_point, "path": role._role_path},
        }
        validator = ValidateArgumentSpec(check, self._connection, self._play_context, self._loader, self._templar, self._shared_loader_obj)
        result = validator.run(task_vars=task_vars)
        return result if result.get("failed") else None

    @staticmethod
    def _task_host(task_vars):
        return task_vars.get("inventory_hostname")

    def _in_process_refusal(self, task_vars):
        """Why this task runs the module process instead (None: it runs in-process)."""
        if not _switch(os.environ.get(SWITCH_ENV)):
            return "%s is false" % SWITCH_ENV
        if not _switch(self._templar.template(task_vars.get(SWITCH_VAR))):
            return "%s is false" % SWITCH_VAR
        if self._task.async_val:
            return "async"
        if getattr(self._connection, "transport", None) != "local":
            return "connection %s" % getattr(self._connection, "transport", "?")
        if self._play_context.become:
            return "become"
        interpreter = self._templar.template(task_vars.get("ansible_python_interpreter"))
        if interpreter and os.path.realpath(str(interpreter)) != os.path.realpath(sys.executable):
            return "interpreter %s is not the controller's" % interpreter
        problem = engine_problem()
        if problem:
            return problem
        if PRELOAD_PROBLEM and "turned off" not in PRELOAD_PROBLEM:
            return "the module does not load on the controller (%s)" % PRELOAD_PROBLEM
        return None

    def _run_in_process(self, task_vars):
        module_args = copy.deepcopy(self._task.args)
        self._update_module_args(MODULE, module_args, task_vars)
        environment = {}
        self._compute_environment_string(environment)
        encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
        payload = json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder).encode()
        rc = 0
        try:
            module = importlib.import_module(MODULE_IMPORT)
            with module_process_state(payload, environment) as (stdout, stderr):
                try:
                    module.main()
                except SystemExit as exc:
                    rc = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # pylint: disable=broad-except
            # A failed task with a message; never a traceback through the worker.
            return {"failed": True, "msg": "%s failed in the controller's worker process: %s: %s" % (MODULE, type(exc).__name__, exc)}
        data = self._parse_returned_data({"rc": rc, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}, PROFILE)
        remove_internal_keys(data)
        return data
