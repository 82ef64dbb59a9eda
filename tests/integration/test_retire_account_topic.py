"""retire_account_topic removes a member's own topic only when its hub path is proven in the same run.

Attack/careless-admin case (issue 19 item 9): retiring while the hub is not in the run (``--limit``) or
failed would leave the member with no alert path at all. The member keeps its topic, and the run warns
with the reason; a run that proves the hub path retires it.

Emulator quirks lived with: email subscriptions are confirmed at once, and events are not delivered across
accounts, so "proven" is the path the verdict walks, not a delivered email.
"""

import member_roles  # pylint: disable=import-error
from accounts import Account  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from hub_organization import HUB_REMOVAL_TASK, HUB_TARGET_ID  # pylint: disable=import-error
from playbook_checks import EMAILS, account_failed, run, statuses, write_inventory  # pylint: disable=import-error

OWN_TARGET_ID = "rootwatch-root-login-alerts"


def test_retire_waits_for_a_hub_path_proven_in_the_same_run(tmp_path, emulator):
    accounts = simulated_accounts(2, first=555555557301)
    hub, member = accounts
    inside = Account(emulator, member)
    member_roles.deploy_all(emulator, accounts, hub_account_id=hub)  # the forwarding role comes from the template
    assert run(emulator, write_inventory(tmp_path / "per-account.yml", accounts), tmp_path / "per-account").rc == 0
    assert inside.subscriptions() == sorted(EMAILS)

    # Both paths first (the documented migration), then retire with the hub left out of the run.
    both = run(emulator, write_inventory(tmp_path / "hub.yml", accounts, hub_account_id=hub, member_accounts=accounts), tmp_path / "both")
    assert both.rc == 0, both
    retire = write_inventory(tmp_path / "retire.yml", accounts, hub_account_id=hub, member_accounts=accounts, retire_account_topic=True)
    limited = run(emulator, retire, tmp_path / "limited", args=("--limit", member))
    assert limited.rc == 0, limited
    later = limited.result(HUB_REMOVAL_TASK, host=member)
    assert later["changed"] is False and later["retired"] is False, later
    assert "is kept" in limited.raw + limited.stderr and "the hub account %s is not in this run" % hub in limited.raw + limited.stderr
    assert sorted(inside.targets()) == sorted([OWN_TARGET_ID, HUB_TARGET_ID])
    assert inside.subscriptions() == sorted(EMAILS)

    # The hub fails in this run (its own settings are refused before any AWS call): still kept.
    hub_fails = write_inventory(tmp_path / "hub-fails.yml", {hub: {"emails": ["not-an-address"]}, member: {}},
                                hub_account_id=hub, member_accounts=accounts, retire_account_topic=True)
    failing = run(emulator, hub_fails, tmp_path / "hub-fails")
    assert failing.rc != 0 and account_failed(failing, hub) and not account_failed(failing, member), failing
    assert failing.result(HUB_REMOVAL_TASK, host=member)["retired"] is False
    assert sorted(inside.targets()) == sorted([OWN_TARGET_ID, HUB_TARGET_ID])

    # A check-mode preview with the hub in the run says it would retire, and writes nothing.
    preview = run(emulator, retire, tmp_path / "preview", check=True)
    assert preview.rc == 0, preview
    would = preview.result(HUB_REMOVAL_TASK, host=member)
    assert would["changed"] is True and would["retired"] is True, would
    assert emulator.write_requests() == [], emulator.write_requests()
    assert sorted(inside.targets()) == sorted([OWN_TARGET_ID, HUB_TARGET_ID])

    # Hub and member together: the hub path is proven in this run, so the member's topic goes.
    retired = run(emulator, retire, tmp_path / "retired")
    assert retired.rc == 0, retired
    assert retired.result(HUB_REMOVAL_TASK, host=member)["retired"] is True
    assert list(inside.targets()) == [HUB_TARGET_ID]
    assert inside.topics() == []
    found, document, unused = statuses(tmp_path / "retired")
    assert found == {hub: "compliant", member: "compliant"}, found
    drift = [e for e in document["accounts"] if e["account"] == member][0]["drift"]
    assert any("delete topic" in line for line in drift), drift
