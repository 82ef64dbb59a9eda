"""The inventory plugin layer: file names, hosts, groups, constructed options and the cache.

The plugin's AWS base class (config reading, credentials) is replaced by a stand-in
and the Organizations client by the in-memory fake; reading the real configuration
file through Ansible is covered by tests/integration/test_inventory_organization_accounts.py.
"""

import pytest

from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.template import trust_as_template

from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase
from ansible_collections.rootwatch.aws.plugins.inventory.organization_accounts import InventoryModule

from organization_fakes import MANAGEMENT, PROD, WORKLOADS, FakeOrganizations

PATH = "/inventories/demo.organization_accounts.yml"
DEFAULTS = {
    "organizational_units": [],
    "group_by_ou": False,
    "account_ids": [],
    "exclude_account_ids": [],
    "exclude_management_account": False,
    "tags": {},
    "fetch_tags": False,
    "hostnames": "id",
    "role_name": "OrganizationAccountAccessRole",
    "assume_role_arn_template": "arn:{partition}:iam::{account_id}:role/{role_name}",
    "ou_group_prefix": "ou_",
    "cache": False,
    "strict": False,
    "compose": {},
    "groups": {},
    "keyed_groups": [],
    "use_extra_vars": False,
    "leading_separator": True,
}


@pytest.mark.parametrize(
    "name, accepted",
    [
        ("demo.organization_accounts.yml", True),
        ("demo.organization_accounts.yaml", True),
        ("prod.eu.organization_accounts.yml", True),
        ("organization_accounts.yml", False),
        ("demoorganization_accounts.yml", False),
        ("demo.organization_accounts.json", False),
        ("demo.organization_accounts.yml.bak", False),
        ("demo.aws_ec2.yml", False),
        ("inventory.yml", False),
    ],
)
def test_verify_file(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: rootwatch.aws.organization_accounts\n")
    assert InventoryModule().verify_file(str(path)) is accepted


def test_verify_file_missing(tmp_path):
    assert InventoryModule().verify_file(str(tmp_path / "absent.organization_accounts.yml")) is False


class Harness:
    """Runs InventoryModule.parse with the given options against a fake organization."""

    def __init__(self, monkeypatch, client=None):
        self.client = client or FakeOrganizations()
        self.cache = {}
        self.clients_made = 0

        def base_parse(plugin, inventory, loader, path, cache=True):
            plugin.loader = loader
            plugin.inventory = inventory
            plugin._vars = {}

        monkeypatch.setattr(AWSInventoryBase, "parse", base_parse)

    def run(self, parse_cache=True, **options):
        values = dict(DEFAULTS, **options)
        for key in ("compose", "groups"):
            values[key] = dict((name, trust_as_template(expr)) for name, expr in values[key].items())
        values["keyed_groups"] = [dict(entry, key=trust_as_template(entry["key"])) for entry in values["keyed_groups"]]
        plugin = InventoryModule()
        plugin.ansible_name = InventoryModule.NAME
        plugin.get_option = lambda name, hostvars=None: values[name]
        plugin._cache = self.cache

        def organizations_client():
            self.clients_made += 1
            return self.client

        plugin.organizations_client = organizations_client
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), PATH, cache=parse_cache)
        return inventory


def hosts_of(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def test_every_active_account_is_a_host(monkeypatch):
    inventory = Harness(monkeypatch).run()
    assert hosts_of(inventory, "aws_accounts") == [
        MANAGEMENT, "000000000002", "000000000003", "000000000004", "000000000005", "000000000008",
    ]
    hostvars = inventory.get_host("000000000002").vars
    assert hostvars["aws_account_name"] == "app-prod"
    assert hostvars["root_login_alerts_assume_role_arn"] == "arn:aws:iam::000000000002:role/OrganizationAccountAccessRole"
    assert "aws_account_ou_id" not in hostvars
    assert sorted(inventory.groups) == ["all", "aws_accounts", "ungrouped"]


@pytest.mark.parametrize(
    "options, group, expected",
    [
        ({"organizational_units": [WORKLOADS]}, "ou_workloads", ["000000000002", "000000000003", "000000000004"]),
        ({"organizational_units": [WORKLOADS]}, "ou_ab12_11111111", ["000000000002", "000000000003", "000000000004"]),
        ({"organizational_units": [WORKLOADS]}, "ou_prod", ["000000000002", "000000000003"]),
        ({"group_by_ou": True}, "ou_sandbox_accounts", ["000000000005"]),
        ({"group_by_ou": True, "ou_group_prefix": "unit_"}, "unit_ab12_22222222", ["000000000002", "000000000003"]),
        ({"group_by_ou": True, "hostnames": "name"}, "ou_prod", ["app-prod", "app-prod-2"]),
    ],
)
def test_ou_groups(monkeypatch, options, group, expected):
    inventory = Harness(monkeypatch).run(**options)
    assert hosts_of(inventory, group) == expected


def test_ou_variables_and_control_tower_role(monkeypatch):
    inventory = Harness(monkeypatch).run(organizational_units=[PROD], role_name="AWSControlTowerExecution")
    hostvars = inventory.get_host("000000000003").vars
    assert hostvars["aws_account_ou_path"] == "Root/Workloads/Prod"
    assert hostvars["aws_account_ou_id"] == PROD
    assert hostvars["root_login_alerts_assume_role_arn"] == "arn:aws:iam::000000000003:role/AWSControlTowerExecution"


def test_constructed_options(monkeypatch):
    inventory = Harness(monkeypatch).run(
        fetch_tags=True,
        compose={
            "root_login_alerts_region": "'eu-west-1' if aws_account_tags.get('env') == 'dev' else 'us-east-1'",
            # Fails for accounts without the tag: they are left without the variable (strict is off).
            "owner_teams": "[aws_account_tags['team']]",
            "root_login_alerts_assume_role_arn": (
                "('arn:' ~ aws_partition ~ ':iam::' ~ aws_account_id ~ ':role/RootwatchDeploy') "
                "if aws_account_is_management else root_login_alerts_assume_role_arn"
            ),
        },
        groups={"payments": "aws_account_tags.team | default('') == 'payments'"},
        keyed_groups=[{"key": "aws_account_tags.env | default('none')", "prefix": "env"}],
    )
    assert hosts_of(inventory, "payments") == ["000000000002"]
    assert hosts_of(inventory, "env_prod") == ["000000000002", "000000000003"]
    assert hosts_of(inventory, "env_none") == [MANAGEMENT, "000000000008"]
    assert inventory.get_host("000000000005").vars["root_login_alerts_region"] == "eu-west-1"
    assert inventory.get_host("000000000002").vars["owner_teams"] == ["payments"]
    assert "owner_teams" not in inventory.get_host("000000000003").vars
    assert inventory.get_host(MANAGEMENT).vars["root_login_alerts_assume_role_arn"] == (
        "arn:aws:iam::000000000001:role/RootwatchDeploy"
    )
    assert inventory.get_host("000000000002").vars["root_login_alerts_assume_role_arn"] == (
        "arn:aws:iam::000000000002:role/OrganizationAccountAccessRole"
    )


@pytest.mark.parametrize(
    "options, message",
    [
        ({"account_ids": ["12"]}, "rootwatch.aws.organization_accounts: account_ids: '12' is not a valid account ID"),
        ({"assume_role_arn_template": "arn:aws:iam::{acount_id}:role/x"}, "unknown field(s) {acount_id}"),
        ({"organizational_units": ["ou-ab12-99999999"]}, "organizational_units: ou-ab12-99999999 does not exist"),
    ],
)
def test_errors_are_ansible_errors(monkeypatch, options, message):
    with pytest.raises(AnsibleError) as error:
        Harness(monkeypatch).run(**options)
    assert message in str(error.value)


def test_option_errors_come_before_any_call(monkeypatch):
    harness = Harness(monkeypatch)
    with pytest.raises(AnsibleError):
        harness.run(hostnames="email")
    assert harness.clients_made == 0
    assert harness.client.calls == []


def test_not_in_an_organization(monkeypatch):
    client = FakeOrganizations(errors={"DescribeOrganization": "AWSOrganizationsNotInUseException"})
    with pytest.raises(AnsibleError) as error:
        Harness(monkeypatch, client).run()
    assert "not in an AWS Organization" in str(error.value)


def test_cache_serves_the_same_query(monkeypatch):
    harness = Harness(monkeypatch)
    first = harness.run(cache=True, group_by_ou=True)
    calls = len(harness.client.calls)
    assert calls > 0 and len(harness.cache) == 1
    # Same query, different naming: served from the cache, no call, no client.
    second = harness.run(cache=True, group_by_ou=True, hostnames="name", ou_group_prefix="x_")
    assert len(harness.client.calls) == calls
    assert harness.clients_made == 1
    assert hosts_of(second, "x_prod") == ["app-prod", "app-prod-2"]
    assert hosts_of(first, "ou_prod") == ["000000000002", "000000000003"]


@pytest.mark.parametrize(
    "second_options, cache_flag, reads_again",
    [
        ({"cache": True, "group_by_ou": True}, True, False),
        ({"cache": True, "group_by_ou": True}, False, True),  # --flush-cache / refresh_inventory
        ({"cache": True, "group_by_ou": True, "exclude_management_account": True}, True, True),  # query changed
        ({"cache": False, "group_by_ou": True}, True, True),  # caching off
    ],
)
def test_cache_decisions(monkeypatch, second_options, cache_flag, reads_again):
    harness = Harness(monkeypatch)
    harness.run(cache=True, group_by_ou=True)
    calls = len(harness.client.calls)
    harness.run(parse_cache=cache_flag, **second_options)
    assert (len(harness.client.calls) > calls) is reads_again
    # A re-read under the same cache key replaces what was stored.
    if reads_again and second_options["cache"]:
        assert len(harness.cache) == 1
        stored = list(harness.cache.values())[0]
        assert stored["query"]["exclude_management_account"] is second_options.get("exclude_management_account", False)


def test_cache_entry_that_is_not_ours_is_ignored(monkeypatch):
    harness = Harness(monkeypatch)
    probe = InventoryModule()
    probe.ansible_name = InventoryModule.NAME
    harness.cache[probe.get_cache_key(PATH)] = ["something", "else"]
    harness.run(cache=True)
    assert harness.client.calls
    assert list(harness.cache.values())[0]["accounts"]


def test_duplicate_names_are_an_error(monkeypatch):
    accounts = [
        ("000000000001", "same", "r-ab12", {"State": "ACTIVE"}, {}),
        ("000000000002", "same", "r-ab12", {"State": "ACTIVE"}, {}),
    ]
    with pytest.raises(AnsibleError) as error:
        Harness(monkeypatch, FakeOrganizations(accounts=accounts)).run(hostnames="name")
    assert "several accounts share a name (same: 000000000001, 000000000002)" in str(error.value)
