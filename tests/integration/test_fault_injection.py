"""playbooks/root_alerts.yml through injected faults: throttling, 5xx answers, dropped connections.

The fault proxy (tests/harness/fault_proxy.py) stands between the modules and the emulator and
answers a seeded 20 % of the requests itself, each with the error its protocol uses on AWS.
Ten accounts must converge on the first run, and the re-run, with the faults still on, must be
changed=0 and attempt no write. The retries are what makes that hold: amazon.aws's AWSRetry for
error answers (aws_calls.RETRY_ERROR_CODES), botocore's standard mode for dropped connections
(aws_calls.SDK_MAX_ATTEMPTS).

Emulator quirks this test lives with: see test_root_alerts_playbook.py (email subscriptions are
confirmed at once; the emulator files requests under the account whose credentials signed them).
The figures print with ``pytest -s``.
"""

import time

import boto3
import botocore.config
import botocore.exceptions
import pytest

from accounts import Account  # pylint: disable=import-error
from emulator import Request, simulated_accounts  # pylint: disable=import-error
from fault_proxy import FaultProxy  # pylint: disable=import-error
from playbook_checks import (  # pylint: disable=import-error
    NAME,
    OUR_SID,
    OUR_TARGET_ID,
    PLAYBOOK,
    account_failed,
    assert_accounts,
    failed_task,
    write_inventory,
)
from playbook_runner import run_playbook  # pylint: disable=import-error

RATE = 0.2
SEED = 20261201
EMAILS = ["security@example.com", "oncall@example.com"]


def converge(proxy, inventory, reports):
    started = time.monotonic()
    result = run_playbook(PLAYBOOK, proxy.environ(), extra_vars={"root_alerts_report_dir": str(reports)}, inventory=inventory)
    return result, time.monotonic() - started


def report(label, result, seconds, proxy, accounts):
    """Print the figures; return (accounts without failure, share of requests faulted)."""
    counts = proxy.counts()
    injected = {kind: counts[kind] for kind in proxy.shares}
    total = counts["forwarded"] + sum(injected.values())
    share = float(sum(injected.values())) / max(total, 1)
    ok = [account for account in accounts if result.stats.get(account) and not account_failed(result, account)]
    print("\n%s: rate %.0f %%, %d requests: injected %s = %.1f %%, forwarded and answered %d "
          "(%d reached the emulator); %d/%d accounts converged, %d hosts changed, rc %s, %.1f s" % (
              label, 100 * proxy.rate, total, injected, 100 * share, counts["forwarded"],
              counts["forwarded"] + counts.get("lost", 0), len(ok), len(accounts),
              sum(1 for account in accounts if result.changed(account)), result.rc, seconds))
    return ok, share


def test_ten_accounts_converge_at_20_percent_faults_and_the_rerun_writes_nothing(tmp_path, emulator):
    accounts = simulated_accounts(10)
    inventory = write_inventory(tmp_path / "inventory.yml", accounts, emails=EMAILS)
    with FaultProxy(emulator, rate=RATE, seed=SEED) as proxy:
        first, seconds = converge(proxy, inventory, tmp_path / "first")
        converged, share = report("first run", first, seconds, proxy, accounts)
        failures = {account: failed_task(first, account) for account in accounts if account not in converged}
        assert failures == {}, failures
        assert first.rc == 0, first
        assert_accounts(first, accounts, changed=True)
        assert 0.1 < share < 0.3, share  # the faults were injected at about the rate asked

        proxy.reset()
        emulator.clear_recording()
        again, seconds = converge(proxy, inventory, tmp_path / "again")
        report("re-run", again, seconds, proxy, accounts)
        assert again.rc == 0, again
        assert_accounts(again, accounts, changed=False)
        assert emulator.write_requests() == []
        # Not even a write that a fault stopped before the emulator saw it.
        attempted = [Request(entry) for entry in proxy.seen()]
        assert [request for request in attempted if request.is_write] == []

    for account in accounts:  # straight to the emulator, no faults
        inside = Account(emulator, account)
        assert [arn for arn in inside.topics() if arn.rsplit(":", 1)[-1] == NAME] == [inside.topic_arn()]
        assert inside.subscriptions() == sorted(EMAILS), account
        assert inside.policy_sids().count(OUR_SID) == 1, (account, inside.policy_sids())
        assert inside.targets() == {OUR_TARGET_ID: inside.topic_arn()}, account
        assert inside.trails() == [NAME], account


# -- the proxy itself ----------------------------------------------------------------------------------
PROBES = [
    ("events", lambda client: client.list_rules(), "ThrottlingException", 400),
    ("cloudtrail", lambda client: client.describe_trails(), "ThrottlingException", 400),
    ("sns", lambda client: client.list_topics(), "Throttling", 400),
    ("sts", lambda client: client.get_caller_identity(), "Throttling", 400),
    ("s3", lambda client: client.list_buckets(), "SlowDown", 503),
]


@pytest.mark.parametrize("service, call, code, status", PROBES, ids=[probe[0] for probe in PROBES])
def test_the_proxy_throttles_each_protocol_the_aws_way(emulator, service, call, code, status):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    no_retries = botocore.config.Config(retries={"total_max_attempts": 1})
    with FaultProxy(emulator, rate=1.0, shares={"throttle": 1}) as proxy:
        client = session.client(service, endpoint_url=proxy.endpoint, config=no_retries)
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            call(client)
        assert raised.value.response["Error"]["Code"] == code
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
        emulator.reset()  # the control API is never faulted
        assert proxy.counts() == {"forwarded": 0, "throttle": 1}
    assert emulator.requests() == []


def test_the_proxy_drops_connections_and_forwards_the_rest(emulator):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    no_retries = botocore.config.Config(retries={"total_max_attempts": 1})
    with FaultProxy(emulator, rate=1.0, shares={"drop": 1}) as proxy:
        with pytest.raises(botocore.exceptions.ConnectionClosedError):
            session.client("sns", endpoint_url=proxy.endpoint, config=no_retries).create_topic(Name=NAME)
    assert emulator.requests() == []
    with FaultProxy(emulator, rate=0.0) as proxy:
        topic = session.client("sns", endpoint_url=proxy.endpoint).create_topic(Name=NAME)["TopicArn"]
        assert proxy.counts()["forwarded"] == 1 and [entry["fault"] for entry in proxy.seen()] == [None]
    assert topic.endswith(":" + NAME) and [request.action for request in emulator.requests()] == ["CreateTopic"]
