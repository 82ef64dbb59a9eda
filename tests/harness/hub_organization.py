"""Hub mode for the integration tests: an organization of a hub and members, and the hub's names.

The hub holds the only topic, a custom event bus whose policy admits the members, a rule on it to the topic
and a dead-letter queue; each member forwards with a rule on its default bus through the forwarding role of
docs/member-role.yml (deployed first by ``member_roles``; the collection never writes a role).
"""

import member_roles  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import ROLE, write_inventory  # pylint: disable=import-error

BUS = "root-login-alerts-hub"
QUEUE = "root-login-alerts-undelivered"
HUB_TARGET_ID = "rootwatch-hub-bus"
HUB_REMOVAL_TASK = ROLE + "Root login alerts | Remove the hub, or retire a member's own topic, after every member"
# Per member account of a converged no-op: the delivery reads, the queue's three, and the forwarding role's two
# (GetRole and GetRolePolicy; ListRoleTags is no longer read: ownership tags do not matter for a role we never write).
MEMBER_NO_OP_BUDGET = 20


def organization(emulator, tmp_path, first, name="inventory.yml", count=4, without_roles=(), **extra):
    """A hub and members in hub mode, each with docs/member-role.yml deployed (but ``without_roles``).
    Returns (hub, members, inventory path)."""
    accounts = simulated_accounts(count, first=first)
    hub, members = accounts[0], accounts[1:]
    member_roles.deploy_all(emulator, [a for a in accounts if a not in without_roles], hub_account_id=hub)
    inventory = write_inventory(tmp_path / name, accounts, hub_account_id=hub, member_accounts=list(accounts), **extra)
    return hub, members, inventory


def bus_arn(hub):
    return "arn:aws:events:us-east-1:%s:event-bus/%s" % (hub, BUS)
