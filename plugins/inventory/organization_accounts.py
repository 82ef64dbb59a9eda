# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: organization_accounts
short_description: The active accounts of an AWS Organization as inventory hosts
version_added: 0.1.0
description:
  - Lists the B(active) accounts of an AWS Organization (suspended, closed and pending accounts are left out) and
    adds each one as a host of the group C(aws_accounts), ready for the C(playbooks/root_alerts.yml) playbook
    and the C(rootwatch.aws.root_login_alerts) role.
  - Each host carries C(root_login_alerts_assume_role_arn), the role the playbook assumes to work in that account,
    built from O(assume_role_arn_template) and O(role_name).
  - The configuration file is YAML and its name must end with C(.organization_accounts.yml) or
    C(.organization_accounts.yaml), for example C(prod.organization_accounts.yml).
  - Use credentials of the organization's management account or of a delegated administrator for AWS Organizations.
    The plugin only reads; it needs C(organizations:DescribeOrganization), C(ListAccounts), C(DescribeAccount),
    C(ListRoots), C(ListParents), C(DescribeOrganizationalUnit), C(ListOrganizationalUnitsForParent),
    C(ListAccountsForParent) and C(ListTagsForResource), each only when the options call for it.
  - "Host variables: C(aws_account_id), C(aws_account_name), C(aws_account_email), C(aws_account_arn),
    C(aws_account_state), C(aws_account_is_management), C(aws_organization_id), C(aws_partition),
    C(root_login_alerts_assume_role_arn) (unless O(assume_role_arn_template) is empty),
    C(root_login_alerts_assume_role_external_id) (when O(member_external_id) is set),
    C(root_login_alerts_account_id) (the account the host must reach, checked before any write), C(aws_account_tags)
    (when tags are read), and when the account's organizational unit (OU) is known C(aws_account_ou_id),
    C(aws_account_ou_name), C(aws_account_ou_path) (names from the root, such as C(Root/Workloads/Prod)) and
    C(aws_account_ou_ids) (IDs from the root)."
  - Every value read from AWS Organizations (names, emails, tags, OU names, the role ARN built from them, host and
    group names) is marked unsafe, so an account name that holds a Jinja2 expression is never templated;
    ansible-core 2.19, which the collection requires, does not template inventory data either.
  - "Groups: C(aws_accounts) holds every account. When the OU is known (O(organizational_units) or O(group_by_ou)),
    an account is also in the groups of its OU and of every OU above it (the root excepted): by ID
    (C(ou-ab12-34cd56ef) gives C(ou_ab12_34cd56ef)) and by lower-cased name (C(Prod Workloads) gives
    C(ou_prod_workloads)). O(compose), O(groups) and O(keyed_groups) add more."
author:
  - rootwatch maintainers (@rootwatch)
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
notes:
  - AWS Organizations is a global service. O(region) only selects the partition (a C(us-gov-) region for
    AWS GovCloud, a C(cn-) region for China); without one the plugin uses C(us-east-1).
  - The endpoint comes from O(endpoint_url) or from the C(AWS_ENDPOINT_URL) and C(AWS_ENDPOINT_URL_ORGANIZATIONS)
    environment variables, which botocore reads itself.
  - O(assume_role_arn) is the role the plugin assumes to B(read) the organization, for example in a delegated
    administrator account. It is unrelated to C(root_login_alerts_assume_role_arn), the per-account role the
    playbook assumes.
  - With the inventory cache, what was read (the accounts that passed the filters, with their OUs and tags) is cached;
    hosts, variables and groups are derived from it on every run. When a filter option changes, the
    cached data no longer fits and is read again.
  - O(external_id) is the C(ExternalId) of the plugin's own AssumeRole of O(assume_role_arn);
    O(member_external_id) is the one the playbook sends when it assumes C(root_login_alerts_assume_role_arn).
  - The management account has no C(OrganizationAccountAccessRole). Exclude it with O(exclude_management_account),
    create a role there, or override C(root_login_alerts_assume_role_arn) for it with O(compose)
    (see EXAMPLES).
options:
  plugin:
    description: The name of this plugin; it must be V(rootwatch.aws.organization_accounts).
    type: str
    required: true
    choices: ['rootwatch.aws.organization_accounts']
  organizational_units:
    description:
      - Only accounts in these organizational units, B(including their child OUs) at any depth.
      - OU IDs such as V(ou-ab12-34cd56ef); a root ID such as V(r-ab12) means the whole organization.
      - The plugin walks the OUs with C(ListOrganizationalUnitsForParent) and C(ListAccountsForParent), and finds each
        listed OU's place in the tree with C(ListParents) and C(DescribeOrganizationalUnit), so every account's OU
        variables and groups are known.
    type: list
    elements: str
    default: []
  group_by_ou:
    description:
      - Without O(organizational_units), walk the whole tree from the root so that every account gets OU variables
        and OU groups.
      - Costs two calls per OU instead of one C(ListAccounts) call per 20 accounts.
      - With O(organizational_units), OU variables and groups are always added.
    type: bool
    default: false
  account_ids:
    description:
      - Only these accounts (12-digit IDs; quote them in YAML so leading zeros survive).
      - Without OU information to collect, each is read with one C(DescribeAccount) call instead of listing the
        organization; an ID that is not in the organization is warned about and skipped.
    type: list
    elements: str
    default: []
  exclude_account_ids:
    description: Leave out these accounts (12-digit IDs).
    type: list
    elements: str
    default: []
  exclude_management_account:
    description: Leave out the organization's management account (from C(DescribeOrganization)).
    type: bool
    default: false
  tags:
    description:
      - Only accounts whose tags match B(all) of these entries.
      - A string value must equal the tag's value, a list value must contain it, and a null value only asks for the
        tag key to be present.
      - Reading tags costs one C(ListTagsForResource) call per account that passed the other filters. The tags are
        also put in C(aws_account_tags).
    type: dict
    default: {}
  fetch_tags:
    description:
      - Read every selected account's tags into C(aws_account_tags) even without a O(tags) filter, for example for
        O(keyed_groups) or O(compose). One C(ListTagsForResource) call per account.
    type: bool
    default: false
  hostnames:
    description:
      - What names the hosts. V(id) is the 12-digit account ID; V(name) is the account name.
      - With V(name), two accounts with the same name are an error.
    type: str
    choices: ['id', 'name']
    default: id
  role_name:
    description:
      - The role in each account that C(root_login_alerts_assume_role_arn) names (the C({role_name}) field of
        O(assume_role_arn_template)).
      - Recommended is the least-privilege role of C(docs/member-role.yml), V(RootwatchAutomation) by default,
        which trusts only its C(AutomationPrincipalArn) and can require an ExternalId (O(member_external_id)).
      - The default, V(OrganizationAccountAccessRole), is kept for compatibility. AWS Organizations creates it in
        the accounts it creates with the C(AdministratorAccess) policy, trusting the whole management account, so
        whoever runs the playbook is administrator of every account.
      - In an AWS Control Tower landing zone V(AWSControlTowerExecution) (also an administrator role).
    type: str
    default: OrganizationAccountAccessRole
  member_external_id:
    description:
      - Sets C(root_login_alerts_assume_role_external_id) on every host, which the playbook sends as C(ExternalId)
        when it assumes C(root_login_alerts_assume_role_arn) (the C(ExternalId) parameter of C(docs/member-role.yml)).
      - 2-1224 letters, digits or the characters C(+=,.@:/_-), as STS accepts.
      - Needs a non-empty O(assume_role_arn_template). Unset, the host variable is not set.
    type: str
    env:
      - name: ROOTWATCH_ORGANIZATION_ACCOUNTS_MEMBER_EXTERNAL_ID
  external_id:
    description:
      - Sent as C(ExternalId) on the plugin's own AssumeRole of O(assume_role_arn), the role it assumes to read
        the organization, when that role's trust policy requires C(sts:ExternalId).
      - 2-1224 letters, digits or the characters C(+=,.@:/_-), as STS accepts. Needs O(assume_role_arn).
    type: str
    env:
      - name: ROOTWATCH_ORGANIZATION_ACCOUNTS_EXTERNAL_ID
  assume_role_arn_template:
    description:
      - Template of C(root_login_alerts_assume_role_arn), in Python C(str.format) syntax.
      - "Fields: C({partition}) (V(aws), V(aws-us-gov) or V(aws-cn), from the management account's ARN),
        C({account_id}), C({account_name}), C({role_name}), C({organization_id}) and C({management_account_id})."
      - An empty string sets no C(root_login_alerts_assume_role_arn), so the playbook uses its own credentials.
    type: str
    default: 'arn:{partition}:iam::{account_id}:role/{role_name}'
  ou_group_prefix:
    description: Prefix of the OU groups (letters, digits and underscores).
    type: str
    default: ou_
"""

EXAMPLES = r"""
# prod.organization_accounts.yml: every active member account, entered through the
# least-privilege role of docs/member-role.yml (deployed with RoleName RootwatchAutomation,
# AutomationPrincipalArn = the principal that runs the playbook, and this ExternalId).
plugin: rootwatch.aws.organization_accounts
role_name: RootwatchAutomation
member_external_id: rootwatch-7f3a9c
exclude_management_account: true

---
# Quick start: the role AWS Organizations creates in the accounts it creates
# (OrganizationAccountAccessRole, AdministratorAccess; see docs/inventory.md for the risk).
plugin: rootwatch.aws.organization_accounts

---
# AWS Control Tower: its execution role, the Workloads and Security OUs (with their
# child OUs), without the management account.
plugin: rootwatch.aws.organization_accounts
role_name: AWSControlTowerExecution
organizational_units:
  - ou-ab12-34cd56ef
  - ou-ab12-77aa88bb
exclude_management_account: true

---
# Group every account by OU, name hosts by account name, and cache for an hour.
plugin: rootwatch.aws.organization_accounts
group_by_ou: true
hostnames: name
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/rootwatch-inventory
cache_timeout: 3600

---
# Only accounts tagged for alerting; alert addresses from a tag (accounts without
# the tag keep the addresses set elsewhere); the management account entered
# through a role of its own.
plugin: rootwatch.aws.organization_accounts
tags:
  root-alerts: enabled
  environment: [prod, staging]
exclude_account_ids:
  - '111111111111'
compose:
  root_login_alerts_emails: "[aws_account_tags['security-contact']]"
  root_login_alerts_assume_role_arn: >-
    ('arn:' ~ aws_partition ~ ':iam::' ~ aws_account_id ~ ':role/RootwatchDeploy')
    if aws_account_is_management else root_login_alerts_assume_role_arn
keyed_groups:
  - key: aws_account_tags.environment | default('none')
    prefix: env

---
# GovCloud: the region selects the partition; a delegated administrator reads the organization
# through a role whose trust policy requires an ExternalId.
plugin: rootwatch.aws.organization_accounts
region: us-gov-west-1
assume_role_arn: arn:aws-us-gov:iam::222222222222:role/OrganizationsReadOnly
external_id: org-reader-4d21
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # amazon.aws's base reports a missing SDK

from ansible.errors import AnsibleError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleBotocoreError
from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import retry_decorator
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import MODULE_ERRORS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_text
from ansible_collections.rootwatch.aws.plugins.plugin_utils.organization_accounts import HOST_GROUP
from ansible_collections.rootwatch.aws.plugins.plugin_utils.organization_accounts import QUERY_OPTIONS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import OrganizationAccountsError
from ansible_collections.rootwatch.aws.plugins.plugin_utils.organization_accounts import OrganizationReader
from ansible_collections.rootwatch.aws.plugins.plugin_utils.organization_accounts import host_entries
from ansible_collections.rootwatch.aws.plugins.plugin_utils.organization_accounts import normalize_host_settings
from ansible_collections.rootwatch.aws.plugins.plugin_utils.organization_accounts import normalize_query
from ansible_collections.rootwatch.aws.plugins.plugin_utils.organization_accounts import validate_external_id

CONFIG_SUFFIXES = (".organization_accounts.yml", ".organization_accounts.yaml")
HOST_SETTING_OPTIONS = ("hostnames", "assume_role_arn_template", "role_name", "ou_group_prefix", "member_external_id")
# STS AssumeRole: RoleSessionName is 2-64 characters of [\w+=,.@-]. amazon.aws's
# "ansible_aws_<plugin name>_dynamic_inventory" is 65 here, and botocore does not check the maximum.
ROLE_SESSION_NAME = "rootwatch-organization-accounts-inventory"


class InventoryModule(AWSInventoryBase):
    NAME = "rootwatch.aws.organization_accounts"

    def verify_file(self, path):
        """Only ``*.organization_accounts.yml`` and ``*.organization_accounts.yaml``."""
        return bool(super().verify_file(path)) and path.endswith(CONFIG_SUFFIXES)

    def _option_values(self, names):
        return dict((name, self.get_option(name)) for name in names)

    def organizations_client(self):
        """A retrying Organizations client; credentials, profile and endpoint come from amazon.aws.

        Organizations is global: without a region, GLOBAL_REGION reaches its endpoint.
        """
        return self.client("organizations", retry_decorator=retry_decorator(), region=self.region or GLOBAL_REGION)

    def _external_id(self):
        try:
            return validate_external_id(self.get_option("external_id"), "external_id")
        except OrganizationAccountsError as e:
            raise AnsibleError("%s: %s" % (self.NAME, e))

    def _set_frozen_credentials(self):
        """Checks external_id before amazon.aws assumes assume_role_arn (the plugin's only AssumeRole)."""
        if self._external_id() and not self.get_option("assume_role_arn"):
            raise AnsibleError(
                "%s: external_id is set, but assume_role_arn is not: an ExternalId is only sent on AssumeRole" % self.NAME
            )
        super()._set_frozen_credentials()

    def _freeze_iam_role(self, iam_role_arn):
        """amazon.aws's AssumeRole of assume_role_arn (its frozen-credential keys), with external_id as ExternalId.

        The base class sends no ExternalId, and its session name for this plugin would be 65 characters.
        """
        params = {"RoleArn": iam_role_arn, "RoleSessionName": ROLE_SESSION_NAME}
        external_id = self._external_id()
        if external_id:
            params["ExternalId"] = external_id
        try:
            credentials = self.client("sts", region=self.region or GLOBAL_REGION).assume_role(**params)["Credentials"]
        except (AnsibleBotocoreError, BotoCoreError, ClientError) as e:
            raise AnsibleError("%s: cannot assume assume_role_arn %s: %s" % (self.NAME, iam_role_arn, e))
        self._frozen_credentials = {
            "profile_name": None,
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }

    def _cached(self, path, cache, query):
        """Collected data from the cache when it was read for the same query, else None."""
        if not (cache and self.get_option("cache")):
            return None
        try:
            collected = self._cache[self.get_cache_key(path)]
        except KeyError:
            return None
        if not isinstance(collected, dict) or collected.get("query") != query:
            return None
        return collected

    def _store(self, path, collected):
        if self.get_option("cache"):
            self._cache[self.get_cache_key(path)] = collected

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        try:
            query = normalize_query(self._option_values(QUERY_OPTIONS))
            settings = normalize_host_settings(self._option_values(HOST_SETTING_OPTIONS))
            collected = self._cached(path, cache, query)
            if collected is None:
                collected = OrganizationReader(self.organizations_client(), warn=self.warn).collect(query)
                self._store(path, collected)
            entries = host_entries(collected, settings)
        except OrganizationAccountsError as e:
            raise AnsibleError("%s: %s" % (self.NAME, e))
        except MODULE_ERRORS as e:  # a bug's safety net: a clean error, not a traceback
            raise AnsibleError("%s: %s" % (self.NAME, error_text(e)))
        self._populate(entries)

    def _populate(self, entries):
        self.inventory.add_group(HOST_GROUP)
        strict = self.get_option("strict")
        for entry in entries:
            # Organizations data is remote input: an account name may hold a Jinja2 expression. Marked unsafe, it
            # is never templated (ansible-core < 2.19 would template it; 2.19 trusts no inventory data either).
            hostname, hostvars, groups = wrap_var(entry)
            self.inventory.add_host(hostname, group=HOST_GROUP)
            for name, value in hostvars.items():
                self.inventory.set_variable(hostname, name, value)
            for group in groups:
                self.inventory.add_group(group)
                self.inventory.add_host(hostname, group=group)
            self._set_composite_vars(self.get_option("compose"), hostvars, hostname, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, hostname, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, hostname, strict=strict)
