"""The inventory plugin layer: file names, hosts, groups, constructed options and the cache.

The plugin's AWS base class (config reading, credentials) is replaced by a stand-in
and the Organizations client by the in-memory fake; reading the real configuration
file through Ansible is covered by tests/integration/test_inventory_organization_accounts.py.
"""

import datetime
import re

import botocore.session
import pytest
from botocore.stub import Stubber

from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.template import is_trusted_as_template
from ansible.template import trust_as_template

from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase
from ansible_collections.rootwatch.aws.plugins.inventory.organization_accounts import ROLE_SESSION_NAME
from ansible_collections.rootwatch.aws.plugins.inventory.organization_accounts import InventoryModule

from organization_fakes import MANAGEMENT, PROD, ROOT, WORKLOADS, FakeOrganizations

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
    "member_external_id": None,
    "external_id": None,
    "assume_role_arn": None,
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


# -- Organizations data is never templated -------------------------------------

def payload(marker):
    return "{{ lookup('pipe', 'touch %s') }}" % marker


class TrustedOrganizations(FakeOrganizations):
    """Answers whose every string is marked trusted for templating.

    ansible-core 2.19 trusts no API answer on its own, so this stands for any path by which a trusted
    string could reach the plugin; whatever arrives, the plugin must set only untrusted values.
    """

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if name.startswith("_") or not callable(attribute) or name in ("count", "operations"):
            return attribute
        return lambda *args, **kwargs: trust_strings(attribute(*args, **kwargs))


def trust_strings(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return dict((trust_strings(key), trust_strings(item)) for key, item in value.items())
    if isinstance(value, list):
        return [trust_strings(item) for item in value]
    return value


def trusted_strings(value, where):
    """Where in ``value`` a string (dict keys included) is trusted for templating."""
    if isinstance(value, str):
        return [where] if is_trusted_as_template(value) else []
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += trusted_strings(key, "%s key %r" % (where, key)) + trusted_strings(item, "%s[%r]" % (where, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += trusted_strings(item, "%s[%d]" % (where, index))
    return found


def hostile_organization(marker):
    """An account whose name, OU name and tag value hold a lookup that would create ``marker``.

    Organizations admits such account and OU names; its TagValue pattern admits no braces, but the plugin
    must not rely on a service's input pattern.
    """
    accounts = [
        ("000000000002", payload(marker), PROD, {"State": "ACTIVE"}, {"env": payload(marker)}),
        ("000000000003", "app-prod-2", PROD, {"State": "ACTIVE"}, {"env": "prod"}),
    ]
    units = {WORKLOADS: (ROOT, "Workloads"), PROD: (WORKLOADS, payload(marker))}
    return TrustedOrganizations(accounts=accounts, units=units)


def test_every_host_variable_group_and_hostname_is_unsafe(monkeypatch, tmp_path):
    marker = tmp_path / "templated"
    client = hostile_organization(marker)
    # The stand-in does deliver trusted strings: without the plugin's marking they would be templated.
    assert is_trusted_as_template(client.list_accounts(aws_retry=True)["Accounts"][0]["Name"])
    client.calls = []
    inventory = Harness(monkeypatch, client).run(
        group_by_ou=True, fetch_tags=True, hostnames="name", member_external_id="rootwatch-7f3a9c",
        assume_role_arn_template="arn:{partition}:iam::{account_id}:role/{account_name}",
        compose={"copied_name": "aws_account_name", "copied_tags": "aws_account_tags"},
        keyed_groups=[{"key": "aws_account_tags.env", "prefix": "env"}],
    )
    hosts = sorted(inventory.hosts)
    assert hosts == sorted([payload(marker), "app-prod-2"])
    problems = []
    for name in hosts:
        problems += trusted_strings(name, "hostname")
        host = inventory.get_host(name)
        for variable, value in host.vars.items():
            problems += trusted_strings(variable, "%s variable name" % variable) + trusted_strings(value, variable)
    for group in inventory.groups:
        problems += trusted_strings(group, "group")
    assert problems == []

    hostvars = inventory.get_host(payload(marker)).vars
    for variable in ("aws_account_name", "aws_account_ou_name", "aws_account_tags", "aws_account_email",
                     "root_login_alerts_assume_role_arn", "root_login_alerts_assume_role_external_id",
                     "aws_account_ou_path", "aws_account_ou_ids", "copied_name", "copied_tags"):
        assert variable in hostvars
    templar = Templar(loader=DataLoader(), variables=hostvars)
    rendered = templar.template(trust_as_template(
        "{{ aws_account_name }}|{{ copied_name }}|{{ aws_account_tags.env }}|{{ aws_account_ou_name }}"
    ))
    assert rendered == "|".join([payload(marker)] * 4)
    assert hostvars["aws_account_ou_path"] == "Root/Workloads/" + payload(marker)
    assert not marker.exists()
    # keyed_groups keeps letters, digits and underscores of the tag value: no braces reach a group name.
    assert [group for group in inventory.groups if "{" in group or "}" in group] == []


# -- ExternalId: the role's (member_external_id) and the plugin's own (external_id) --


def test_member_external_id_is_set_on_every_host(monkeypatch):
    inventory = Harness(monkeypatch).run(member_external_id="rootwatch-7f3a:prod/2026", role_name="RootwatchAutomation")
    for host in inventory.groups["aws_accounts"].get_hosts():
        assert host.vars["root_login_alerts_assume_role_external_id"] == "rootwatch-7f3a:prod/2026"
        assert host.vars["root_login_alerts_assume_role_arn"].endswith(":role/RootwatchAutomation")


def test_without_member_external_id_no_variable(monkeypatch):
    inventory = Harness(monkeypatch).run()
    for host in inventory.groups["aws_accounts"].get_hosts():
        assert "root_login_alerts_assume_role_external_id" not in host.vars


@pytest.mark.parametrize(
    "options, message",
    [
        ({"member_external_id": "a"}, "member_external_id must be 2-1224 letters, digits or the characters +=,.@:/_-"),
        ({"member_external_id": "two words"}, "member_external_id must be 2-1224"),
        ({"member_external_id": "x" * 1225}, "member_external_id must be 2-1224"),
        ({"member_external_id": "ok-but\n"}, "member_external_id must be 2-1224"),
        ({"member_external_id": "abc", "assume_role_arn_template": ""},
         "member_external_id is set, but assume_role_arn_template is empty"),
    ],
)
def test_bad_member_external_id_fails_before_any_call(monkeypatch, options, message):
    harness = Harness(monkeypatch)
    with pytest.raises(AnsibleError) as error:
        harness.run(**options)
    assert message in str(error.value)
    assert harness.client.calls == []


READER_ROLE = "arn:aws:iam::000000000001:role/OrganizationsReadOnly"


class StubbedSts:
    """A plugin whose STS client is a real botocore client under a Stubber (AWS-shaped AssumeRole answers)."""

    def __init__(self, **options):
        self.sts = botocore.session.get_session().create_client(
            "sts", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
        )
        self.stubber = Stubber(self.sts)
        self.clients = []
        values = dict(DEFAULTS, region=None, **options)
        self.plugin = InventoryModule()
        self.plugin.ansible_name = InventoryModule.NAME
        self.plugin.get_option = lambda name, hostvars=None: values[name]
        self.plugin.get_options = lambda *args: values

        def client(service, **kwargs):
            self.clients.append((service, kwargs))
            return self.sts

        self.plugin.client = client

    def expect_assume_role(self, expected):
        # STS API reference, AssumeRole response: Credentials with AccessKeyId, SecretAccessKey, SessionToken, Expiration.
        self.stubber.add_response("assume_role", {
            "Credentials": {
                "AccessKeyId": "ASIAEXAMPLEREADER01", "SecretAccessKey": "reader-secret",
                "SessionToken": "reader-token", "Expiration": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
            },
            "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:%s" % ROLE_SESSION_NAME,
                                "Arn": "arn:aws:sts::000000000001:assumed-role/OrganizationsReadOnly/%s" % ROLE_SESSION_NAME},
        }, expected)


@pytest.mark.parametrize("external_id", ["org-reader-4d21", None])
def test_plugin_assume_role_sends_external_id(external_id):
    stub = StubbedSts(assume_role_arn=READER_ROLE, external_id=external_id)
    expected = {"RoleArn": READER_ROLE, "RoleSessionName": ROLE_SESSION_NAME}
    if external_id:
        expected["ExternalId"] = external_id
    stub.expect_assume_role(expected)
    with stub.stubber:
        stub.plugin._set_frozen_credentials()
        stub.stubber.assert_no_pending_responses()
    assert stub.plugin._frozen_credentials == {
        "profile_name": None, "aws_access_key_id": "ASIAEXAMPLEREADER01",
        "aws_secret_access_key": "reader-secret", "aws_session_token": "reader-token",
    }
    assert stub.clients == [("sts", {"region": "us-east-1"})]


def test_role_session_name_fits_sts():
    # STS AssumeRole: RoleSessionName is 2-64 characters of [\w+=,.@-]; botocore checks only the minimum.
    assert re.fullmatch(r"[\w+=,.@-]{2,64}", ROLE_SESSION_NAME)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"assume_role_arn": READER_ROLE, "external_id": "a"}, "external_id must be 2-1224 letters, digits"),
        ({"assume_role_arn": READER_ROLE, "external_id": "has space"}, "external_id must be 2-1224"),
        ({"external_id": "org-reader-4d21"}, "external_id is set, but assume_role_arn is not"),
    ],
)
def test_bad_external_id_fails_before_assume_role(options, message):
    stub = StubbedSts(**options)
    with stub.stubber:  # no answer queued: any STS call would fail the test with a different error
        with pytest.raises(AnsibleError) as error:
            stub.plugin._set_frozen_credentials()
    assert "rootwatch.aws.organization_accounts: " + message in str(error.value)
    assert stub.clients == []


def test_assume_role_denied_names_the_role():
    stub = StubbedSts(assume_role_arn=READER_ROLE, external_id="wrong-id")
    stub.stubber.add_client_error("assume_role", "AccessDenied", "User: x is not authorized to perform: sts:AssumeRole", 403)
    with stub.stubber:
        with pytest.raises(AnsibleError) as error:
            stub.plugin._set_frozen_credentials()
    assert "cannot assume assume_role_arn %s" % READER_ROLE in str(error.value)
    assert "AccessDenied" in str(error.value)
