"""Ownership by proof: a trail with our name that we did not create (no rootwatch:created-by tag)
is someone else's. It is reused as it is when it covers, the run stops for that account when it
does not, and state=absent never deletes it.

Emulator quirk: create_trail checks only that the bucket exists, so the user's trail needs just a
bucket; data-event selectors are stored and returned as AWS does.
"""

from accounts import Account  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import NAME, account_failed, failed_task, run, stack, write_inventory  # pylint: disable=import-error

PAYROLL_SELECTORS = [{
    "ReadWriteType": "WriteOnly",
    "IncludeManagementEvents": True,
    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::payroll-data/"]}],
    "ExcludeManagementEventSources": [],
}]


def users_trail(inside, logging=True):
    """The user's own trail called root-login-alerts: own bucket, WriteOnly, payroll data events."""
    bucket = "user-audit-%s" % inside.id
    inside.client("s3").create_bucket(Bucket=bucket)
    cloudtrail = inside.client("cloudtrail")
    cloudtrail.create_trail(Name=NAME, S3BucketName=bucket, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True)
    cloudtrail.put_event_selectors(TrailName=NAME, EventSelectors=PAYROLL_SELECTORS)
    if logging:
        cloudtrail.start_logging(Name=NAME)
    return bucket


def snapshot(inside):
    cloudtrail = inside.client("cloudtrail")
    trail = [t for t in cloudtrail.describe_trails(includeShadowTrails=False)["trailList"] if t["Name"] == NAME][0]
    tags = cloudtrail.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"][0].get("TagsList", [])
    return {
        "bucket": trail["S3BucketName"],
        "selectors": cloudtrail.get_event_selectors(TrailName=NAME).get("EventSelectors"),
        "logging": cloudtrail.get_trail_status(Name=NAME)["IsLogging"],
        "tags": tags,
    }


def test_users_trail_with_our_name_is_reused_untouched_and_never_deleted(tmp_path, emulator):
    covering, stopped = simulated_accounts(2)
    inside = {account: Account(emulator, account) for account in (covering, stopped)}
    bucket = users_trail(inside[covering])
    users_trail(inside[stopped], logging=False)
    before = {account: snapshot(inside[account]) for account in inside}
    inventory = write_inventory(tmp_path / "inventory.yml", [covering, stopped])

    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc != 0, applied  # the stopped one fails, and the run says so
    # The covering trail is the user's: reused exactly as it was.
    assert snapshot(inside[covering]) == before[covering]
    assert before[covering]["bucket"] == bucket and before[covering]["selectors"] == PAYROLL_SELECTORS
    result = stack(applied, covering)
    assert result["trail"]["reused"] is True and result["compliance"]["status"] == "compliant"
    assert [w for w in result.get("warnings", []) if "not created by rootwatch.aws" in w], result.get("warnings")
    assert not inside[covering].bucket_exists(inside[covering].default_bucket()), "no log bucket of ours was made"
    # The stopped one is not ours and does not cover: the account stops, naming the trail and the choices.
    assert account_failed(applied, stopped)
    unused, message = failed_task(applied, stopped)
    assert "CloudTrail trail %s" % NAME in message and "was not created by rootwatch.aws" in message, message
    assert "root_login_alerts_trail_name" in message and "logging is turned off" in message, message
    assert snapshot(inside[stopped]) == before[stopped]
    assert inside[stopped].topics() == [], "nothing was created after the stop"

    removed = run(emulator, inventory, tmp_path / "absent", root_login_alerts_state="absent")
    assert removed.rc == 0, removed
    for account in inside:
        assert inside[account].trails() == [NAME], "state=absent never deletes a trail it cannot prove it created"
        assert snapshot(inside[account]) == before[account]
