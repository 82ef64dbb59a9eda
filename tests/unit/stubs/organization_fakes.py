"""An in-memory AWS Organizations client for the organization_accounts unit tests.

It answers the read calls the inventory makes, pages every list call with a small
page size so pagination is exercised, records each call, insists on
``aws_retry=True`` (the collection's retry convention) and raises the configured
``ClientError`` for an operation on demand.
"""

from botocore.exceptions import ClientError

ROOT = "r-ab12"
WORKLOADS = "ou-ab12-11111111"
PROD = "ou-ab12-22222222"
SANDBOX = "ou-ab12-33333333"
MANAGEMENT = "000000000001"

# id: (parent, name)
UNITS = {
    WORKLOADS: (ROOT, "Workloads"),
    PROD: (WORKLOADS, "Prod"),
    SANDBOX: (ROOT, "Sandbox Accounts"),
}

# (id, name, parent, fields (State / Status), tags)
ACCOUNTS = [
    (MANAGEMENT, "management", ROOT, {"State": "ACTIVE", "Status": "ACTIVE"}, {}),
    ("000000000002", "app-prod", PROD, {"State": "ACTIVE", "Status": "ACTIVE"}, {"env": "prod", "team": "payments"}),
    ("000000000003", "app-prod-2", PROD, {"State": "ACTIVE", "Status": "ACTIVE"}, {"env": "prod"}),
    ("000000000004", "shared", WORKLOADS, {"State": "ACTIVE", "Status": "ACTIVE"}, {"env": "shared"}),
    ("000000000005", "sandbox-1", SANDBOX, {"State": "ACTIVE", "Status": "ACTIVE"}, {"env": "dev", "team": "labs"}),
    ("000000000006", "closed", SANDBOX, {"State": "SUSPENDED", "Status": "SUSPENDED"}, {"env": "dev"}),
    # Newer API: State says more than the deprecated Status.
    ("000000000007", "closing", WORKLOADS, {"State": "PENDING_CLOSURE", "Status": "ACTIVE"}, {"env": "prod"}),
    # Older API responses carry only Status.
    ("000000000008", "legacy", ROOT, {"Status": "ACTIVE"}, {}),
    ("000000000009", "legacy-suspended", ROOT, {"Status": "SUSPENDED"}, {}),
    ("000000000010", "joining", ROOT, {"State": "PENDING_ACTIVATION"}, {}),
]

ACTIVE_IDS = ["000000000001", "000000000002", "000000000003", "000000000004", "000000000005", "000000000008"]


def client_error(code, operation, message="boom"):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeOrganizations:
    def __init__(self, page_size=2, errors=None, partition="aws", accounts=None, units=None):
        self.page_size = page_size
        self.units = dict(UNITS if units is None else units)
        self.errors = dict(errors or {})
        self.partition = partition
        self.accounts = list(ACCOUNTS if accounts is None else accounts)
        self.calls = []

    # -- plumbing ------------------------------------------------------------
    def _enter(self, operation, aws_retry, params):
        assert aws_retry is True, "%s called without aws_retry=True" % operation
        self.calls.append((operation, dict(params)))
        if operation in self.errors:
            raise client_error(self.errors[operation], operation)

    def _page(self, items, key, params):
        start = int(params.get("NextToken") or 0)
        page = {key: items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            page["NextToken"] = str(start + self.page_size)
        return page

    def count(self, operation=None):
        return len([call for call in self.calls if operation in (None, call[0])])

    def operations(self):
        counts = {}
        for operation, unused in self.calls:
            counts[operation] = counts.get(operation, 0) + 1
        return counts

    def _account(self, entry):
        account_id, name, unused_parent, fields, unused_tags = entry
        account = {
            "Id": account_id,
            "Arn": "arn:%s:organizations::%s:account/o-exampleorg/%s" % (self.partition, MANAGEMENT, account_id),
            "Email": "%s@example.com" % name,
            "Name": name,
            "JoinedMethod": "CREATED",
        }
        account.update(fields)
        return account

    def _check_parent(self, parent_id, operation):
        if parent_id != ROOT and parent_id not in self.units:
            raise client_error("ParentNotFoundException", operation)

    # -- Organizations API -----------------------------------------------------
    def describe_organization(self, aws_retry=False, **params):
        self._enter("DescribeOrganization", aws_retry, params)
        return {
            "Organization": {
                "Id": "o-exampleorg",
                "Arn": "arn:%s:organizations::%s:organization/o-exampleorg" % (self.partition, MANAGEMENT),
                "MasterAccountArn": "arn:%s:organizations::%s:account/o-exampleorg/%s" % (self.partition, MANAGEMENT, MANAGEMENT),
                "MasterAccountId": MANAGEMENT,
                "MasterAccountEmail": "management@example.com",
            }
        }

    def list_accounts(self, aws_retry=False, **params):
        self._enter("ListAccounts", aws_retry, params)
        return self._page([self._account(entry) for entry in self.accounts], "Accounts", params)

    def describe_account(self, aws_retry=False, **params):
        self._enter("DescribeAccount", aws_retry, params)
        for entry in self.accounts:
            if entry[0] == params["AccountId"]:
                return {"Account": self._account(entry)}
        raise client_error("AccountNotFoundException", "DescribeAccount")

    def list_roots(self, aws_retry=False, **params):
        self._enter("ListRoots", aws_retry, params)
        return self._page([{"Id": ROOT, "Name": "Root", "Arn": "arn:aws:organizations::x:root/o-exampleorg/r-ab12"}], "Roots", params)

    def list_parents(self, aws_retry=False, **params):
        self._enter("ListParents", aws_retry, params)
        child = params["ChildId"]
        if child in self.units:
            parent = self.units[child][0]
        else:
            raise client_error("ChildNotFoundException", "ListParents")
        return {"Parents": [{"Id": parent, "Type": "ROOT" if parent == ROOT else "ORGANIZATIONAL_UNIT"}]}

    def describe_organizational_unit(self, aws_retry=False, **params):
        self._enter("DescribeOrganizationalUnit", aws_retry, params)
        unit = params["OrganizationalUnitId"]
        if unit not in self.units:
            raise client_error("OrganizationalUnitNotFoundException", "DescribeOrganizationalUnit")
        return {"OrganizationalUnit": {"Id": unit, "Name": self.units[unit][1], "Arn": "arn:aws:organizations::x:ou/%s" % unit}}

    def list_organizational_units_for_parent(self, aws_retry=False, **params):
        self._enter("ListOrganizationalUnitsForParent", aws_retry, params)
        self._check_parent(params["ParentId"], "ListOrganizationalUnitsForParent")
        units = [{"Id": unit, "Name": name} for unit, (parent, name) in sorted(self.units.items()) if parent == params["ParentId"]]
        return self._page(units, "OrganizationalUnits", params)

    def list_accounts_for_parent(self, aws_retry=False, **params):
        self._enter("ListAccountsForParent", aws_retry, params)
        self._check_parent(params["ParentId"], "ListAccountsForParent")
        accounts = [self._account(entry) for entry in self.accounts if entry[2] == params["ParentId"]]
        return self._page(accounts, "Accounts", params)

    def list_tags_for_resource(self, aws_retry=False, **params):
        self._enter("ListTagsForResource", aws_retry, params)
        for entry in self.accounts:
            if entry[0] == params["ResourceId"]:
                tags = [{"Key": key, "Value": value} for key, value in sorted(entry[4].items())]
                return self._page(tags, "Tags", params)
        raise client_error("TargetNotFoundException", "ListTagsForResource")
