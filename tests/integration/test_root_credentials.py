"""Root credential posture in the report, beside the alerting status and never changing it.

Emulator quirks this test lives with (the code follows AWS):
- moto cannot give a root user an access key or MFA: its GetAccountSummary answers
  AccountMFAEnabled 0 and AccountAccessKeysPresent 0 for every account, and omits
  AccountPasswordPresent. The "no MFA" account below gets the emulator's own answer; for the
  others a loopback proxy (tests/harness/fault_proxy.py, no faults) answers GetAccountSummary
  with the SummaryMap AWS returns (IAM API reference, GetAccountSummary, its example response).
- moto does not implement iam:ListOrganizationsFeatures (HTTP 500, an HTML page). The first run
  answers it as AWS does in a management account; the second leaves it to the emulator, which
  must give "unknown", never a guess, and cost one attempt; the third answers the IAM error of an
  organization without trusted access for IAM, which means "off" (false), not "unknown".
- email subscriptions are confirmed at once, so every account alerts: the findings must not
  change that.
"""

import time

from emulator import simulated_accounts  # pylint: disable=import-error
from fault_proxy import FaultProxy  # pylint: disable=import-error
from fault_proxy import error_answer  # pylint: disable=import-error
from playbook_checks import PLAYBOOK, assert_accounts, read_report, write_inventory  # pylint: disable=import-error
from playbook_runner import run_playbook  # pylint: disable=import-error

ORGANIZATION = "o-a1b2c3d4e5"


def summary_xml(mfa, keys, password):
    entries = {"Users": 3, "UsersQuota": 5000, "MFADevices": 1, "AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys,
               "AccountSigningCertificatesPresent": 0, "AccountPasswordPresent": password}
    body = "".join("<entry><key>%s</key><value>%d</value></entry>" % item for item in entries.items())
    return ('<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult>'
            "<SummaryMap>%s</SummaryMap></GetAccountSummaryResult><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-"
            "6e8eEXAMPLE</RequestId></ResponseMetadata></GetAccountSummaryResponse>" % body)


FEATURES_XML = (
    '<ListOrganizationsFeaturesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListOrganizationsFeaturesResult>'
    "<OrganizationId>%s</OrganizationId><EnabledFeatures><member>RootCredentialsManagement</member>"
    "<member>RootSessions</member></EnabledFeatures></ListOrganizationsFeaturesResult><ResponseMetadata><RequestId>"
    "b3a1c2d4-0000-4000-8000-EXAMPLE</RequestId></ResponseMetadata></ListOrganizationsFeaturesResponse>" % ORGANIZATION
)


def shaped(summaries, features):
    """The proxy's ``answer``: AWS-shaped IAM answers for the accounts in ``summaries``. ``features``: True (both
    features on), False (left to the emulator) or an IAM error code to answer ListOrganizationsFeatures with."""

    def answer(proxy, method, path, headers, body):
        account = proxy.account_of(headers)
        if "Action=GetAccountSummary" in body and account in summaries:
            return 200, [("Content-Type", "text/xml")], summary_xml(*summaries[account]).encode()
        if "Action=ListOrganizationsFeatures" in body and features is True:
            return 200, [("Content-Type", "text/xml")], FEATURES_XML.encode()
        if "Action=ListOrganizationsFeatures" in body and features:
            # IAM's query-protocol error, HTTP 400 (IAM API reference); the code as botocore's model names it.
            return error_answer("query", features, 400, "The request was rejected.")
        return None

    return answer


def test_findings_sit_beside_the_alerting_status(tmp_path, emulator):
    management, keyed, no_mfa, clean, removed = accounts = simulated_accounts(5, first=333333333301)
    summaries = {
        management: (1, 0, 1),
        keyed: (1, 1, 1),  # MFA on, and an access key
        clean: (1, 0, 1),
        removed: (0, 0, 0),  # deleted by centralized root access: no password, key, certificate or MFA
    }  # no_mfa: the emulator's own answer (AccountMFAEnabled 0)
    inventory = write_inventory(tmp_path / "inventory.yml", {
        account: ({"management_account": True} if account == management else {}) for account in accounts})
    with FaultProxy(emulator, rate=0.0, answer=shaped(summaries, features=True)) as proxy:
        applied = run_playbook(PLAYBOOK, proxy.environ(), extra_vars={"root_alerts_report_dir": str(tmp_path / "apply")},
                               inventory=inventory)
        assert applied.rc == 0, applied
        audit = run_playbook(PLAYBOOK, proxy.environ(), extra_vars={"root_alerts_report_dir": str(tmp_path / "audit")},
                             inventory=inventory, check=True)
        assert audit.rc == 0, audit
        assert_accounts(audit, accounts, changed=False)
    for reports in ("apply", "audit"):
        document, markdown = read_report(tmp_path / reports)
        entries = {entry["account"]: entry for entry in document["accounts"]}
        assert all(entry["status"] == "compliant" for entry in entries.values()), "findings never change the alerting status"
        postures = {account: entries[account]["root_credentials"] for account in accounts}
        assert postures[keyed]["findings"] == ["root user has an access key"]
        assert postures[keyed]["access_keys_present"] is True
        assert postures[no_mfa]["findings"] == ["root user has no MFA"]
        assert postures[no_mfa]["password_present"] == "unknown", "the emulator omits AccountPasswordPresent"
        assert postures[clean]["findings"] == [] and postures[clean]["status"] == "ok"
        assert postures[management]["findings"] == []
        assert postures[removed]["mfa_enabled"] == "not_applicable" and postures[removed]["findings"] == []
        assert all(posture["centralized_root_access"] is True for posture in postures.values()), postures
        assert document["counts"]["root_credential_findings"] == 2
        assert "| Root credentials |" in markdown
        assert "| root user has an access key |" in markdown and "| root user has no MFA |" in markdown
        assert "| no root credentials (centralized root access) |" in markdown
    summary = audit.run_once_result("Summary")["msg"]
    assert "root credentials of 5 accounts: 2 with findings (root user has an access key: 1, root user has no MFA: 1), 0 unknown" in summary
    assert "%s root credentials: root user has an access key" % keyed in summary


def test_an_endpoint_without_list_organizations_features_gives_unknown(tmp_path, emulator):
    management, member = simulated_accounts(2, first=333333333401)
    inventory = write_inventory(tmp_path / "inventory.yml", {management: {"management_account": True}, member: {}})
    with FaultProxy(emulator, rate=0.0, answer=shaped({}, features=False)) as proxy:
        started = time.monotonic()
        audit = run_playbook(PLAYBOOK, proxy.environ(), extra_vars={"root_alerts_report_dir": str(tmp_path / "audit")},
                             inventory=inventory, check=True)
        seconds = time.monotonic() - started
        asked = [r for r in proxy.seen() if "Action=ListOrganizationsFeatures" in r["body"]]
    assert audit.rc == 0, audit
    assert len(asked) == 1, "one attempt: the emulator's 500 is an answer here, not a fault to wait out"
    document, unused = read_report(tmp_path / "audit")
    for entry in document["accounts"]:
        assert entry["root_credentials"]["centralized_root_access"] == "unknown", entry
        assert entry["root_credentials"]["findings"] == ["root user has no MFA"]
    print("\naudit of 2 accounts with the management account's features unanswerable: %.1f s" % seconds)


def test_an_organization_without_trusted_access_for_iam_has_centralized_root_access_off(tmp_path, emulator):
    management, member = accounts = simulated_accounts(2, first=333333333501)
    inventory = write_inventory(tmp_path / "inventory.yml", {management: {"management_account": True}, member: {}})
    with FaultProxy(emulator, rate=0.0, answer=shaped({}, features="ServiceAccessNotEnabledException")) as proxy:
        audit = run_playbook(PLAYBOOK, proxy.environ(), extra_vars={"root_alerts_report_dir": str(tmp_path / "audit")},
                             inventory=inventory, check=True)
        asked = [r for r in proxy.seen() if "Action=ListOrganizationsFeatures" in r["body"]]
    assert audit.rc == 0, audit
    assert len(asked) == 1
    document, unused = read_report(tmp_path / "audit")
    assert sorted(entry["account"] for entry in document["accounts"]) == accounts
    for entry in document["accounts"]:
        assert entry["root_credentials"]["centralized_root_access"] is False, entry
        assert entry["root_credentials"]["organization_features"] == []
