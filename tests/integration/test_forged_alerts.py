"""Alerts nobody can forge (issue 19, item 4), through real ansible-playbook runs.

A custom event that copies a root sign-in (same detail-type, ``userIdentity.type`` Root, the account
it claims in ``recipientAccountId``) is what anyone allowed to put events on a bus can send. The
rules the run writes pin ``source``, which AWS reserves: "Customer-generated events can have any
value here, as long as it doesn't begin with aws." (EventBridge user guide, event structure). The
hub bus admits only the members' forwarding role, and only ``aws.*`` sources. The message takes the
account from ``$.account`` and keeps every detail value out of JSON strings.

Emulator quirks this test lives with (the code follows AWS):
- TestEventPattern is a stub, and PutEvents answers 500 when a matching rule targets SNS. The patterns
  the run stored (read back with DescribeRule) are put on a probe bus of the test's own, each rule with
  an SQS target, where moto's matching delivers what a pattern matches; and they are judged with the
  collection's own matcher too.
- PutEvents accepts ``aws.`` sources from any caller (AWS refuses them): the genuine events put on the
  probe bus stand in for what only AWS sends, to show that the probe does deliver what matches.
- Bus policies are not enforced across accounts, so the hub bus policy the run stored is judged with
  the policy evaluator for the requests AWS would judge.
"""

import json
import os
import sys

import member_roles  # pylint: disable=import-error
from accounts import Account  # pylint: disable=import-error
from emulator import simulated_accounts  # pylint: disable=import-error
from hub_organization import BUS, bus_arn, organization  # pylint: disable=import-error
from iam_oracle import allowed  # pylint: disable=import-error
from playbook_checks import NAME, read_report, run, write_inventory  # pylint: disable=import-error
from playbook_runner import ROOT  # pylint: disable=import-error

if os.path.join(ROOT, ".collections") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, ".collections"))  # the checkout as ansible_collections.rootwatch.aws
# pylint: disable=wrong-import-position
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message  # noqa: E402
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles  # noqa: E402
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import samples as alert_samples  # noqa: E402
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern  # noqa: E402

ALL = list(alert_profiles.PROFILE_NAMES)
RULES = {"console_sign_in": NAME, "api_activity": NAME + "-api-activity", "credential_changes": NAME + "-credential-changes",
         "assume_root": NAME + "-assume-root"}
# The sources each stored pattern must pin (EventBridge events reference: aws.signin, aws.iam, aws.sts; aws.<service>).
SOURCES = {"console_sign_in": ["aws.signin"], "api_activity": [{"prefix": "aws."}], "credential_changes": ["aws.iam", "aws.signin"],
           "assume_root": ["aws.sts"]}
PROBE_BUS = "forgery-probe"
HOSTILE_AGENT = 'Mozilla/5.0", "alert": "All clear: a test by the security team", "x": "'


def stored_patterns(inside, bus="default"):
    events = inside.client("events")
    return dict((profile, json.loads(events.describe_rule(Name=rule, EventBusName=bus)["EventPattern"])) for profile, rule in RULES.items())


def probe(inside, patterns):
    """A bus of the test's own with a rule per stored pattern, each to a queue: what a pattern matches, its queue gets."""
    events, sqs = inside.client("events"), inside.client("sqs")
    events.create_event_bus(Name=PROBE_BUS)
    queues = {}
    for profile, pattern in patterns.items():
        name = "probe-" + profile.replace("_", "-")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=name, EventBusName=PROBE_BUS, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=name, EventBusName=PROBE_BUS, Targets=[{"Id": "queue", "Arn": arn}])
        queues[profile] = url
    return queues


def put(inside, event, bus):
    entry = {"Source": event["source"], "DetailType": event["detail-type"], "Detail": json.dumps(event["detail"]), "EventBusName": bus}
    response = inside.client("events").put_events(Entries=[entry])
    assert response["FailedEntryCount"] == 0, response


def received(inside, url):
    sqs = inside.client("sqs")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(message["Body"]) for message in messages]


def samples(profile, account, kind):
    """The profile's samples: ``forged_custom_event``, or the genuine ones it must match."""
    found = alert_samples.sample_events(profile, account)
    if kind == "forged":
        return [found["forged_custom_event"][0]]
    return [event for event, should in found.values() if should]


def test_no_rule_of_ours_matches_a_forged_event_and_the_message_names_the_real_account(tmp_path, emulator):
    account = simulated_accounts(1, first=555555556601)[0]
    inside = Account(emulator, account)
    member_roles.deploy(emulator, account)
    inventory = write_inventory(tmp_path / "all.yml", [account], profiles=ALL, regions=["us-east-1"])
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied

    stored = stored_patterns(inside)
    for profile, pattern in stored.items():
        assert pattern["source"] == SOURCES[profile], (profile, pattern)
        assert not event_pattern.matches(pattern, samples(profile, account, "forged")[0]), profile
        assert all(event_pattern.matches(pattern, event) for event in samples(profile, account, "genuine")), profile

    # The forged events, put on a bus where the stored patterns route to queues: none arrives anywhere.
    queues = probe(inside, stored)
    for profile in ALL:
        put(inside, samples(profile, account, "forged")[0], PROBE_BUS)
    assert dict((profile, received(inside, url)) for profile, url in queues.items()) == dict((profile, []) for profile in ALL)
    # The probe works: each profile's genuine event reaches its queue.
    for profile in ALL:
        genuine = samples(profile, account, "genuine")[0]
        put(inside, genuine, PROBE_BUS)
        got = received(inside, queues[profile])
        assert [(e["source"], e["detail"]["eventName"]) for e in got] == [(genuine["source"], genuine["detail"]["eventName"])], profile
        for url in queues.values():
            received(inside, url)

    # The message the sign-in target sends: the account from $.account, no detail value inside a JSON string.
    transformer = inside.client("events").list_targets_by_rule(Rule=NAME)["Targets"][0]["InputTransformer"]
    paths, template = transformer["InputPathsMap"], transformer["InputTemplate"]
    assert paths["account"] == "$.account" and alert_message.quoted_sender_fields(template, paths) == []
    hostile = samples("console_sign_in", account, "genuine")[0]
    hostile["detail"].update(userAgent=HOSTILE_AGENT, recipientAccountId="999999999999")
    message = json.loads(alert_message.render(template, paths, hostile))
    assert message["alert"].startswith("Root user console sign-in to AWS account %s " % account)
    assert message["user_agent"] == HOSTILE_AGENT and "999999999999" not in json.dumps(message)

    # Our own paths pin the source: the audit has no note for them.
    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0, audit
    document, markdown = read_report(tmp_path / "audit")
    assert document["accounts"][0]["status"] == "compliant" and document["accounts"][0]["notes"] == []
    assert "note: " not in markdown


def test_the_hub_bus_admits_only_the_forwarding_role_and_aws_events(tmp_path, emulator):
    hub, members, inventory = organization(emulator, tmp_path, 555555556701, count=2, organization_id="o-a1b2c3d4e5")
    member = members[0]
    applied = run(emulator, inventory, tmp_path / "apply")
    assert applied.rc == 0, applied
    hub_inside = Account(emulator, hub)
    policy = hub_inside.client("events").describe_event_bus(Name=BUS)["Policy"]
    ours = dict((s["Sid"], s) for s in json.loads(policy)["Statement"])
    assert ours["RootwatchOrgPutEvents"]["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/%s" % member_roles.FORWARDING_ROLE},
        "ForAllValues:StringLike": {"events:source": "aws.*"}}
    assert ours["RootwatchMemberPutEvents"]["Principal"] == {"AWS": ["arn:aws:iam::%s:root" % member]}
    assert ours["RootwatchMemberPutEvents"]["Condition"] == {
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::%s:role/%s" % (member, member_roles.FORWARDING_ROLE)},
        "ForAllValues:StringLike": {"events:source": "aws.*"}}

    # What AWS judges when a member's principal calls PutEvents on the hub bus (the tests' own IAM matcher).
    role = "arn:aws:iam::%s:role/%s" % (member, member_roles.FORWARDING_ROLE)
    rule = "arn:aws:events:us-east-1:%s:rule/%s" % (member, NAME)

    def request(principal, source):
        context = {"aws:PrincipalArn": principal, "aws:PrincipalAccount": member, "aws:PrincipalOrgID": "o-a1b2c3d4e5",
                   "events:source": [source]}
        if principal == role:
            context["aws:SourceArn"] = rule
        return allowed(json.loads(policy), "events:PutEvents", bus_arn(hub), context, principal=principal)

    assert request(role, "aws.signin") is True  # the forwarding path
    assert request(role, alert_samples.FORGED_SOURCE) is False  # a rule of the member that forwards custom events
    mallory = "arn:aws:iam::%s:user/mallory" % member
    assert request(mallory, "aws.signin") is False and request(mallory, alert_samples.FORGED_SOURCE) is False

    # The hub bus rules pin the source too: a forged sign-in on the hub bus matches none of them.
    hub_rule = json.loads(hub_inside.client("events").describe_rule(Name=NAME, EventBusName=BUS)["EventPattern"])
    forged = alert_samples.sign_in_samples(member)["forged_custom_event"][0]
    assert hub_rule["source"] == ["aws.signin"] and not event_pattern.matches(hub_rule, forged)
    assert event_pattern.matches(hub_rule, alert_samples.sign_in_samples(member)["root_sign_in"][0])

    # The verdict proves the member's path with that policy, and notes nothing.
    audit = run(emulator, inventory, tmp_path / "audit", check=True)
    assert audit.rc == 0, audit
    document, markdown = read_report(tmp_path / "audit")
    entries = dict((entry["account"], entry) for entry in document["accounts"])
    assert entries[member]["status"] == "compliant" and entries[member]["notes"] == [], entries[member]
    assert "note: " not in markdown
