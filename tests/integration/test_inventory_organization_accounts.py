"""rootwatch.aws.organization_accounts against the emulator, through real ``ansible-inventory``.

The emulator holds an organization (management account 123456789012, moto's default):

    Root
    |-- Workloads            shared (env=shared)
    |   `-- Prod             app-prod (env=prod, team=payments), app-prod-2 (env=prod)
    |-- Sandbox              sandbox-1 (env=dev), closed (closed, so SUSPENDED)
    `-- legacy, master (the management account)

Each test writes a ``*.organization_accounts.yml`` file, runs ``ansible-inventory --list``
from the checkout (so ansible.cfg finds the collection) and checks hosts, groups,
variables, and the Organizations calls in the emulator's request record. An account and an
OU whose names hold a lookup show that Organizations data is never templated, and an
``ansible-playbook`` run uses them; the ExternalId tests read the recorded AssumeRole.
"""

import json
import os
import re
import subprocess
import sys
import urllib.parse
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSIBLE_INVENTORY = os.path.join(os.path.dirname(sys.executable), "ansible-inventory")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
MANAGEMENT = "123456789012"  # moto's default account, where the organization is created
PLUGIN = "rootwatch.aws.organization_accounts"


def plain(value):
    """ansible-core 2.19 marks plugin-sourced strings as unsafe in --list output; unwrap them."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class Listing:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stderr = proc.stderr
        self.data = plain(json.loads(proc.stdout)) if proc.returncode == 0 else {}

    def hosts(self, group="aws_accounts"):
        return sorted(self.data.get(group, {}).get("hosts", []))

    def groups(self):
        return sorted(name for name in self.data if name not in ("_meta", "all", "ungrouped"))

    def hostvars(self, host):
        return self.data["_meta"]["hostvars"][host]


def list_inventory(emulator, tmp_path, config, enabled=PLUGIN + ",yaml,ini", args=(), extra_env=None):
    return run_inventory(emulator, [write_config(tmp_path, config)], enabled, args, extra_env)


def write_config(tmp_path, config):
    path = tmp_path / "demo.organization_accounts.yml"
    path.write_text("plugin: %s\n%s" % (PLUGIN, config))
    return str(path)


def ansible_env(emulator, enabled=PLUGIN + ",yaml,ini", extra_env=None):
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(("AWS_", "ANSIBLE_", "ROOTWATCH_")))
    env.update(emulator.environ())
    env.update(
        ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        # A source that fails to parse must fail the command, not leave an empty inventory.
        ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
    )
    if enabled:
        env["ANSIBLE_INVENTORY_ENABLED"] = enabled
    env.update(extra_env or {})
    return env


def run_inventory(emulator, sources, enabled=PLUGIN + ",yaml,ini", args=(), extra_env=None):
    """``ansible-inventory --list`` from the checkout, with the emulator's environment."""
    command = [ANSIBLE_INVENTORY, "--list"]
    for source in sources:
        command += ["-i", source]
    proc = subprocess.run(
        command + list(args),
        cwd=ROOT, env=ansible_env(emulator, enabled, extra_env), capture_output=True, text=True, check=False,
    )
    return Listing(proc)


def organizations_calls(emulator):
    calls = {}
    for request in emulator.requests():
        assert request.service == "organizations", request
        calls[request.action] = calls.get(request.action, 0) + 1
    return calls


@pytest.fixture
def org(emulator):
    """Build the organization; return {name: id} for accounts and OUs. The recording starts empty.

    Emulator quirk: moto's CreateAccount finishes at once (AWS reports IN_PROGRESS and
    finishes later) and CloseAccount makes the account SUSPENDED at once (AWS passes
    through PENDING_CLOSURE); the plugin leaves out both states.
    """
    client = emulator.client("organizations")
    client.create_organization(FeatureSet="ALL")
    root = client.list_roots()["Roots"][0]["Id"]
    ids = {"root": root, "master": MANAGEMENT}
    ids["Workloads"] = client.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    ids["Prod"] = client.create_organizational_unit(ParentId=ids["Workloads"], Name="Prod")["OrganizationalUnit"]["Id"]
    ids["Sandbox"] = client.create_organizational_unit(ParentId=root, Name="Sandbox")["OrganizationalUnit"]["Id"]
    accounts = [
        ("app-prod", "Prod", {"env": "prod", "team": "payments"}),
        ("app-prod-2", "Prod", {"env": "prod"}),
        ("shared", "Workloads", {"env": "shared"}),
        ("sandbox-1", "Sandbox", {"env": "dev"}),
        ("closed", "Sandbox", {"env": "dev"}),
        ("legacy", None, {}),
    ]
    for name, parent, tags in accounts:
        status = client.create_account(
            AccountName=name, Email="%s@example.com" % name,
            Tags=[{"Key": key, "Value": value} for key, value in tags.items()],
        )["CreateAccountStatus"]
        ids[name] = status["AccountId"]
        if parent:
            client.move_account(AccountId=ids[name], SourceParentId=root, DestinationParentId=ids[parent])
    client.close_account(AccountId=ids["closed"])
    emulator.clear_recording()
    return ids


def test_whole_organization_grouped_by_ou(emulator, tmp_path, org):
    listing = list_inventory(
        emulator, tmp_path,
        "group_by_ou: true\n"
        "fetch_tags: true\n"
        "keyed_groups:\n"
        "  - key: aws_account_tags.env | default('none')\n"
        "    prefix: env\n",
    )
    assert listing.rc == 0, listing.stderr
    active = sorted(org[name] for name in ("master", "app-prod", "app-prod-2", "shared", "sandbox-1", "legacy"))
    assert listing.hosts() == active
    assert org["closed"] not in listing.data["_meta"]["hostvars"]

    workloads = "ou_" + org["Workloads"][3:].replace("-", "_")
    prod = "ou_" + org["Prod"][3:].replace("-", "_")
    assert listing.hosts("ou_workloads") == listing.hosts(workloads) == sorted(org[n] for n in ("app-prod", "app-prod-2", "shared"))
    assert listing.hosts("ou_prod") == listing.hosts(prod) == sorted(org[n] for n in ("app-prod", "app-prod-2"))
    assert listing.hosts("ou_sandbox") == [org["sandbox-1"]]
    assert listing.hosts("env_prod") == sorted(org[n] for n in ("app-prod", "app-prod-2"))
    assert listing.hosts("env_none") == sorted(org[n] for n in ("master", "legacy"))

    app = listing.hostvars(org["app-prod"])
    assert app["aws_account_id"] == org["app-prod"]
    assert app["aws_account_name"] == "app-prod"
    assert app["aws_account_email"] == "app-prod@example.com"
    assert app["aws_account_state"] == "ACTIVE"
    assert app["aws_account_is_management"] is False
    assert app["aws_partition"] == "aws"
    assert app["aws_account_tags"] == {"env": "prod", "team": "payments"}
    assert app["aws_account_ou_id"] == org["Prod"]
    assert app["aws_account_ou_name"] == "Prod"
    assert app["aws_account_ou_path"] == "Root/Workloads/Prod"
    assert app["aws_account_ou_ids"] == [org["root"], org["Workloads"], org["Prod"]]
    assert app["root_login_alerts_assume_role_arn"] == "arn:aws:iam::%s:role/OrganizationAccountAccessRole" % org["app-prod"]
    management = listing.hostvars(MANAGEMENT)
    assert management["aws_account_is_management"] is True
    assert management["aws_account_ou_path"] == "Root"

    # Reads only: the tree walk (4 parents), and tags for the 6 active accounts.
    assert emulator.write_requests() == []
    assert organizations_calls(emulator) == {
        "DescribeOrganization": 1,
        "ListRoots": 1,
        "ListAccountsForParent": 4,
        "ListOrganizationalUnitsForParent": 4,
        "ListTagsForResource": 6,
    }


def test_filters_and_control_tower_role(emulator, tmp_path, org):
    listing = list_inventory(
        emulator, tmp_path,
        "organizational_units: ['%s']\n"
        "tags:\n"
        "  env: [prod, shared]\n"
        "exclude_account_ids: ['%s']\n"
        "hostnames: name\n"
        "role_name: AWSControlTowerExecution\n" % (org["Workloads"], org["app-prod-2"]),
    )
    assert listing.rc == 0, listing.stderr
    assert listing.hosts() == ["app-prod", "shared"]
    assert listing.hosts("ou_prod") == ["app-prod"]
    assert listing.hosts("ou_workloads") == ["app-prod", "shared"]
    assert listing.hostvars("shared")["root_login_alerts_assume_role_arn"] == (
        "arn:aws:iam::%s:role/AWSControlTowerExecution" % org["shared"]
    )
    assert listing.hostvars("app-prod")["aws_account_ou_path"] == "Root/Workloads/Prod"
    calls = organizations_calls(emulator)
    # Workloads' place in the tree, its subtree (Workloads, Prod), tags of the 2 accounts left after the ID filter.
    assert calls == {
        "DescribeOrganization": 1,
        "ListRoots": 1,
        "ListParents": 1,
        "DescribeOrganizationalUnit": 1,
        "ListAccountsForParent": 2,
        "ListOrganizationalUnitsForParent": 2,
        "ListTagsForResource": 2,
    }


def test_default_listing_through_the_auto_plugin(emulator, tmp_path, org):
    # No ANSIBLE_INVENTORY_ENABLED: ansible-core's default 'auto' plugin finds ours from the 'plugin:' key.
    listing = list_inventory(emulator, tmp_path, "exclude_management_account: true\n", enabled=None)
    assert listing.rc == 0, listing.stderr
    assert listing.hosts() == sorted(org[n] for n in ("app-prod", "app-prod-2", "shared", "sandbox-1", "legacy"))
    assert listing.groups() == ["aws_accounts"]
    assert "aws_account_ou_id" not in listing.hostvars(org["legacy"])
    assert "aws_account_tags" not in listing.hostvars(org["legacy"])
    assert organizations_calls(emulator) == {"DescribeOrganization": 1, "ListAccounts": 1}


def test_named_accounts_are_described_not_listed(emulator, tmp_path, org):
    listing = list_inventory(
        emulator, tmp_path, "account_ids: ['%s', '%s']\nassume_role_arn_template: ''\n" % (org["sandbox-1"], org["closed"])
    )
    assert listing.rc == 0, listing.stderr
    assert listing.hosts() == [org["sandbox-1"]]
    assert "root_login_alerts_assume_role_arn" not in listing.hostvars(org["sandbox-1"])
    assert organizations_calls(emulator) == {"DescribeOrganization": 1, "DescribeAccount": 2}


def test_second_run_is_served_from_the_cache(emulator, tmp_path, org):
    config = (
        "group_by_ou: true\n"
        "cache: true\n"
        "cache_plugin: ansible.builtin.jsonfile\n"
        "cache_connection: %s\n"
        "cache_timeout: 3600\n" % (tmp_path / "cache")
    )
    first = list_inventory(emulator, tmp_path, config)
    assert first.rc == 0, first.stderr
    assert organizations_calls(emulator)["DescribeOrganization"] == 1
    assert os.listdir(str(tmp_path / "cache"))

    emulator.clear_recording()
    second = list_inventory(emulator, tmp_path, config)
    assert second.rc == 0, second.stderr
    assert emulator.requests() == []  # not one Organizations (or any) call
    assert second.data == first.data

    # --flush-cache reads the organization again.
    third = list_inventory(emulator, tmp_path, config, args=["--flush-cache"])
    assert third.rc == 0, third.stderr
    assert organizations_calls(emulator)["DescribeOrganization"] == 1
    assert third.data == first.data


def test_not_in_an_organization(emulator, tmp_path):
    listing = list_inventory(emulator, tmp_path, "")
    assert listing.rc != 0
    assert "is not in an AWS Organization (AWSOrganizationsNotInUseException" in listing.stderr


def test_unknown_ou_is_named(emulator, tmp_path, org):
    missing = org["Prod"][:-8] + "99999999"
    listing = list_inventory(emulator, tmp_path, "organizational_units: ['%s']\n" % missing)
    assert listing.rc != 0
    assert "organizational_units: %s does not exist in this organization" % missing in listing.stderr


def test_example_inventories(emulator, org):
    # The two examples shipped in playbooks/inventory/, together as one inventory.
    examples = os.path.join(ROOT, "playbooks", "inventory")
    listing = run_inventory(
        emulator,
        [os.path.join(examples, "example_accounts.yml"), os.path.join(examples, "example.organization_accounts.yml")],
    )
    assert listing.rc == 0, listing.stderr
    members = sorted(org[n] for n in ("app-prod", "app-prod-2", "shared", "sandbox-1", "legacy"))
    assert listing.hosts() == sorted(["111111111111", "222222222222", "333333333333"] + members)
    assert listing.hostvars("222222222222")["root_login_alerts_assume_role_arn"] == (
        "arn:aws:iam::222222222222:role/AWSControlTowerExecution"
    )
    assert listing.hostvars("333333333333")["root_login_alerts_emails"] == [
        "security@example.com", "platform-oncall@example.com"
    ]
    for account_id in members:
        hostvars = listing.hostvars(account_id)
        assert hostvars["root_login_alerts_assume_role_arn"] == (
            "arn:aws:iam::%s:role/OrganizationAccountAccessRole" % account_id
        )
        assert hostvars["root_login_alerts_region"] == "us-east-1"
    assert listing.hosts("ou_prod") == sorted(org[n] for n in ("app-prod", "app-prod-2"))


# -- Organizations data is never templated ---------------------------------------

# Organizations API reference, CreateAccountStatus: AccountName is 1-50 characters of [\u0020-\u007E]. The
# payload also fits the stricter [ -;=?-~] (no < or >) that issue 19 names.
ACCOUNT_NAME_RE = re.compile(r"[ -;=?-~]{1,50}")
PROBE_PLAYBOOK = """\
- name: Show what the inventory set
  hosts: aws_accounts
  connection: local
  gather_facts: false
  tasks:
    - name: Print the Organizations data of the host
      ansible.builtin.debug:
        msg: "{{ [inventory_hostname, aws_account_name, aws_account_email, aws_account_ou_name, copied_name] }}"
"""


@pytest.fixture
def hostile(emulator, org, tmp_path):
    """An account and an OU whose names hold a lookup that creates a marker file; {name: value}, markers."""
    token = uuid.uuid4().hex[:6]
    markers = ["/tmp/pwned-%s" % token, "/tmp/pwned-%s-ou" % token]
    names = {
        "account": "{{ lookup('pipe', 'touch %s') }}" % markers[0],
        "ou": "{{ lookup('pipe', 'touch %s') }}" % markers[1],
        # Email: no spaces (Organizations' pattern), so an env lookup: templated, it would show a home directory.
        "email": "{{lookup('env','HOME')}}@example.com",
    }
    assert ACCOUNT_NAME_RE.fullmatch(names["account"]), "the payload must be a name Organizations accepts"
    client = emulator.client("organizations")
    ou = client.create_organizational_unit(ParentId=org["root"], Name=names["ou"])["OrganizationalUnit"]["Id"]
    account = client.create_account(AccountName=names["account"], Email=names["email"])["CreateAccountStatus"]["AccountId"]
    client.move_account(AccountId=account, SourceParentId=org["root"], DestinationParentId=ou)
    emulator.clear_recording()
    yield dict(names, account_id=account, ou_id=ou), markers
    for marker in markers:
        if os.path.exists(marker):
            os.remove(marker)


HOSTILE_CONFIG = (
    "group_by_ou: true\n"
    "hostnames: name\n"
    "account_ids: ['%s']\n"
    "assume_role_arn_template: 'arn:{partition}:iam::{account_id}:role/{account_name}'\n"
    "compose:\n"
    "  copied_name: aws_account_name\n"
    "keyed_groups:\n"
    "  - key: aws_account_name\n"
    "    prefix: name\n"
)


def test_organizations_data_is_never_templated(emulator, tmp_path, hostile):
    names, markers = hostile
    config = write_config(tmp_path, HOSTILE_CONFIG % names["account_id"])

    listing = run_inventory(emulator, [config])
    assert listing.rc == 0, listing.stderr
    assert listing.hosts() == [names["account"]]
    hostvars = listing.hostvars(names["account"])
    assert hostvars["aws_account_name"] == hostvars["copied_name"] == names["account"]
    assert hostvars["aws_account_email"] == names["email"]
    assert hostvars["aws_account_ou_name"] == names["ou"]
    assert hostvars["aws_account_ou_path"] == "Root/" + names["ou"]
    assert hostvars["root_login_alerts_assume_role_arn"] == "arn:aws:iam::%s:role/%s" % (names["account_id"], names["account"])
    # Group names keep only letters, digits and underscores.
    assert [group for group in listing.groups() if not re.fullmatch(r"\w+", group)] == []

    # A play that uses every such value: they print verbatim, and no lookup ran.
    playbook = tmp_path / "probe.yml"
    playbook.write_text(PROBE_PLAYBOOK)
    env = ansible_env(emulator, extra_env={"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json"})
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", config, str(playbook)],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]
    assert list(results) == [names["account"]]
    assert results[names["account"]]["msg"] == [names["account"], names["account"], names["email"], names["ou"], names["account"]]
    assert [marker for marker in markers if os.path.exists(marker)] == []


# -- ExternalId ---------------------------------------------------------------------

READER_ROLE = "arn:aws:iam::%s:role/OrganizationsReadOnly" % MANAGEMENT


def assume_role_requests(emulator):
    return [urllib.parse.parse_qs(request.body) for request in emulator.requests() if request.action == "AssumeRole"]


@pytest.mark.parametrize("through_env", [False, True])
def test_external_ids(emulator, tmp_path, org, through_env):
    # Emulator quirk: moto's AssumeRole needs no role and checks no trust policy (AWS refuses a missing or wrong
    # ExternalId when the trust requires sts:ExternalId); this proves what is sent, the Stubber tests its answer.
    config = "assume_role_arn: %s\nrole_name: RootwatchAutomation\nexclude_management_account: true\n" % READER_ROLE
    ids = {"ROOTWATCH_ORGANIZATION_ACCOUNTS_EXTERNAL_ID": "org-reader-4d21",
           "ROOTWATCH_ORGANIZATION_ACCOUNTS_MEMBER_EXTERNAL_ID": "rootwatch-7f3a:prod/2026"}
    if not through_env:
        config += "external_id: org-reader-4d21\nmember_external_id: 'rootwatch-7f3a:prod/2026'\n"
    listing = list_inventory(emulator, tmp_path, config, extra_env=ids if through_env else None)
    assert listing.rc == 0, listing.stderr

    assert assume_role_requests(emulator) == [{
        "Action": ["AssumeRole"], "Version": ["2011-06-15"], "RoleArn": [READER_ROLE],
        "RoleSessionName": ["rootwatch-organization-accounts-inventory"], "ExternalId": ["org-reader-4d21"],
    }]
    # Organizations is read with the assumed role's credentials, not the caller's.
    keys = set(request.access_key for request in emulator.requests() if request.service == "organizations")
    assert keys and "testing" not in keys
    members = sorted(org[n] for n in ("app-prod", "app-prod-2", "shared", "sandbox-1", "legacy"))
    assert listing.hosts() == members
    for account_id in members:
        hostvars = listing.hostvars(account_id)
        assert hostvars["root_login_alerts_assume_role_external_id"] == "rootwatch-7f3a:prod/2026"
        assert hostvars["root_login_alerts_assume_role_arn"] == "arn:aws:iam::%s:role/RootwatchAutomation" % account_id


@pytest.mark.parametrize(
    "config, message",
    [
        ("assume_role_arn: %s\nexternal_id: 'has space'\n" % READER_ROLE, "external_id must be 2-1224 letters"),
        ("external_id: org-reader-4d21\n", "external_id is set, but assume_role_arn is not"),
        ("member_external_id: x\n", "member_external_id must be 2-1224 letters"),
    ],
)
def test_bad_external_ids_fail_before_any_request(emulator, tmp_path, org, config, message):
    listing = list_inventory(emulator, tmp_path, config)
    assert listing.rc != 0
    assert message in listing.stderr
    assert emulator.requests() == []
