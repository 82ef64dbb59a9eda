# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's documentation: built from our fragments, valid YAML, and saying what the code accepts.

ansible-test's validate-modules checks the last point too, but only in the sanity stage (minutes, a copy of
the tree); this runs with the unit tests. The argument spec is the one the module hands AnsibleAWSModule
(captured by replacing its constructor), or for root_alerts_report, which runs as an action, the action's.
"""

import ast
import importlib

import pytest
import yaml
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from module_docs import fragment_options  # pylint: disable=import-error
from module_docs import module_names  # pylint: disable=import-error
from module_docs import module_path  # pylint: disable=import-error
from module_docs import read_module_docs  # pylint: disable=import-error

PACKAGE = "ansible_collections.rootwatch.aws.plugins."
# The connection options AnsibleAWSModule adds to every module's own argument spec.
AWS_FRAGMENTS = ("amazon.aws.common.modules", "amazon.aws.region.modules", "amazon.aws.boto3")
FIELDS = ("type", "elements", "choices", "default", "required", "aliases")


class Captured(Exception):
    def __init__(self, kwargs):
        super(Captured, self).__init__("AnsibleAWSModule called")
        self.kwargs = kwargs


def raw_documentation(name):
    """The module's DOCUMENTATION as written, before fragments are merged."""
    with open(module_path(name), encoding="utf-8") as source:
        tree = ast.parse(source.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [target.id for target in node.targets if isinstance(target, ast.Name)] == ["DOCUMENTATION"]:
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no DOCUMENTATION" % name)


def module_argument_spec(name, monkeypatch):
    """The argument spec of the module's main(), as it reaches AnsibleAWSModule."""
    if name == "root_alerts_report":
        return importlib.import_module(PACKAGE + "action.root_alerts_report").ARGUMENT_SPEC

    def capture(self, **kwargs):
        raise Captured(kwargs)

    monkeypatch.setattr(AnsibleAWSModule, "__init__", capture)
    module = importlib.import_module(PACKAGE + "modules." + name)
    with pytest.raises(Captured) as captured:
        module.main()
    return captured.value.kwargs["argument_spec"]


def fields(option, children_key):
    """What the docs and the spec must agree on, for one option and its sub-options."""
    option = option or {}
    found = dict((key, option.get(key)) for key in FIELDS)
    found["type"] = found["type"] or "str"
    found["required"] = bool(found["required"])
    found["aliases"] = sorted(found["aliases"] or [])
    found["options"] = dict((child, fields(value, children_key)) for child, value in (option.get(children_key) or {}).items())
    return found


@pytest.mark.parametrize("name", module_names())
def test_every_module_uses_a_fragment_of_ours(name):
    extends = raw_documentation(name).get("extends_documentation_fragment") or []
    assert [fragment for fragment in extends if fragment.startswith("rootwatch.aws.")], name


@pytest.mark.parametrize("name", module_names())
def test_documentation_examples_and_return_are_yaml(name):
    doc, examples, returns = read_module_docs(name)
    assert doc["module"] == name
    assert doc["options"] and doc["attributes"]["check_mode"]["support"] in ("full", "partial", "none", "N/A")
    tasks = yaml.safe_load(examples)
    assert all("name" in task for task in tasks) and any(("rootwatch.aws." + name) in task for task in tasks)
    assert isinstance(returns, dict) and returns


@pytest.mark.parametrize("name", module_names())
def test_documented_options_are_the_argument_spec(name, monkeypatch):
    spec = module_argument_spec(name, monkeypatch)
    doc = read_module_docs(name)[0]
    connection = set(fragment_options(*AWS_FRAGMENTS)) if name != "root_alerts_report" else set()
    documented = dict((option, value) for option, value in doc["options"].items() if option not in connection)
    assert sorted(documented) == sorted(spec)
    for option in spec:
        assert fields(documented[option], "suboptions") == fields(spec[option], "options"), option


def test_eventbridge_rule_documents_tags_with_amazon_aws():
    """tags/purge_tags as amazon.aws.tags says: unset tags are left alone, purge_tags defaults to true."""
    assert "amazon.aws.tags" in raw_documentation("eventbridge_rule")["extends_documentation_fragment"]
    assert "tags" not in (raw_documentation("eventbridge_rule").get("options") or {})
