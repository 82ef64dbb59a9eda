"""Runs killed part-way converge on the re-run; concurrent runs lose nothing of others.

A run is killed (SIGKILL to its whole process group, as a frozen or killed AWX job) after a seeded
random number of its writes; the re-run must converge and leave no duplicate topic, subscription, policy
statement or target. Two runs on the same accounts at the same time, while someone else adds a
policy statement, must keep every foreign statement, subscription and target. The one exception is
AWS's, not ours: an edit that lands between a run's read of the topic policy (taken just before its
write) and that write, since SetTopicAttributes takes no condition; the recording shows when.

Emulator quirks these tests live with (the code follows AWS):
- email subscriptions are confirmed at once;
- CreateTrail on an existing name replaces the trail where AWS answers TrailAlreadyExistsException
  (the code re-reads and goes on; a Stubber unit test shows the AWS answer);
- CreateTopic and Subscribe are idempotent, as on AWS.
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

from accounts import Account, foreign_sqs_subscription  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from playbook_checks import (  # pylint: disable=import-error
    NAME,
    OUR_SID,
    OUR_TARGET_ID,
    PLAYBOOK,
    assert_accounts,
    run,
    stack,
    write_inventory,
)
from playbook_runner import ROOT  # pylint: disable=import-error

SEED = 20261201


def start_playbook(emulator, inventory, reports):
    env = dict(os.environ, **emulator.environ())
    env.update(ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), PLAYBOOK, "-i", inventory,
           "-e", "root_alerts_report_dir=%s" % reports]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def policy_sids(inside):
    policy = json.loads(inside.client("sns").get_topic_attributes(TopicArn=inside.topic_arn())["Attributes"]["Policy"])
    return [statement.get("Sid") for statement in policy["Statement"]]


SECURE_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def assert_secure_bucket(inside):
    """Our log bucket carries our tag, blocks public access, encrypts by default and has ACLs off."""
    s3, bucket = inside.client("s3"), inside.default_bucket()
    assert {"Key": "rootwatch:created-by", "Value": "root_login_alerts"} in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == SECURE_BLOCK
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def assert_single_copies(inside, emails):
    assert inside.topics() == [inside.topic_arn()]
    assert inside.subscriptions() == sorted(emails)
    assert policy_sids(inside).count(OUR_SID) == 1
    assert list(inside.targets().values()).count(inside.topic_arn()) == 1
    assert inside.trails() == [NAME]
    assert_secure_bucket(inside)


def wait_for_writes(emulator, writes, still_running, timeout=60.0):
    """True once the emulator has recorded ``writes`` write requests since its recording was cleared;
    False when ``still_running()`` turns false, or after ``timeout`` seconds. Points in a run are
    counted in writes, not seconds, so that a fast machine cannot outrun them."""
    deadline = time.monotonic() + timeout
    while still_running() and time.monotonic() < deadline:
        if len(emulator.write_requests()) >= writes:
            return True
        time.sleep(0.01)
    return False


def kill_after_writes(process, emulator, writes):
    """SIGKILL the run's process group after its ``writes``-th write; False when the run ended first."""
    if not wait_for_writes(emulator, writes, lambda: process.poll() is None):
        return False
    os.killpg(process.pid, signal.SIGKILL)
    return True


def test_runs_killed_at_random_points_converge_on_the_rerun(tmp_path, emulator):
    accounts = simulated_accounts(3)
    emails = ["security@example.com"]
    inventory = write_inventory(tmp_path / "inventory.yml", accounts)
    rng = random.Random(SEED)
    # A full converge of 3 accounts makes about 39 writes (13 each); three kills of at most 10 writes
    # each leave work for every run, so every kill lands part-way through a run.
    kill_points = [rng.randint(1, 10) for unused in range(3)]
    killed = 0
    for writes in kill_points:
        emulator.clear_recording()
        process = start_playbook(emulator, inventory, tmp_path / "killed")
        killed += kill_after_writes(process, emulator, writes)
        process.wait(timeout=60)
    print("\nkilled %d of %d runs, after %s writes" % (killed, len(kill_points), kill_points))
    assert killed >= 1, "every run finished before its kill after %s writes" % kill_points
    rerun = run(emulator, inventory, tmp_path / "rerun")
    assert rerun.rc == 0, rerun
    again = run(emulator, inventory, tmp_path / "again")
    assert again.rc == 0, again
    assert_accounts(again, accounts, changed=False)
    assert emulator.write_requests() == []
    for account in accounts:
        assert_single_copies(Account(emulator, account), emails)


def test_a_half_configured_bucket_is_completed_and_drift_of_its_settings_repaired(tmp_path, emulator):
    """A run killed right after CreateBucket and its tag left a bucket without public access block
    or encryption; another of our buckets drifted. Both are read every run, previewed, and repaired."""
    half, drifted = accounts = simulated_accounts(2)
    inventory = write_inventory(tmp_path / "inventory.yml", accounts)
    inside = Account(emulator, half)
    inside.client("s3").create_bucket(Bucket=inside.default_bucket(), ObjectOwnership="ObjectWriter")
    inside.client("s3").put_bucket_tagging(Bucket=inside.default_bucket(),
                                           Tagging={"TagSet": [{"Key": "rootwatch:created-by", "Value": "root_login_alerts"}]})
    assert run(emulator, inventory, tmp_path / "first").rc == 0
    assert_secure_bucket(inside)
    other = Account(emulator, drifted)
    other.client("s3").delete_public_access_block(Bucket=other.default_bucket())
    other.client("s3").put_bucket_ownership_controls(Bucket=other.default_bucket(),
                                                     OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    preview = run(emulator, inventory, tmp_path / "preview", check=True, diff=True)
    assert preview.rc == 0 and emulator.write_requests() == []
    changes = stack(preview, drifted)["changes"]
    bucket = other.default_bucket()
    assert "block all public access to S3 bucket %s" % bucket in changes, changes
    assert "set object ownership of S3 bucket %s to BucketOwnerEnforced (ACLs off)" % bucket in changes, changes
    assert stack(preview, half)["changed"] is False
    repaired = run(emulator, inventory, tmp_path / "repaired")
    assert repaired.rc == 0
    assert_secure_bucket(other)
    again = run(emulator, inventory, tmp_path / "again")
    assert_accounts(again, accounts, changed=False)
    assert emulator.write_requests() == []


def add_statement(inside, sid):
    sns = inside.client("sns")
    policy = json.loads(sns.get_topic_attributes(TopicArn=inside.topic_arn())["Attributes"]["Policy"])
    policy["Statement"].append({"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % inside.id},
                                "Action": "sns:Subscribe", "Resource": inside.topic_arn()})
    sns.set_topic_attributes(TopicArn=inside.topic_arn(), AttributeName="Policy", AttributeValue=json.dumps(policy))


def overwritten_unseen(requests, topic_arn, marker):
    """True when a run's SetTopicAttributes of ``topic_arn``'s policy overwrote the edit that added
    ``marker`` without having read it: the run's last read of the topic came before the edit, its
    write after. SetTopicAttributes takes no condition (no version or ETag, per the SNS API
    Reference), so no client can keep an edit that lands inside its read-modify-write; the test
    holds the runs to every edit outside one."""
    def form(request):
        return urllib.parse.parse_qs(request.body)

    def policy_write(request):
        fields = form(request)
        return (request.action == "SetTopicAttributes" and fields.get("TopicArn") == [topic_arn]
                and fields.get("AttributeName") == ["Policy"])

    writes = [index for index, request in enumerate(requests) if policy_write(request)]
    edits = [index for index in writes if marker in form(requests[index])["AttributeValue"][0]]
    if not edits:
        return False
    edit = edits[0]
    for index in writes:
        if index < edit or marker in form(requests[index])["AttributeValue"][0]:
            continue
        key = requests[index].access_key
        reads = [earlier for earlier in range(index) if requests[earlier].action == "GetTopicAttributes"
                 and requests[earlier].access_key == key and form(requests[earlier]).get("TopicArn") == [topic_arn]]
        if reads and reads[-1] < edit:
            return True
    return False


def test_two_concurrent_runs_lose_nothing_foreign(tmp_path, emulator):
    accounts = simulated_accounts(3)
    first = write_inventory(tmp_path / "first.yml", accounts)
    assert run(emulator, first, tmp_path / "converge").rc == 0
    inside = {account: Account(emulator, account) for account in accounts}
    queues = {}
    for account, box in inside.items():
        queues[account] = foreign_sqs_subscription(box)
        add_statement(box, "OtherTeamBefore")
        box.client("events").put_targets(Rule=NAME, Targets=[{"Id": "other-team", "Arn": queues[account]}])
        # Our statement removed by someone: both runs will put it back, read-modify-write at once.
        sns = box.client("sns")
        policy = json.loads(sns.get_topic_attributes(TopicArn=box.topic_arn())["Attributes"]["Policy"])
        policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != OUR_SID]
        sns.set_topic_attributes(TopicArn=box.topic_arn(), AttributeName="Policy", AttributeValue=json.dumps(policy))
    emails = ["security@example.com", "oncall@example.com"]
    second = write_inventory(tmp_path / "second.yml", accounts, emails=emails)

    def meanwhile():
        # Someone else edits the policies as soon as the runs start writing.
        wait_for_writes(emulator, 1, lambda: any(process.poll() is None for process in runs))
        for box in inside.values():
            add_statement(box, "OtherTeamDuring")

    other = threading.Thread(target=meanwhile)
    emulator.clear_recording()
    runs = [start_playbook(emulator, second, tmp_path / ("concurrent-%d" % index)) for index in range(2)]
    other.start()
    codes = [process.wait(timeout=300) for process in runs]
    other.join()
    print("\nconcurrent runs exited %s" % codes)
    during = emulator.requests()
    # A run that met the other's write may fail (and say so); the re-run converges it.
    rerun = run(emulator, second, tmp_path / "rerun")
    assert rerun.rc == 0, rerun
    for account, box in inside.items():
        sids = policy_sids(box)
        assert "OtherTeamBefore" in sids, (account, sids)
        if "OtherTeamDuring" not in sids:
            # Lost only to the API's own race, never to the runs or the re-run.
            assert overwritten_unseen(during, box.topic_arn(), "OtherTeamDuring"), (account, sids)
            print("%s: OtherTeamDuring landed inside a run's read-modify-write of the policy" % account)
        assert sids.count(OUR_SID) == 1, sids
        listing = box.client("sns").list_subscriptions_by_topic(TopicArn=box.topic_arn())["Subscriptions"]
        assert [s["Endpoint"] for s in listing if s["Protocol"] == "sqs"] == [queues[account]]
        assert sorted(s["Endpoint"] for s in listing if s["Protocol"] == "email") == sorted(emails)
        assert box.targets() == {"other-team": queues[account], OUR_TARGET_ID: box.topic_arn()}


def test_an_edit_is_excused_only_inside_a_read_modify_write():
    """overwritten_unseen, on literal recordings: a run's read, the other team's edit, the run's write."""
    topic = "arn:aws:sns:us-east-1:111111111111:root-login-alerts"

    class Recorded:  # the parts of emulator.Request the check reads
        def __init__(self, action, access_key, **fields):
            self.action, self.access_key = action, access_key
            self.body = urllib.parse.urlencode(dict(Action=action, TopicArn=topic, **fields))

    def read(key):
        return Recorded("GetTopicAttributes", key)

    def write(key, sids):
        return Recorded("SetTopicAttributes", key, AttributeName="Policy", AttributeValue=json.dumps({"Statement": [{"Sid": s} for s in sids]}))

    edit = write("OTHER", ["Ours", "OtherTeamDuring"])
    # The run read before the edit and wrote after it: the API's race.
    assert overwritten_unseen([read("RUN"), edit, write("RUN", ["Ours"])], topic, "OtherTeamDuring")
    # The run read after the edit and still dropped it: the run's fault.
    assert not overwritten_unseen([edit, read("RUN"), write("RUN", ["Ours"])], topic, "OtherTeamDuring")
    # The edit came after the run's write: nothing of ours touched it.
    assert not overwritten_unseen([read("RUN"), write("RUN", ["Ours"]), edit], topic, "OtherTeamDuring")
    # Another run's read does not excuse this run's write.
    assert not overwritten_unseen([read("OTHER-RUN"), edit, read("RUN"), write("RUN", ["Ours"])], topic, "OtherTeamDuring")
