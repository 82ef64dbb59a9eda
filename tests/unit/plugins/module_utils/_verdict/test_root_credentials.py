# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Root credential posture: findings from GetAccountSummary, centralized root access from the
management account, and unknown (never a guess) when a read fails.

The emulator cannot give a root user an access key or MFA (its GetAccountSummary always answers
0 for both, and omits AccountPasswordPresent), so these cases are botocore Stubber answers shaped
like the IAM API reference's GetAccountSummary and ListOrganizationsFeatures responses.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.rootwatch.aws.plugins.plugin_utils import report as compliance
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import root_credentials as rc
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.root_credentials import RootCredentialsReader

from aws_stubs import Stubs  # pylint: disable=import-error

ACCOUNT = "111111111111"
BOTH = {"organization_id": "o-a1b2c3d4e5", "enabled_features": ["RootCredentialsManagement", "RootSessions"]}


def summary(mfa=1, keys=0, certificates=0, password=1):
    """A GetAccountSummary SummaryMap as AWS answers it (quota and count keys included)."""
    return {"Users": 4, "UsersQuota": 5000, "MFADevices": 2, "AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys,
            "AccountSigningCertificatesPresent": certificates, "AccountPasswordPresent": password}


def read_of(summary_map):
    stubs = Stubs()
    stubs.stub("iam").add_response("get_account_summary", {"SummaryMap": summary_map}, {})
    read = RootCredentialsReader(stubs.factory, "us-east-1", account_id=ACCOUNT).read()
    stubs.assert_done()
    return read


def test_a_root_access_key_is_a_finding():
    posture = rc.evaluate(read_of(summary(keys=1)))
    assert posture["findings"] == [rc.FINDING_ACCESS_KEY]
    assert posture["access_keys_present"] is True and posture["mfa_enabled"] is True
    assert posture["status"] == "findings"


def test_no_mfa_is_a_finding():
    posture = rc.evaluate(read_of(summary(mfa=0)))
    assert posture["findings"] == [rc.FINDING_NO_MFA]
    assert posture["mfa_enabled"] is False


def test_a_signing_certificate_is_a_finding_and_findings_add_up():
    posture = rc.evaluate(read_of(summary(mfa=0, keys=1, certificates=1)))
    assert posture["findings"] == [rc.FINDING_ACCESS_KEY, rc.FINDING_SIGNING_CERTIFICATE, rc.FINDING_NO_MFA]


def test_mfa_and_no_key_is_no_finding():
    posture = rc.evaluate(read_of(summary()), BOTH)
    assert posture["findings"] == [] and posture["status"] == "ok"
    assert posture["centralized_root_access"] is True
    assert rc.describe(posture) == "MFA, no access key"


def test_credentials_removed_by_centralized_root_access_make_mfa_not_applicable():
    """IAM user guide, centralized root access: deleting root credentials removes the password,
    access keys, signing certificates and MFA devices; there is nothing left for MFA to protect."""
    posture = rc.evaluate(read_of(summary(mfa=0, password=0)), BOTH)
    assert posture["mfa_enabled"] == rc.NOT_APPLICABLE
    assert posture["findings"] == [] and posture["credentials_removed"] is True
    assert rc.describe(posture) == "no root credentials (centralized root access)"


@pytest.mark.parametrize("features", [None, {"enabled_features": None, "error": "x"}, {"enabled_features": ["RootSessions"]}])
def test_without_root_credentials_management_no_mfa_stays_a_finding(features):
    """No password today, but the root user can recover one by email and sign in without MFA."""
    posture = rc.evaluate(read_of(summary(mfa=0, password=0)), features)
    assert posture["findings"] == [rc.FINDING_NO_MFA]


@pytest.mark.parametrize("features, central", [
    (None, rc.UNKNOWN),
    ({"enabled_features": None, "error": "not the management account"}, rc.UNKNOWN),
    ({"enabled_features": []}, False),
    ({"enabled_features": ["RootCredentialsManagement"]}, False),
    (BOTH, True),
])
def test_centralized_root_access_needs_both_features(features, central):
    assert rc.centralized_root_access(features) == central


def test_a_failed_read_is_unknown_never_a_guess():
    stubs = Stubs()
    stubs.stub("iam").add_client_error("get_account_summary", "AccessDenied", http_status_code=403)
    read = RootCredentialsReader(stubs.factory, "us-east-1", account_id=ACCOUNT).read()
    posture = rc.evaluate(read)
    assert posture["status"] == rc.UNKNOWN and posture["findings"] == []
    assert posture["mfa_enabled"] == rc.UNKNOWN and posture["access_keys_present"] == rc.UNKNOWN
    assert "AccessDenied" in posture["unknown"][0]
    assert rc.describe(posture) == "UNKNOWN"


def test_a_key_the_endpoint_does_not_return_is_unknown():
    """The emulator omits AccountPasswordPresent: password_present is unknown, the rest is judged."""
    posture = rc.evaluate(read_of({"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0}))
    assert posture["password_present"] == rc.UNKNOWN and posture["status"] == "ok"
    assert posture["unknown"] == ["iam:GetAccountSummary did not return AccountPasswordPresent"]
    missing_mfa = rc.evaluate(read_of({"AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0}))
    assert missing_mfa["status"] == rc.UNKNOWN and missing_mfa["findings"] == []


def test_organization_features_from_the_management_account():
    stubs = Stubs()
    stubs.stub("iam").add_response("list_organizations_features",
                                   {"OrganizationId": "o-a1b2c3d4e5", "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]}, {})
    features = RootCredentialsReader(stubs.factory, "us-east-1", account_id=ACCOUNT).read_organization_features()
    assert features == BOTH


@pytest.mark.parametrize("code, why", [
    ("AccountNotManagementOrDelegatedAdministratorException", "not the management account or a delegated administrator"),
    ("OrganizationNotFoundException", "not the management account or a delegated administrator"),
    ("AccountNotManagementOrDelegatedAdministrator", "not the management account or a delegated administrator"),
    ("OrganizationNotFound", "not the management account or a delegated administrator"),
    ("ServiceFailure", "the call failed"),
])
def test_organization_features_that_cannot_be_read_are_unknown(code, why):
    stubs = Stubs()
    stubs.stub("iam").add_client_error("list_organizations_features", code, http_status_code=400)
    features = RootCredentialsReader(stubs.factory, "us-east-1", account_id=ACCOUNT).read_organization_features()
    assert features["enabled_features"] is None and why in features["error"] and code in features["error"]
    assert rc.centralized_root_access(features) == rc.UNKNOWN


@pytest.mark.parametrize("code, why", [
    # botocore's model names the errors of iam:ListOrganizationsFeatures with "Exception" (botocore data,
    # iam service-2.json); the IAM API reference lists them without it, each HTTP 400.
    ("ServiceAccessNotEnabledException", "trusted access for IAM is not enabled in AWS Organizations"),
    ("OrganizationNotInAllFeaturesModeException", "the organization does not have all features enabled"),
    ("ServiceAccessNotEnabled", "trusted access for IAM is not enabled in AWS Organizations"),
    ("OrganizationNotInAllFeaturesMode", "the organization does not have all features enabled"),
])
def test_organization_features_that_cannot_be_on_are_off_not_unknown(code, why):
    """Centralized root access needs trusted access for IAM in Organizations and all features (IAM API reference,
    EnableOrganizationsRootCredentialsManagement): without either, it is off in every member account."""
    stubs = Stubs()
    stubs.stub("iam").add_client_error("list_organizations_features", code, service_message="The request was rejected.",
                                       http_status_code=400)
    features = RootCredentialsReader(stubs.factory, "us-east-1", account_id=ACCOUNT).read_organization_features()
    stubs.assert_done()
    assert features == {"organization_id": None, "enabled_features": [],
                        "reason": "iam:ListOrganizationsFeatures: %s (%s)" % (why, code)}
    assert rc.centralized_root_access(features) is False
    posture = rc.evaluate(read_of(summary(mfa=0, password=0)), features)
    assert posture["centralized_root_access"] is False and posture["organization_features"] == []
    assert posture["findings"] == [rc.FINDING_NO_MFA], "no root credentials management: MFA is still asked for"


def test_the_report_gives_every_account_the_off_answer_of_its_management_account():
    off = {"organization_id": None, "enabled_features": [],
           "reason": "iam:ListOrganizationsFeatures: trusted access for IAM is not enabled in AWS Organizations "
                     "(ServiceAccessNotEnabledException)"}
    hosts = {"management": host_vars("111111111111", summary(), organization_features=off),
             "member": host_vars("222222222222", summary())}
    features = compliance.organization_features([v["root_login_alerts_result"] for v in hosts.values()])
    assert features == off
    entries = [compliance.account_entry(host, values, features) for host, values in hosts.items()]
    assert [e["root_credentials"]["centralized_root_access"] for e in entries] == [False, False]


def host_vars(account, summary_map, **extra):
    result = {"account_id": account, "compliance": {"status": "compliant", "paths": [], "event_source": {"ok": True},
                                                    "problems": [], "unknown": []}, "changes": [],
              "root_credentials_read": {"summary": summary_map}}
    result.update(extra)
    return {"root_login_alerts_result": result}


def test_the_report_judges_every_account_with_the_management_accounts_features():
    hosts = {
        "management": host_vars("111111111111", summary(), organization_features=BOTH),
        "removed": host_vars("222222222222", summary(mfa=0, password=0)),
        "keyed": host_vars("333333333333", summary(keys=1)),
    }
    features = compliance.organization_features([v["root_login_alerts_result"] for v in hosts.values()])
    assert features == BOTH
    entries = [compliance.account_entry(host, values, features) for host, values in hosts.items()]
    report = compliance.build_report(entries, check_mode=True, generated_at="2026-12-01T00:00:00Z")
    by_host = dict((e["host"], e) for e in report["document"]["accounts"])
    assert by_host["removed"]["root_credentials"]["mfa_enabled"] == rc.NOT_APPLICABLE
    assert by_host["keyed"]["root_credentials"]["findings"] == [rc.FINDING_ACCESS_KEY]
    assert all(e["status"] == "compliant" for e in by_host.values()), "findings never change the alerting status"
    assert report["document"]["counts"]["root_credential_findings"] == 1
    assert "root credentials of 3 accounts: 1 with findings (root user has an access key: 1), 0 unknown" in report["summary_lines"]
    assert "333333333333 root credentials: root user has an access key" in report["summary_lines"]
    assert "| Root credentials |" in report["markdown"] and "| root user has an access key |" in report["markdown"]


def test_two_organizations_in_one_run_are_not_mixed():
    other = dict(BOTH, organization_id="o-zzzzzzzzzz")
    assert compliance.organization_features([{"organization_features": BOTH}, {"organization_features": other}]) is None
    assert compliance.organization_features([{"organization_features": {"enabled_features": None, "error": "x"}}, {}]) is None
