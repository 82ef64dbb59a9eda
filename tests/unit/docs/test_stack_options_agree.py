# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's options, written in five places, say the same thing in each.

- ``argument_spec()`` of plugins/modules/root_login_alerts_stack.py: what the module accepts;
- the module's documentation (rootwatch.aws.stack_options and rootwatch.aws.resource_module);
- the role's meta/argument_specs.yml: the same options as ``root_login_alerts_<name>``;
- the role's defaults/main.yml: one default per variable, the one argument_specs.yml declares;
- the role README's table, generated from the two role files (tests/harness/role_options_table.py);
and the role's tasks pass every variable to the option of its name.

Names, types, elements, choices, defaults, required and no_log are compared, sub-options included. The
differences that are meant are listed below, each with its reason.
"""

import importlib
import os

import pytest
import yaml

import role_options_table  # pylint: disable=import-error
from module_docs import fragment_options  # pylint: disable=import-error
from module_docs import read_module_docs  # pylint: disable=import-error

PREFIX = "root_login_alerts_"
STACK_MODULE = "rootwatch.aws.root_login_alerts_stack"
TASKS = os.path.join(role_options_table.ROLE, "tasks", "main.yml")
# Module options the role sets itself, never from a variable of its own.
ROLE_SETS = {
    "defer_hub": "the role's tasks run the hub's removal after every member",
    "retire_proof": "the role computes it with the filter hub_path_proof",
    "variable_prefix": "the role names its variables in the module's messages",
}
# Role variables that are no option of root_login_alerts_stack.
ROLE_ONLY = {
    "region": "amazon.aws's region option (amazon.aws.region.modules)",
    "show_sample_alert": "a debug task of the role",
}
# Defaults the role sets otherwise than the module, on purpose.
ROLE_DEFAULTS = {
    "management_account": "the inventory's aws_account_is_management, so the management account is found by itself",
    "report_last_used": "ansible_check_mode: on in audits, off in applies (the converged no-op's request budget)",
    "member_accounts": "[] in the role, passed as omit (the module's none) when empty",
}
FIELDS = ("type", "elements", "choices", "default", "required", "no_log")


def spec_fields(option, children_key, skip=(), skip_everywhere=()):
    """What two specs must agree on, for one option and its sub-options (``options`` or ``suboptions``)."""
    option = option or {}
    found = dict((key, option.get(key)) for key in FIELDS if key not in skip and key not in skip_everywhere)
    for key, empty in (("type", "str"), ("required", False), ("no_log", False)):
        if key in found:
            found[key] = found[key] or empty
    found["options"] = dict((child, spec_fields(value, children_key, skip_everywhere=skip_everywhere))
                            for child, value in (option.get(children_key) or {}).items())
    return found


def argument_spec():
    """The stack's argument spec, imported when a test needs it (so an import error fails tests, not collection)."""
    return importlib.import_module("ansible_collections.rootwatch.aws.plugins.modules.root_login_alerts_stack").argument_spec()


def role_options():
    return role_options_table.role_options()


def role_defaults():
    return role_options_table.role_defaults()


def stack_tasks():
    with open(TASKS, encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)  # the YAML merge key (<<) gives each task the shared options
    return [task[STACK_MODULE] for task in tasks if STACK_MODULE in task]


def test_the_module_documents_its_argument_spec():
    doc = read_module_docs("root_login_alerts_stack")[0]
    connection = fragment_options("amazon.aws.common.modules", "amazon.aws.region.modules", "amazon.aws.boto3")
    documented = dict((name, option) for name, option in doc["options"].items() if name not in connection)
    spec = argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        # Module docs do not say no_log (validate-modules has no such key); the spec's no_log masks the values.
        written = spec_fields(documented[name], "suboptions", skip_everywhere=("no_log",))
        assert written == spec_fields(option, "options", skip_everywhere=("no_log",)), name


def test_the_stack_options_are_in_the_stack_fragment():
    """One home for the module's option texts: the fragment, with state from rootwatch.aws.resource_module."""
    documented = set(fragment_options("rootwatch.aws.stack_options", "rootwatch.aws.resource_module"))
    assert documented == set(argument_spec())


def test_the_role_has_a_variable_for_each_option():
    variables = set(name[len(PREFIX):] for name in role_options())
    assert all(name.startswith(PREFIX) for name in role_options())
    assert variables - set(argument_spec()) == set(ROLE_ONLY)
    assert set(argument_spec()) - variables == set(ROLE_SETS)


@pytest.mark.parametrize("name", sorted(set(name[len(PREFIX):] for name in role_options()) - set(ROLE_ONLY)))
def test_the_role_variable_is_the_option(name):
    skip = ("default",) if name in ROLE_DEFAULTS else ()
    assert spec_fields(role_options()[PREFIX + name], "options", skip) == spec_fields(argument_spec()[name], "options", skip)


@pytest.mark.parametrize("name", sorted(ROLE_DEFAULTS))
def test_the_role_defaults_that_differ_still_differ(name):
    """A difference listed above that is gone should leave the list."""
    assert role_defaults()[PREFIX + name] != argument_spec()[name].get("default")


def test_defaults_file_has_the_declared_defaults():
    options, defaults = role_options(), role_defaults()
    assert list(defaults) and set(defaults) == set(options)
    for name, option in options.items():
        value = defaults[name]
        if "default" in option:
            assert value == option["default"], name
        else:
            # No declared default: the module decides (none), or a template the role evaluates per host.
            assert value is None or ("{{" in value and name[len(PREFIX):] in ROLE_DEFAULTS), name


def test_the_tasks_pass_every_variable_to_its_option():
    tasks = stack_tasks()
    assert len(tasks) == 2
    for args in tasks:
        for name in role_options():
            option = name[len(PREFIX):]
            if option in ROLE_ONLY and option != "region":
                continue
            assert ("{{ %s " % name) in args[option], option
        assert args["variable_prefix"] == PREFIX


def test_the_readme_table_is_current():
    with open(role_options_table.README, encoding="utf-8") as handle:
        readme = handle.read()
    assert readme == role_options_table.readme_with_table(readme, role_options_table.table()), (
        "run: python tests/harness/role_options_table.py")


def test_the_readme_table_lists_every_variable_with_its_default():
    table = role_options_table.table()
    for name in role_options():
        rows = [row for row in table.splitlines() if row.startswith("| `%s` |" % name)]
        assert len(rows) == 1, name
        default = role_defaults()[name]
        assert ("| %s |" % role_options_table.cell(role_options_table.value_text(default))) in rows[0], name
