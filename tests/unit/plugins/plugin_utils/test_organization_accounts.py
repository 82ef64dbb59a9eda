"""Pure functions and the AWS-edge reader of the organization_accounts inventory."""

import botocore.session
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import retry_decorator
from ansible_collections.rootwatch.aws.plugins.plugin_utils import organization_accounts as oa
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import OrganizationAccountsError

from organization_fakes import ACTIVE_IDS, MANAGEMENT, PROD, ROOT, SANDBOX, WORKLOADS, FakeOrganizations

ORG = {
    "id": "o-exampleorg",
    "management_account_id": MANAGEMENT,
    "partition": "aws",
}
DEFAULT_SETTINGS = oa.normalize_host_settings({})


def query(**options):
    return oa.normalize_query(options)


def account(account_id, state="ACTIVE", name=None, ou_path=None, tags=None):
    return {
        "id": account_id,
        "name": name or "acct-%s" % account_id[-2:],
        "email": "x@example.com",
        "arn": "arn:aws:organizations::%s:account/o-exampleorg/%s" % (MANAGEMENT, account_id),
        "state": state,
        "ou_path": ou_path,
        "tags": tags,
    }


# -- options -------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, {"organizational_units": [], "group_by_ou": False, "account_ids": [], "exclude_account_ids": [],
              "exclude_management_account": False, "tags": {}, "fetch_tags": False}),
        ({"account_ids": ["000000000003", " 000000000002", "000000000003"]}, {"account_ids": ["000000000002", "000000000003"]}),
        ({"organizational_units": [PROD, ROOT, WORKLOADS]}, {"organizational_units": [WORKLOADS, PROD, ROOT]}),
        ({"tags": {"env": "prod", "n": 5}}, {"tags": {"env": "prod", "n": "5"}}),
        ({"tags": {"env": ["prod", "dev"], "owner": None}}, {"tags": {"env": ["dev", "prod"], "owner": None}}),
        ({"group_by_ou": True, "fetch_tags": True, "exclude_management_account": True},
         {"group_by_ou": True, "fetch_tags": True, "exclude_management_account": True}),
        ({"organizational_units": None, "account_ids": None, "tags": None}, {"organizational_units": [], "account_ids": [], "tags": {}}),
    ],
)
def test_normalize_query(options, expected):
    result = oa.normalize_query(options)
    for key, value in expected.items():
        assert result[key] == value
    assert sorted(result) == sorted(oa.QUERY_OPTIONS)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"account_ids": ["12345"]}, "account_ids: '12345' is not a valid account ID (quote account IDs"),
        ({"account_ids": [12345678901]}, "account_ids: 12345678901 is not a valid account ID"),
        ({"exclude_account_ids": ["abcdefghijkl"]}, "exclude_account_ids: 'abcdefghijkl'"),
        ({"organizational_units": ["Workloads"]}, "organizational_units: 'Workloads' is not a valid organizational unit or root ID"),
        ({"organizational_units": ["ou-ab12"]}, "organizational_units: 'ou-ab12'"),
        ({"tags": ["env"]}, "tags: must be a dictionary"),
        ({"tags": {"env": []}}, "tags: 'env' has an empty list"),
        ({"tags": {"env": {"a": 1}}}, "tags: the value of 'env' must be"),
    ],
)
def test_normalize_query_errors(options, message):
    with pytest.raises(OrganizationAccountsError) as error:
        oa.normalize_query(options)
    assert message in str(error.value)


def test_normalize_query_equal_meaning_compares_equal():
    first = query(account_ids=["000000000002", "000000000001"], tags={"a": ["y", "x"]})
    second = query(account_ids=["000000000001", "000000000002", "000000000001"], tags={"a": ["x", "y"]})
    assert first == second


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, {"hostnames": "id", "role_name": "OrganizationAccountAccessRole", "ou_group_prefix": "ou_",
              "assume_role_arn_template": "arn:{partition}:iam::{account_id}:role/{role_name}"}),
        ({"hostnames": "name", "role_name": "AWSControlTowerExecution", "ou_group_prefix": ""},
         {"hostnames": "name", "role_name": "AWSControlTowerExecution", "ou_group_prefix": ""}),
        ({"assume_role_arn_template": ""}, {"assume_role_arn_template": ""}),
        ({"assume_role_arn_template": "arn:{partition}:iam::{account_id}:role/ops/{account_name}-deploy"},
         {"assume_role_arn_template": "arn:{partition}:iam::{account_id}:role/ops/{account_name}-deploy"}),
        ({"role_name": "path/to/Role"}, {"role_name": "path/to/Role"}),
        ({}, {"member_external_id": None}),
        ({"member_external_id": ""}, {"member_external_id": None}),
        ({"member_external_id": "rootwatch-7f3a:prod/2026"}, {"member_external_id": "rootwatch-7f3a:prod/2026"}),
    ],
)
def test_normalize_host_settings(options, expected):
    result = oa.normalize_host_settings(options)
    for key, value in expected.items():
        assert result[key] == value


@pytest.mark.parametrize(
    "options, message",
    [
        ({"hostnames": "email"}, "hostnames: must be one of id, name"),
        ({"assume_role_arn_template": "arn:aws:iam::{account}:role/x"}, "unknown field(s) {account}; available: {partition}"),
        ({"assume_role_arn_template": "arn:aws:iam::{}:role/x"}, "use plain named fields"),
        ({"assume_role_arn_template": "arn:aws:iam::{account_id!r}:role/x"}, "use plain named fields"),
        ({"assume_role_arn_template": "arn:aws:iam::{account_id:>5}:role/x"}, "use plain named fields"),
        ({"assume_role_arn_template": "arn:aws:iam::{account_id:role/x"}, "is not a valid template"),
        ({"role_name": "bad role"}, "role_name: 'bad role' is not a valid IAM role name"),
        ({"ou_group_prefix": "ou-"}, "ou_group_prefix: 'ou-' may hold only"),
        ({"member_external_id": "x"}, "member_external_id must be 2-1224 letters, digits or the characters +=,.@:/_-"),
        ({"member_external_id": "abc", "assume_role_arn_template": ""},
         "member_external_id is set, but assume_role_arn_template is empty: an ExternalId is only sent on AssumeRole"),
    ],
)
def test_normalize_host_settings_errors(options, message):
    with pytest.raises(OrganizationAccountsError) as error:
        oa.normalize_host_settings(options)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "value, valid",
    [
        # STS AssumeRole: ExternalId is 2-1224 characters of [\w+=,.@:/-].
        ("ab", True),
        ("x" * 1224, True),
        ("Rootwatch_7f3a+prod=1,a.b@c:d/e-f", True),
        ("a", False),
        ("x" * 1225, False),
        ("two words", False),
        ("tab\there", False),
        ("trailing-newline\n", False),
        ("semi;colon", False),
        ("{{ lookup('env', 'HOME') }}", False),
    ],
)
def test_validate_external_id(value, valid):
    if valid:
        assert oa.validate_external_id(value, "member_external_id") == value
    else:
        with pytest.raises(OrganizationAccountsError) as error:
            oa.validate_external_id(value, "member_external_id")
        assert str(error.value).startswith("member_external_id must be 2-1224 letters")
        assert str(error.value).endswith("got %d characters" % len(value))
        if len(value) > 1:
            assert value not in str(error.value)  # the value is part of a trust condition: not echoed


@pytest.mark.parametrize("value", [None, ""])
def test_validate_external_id_unset(value):
    assert oa.validate_external_id(value, "external_id") is None


def test_host_entry_with_member_external_id():
    settings = oa.normalize_host_settings({"member_external_id": "rootwatch-7f3a", "role_name": "RootwatchAutomation"})
    unused, hostvars, unused_groups = oa.host_entry(account("000000000002", name="app"), ORG, settings)
    assert hostvars["root_login_alerts_assume_role_external_id"] == "rootwatch-7f3a"
    assert hostvars["root_login_alerts_assume_role_arn"] == "arn:aws:iam::000000000002:role/RootwatchAutomation"


@pytest.mark.parametrize(
    "options, ou_tree, tags",
    [
        ({}, False, False),
        ({"organizational_units": [PROD]}, True, False),
        ({"group_by_ou": True}, True, False),
        ({"tags": {"env": "prod"}}, False, True),
        ({"fetch_tags": True, "account_ids": ["000000000002"]}, False, True),
    ],
)
def test_what_the_query_needs(options, ou_tree, tags):
    assert oa.needs_ou_tree(query(**options)) is ou_tree
    assert oa.needs_tags(query(**options)) is tags


# -- accounts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, state, active",
    [
        ({"State": "ACTIVE", "Status": "ACTIVE"}, "ACTIVE", True),
        ({"Status": "ACTIVE"}, "ACTIVE", True),
        ({"State": "ACTIVE"}, "ACTIVE", True),
        ({"State": "PENDING_CLOSURE", "Status": "ACTIVE"}, "PENDING_CLOSURE", False),
        ({"State": "SUSPENDED", "Status": "SUSPENDED"}, "SUSPENDED", False),
        ({"Status": "SUSPENDED"}, "SUSPENDED", False),
        ({"Status": "PENDING_CLOSURE"}, "PENDING_CLOSURE", False),
        ({"State": "PENDING_ACTIVATION"}, "PENDING_ACTIVATION", False),
        ({"State": "CLOSED"}, "CLOSED", False),
        ({}, "", False),
    ],
)
def test_account_state(fields, state, active):
    assert oa.account_state(fields) == state
    assert oa.is_active(fields) is active


def test_normalize_account_is_json_safe_and_copies_the_path():
    path = [{"id": ROOT, "name": "Root"}]
    raw = {"Id": "000000000002", "Name": "n", "Email": "e", "Arn": "a", "Status": "ACTIVE", "JoinedTimestamp": object()}
    result = oa.normalize_account(raw, path)
    assert result == {"id": "000000000002", "name": "n", "email": "e", "arn": "a", "state": "ACTIVE",
                      "ou_path": path, "tags": None}
    assert result["ou_path"][0] is not path[0]
    assert oa.normalize_account(raw)["ou_path"] is None


ALL = [
    account("000000000003"),
    account(MANAGEMENT),
    account("000000000002"),
    account("000000000004", state="SUSPENDED"),
    account("000000000005", state="PENDING_CLOSURE"),
    account("000000000002"),  # listed twice (overlapping OU walks): kept once
]


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, [MANAGEMENT, "000000000002", "000000000003"]),
        ({"exclude_management_account": True}, ["000000000002", "000000000003"]),
        ({"account_ids": ["000000000003", "000000000004", "000000000099"]}, ["000000000003"]),
        ({"exclude_account_ids": ["000000000003"]}, [MANAGEMENT, "000000000002"]),
        ({"account_ids": ["000000000003", MANAGEMENT], "exclude_account_ids": ["000000000003"]}, [MANAGEMENT]),
        ({"account_ids": [MANAGEMENT], "exclude_management_account": True}, []),
    ],
)
def test_select_accounts(options, expected):
    assert [item["id"] for item in oa.select_accounts(ALL, query(**options), MANAGEMENT)] == expected


def test_select_accounts_without_known_management_account():
    selected = oa.select_accounts(ALL, query(exclude_management_account=True), "")
    assert [item["id"] for item in selected] == [MANAGEMENT, "000000000002", "000000000003"]


@pytest.mark.parametrize(
    "tags, wanted, matches",
    [
        ({"env": "prod"}, {}, True),
        (None, {}, True),
        ({"env": "prod"}, {"env": "prod"}, True),
        ({"env": "prod"}, {"env": "Prod"}, False),
        ({"env": "prod", "team": "a"}, {"env": "prod", "team": "a"}, True),
        ({"env": "prod"}, {"env": "prod", "team": "a"}, False),
        ({"env": "dev"}, {"env": ["prod", "dev"]}, True),
        ({"env": "qa"}, {"env": ["prod", "dev"]}, False),
        ({"owner": ""}, {"owner": None}, True),
        ({}, {"owner": None}, False),
        (None, {"owner": None}, False),
        ({"env": ""}, {"env": ""}, True),
    ],
)
def test_tags_match(tags, wanted, matches):
    assert oa.tags_match(tags, wanted) is matches


# -- hosts, variables, groups -----------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ab12_34cd56ef", "ab12_34cd56ef"),
        ("ab12-34cd56ef", "ab12_34cd56ef"),
        ("Prod Workloads", "Prod_Workloads"),
        ("a.b/c:d@e", "a_b_c_d_e"),
        ("Übung", "_bung"),
        ("", ""),
    ],
)
def test_sanitize_group_name(text, expected):
    assert oa.sanitize_group_name(text) == expected


@pytest.mark.parametrize(
    "path, prefix, expected",
    [
        (None, "ou_", []),
        ([{"id": ROOT, "name": "Root"}], "ou_", []),
        ([{"id": ROOT, "name": "Root"}, {"id": WORKLOADS, "name": "Workloads"}], "ou_",
         ["ou_ab12_11111111", "ou_workloads"]),
        ([{"id": ROOT, "name": "Root"}, {"id": WORKLOADS, "name": "Workloads"}, {"id": PROD, "name": "Prod"}], "ou_",
         ["ou_ab12_11111111", "ou_workloads", "ou_ab12_22222222", "ou_prod"]),
        ([{"id": ROOT, "name": "Root"}, {"id": SANDBOX, "name": "Sandbox Accounts"}], "org_",
         ["org_ab12_33333333", "org_sandbox_accounts"]),
        # Same name at two levels: one group.
        ([{"id": ROOT, "name": "Root"}, {"id": WORKLOADS, "name": "Prod"}, {"id": PROD, "name": "prod"}], "ou_",
         ["ou_ab12_11111111", "ou_prod", "ou_ab12_22222222"]),
        # No name known: the ID group only.
        ([{"id": ROOT, "name": "Root"}, {"id": PROD, "name": ""}], "ou_", ["ou_ab12_22222222"]),
        ([{"id": ROOT, "name": "Root"}, {"id": PROD, "name": "Prod"}], "", ["ab12_22222222", "prod"]),
    ],
)
def test_ou_group_names(path, prefix, expected):
    assert oa.ou_group_names(path, prefix) == expected


@pytest.mark.parametrize(
    "arn, partition",
    [
        ("arn:aws:organizations::000000000001:account/o-x/000000000001", "aws"),
        ("arn:aws-us-gov:organizations::000000000001:account/o-x/000000000001", "aws-us-gov"),
        ("arn:aws-cn:organizations::000000000001:account/o-x/000000000001", "aws-cn"),
        ("", "aws"),
        (None, "aws"),
        ("not-an-arn", "aws"),
    ],
)
def test_partition_from_arn(arn, partition):
    assert oa.partition_from_arn(arn) == partition


@pytest.mark.parametrize(
    "template, role_name, partition, expected",
    [
        (oa.DEFAULT_ASSUME_ROLE_ARN_TEMPLATE, oa.DEFAULT_ROLE_NAME, "aws",
         "arn:aws:iam::000000000002:role/OrganizationAccountAccessRole"),
        (oa.DEFAULT_ASSUME_ROLE_ARN_TEMPLATE, oa.CONTROL_TOWER_ROLE_NAME, "aws",
         "arn:aws:iam::000000000002:role/AWSControlTowerExecution"),
        (oa.DEFAULT_ASSUME_ROLE_ARN_TEMPLATE, oa.DEFAULT_ROLE_NAME, "aws-us-gov",
         "arn:aws-us-gov:iam::000000000002:role/OrganizationAccountAccessRole"),
        (oa.DEFAULT_ASSUME_ROLE_ARN_TEMPLATE, oa.DEFAULT_ROLE_NAME, "aws-cn",
         "arn:aws-cn:iam::000000000002:role/OrganizationAccountAccessRole"),
        ("arn:{partition}:iam::{account_id}:role/{account_name}/deploy", "ignored", "aws",
         "arn:aws:iam::000000000002:role/app/deploy"),
        ("arn:aws:iam::{management_account_id}:role/{organization_id}", "r", "aws",
         "arn:aws:iam::000000000001:role/o-exampleorg"),
        ("", oa.DEFAULT_ROLE_NAME, "aws", None),
    ],
)
def test_render_assume_role_arn(template, role_name, partition, expected):
    organization = dict(ORG, partition=partition)
    assert oa.render_assume_role_arn(template, account("000000000002", name="app"), organization, role_name) == expected


def test_host_entry_with_ou_and_tags():
    path = [{"id": ROOT, "name": "Root"}, {"id": WORKLOADS, "name": "Workloads"}, {"id": PROD, "name": "Prod"}]
    hostname, hostvars, groups = oa.host_entry(
        account("000000000002", name="app-prod", ou_path=path, tags={"env": "prod"}), ORG, DEFAULT_SETTINGS
    )
    assert hostname == "000000000002"
    assert hostvars == {
        "aws_account_id": "000000000002",
        "aws_account_name": "app-prod",
        "aws_account_email": "x@example.com",
        "aws_account_arn": "arn:aws:organizations::000000000001:account/o-exampleorg/000000000002",
        "aws_account_state": "ACTIVE",
        "aws_account_is_management": False,
        "aws_organization_id": "o-exampleorg",
        "aws_partition": "aws",
        "root_login_alerts_assume_role_arn": "arn:aws:iam::000000000002:role/OrganizationAccountAccessRole",
        "root_login_alerts_account_id": "000000000002",
        "aws_account_tags": {"env": "prod"},
        "aws_account_ou_id": PROD,
        "aws_account_ou_name": "Prod",
        "aws_account_ou_path": "Root/Workloads/Prod",
        "aws_account_ou_ids": [ROOT, WORKLOADS, PROD],
    }
    assert groups == ["ou_ab12_11111111", "ou_workloads", "ou_ab12_22222222", "ou_prod"]


@pytest.mark.parametrize(
    "settings, hostname, absent",
    [
        ({}, MANAGEMENT, ["aws_account_tags", "aws_account_ou_id", "aws_account_ou_path"]),
        ({"hostnames": "name"}, "management", ["aws_account_tags"]),
        ({"assume_role_arn_template": ""}, MANAGEMENT, ["root_login_alerts_assume_role_arn"]),
    ],
)
def test_host_entry_without_optional_facts(settings, hostname, absent):
    name, hostvars, groups = oa.host_entry(
        account(MANAGEMENT, name="management"), ORG, oa.normalize_host_settings(settings)
    )
    assert name == hostname
    assert hostvars["aws_account_is_management"] is True
    assert groups == []
    for key in absent:
        assert key not in hostvars


@pytest.mark.parametrize(
    "names, hostnames, message",
    [
        (["a", "b"], "name", None),
        (["a", "a"], "id", None),
        (["a", "a"], "name", "hostnames: name: several accounts share a name (a: 000000000001, 000000000002); use hostnames: id"),
        (["a", ""], "name", "hostnames: account 000000000002 has an empty name"),
    ],
)
def test_host_entries_hostname_clashes(names, hostnames, message):
    collected = {
        "organization": ORG,
        "accounts": [account("%012d" % (index + 1), name=name) for index, name in enumerate(names)],
    }
    collected["accounts"][-1]["name"] = names[-1]
    settings = oa.normalize_host_settings({"hostnames": hostnames})
    if message is None:
        assert len(oa.host_entries(collected, settings)) == len(names)
    else:
        with pytest.raises(OrganizationAccountsError) as error:
            oa.host_entries(collected, settings)
        assert str(error.value) == message


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation, method",
    [
        ("ListAccounts", "list_accounts"),
        ("DescribeOrganization", "describe_organization"),
        ("ListOrganizationalUnitsForParent", "list_organizational_units_for_parent"),
        ("ListTagsForResource", "list_tags_for_resource"),
    ],
)
def test_api_method(operation, method):
    assert oa.api_method(operation) == method


@pytest.mark.parametrize(
    "operation, code, message, subject, expected",
    [
        ("ListAccounts", "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.", None,
         "is not in an AWS Organization (AWSOrganizationsNotInUseException from organizations:ListAccounts)"),
        ("ListAccounts", "AccessDeniedException", "You don't have permissions", None,
         "Access denied calling organizations:ListAccounts: You don't have permissions."),
        ("ListTagsForResource", "AccessDeniedException", "nope", "000000000002",
         "Access denied calling organizations:ListTagsForResource for 000000000002: nope."),
        ("ListAccountsForParent", "ParentNotFoundException", "x", "ou-ab12-99999999",
         "organizational_units: ou-ab12-99999999 does not exist in this organization"),
        ("ListRoots", "ServiceException", "oops", None, "organizations:ListRoots failed: ServiceException: oops"),
        ("ListRoots", None, "Unable to locate credentials", None, "organizations:ListRoots failed: error: Unable to locate credentials"),
    ],
)
def test_explain_error(operation, code, message, subject, expected):
    assert expected in oa.explain_error(operation, code, message, subject)


# -- the reader ------------------------------------------------------------------------


PROD_IDS = ["000000000002", "000000000003"]
WORKLOAD_IDS = ["000000000002", "000000000003", "000000000004"]


@pytest.mark.parametrize(
    "options, expected_ids, expected_calls",
    [
        # 10 accounts, 2 a page: 5 ListAccounts calls; nothing else.
        ({}, ACTIVE_IDS, {"DescribeOrganization": 1, "ListAccounts": 5}),
        ({"exclude_management_account": True, "exclude_account_ids": ["000000000008"]},
         ["000000000002", "000000000003", "000000000004", "000000000005"], {"DescribeOrganization": 1, "ListAccounts": 5}),
        # Named accounts: one DescribeAccount each, no listing.
        ({"account_ids": ["000000000005", "000000000002", "000000000006"]}, ["000000000002", "000000000005"],
         {"DescribeOrganization": 1, "DescribeAccount": 3}),
        # Prod: its place in the tree (ListParents x2, DescribeOrganizationalUnit x2), then its subtree.
        ({"organizational_units": [PROD]}, PROD_IDS,
         {"DescribeOrganization": 1, "ListRoots": 1, "ListParents": 2, "DescribeOrganizationalUnit": 2,
          "ListAccountsForParent": 1, "ListOrganizationalUnitsForParent": 1}),
        # Workloads recursively, PENDING_CLOSURE 007 left out.
        ({"organizational_units": [WORKLOADS]}, WORKLOAD_IDS,
         {"DescribeOrganization": 1, "ListRoots": 1, "ListParents": 1, "DescribeOrganizationalUnit": 1,
          "ListAccountsForParent": 2, "ListOrganizationalUnitsForParent": 2}),
        # Nested OUs both listed: the inner one is not walked twice.
        ({"organizational_units": [PROD, WORKLOADS]}, WORKLOAD_IDS,
         {"DescribeOrganization": 1, "ListRoots": 1, "ListParents": 2, "DescribeOrganizationalUnit": 2,
          "ListAccountsForParent": 2, "ListOrganizationalUnitsForParent": 2}),
        ({"organizational_units": [WORKLOADS, SANDBOX], "account_ids": ["000000000004", "000000000005", "000000000008"]},
         ["000000000004", "000000000005"], None),
        # The root ID: everything, with OU paths.
        ({"organizational_units": [ROOT]}, ACTIVE_IDS,
         {"DescribeOrganization": 1, "ListRoots": 1, "ListAccountsForParent": 5, "ListOrganizationalUnitsForParent": 4}),
        ({"group_by_ou": True}, ACTIVE_IDS,
         {"DescribeOrganization": 1, "ListRoots": 1, "ListAccountsForParent": 5, "ListOrganizationalUnitsForParent": 4}),
        # Tags: read only for the active accounts that passed the other filters.
        ({"tags": {"env": "prod"}}, PROD_IDS, {"DescribeOrganization": 1, "ListAccounts": 5, "ListTagsForResource": 6}),
        ({"tags": {"env": ["prod", "dev"]}, "exclude_account_ids": ["000000000003"]}, ["000000000002", "000000000005"],
         {"DescribeOrganization": 1, "ListAccounts": 5, "ListTagsForResource": 5}),
        ({"tags": {"team": None}}, ["000000000002", "000000000005"], None),
        ({"tags": {"env": "prod", "team": "payments"}}, ["000000000002"], None),
        ({"tags": {"env": "prod"}, "account_ids": ["000000000002"]}, ["000000000002"],
         {"DescribeOrganization": 1, "DescribeAccount": 1, "ListTagsForResource": 1}),
        ({"fetch_tags": True, "organizational_units": [PROD]}, PROD_IDS, None),
    ],
)
def test_collect(options, expected_ids, expected_calls):
    client = FakeOrganizations()
    collected = oa.OrganizationReader(client).collect(query(**options))
    assert [item["id"] for item in collected["accounts"]] == expected_ids
    assert collected["query"] == query(**options)
    if expected_calls is not None:
        assert client.operations() == expected_calls
    tags_read = oa.needs_tags(query(**options))
    for item in collected["accounts"]:
        assert (item["tags"] is not None) is tags_read
        assert (item["ou_path"] is not None) is oa.needs_ou_tree(query(**options))


def test_collect_organization_and_paths():
    collected = oa.OrganizationReader(FakeOrganizations()).collect(query(group_by_ou=True, fetch_tags=True))
    assert collected["organization"] == {
        "id": "o-exampleorg",
        "arn": "arn:aws:organizations::000000000001:organization/o-exampleorg",
        "management_account_id": MANAGEMENT,
        "management_account_arn": "arn:aws:organizations::000000000001:account/o-exampleorg/000000000001",
        "partition": "aws",
    }
    paths = dict((item["id"], "/".join(entry["name"] for entry in item["ou_path"])) for item in collected["accounts"])
    assert paths == {
        MANAGEMENT: "Root",
        "000000000002": "Root/Workloads/Prod",
        "000000000003": "Root/Workloads/Prod",
        "000000000004": "Root/Workloads",
        "000000000005": "Root/Sandbox Accounts",
        "000000000008": "Root",
    }
    tags = dict((item["id"], item["tags"]) for item in collected["accounts"])
    assert tags["000000000002"] == {"env": "prod", "team": "payments"}
    assert tags[MANAGEMENT] == {}


def test_paths_from_a_listed_ou_match_the_whole_tree():
    whole = oa.OrganizationReader(FakeOrganizations()).collect(query(group_by_ou=True))
    listed = oa.OrganizationReader(FakeOrganizations()).collect(query(organizational_units=[PROD]))
    by_id = dict((item["id"], item["ou_path"]) for item in whole["accounts"])
    for item in listed["accounts"]:
        assert item["ou_path"] == by_id[item["id"]]


@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn"])
def test_collect_partition(partition):
    collected = oa.OrganizationReader(FakeOrganizations(partition=partition)).collect(query())
    assert collected["organization"]["partition"] == partition


def test_unknown_account_ids_are_warned_about():
    warnings = []
    collected = oa.OrganizationReader(FakeOrganizations(), warn=warnings.append).collect(
        query(account_ids=["000000000002", "999999999999"])
    )
    assert [item["id"] for item in collected["accounts"]] == ["000000000002"]
    assert warnings == ["account_ids: 999999999999 is not an account of this organization; skipped"]


@pytest.mark.parametrize(
    "options, errors, message",
    [
        ({}, {"DescribeOrganization": "AWSOrganizationsNotInUseException"}, "is not in an AWS Organization"),
        ({}, {"ListAccounts": "AccessDeniedException"}, "Access denied calling organizations:ListAccounts: boom."),
        ({"tags": {"env": "prod"}}, {"ListTagsForResource": "AccessDeniedException"},
         "Access denied calling organizations:ListTagsForResource for 000000000001: boom."),
        ({"group_by_ou": True}, {"ListRoots": "AccessDeniedException"}, "Access denied calling organizations:ListRoots"),
        ({"account_ids": ["000000000002"]}, {"DescribeAccount": "AccessDeniedException"},
         "Access denied calling organizations:DescribeAccount for 000000000002"),
        ({"organizational_units": ["ou-ab12-99999999"]}, {},
         "organizational_units: ou-ab12-99999999 does not exist in this organization (ChildNotFoundException"),
        ({"organizational_units": ["r-zz99"]}, {}, "organizational_units: r-zz99 is not the root of this organization (r-ab12)"),
        ({}, {"ListAccounts": "ServiceException"}, "organizations:ListAccounts failed: ServiceException: boom"),
    ],
)
def test_collect_errors(options, errors, message):
    with pytest.raises(OrganizationAccountsError) as error:
        oa.OrganizationReader(FakeOrganizations(errors=errors)).collect(query(**options))
    assert message in str(error.value)


# -- against botocore's own model (parameter names, pagination tokens) -------------------


def stubbed_client():
    client = botocore.session.get_session().create_client(
        "organizations", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    return client, Stubber(client)


def stub_account(account_id, **fields):
    result = {"Id": account_id, "Arn": "arn:aws-us-gov:organizations::000000000001:account/o-exampleorg/%s" % account_id,
              "Email": "a@example.com", "Name": "n%s" % account_id[-1]}
    result.update(fields)
    return result


def test_stubbed_list_accounts_pages_and_tags():
    client, stubber = stubbed_client()
    stubber.add_response("describe_organization", {"Organization": {
        "Id": "o-exampleorg", "MasterAccountId": MANAGEMENT,
        "MasterAccountArn": "arn:aws-us-gov:organizations::000000000001:account/o-exampleorg/000000000001"}}, {})
    stubber.add_response("list_accounts", {"Accounts": [stub_account(MANAGEMENT, Status="ACTIVE", State="ACTIVE")],
                                           "NextToken": "t1"}, {})
    stubber.add_response("list_accounts", {"Accounts": [stub_account("000000000002", Status="ACTIVE"),
                                                        stub_account("000000000003", State="SUSPENDED")]},
                         {"NextToken": "t1"})
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "env", "Value": "prod"}], "NextToken": "t2"},
                         {"ResourceId": "000000000002"})
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "team", "Value": "x"}]},
                         {"ResourceId": "000000000002", "NextToken": "t2"})
    with stubber:
        collected = oa.OrganizationReader(RetryingBotoClientWrapper(client, retry_decorator())).collect(
            query(exclude_management_account=True, tags={"env": "prod"})
        )
        stubber.assert_no_pending_responses()
    assert collected["organization"]["partition"] == "aws-us-gov"
    assert [(item["id"], item["tags"]) for item in collected["accounts"]] == [("000000000002", {"env": "prod", "team": "x"})]


def test_stubbed_ou_walk():
    client, stubber = stubbed_client()
    stubber.add_response("describe_organization", {"Organization": {"Id": "o-exampleorg", "MasterAccountId": MANAGEMENT}}, {})
    stubber.add_response("list_roots", {"Roots": [{"Id": ROOT, "Name": "Root"}]}, {})
    stubber.add_response("list_parents", {"Parents": [{"Id": ROOT, "Type": "ROOT"}]}, {"ChildId": WORKLOADS})
    stubber.add_response("describe_organizational_unit", {"OrganizationalUnit": {"Id": WORKLOADS, "Name": "Workloads"}},
                         {"OrganizationalUnitId": WORKLOADS})
    stubber.add_response("list_accounts_for_parent", {"Accounts": [stub_account("000000000004", State="ACTIVE")]},
                         {"ParentId": WORKLOADS})
    stubber.add_response("list_organizational_units_for_parent", {"OrganizationalUnits": [{"Id": PROD, "Name": "Prod"}],
                                                                  "NextToken": "p"}, {"ParentId": WORKLOADS})
    stubber.add_response("list_organizational_units_for_parent", {"OrganizationalUnits": []},
                         {"ParentId": WORKLOADS, "NextToken": "p"})
    stubber.add_response("list_accounts_for_parent", {"Accounts": [stub_account("000000000002", State="ACTIVE")]},
                         {"ParentId": PROD})
    stubber.add_response("list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": PROD})
    with stubber:
        collected = oa.OrganizationReader(RetryingBotoClientWrapper(client, retry_decorator())).collect(
            query(organizational_units=[WORKLOADS])
        )
        stubber.assert_no_pending_responses()
    assert [(item["id"], [entry["name"] for entry in item["ou_path"]]) for item in collected["accounts"]] == [
        ("000000000002", ["Root", "Workloads", "Prod"]),
        ("000000000004", ["Root", "Workloads"]),
    ]
    # The default partition when the organization's ARNs are missing.
    assert collected["organization"]["partition"] == "aws"


def test_stubbed_access_denied_names_the_call():
    client, stubber = stubbed_client()
    stubber.add_client_error("describe_organization", "AccessDeniedException", "not authorized", 400)
    with stubber:
        with pytest.raises(OrganizationAccountsError) as error:
            oa.OrganizationReader(RetryingBotoClientWrapper(client, retry_decorator())).collect(query())
    assert "Access denied calling organizations:DescribeOrganization: not authorized." in str(error.value)
