# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The accounts of an AWS Organization, for the ``rootwatch.aws.organization_accounts`` inventory.

Two layers, as elsewhere in this collection:

* pure functions (no I/O) that validate the options, filter accounts, render the
  role ARN template and name the groups; unit-tested exhaustively;
* ``OrganizationReader``, the AWS edge: it takes an Organizations client whose calls
  accept ``aws_retry=True`` and makes the fewest read calls the options allow.

What the reader collects is plain JSON (the inventory cache stores it as is); hosts,
variables and groups are derived from it on every run, so changing a naming option
never needs a cache refresh.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import string

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import EXTERNAL_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import OrganizationAccountsError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code

HOST_GROUP = "aws_accounts"
ACTIVE = "ACTIVE"
DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
CONTROL_TOWER_ROLE_NAME = "AWSControlTowerExecution"
DEFAULT_ASSUME_ROLE_ARN_TEMPLATE = "arn:{partition}:iam::{account_id}:role/{role_name}"
DEFAULT_OU_GROUP_PREFIX = "ou_"
HOSTNAME_SOURCES = ("id", "name")
# The role variable that root_login_alerts sends as ExternalId on its AssumeRole of root_login_alerts_assume_role_arn.
EXTERNAL_ID_VAR = "root_login_alerts_assume_role_external_id"
# Fields that assume_role_arn_template may use.
TEMPLATE_FIELDS = ("partition", "account_id", "account_name", "role_name", "organization_id", "management_account_id")
# Options that decide which accounts are read (and so are part of the cached query).
QUERY_OPTIONS = (
    "organizational_units",
    "group_by_ou",
    "account_ids",
    "exclude_account_ids",
    "exclude_management_account",
    "tags",
    "fetch_tags",
)

OU_ID_RE = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ROOT_ID_RE = re.compile(r"^r-[0-9a-z]{4,32}$")
GROUP_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_]")

NOT_IN_ORGANIZATION_CODES = ("AWSOrganizationsNotInUseException",)
ACCESS_DENIED_CODES = ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation")
OU_NOT_FOUND_CODES = ("ParentNotFoundException", "OrganizationalUnitNotFoundException", "ChildNotFoundException")


# -- options ---------------------------------------------------------------


def is_account_id(text):
    return bool(ACCOUNT_ID_RE.match(text))


def is_ou_or_root_id(text):
    return bool(OU_ID_RE.match(text) or ROOT_ID_RE.match(text))


def _id_list(values, option, is_valid, what):
    """Validated, de-duplicated, sorted IDs; raises naming ``option`` and the bad value."""
    found = set()
    for value in values or []:
        text = str(value).strip()
        if not is_valid(text):
            hint = " (quote account IDs in YAML so that leading zeros survive)" if what == "account ID" else ""
            raise OrganizationAccountsError("%s: %r is not a valid %s%s" % (option, value, what, hint))
        found.add(text)
    return sorted(found)


def _tag_filter(tags):
    if not tags:
        return {}
    if not isinstance(tags, dict):
        raise OrganizationAccountsError("tags: must be a dictionary of tag key to value, got %r" % (tags,))
    normalized = {}
    for key, value in tags.items():
        if value is None:
            normalized[str(key)] = None
        elif isinstance(value, (list, tuple)):
            if not value:
                raise OrganizationAccountsError("tags: %r has an empty list of values" % (key,))
            normalized[str(key)] = sorted(str(item) for item in value)
        elif isinstance(value, dict):
            raise OrganizationAccountsError("tags: the value of %r must be a string, a list of strings or null" % (key,))
        else:
            normalized[str(key)] = str(value)
    return normalized


def normalize_query(options):
    """The options that decide which accounts are read, validated and in canonical form.

    ``options`` maps option names (``QUERY_OPTIONS``) to values; missing ones take their
    defaults. The result is JSON and compares equal for equal meaning, so it can be
    stored with cached data and compared on the next run.
    """
    query = {
        "organizational_units": _id_list(
            options.get("organizational_units"), "organizational_units", is_ou_or_root_id, "organizational unit or root ID"
        ),
        "group_by_ou": bool(options.get("group_by_ou")),
        "account_ids": _id_list(options.get("account_ids"), "account_ids", is_account_id, "account ID"),
        "exclude_account_ids": _id_list(
            options.get("exclude_account_ids"), "exclude_account_ids", is_account_id, "account ID"
        ),
        "exclude_management_account": bool(options.get("exclude_management_account")),
        "tags": _tag_filter(options.get("tags")),
        "fetch_tags": bool(options.get("fetch_tags")),
    }
    return query


def template_fields(template):
    """The field names a ``str.format`` template uses; raises on a malformed template."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as e:
        raise OrganizationAccountsError("assume_role_arn_template: %r is not a valid template: %s" % (template, e))
    fields = []
    for unused_literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field == "" or spec or conversion:
            raise OrganizationAccountsError(
                "assume_role_arn_template: use plain named fields such as {account_id}, got %r" % (template,)
            )
        fields.append(field)
    return fields


def validate_external_id(value, option):
    """``value`` as STS accepts it for ``ExternalId``, or None when unset; raises naming ``option``.

    STS AssumeRole: ExternalId is 2-1224 characters of ``[\\w+=,.@:/-]`` (no spaces). The value is not
    echoed: it is part of a trust policy's condition.
    """
    if value is None or value == "":
        return None
    text = str(value)
    if not EXTERNAL_ID_RE.fullmatch(text):
        raise OrganizationAccountsError(
            "%s must be 2-1224 letters, digits or the characters +=,.@:/_- (what STS accepts as ExternalId), "
            "got %d characters" % (option, len(text))
        )
    return text


def normalize_host_settings(options):
    """The options that shape hosts, variables and groups (not part of the cached query)."""
    hostnames = options.get("hostnames") or "id"
    if hostnames not in HOSTNAME_SOURCES:
        raise OrganizationAccountsError("hostnames: must be one of %s, got %r" % (", ".join(HOSTNAME_SOURCES), hostnames))
    template = options.get("assume_role_arn_template")
    if template is None:
        template = DEFAULT_ASSUME_ROLE_ARN_TEMPLATE
    unknown = sorted(set(template_fields(template)) - set(TEMPLATE_FIELDS))
    if unknown:
        raise OrganizationAccountsError(
            "assume_role_arn_template: unknown field(s) %s; available: %s"
            % (", ".join("{%s}" % name for name in unknown), ", ".join("{%s}" % name for name in TEMPLATE_FIELDS))
        )
    role_name = options.get("role_name") or DEFAULT_ROLE_NAME
    if "{role_name}" in template and not re.match(r"^[\w+=,.@/-]{1,512}$", role_name):
        raise OrganizationAccountsError("role_name: %r is not a valid IAM role name" % (role_name,))
    prefix = options.get("ou_group_prefix")
    if prefix is None:
        prefix = DEFAULT_OU_GROUP_PREFIX
    if GROUP_UNSAFE_RE.search(prefix):
        raise OrganizationAccountsError("ou_group_prefix: %r may hold only letters, digits and underscores" % (prefix,))
    member_external_id = validate_external_id(options.get("member_external_id"), "member_external_id")
    if member_external_id and not template:
        raise OrganizationAccountsError(
            "member_external_id is set, but assume_role_arn_template is empty: an ExternalId is only sent on AssumeRole"
        )
    return {
        "hostnames": hostnames,
        "assume_role_arn_template": template,
        "role_name": role_name,
        "ou_group_prefix": prefix,
        "member_external_id": member_external_id,
    }


def needs_ou_tree(query):
    """OU information is known when OU filters are used, or asked for with group_by_ou."""
    return bool(query["organizational_units"]) or query["group_by_ou"]


def needs_tags(query):
    return bool(query["tags"]) or query["fetch_tags"]


# -- accounts ----------------------------------------------------------------


def account_state(account):
    """``State`` (the newer field) when present, else the deprecated ``Status``."""
    return account.get("State") or account.get("Status") or ""


def is_active(account):
    return account_state(account) == ACTIVE


def normalize_account(raw, ou_path=None):
    """The JSON-safe slice of an Organizations ``Account`` that the inventory uses."""
    return {
        "id": raw["Id"],
        "name": raw.get("Name", ""),
        "email": raw.get("Email", ""),
        "arn": raw.get("Arn", ""),
        "state": account_state(raw),
        "ou_path": [dict(entry) for entry in ou_path] if ou_path is not None else None,
        "tags": None,
    }


def select_accounts(accounts, query, management_account_id):
    """Active accounts that pass the ID and management-account filters, one per ID, sorted by ID."""
    wanted = set(query["account_ids"])
    excluded = set(query["exclude_account_ids"])
    if query["exclude_management_account"] and management_account_id:
        excluded.add(management_account_id)
    selected = {}
    for account in accounts:
        if account["state"] != ACTIVE:
            continue
        if wanted and account["id"] not in wanted:
            continue
        if account["id"] in excluded:
            continue
        selected.setdefault(account["id"], account)
    return [selected[key] for key in sorted(selected)]


def tags_match(tags, wanted):
    """True when ``tags`` (dict) satisfies every entry of the ``tags`` filter.

    A string value must be equal, a list value must contain the tag's value, and a
    null value only asks for the key to be present.
    """
    tags = tags or {}
    for key, expected in wanted.items():
        if key not in tags:
            return False
        if expected is None:
            continue
        if isinstance(expected, list):
            if tags[key] not in expected:
                return False
        elif tags[key] != expected:
            return False
    return True


# -- hosts, variables, groups ------------------------------------------------


def sanitize_group_name(text):
    """Letters, digits and underscores only, so the name is a valid Ansible group."""
    return GROUP_UNSAFE_RE.sub("_", text)


def ou_group_names(ou_path, prefix=DEFAULT_OU_GROUP_PREFIX):
    """Groups for every OU on the path (the root excluded), by ID and by lower-cased name.

    ``ou-ab12-3456abcd`` named ``Prod Workloads`` gives ``ou_ab12_3456abcd`` and
    ``ou_prod_workloads``. An account belongs to the groups of its OU and of every
    OU above it, so ``ou_workloads`` covers accounts in nested OUs as well.
    """
    groups = []
    for entry in ou_path or []:
        ou_id = entry["id"]
        if not ou_id.startswith("ou-"):
            continue  # the root: every account is under it; aws_accounts is that group
        for name in (prefix + sanitize_group_name(ou_id[3:]), prefix + sanitize_group_name(entry.get("name") or "").lower()):
            if name != prefix and name not in groups:
                groups.append(name)
    return groups


def partition_from_arn(arn, default="aws"):
    """``aws``, ``aws-us-gov`` or ``aws-cn`` from an ARN such as the management account's."""
    parsed = parse_aws_arn(arn) if arn else None
    return (parsed or {}).get("partition") or default


def render_assume_role_arn(template, account, organization, role_name):
    """The role ARN for ``account`` from ``assume_role_arn_template``; None when the template is empty."""
    if not template:
        return None
    return template.format(
        partition=organization.get("partition") or "aws",
        account_id=account["id"],
        account_name=account.get("name", ""),
        role_name=role_name,
        organization_id=organization.get("id", ""),
        management_account_id=organization.get("management_account_id", ""),
    )


def host_entry(account, organization, settings):
    """(hostname, host variables, extra groups) for one collected account."""
    hostname = account["id"] if settings["hostnames"] == "id" else account["name"]
    hostvars = {
        "aws_account_id": account["id"],
        "aws_account_name": account["name"],
        "aws_account_email": account["email"],
        "aws_account_arn": account["arn"],
        "aws_account_state": account["state"],
        "aws_account_is_management": account["id"] == organization.get("management_account_id"),
        "aws_organization_id": organization.get("id", ""),
        "aws_partition": organization.get("partition", "aws"),
    }
    role_arn = render_assume_role_arn(
        settings["assume_role_arn_template"], account, organization, settings["role_name"]
    )
    if role_arn:
        hostvars["root_login_alerts_assume_role_arn"] = role_arn
        if settings.get("member_external_id"):
            hostvars[EXTERNAL_ID_VAR] = settings["member_external_id"]
    # The account this host must reach: the role run checks it before any write.
    hostvars["root_login_alerts_account_id"] = account["id"]
    if account.get("tags") is not None:
        hostvars["aws_account_tags"] = dict(account["tags"])
    groups = []
    ou_path = account.get("ou_path")
    if ou_path:
        hostvars.update(
            {
                "aws_account_ou_id": ou_path[-1]["id"],
                "aws_account_ou_name": ou_path[-1]["name"],
                "aws_account_ou_path": "/".join(entry["name"] for entry in ou_path),
                "aws_account_ou_ids": [entry["id"] for entry in ou_path],
            }
        )
        groups = ou_group_names(ou_path, settings["ou_group_prefix"])
    return hostname, hostvars, groups


def host_entries(collected, settings):
    """Every host of a collected organization; raises when two accounts would share a hostname."""
    entries = [host_entry(account, collected["organization"], settings) for account in collected["accounts"]]
    seen = {}
    for hostname, hostvars, unused_groups in entries:
        if not hostname:
            raise OrganizationAccountsError(
                "hostnames: account %s has an empty %s" % (hostvars["aws_account_id"], settings["hostnames"])
            )
        seen.setdefault(hostname, []).append(hostvars["aws_account_id"])
    clashes = dict((name, ids) for name, ids in seen.items() if len(ids) > 1)
    if clashes:
        raise OrganizationAccountsError(
            "hostnames: %s: several accounts share a name (%s); use hostnames: id"
            % (settings["hostnames"], "; ".join("%s: %s" % (name, ", ".join(ids)) for name, ids in sorted(clashes.items())))
        )
    return entries


# -- errors ------------------------------------------------------------------


def api_method(operation):
    """``ListAccountsForParent`` -> ``list_accounts_for_parent``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def explain_error(operation, error_code, message, subject=None):
    """A message that says what failed, and what to do, for an Organizations error."""
    call = "organizations:%s" % operation
    if error_code in NOT_IN_ORGANIZATION_CODES:
        return (
            "The account of these credentials is not in an AWS Organization (%s from %s). "
            "Use credentials of the organization's management account or of a delegated administrator, "
            "or list accounts in a static inventory." % (error_code, call)
        )
    if error_code in ACCESS_DENIED_CODES:
        return (
            "Access denied calling %s%s: %s. The inventory needs organizations:DescribeOrganization, "
            "ListAccounts, DescribeAccount, ListRoots, ListParents, DescribeOrganizationalUnit, "
            "ListOrganizationalUnitsForParent, ListAccountsForParent and ListTagsForResource, from the "
            "management account or a delegated administrator."
            % (call, " for %s" % subject if subject else "", message or error_code)
        )
    if error_code in OU_NOT_FOUND_CODES and subject:
        return "organizational_units: %s does not exist in this organization (%s from %s)" % (subject, error_code, call)
    return "%s failed%s: %s: %s" % (call, " for %s" % subject if subject else "", error_code or "error", message)


# -- AWS edge ----------------------------------------------------------------


class OrganizationReader:
    """Reads an organization's accounts with the fewest Organizations calls the query allows.

    ``client`` is an Organizations client whose methods accept ``aws_retry=True``
    (amazon.aws ``RetryingBotoClientWrapper``); ``warn`` is called with a message for
    problems that do not stop the inventory.
    """

    def __init__(self, client, warn=None):
        self.client = client
        self.warn = warn or (lambda message: None)
        self._ou_names = {}
        self._parents = {}
        self._root = None

    # one call, with errors explained
    def _call(self, operation, subject=None, tolerate=(), **params):
        """One retried call; None when it fails with an error code in ``tolerate``."""
        try:
            return aws_call("call organizations:%s" % operation, getattr(self.client, api_method(operation)), not_found=tolerate, **params)
        except AwsCallError as e:
            response = getattr(e.exception, "response", None)
            message = response.get("Error", {}).get("Message") if response else str(e.exception)
            raise OrganizationAccountsError(explain_error(operation, error_code(e) or None, message, subject))

    def _pages(self, operation, result_key, subject=None, **params):
        """Every item of a paginated list call, one retried call per page."""
        items = []
        while True:
            response = self._call(operation, subject=subject, **params)
            items.extend(response.get(result_key, []))
            token = response.get("NextToken")
            if not token:
                return items
            params["NextToken"] = token

    def describe_organization(self):
        """Organization ID, management account and partition (organizations:DescribeOrganization)."""
        organization = self._call("DescribeOrganization")["Organization"]
        management_arn = organization.get("MasterAccountArn") or ""
        return {
            "id": organization.get("Id", ""),
            "arn": organization.get("Arn", ""),
            "management_account_id": organization.get("MasterAccountId", ""),
            "management_account_arn": management_arn,
            "partition": partition_from_arn(management_arn or organization.get("Arn")),
        }

    def list_accounts(self):
        return [normalize_account(raw) for raw in self._pages("ListAccounts", "Accounts")]

    def describe_accounts(self, account_ids):
        """The named accounts (one DescribeAccount each); unknown IDs are warned about and skipped."""
        accounts = []
        for account_id in account_ids:
            response = self._call(
                "DescribeAccount", subject=account_id, tolerate=("AccountNotFoundException",), AccountId=account_id
            )
            if response is None:
                self.warn("account_ids: %s is not an account of this organization; skipped" % account_id)
                continue
            accounts.append(normalize_account(response["Account"]))
        return accounts

    def root(self):
        if self._root is None:
            roots = self._pages("ListRoots", "Roots")
            if not roots:
                raise OrganizationAccountsError("organizations:ListRoots returned no root")
            self._root = {"id": roots[0]["Id"], "name": roots[0].get("Name") or "Root"}
            self._ou_names[self._root["id"]] = self._root["name"]
        return self._root

    def _ou_name(self, ou_id):
        if ou_id not in self._ou_names:
            unit = self._call("DescribeOrganizationalUnit", subject=ou_id, OrganizationalUnitId=ou_id)
            self._ou_names[ou_id] = unit["OrganizationalUnit"].get("Name", "")
        return self._ou_names[ou_id]

    def ou_path(self, ou_id):
        """[{id, name}] from the root down to ``ou_id`` (ListParents and DescribeOrganizationalUnit per level)."""
        root = self.root()
        if ROOT_ID_RE.match(ou_id):
            if ou_id != root["id"]:
                raise OrganizationAccountsError("organizational_units: %s is not the root of this organization (%s)" % (ou_id, root["id"]))
            return [dict(root)]
        chain = [ou_id]
        current = ou_id
        while True:
            if current not in self._parents:
                parents = self._call("ListParents", subject=ou_id, ChildId=current).get("Parents", [])
                if not parents:
                    raise OrganizationAccountsError("organizations:ListParents returned no parent for %s" % current)
                self._parents[current] = parents[0]
            parent = self._parents[current]
            if parent.get("Type") == "ROOT":
                break
            current = parent["Id"]
            chain.insert(0, current)
        return [dict(root)] + [{"id": unit, "name": self._ou_name(unit)} for unit in chain]

    def walk(self, ou_path):
        """Accounts in the OU at the end of ``ou_path`` and in every OU below it, each with its own path."""
        accounts = []
        pending = [list(ou_path)]
        while pending:
            path = pending.pop(0)
            parent_id = path[-1]["id"]
            for raw in self._pages("ListAccountsForParent", "Accounts", subject=parent_id, ParentId=parent_id):
                accounts.append(normalize_account(raw, path))
            children = self._pages(
                "ListOrganizationalUnitsForParent", "OrganizationalUnits", subject=parent_id, ParentId=parent_id
            )
            for child in children:
                self._ou_names[child["Id"]] = child.get("Name", "")
                pending.append(path + [{"id": child["Id"], "name": child.get("Name", "")}])
        return accounts

    def account_tags(self, account_id):
        tags = self._pages("ListTagsForResource", "Tags", subject=account_id, ResourceId=account_id)
        return dict((tag["Key"], tag.get("Value", "")) for tag in tags)

    def _walk_units(self, ou_ids):
        """Accounts under the given OUs; an OU inside another requested OU is walked once."""
        paths = sorted((self.ou_path(ou_id) for ou_id in ou_ids), key=len)
        walked = set()
        accounts = []
        for path in paths:
            if any(entry["id"] in walked for entry in path):
                continue
            walked.add(path[-1]["id"])
            accounts.extend(self.walk(path))
        return accounts

    def collect(self, query):
        """``{"query", "organization", "accounts"}`` for a query from ``normalize_query``."""
        organization = self.describe_organization()
        if query["organizational_units"]:
            accounts = self._walk_units(query["organizational_units"])
        elif query["group_by_ou"]:
            accounts = self.walk([self.root()])
        elif query["account_ids"]:
            accounts = self.describe_accounts(query["account_ids"])
        else:
            accounts = self.list_accounts()
        accounts = select_accounts(accounts, query, organization["management_account_id"])
        if needs_tags(query):
            for account in accounts:
                account["tags"] = self.account_tags(account["id"])
            if query["tags"]:
                accounts = [account for account in accounts if tags_match(account["tags"], query["tags"])]
        return {"query": query, "organization": organization, "accounts": accounts}
