# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every resource manager shares: one constructor and one return contract.

Every manager (trail, topic, topic policy, subscriptions, rule) is built as
``Manager(clients, region, check_mode=False, warn=None, account_id=None)``:

- ``clients(service, region=None)`` gives retrying boto3 clients in the
  account's credentials (``clients.AwsClients``, or a test double);
- ``warn(message)`` receives warnings as text;
- ``account_id`` saves the sts:GetCallerIdentity call when the caller knows it.

``ensure(params, known=None)`` applies one resource's module options.
``known`` holds what a caller has already read from AWS in this run (see
``delivery_reader``), so a manager does not read it again. It returns
:func:`manager_result`: ``changed``, ``diff`` (``before``/``after``),
``changes`` (one line per change made, or that check mode would make) and
``facts`` (what the manager read), plus keys of its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import caller_account_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import AwsClients
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import module_warn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import failing_cleanly


class ResourceManager:
    """The constructor every manager shares (see the module docstring)."""

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        self.clients = clients
        self.region = region
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self._account_id = account_id

    @property
    def account_id(self):
        """The account of the credentials; one sts:GetCallerIdentity when not given."""
        if self._account_id is None:
            self._account_id = caller_account_id(self.clients("sts", self.region))
        return self._account_id

    @account_id.setter
    def account_id(self, value):
        self._account_id = value

    @property
    def known_account_id(self):
        """The account ID if already known, else None (no call)."""
        return self._account_id

    def client(self, service, region=None):
        return self.clients(service, region or self.region)


def as_manager_result(result, changes):
    """A manager's own result dict (with changed, diff and facts) in the contract, plus ``changes``."""
    extra = dict((key, value) for key, value in result.items() if key not in ("changed", "diff", "facts", "changes"))
    return manager_result(result["changed"], result["diff"], changes, result.get("facts") or {}, **extra)


def manager_result(changed, diff, changes, facts, **extra):
    """The return contract of ``ensure``: changed, diff, changes, facts, and extra keys."""
    result = dict(extra)
    result.update(
        changed=bool(changed),
        diff={"before": (diff or {}).get("before") or {}, "after": (diff or {}).get("after") or {}},
        changes=list(changes),
        facts=facts,
    )
    return result


def module_manager(module, manager_class):
    """The manager of a module's task: the module's clients, Region, check mode and warnings."""
    return manager_class(AwsClients(module), module.region, check_mode=module.check_mode, warn=module_warn)


def exit_module(module, result):
    """Return a manager's result from a module: its ``diff`` only with --diff, never its ``facts``
    (what the manager read: for callers that judge it, not for output)."""
    diff = result.pop("diff", None)
    result.pop("facts", None)
    if module._diff and diff is not None:
        result["diff"] = diff
    module.exit_json(**result)


def run_manager_module(manager_class, argument_spec, prepare=None, **module_options):
    """The whole main() of a module that manages one resource: parse the options, check them with
    ``prepare(module) -> the manager's params`` before any AWS call, run the manager, return its result.
    Any error of the project fails the task cleanly (``errors.fail_cleanly``)."""
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True, **module_options)
    with failing_cleanly(module):
        params = prepare(module) if prepare else module.params
        result = module_manager(module, manager_class).ensure(params)
    exit_module(module, result)


def is_owned(tags, owner_tag):
    """True when ``tags`` carry every key and value of ``owner_tag`` (no ``owner_tag``: no proof asked)."""
    return not owner_tag or all((tags or {}).get(key) == value for key, value in owner_tag.items())


def foreign_resource_message(kind, name, region, owner_tag, why="", name_hint=None):
    """The one message for a same-named resource that rootwatch.aws cannot prove it created. ``name_hint`` says
    where the name is set, when the caller knows (a manager does not: a module and the stack name it differently)."""
    tag = ", ".join("%s=%s" % item for item in sorted(owner_tag.items()))
    return (
        "%s %s in %s exists but was not created by rootwatch.aws (it lacks the tag %s), so it is left exactly as it "
        "is%s. Either choose another name%s, so rootwatch.aws builds its own, or hand this one over explicitly by "
        "tagging it %s." % (kind, name, region, tag, why, " (%s)" % name_hint if name_hint else "", tag)
    )


def tag_plan(current_tags, want_tags, purge_tags):
    """(to_set, to_unset, final) for tags given as a dict (None: tags not managed)."""
    if want_tags is None:
        return {}, [], current_tags
    want = dict((key, str(value)) for key, value in want_tags.items())
    to_set, to_unset = compare_aws_tags(current_tags or {}, want, purge_tags)
    final = dict((k, v) for k, v in (current_tags or {}).items() if k not in to_unset)
    final.update(to_set)
    return to_set, list(to_unset), final


def update_line(kind, name, what):
    """The ``changes`` line of an update: ``update <kind> <name>: <what>, ...``."""
    return "update %s %s: %s" % (kind, name, ", ".join(what))


def kept_because(kind, name, owner_tag, warn, proof=None):
    """Why a same-named resource of someone else's is kept on ``absent`` (warned, and returned as ``kept_because``)."""
    why = "it was not created by rootwatch.aws (%s)" % (proof or "no %s tag" % ", ".join(sorted(owner_tag)))
    warn("%s %s is kept: %s" % (kind, name, why))
    return why


def with_tags(view, tags):
    """A resource's view with its ``tags`` when they were read (None: not read, so not shown)."""
    if tags is not None:
        view["tags"] = tags
    return view


def aws_pages(description, method, token_key="NextToken", not_found=(), **kwargs):
    """Each page of a paginated AWS call (through ``aws_call``), read only when the caller asks for the next
    one, so a search that stops early reads no more pages. No page when the call's error code is in
    ``not_found``. ``token_key`` is the API's own spelling (CloudWatch Logs: ``nextToken``)."""
    while True:
        page = aws_call(description, method, not_found=not_found, **kwargs)
        if page is None:
            return
        yield page
        if not page.get(token_key):
            return
        kwargs[token_key] = page[token_key]


def first_named(pages, items_key, name_key, name):
    """The first item under ``items_key`` of ``pages`` whose ``name_key`` is ``name`` (a prefix search
    answers other names too); None when no page has it."""
    for page in pages:
        for item in page.get(items_key, []):
            if item.get(name_key) == name:
                return item
    return None
