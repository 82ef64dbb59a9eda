# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Root credential posture: the second question auditors ask, beside "would a root sign-in alert?".

Security Hub IAM.4 and IAM.6 (and CIS 1.4/1.5) check that the root user has no access key
and has MFA. ``iam:GetAccountSummary`` answers both for the account of the credentials: its
``SummaryMap`` has ``AccountMFAEnabled``, ``AccountAccessKeysPresent``,
``AccountSigningCertificatesPresent`` and ``AccountPasswordPresent``, each 0 or 1 (IAM API
reference, GetAccountSummary). Centralized root access (IAM user guide, "Centrally manage root
access for member accounts") lets an organization delete its members' root credentials
(``RootCredentialsManagement``) and start short root sessions (``RootSessions``);
``iam:ListOrganizationsFeatures`` answers it, in the management account or a delegated
administrator only.

Pure: :func:`evaluate` turns what was read into the report's ``root_credentials`` object.
Edge: :class:`RootCredentialsReader` reads; a read that fails, or a key the endpoint does not
return, is ``unknown``, never a guess.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.parsers import ResponseParserError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing botocore
    BotoCoreError = ClientError = ResponseParserError = Exception

from ansible_collections.rootwatch.aws.plugins.module_utils.aws_calls import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils.managers import ResourceManager

UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"
# The report's names for GetAccountSummary's keys.
SUMMARY_KEYS = {
    "mfa_enabled": "AccountMFAEnabled",
    "access_keys_present": "AccountAccessKeysPresent",
    "signing_certificates_present": "AccountSigningCertificatesPresent",
    "password_present": "AccountPasswordPresent",
}
CENTRALIZED_FEATURES = ("RootCredentialsManagement", "RootSessions")
FINDING_ACCESS_KEY = "root user has an access key"
FINDING_SIGNING_CERTIFICATE = "root user has a signing certificate"
FINDING_NO_MFA = "root user has no MFA"
# ListOrganizationsFeatures outside the management account or a delegated administrator, or
# in an account outside an organization: the features cannot be known from here.
NOT_ANSWERABLE_CODES = ("AccountNotManagementOrDelegatedAdministratorException", "OrganizationNotFoundException",
                        "AccessDenied", "AccessDeniedException")
# ListOrganizationsFeatures in the management account of an organization where centralized root access
# cannot be on: it needs trusted access for IAM and all features (IAM API reference,
# EnableOrganizationsRootCredentialsManagement and EnableOrganizationsRootSessions: "Enable trusted access
# for AWS Identity and Access Management in AWS Organizations"; ListOrganizationsFeatures' errors).
FEATURES_OFF_CODES = {
    "ServiceAccessNotEnabledException": "trusted access for IAM is not enabled in AWS Organizations",
    "OrganizationNotInAllFeaturesModeException": "the organization does not have all features enabled",
}


def summary_flags(summary_map):
    """{report name: True, False or None (not returned)} from a GetAccountSummary SummaryMap."""
    flags = {}
    for name, key in SUMMARY_KEYS.items():
        value = (summary_map or {}).get(key)
        flags[name] = None if value is None else bool(value)
    return flags


def centralized_root_access(features):
    """True when the organization has both features on, False when it has not, UNKNOWN when not read.

    ``features``: ``{"enabled_features": [...]}`` from the management account, or None.
    """
    if not features or features.get("enabled_features") is None:
        return UNKNOWN
    enabled = set(features["enabled_features"])
    return all(feature in enabled for feature in CENTRALIZED_FEATURES)


def evaluate(read, features=None):
    """The report's ``root_credentials`` object.

    ``read``: what :meth:`RootCredentialsReader.read` returned for the account (``summary``,
    or ``error``); ``features``: the organization's, read in its management account, or None.
    Findings are a second dimension: they never change whether the account alerts.
    """
    central = centralized_root_access(features)
    result = {"centralized_root_access": central}
    if (features or {}).get("enabled_features") is not None:
        result["organization_features"] = sorted(features["enabled_features"])
    if not read or read.get("summary") is None:
        reason = (read or {}).get("error") or "not read"
        result.update((name, UNKNOWN) for name in SUMMARY_KEYS)
        result.update(status=UNKNOWN, findings=[], unknown=["iam:GetAccountSummary: %s" % reason])
        return result
    flags = summary_flags(read["summary"])
    # Deleted by centralized root access: no password, no key, no certificate, and the
    # organization manages root credentials. There is nothing left for MFA to protect.
    removed = (
        features is not None
        and "RootCredentialsManagement" in (features.get("enabled_features") or ())
        and flags["password_present"] is False
        and flags["access_keys_present"] is False
        and flags["signing_certificates_present"] is False
    )
    findings, unknown = [], []
    if flags["access_keys_present"]:
        findings.append(FINDING_ACCESS_KEY)
    if flags["signing_certificates_present"]:
        findings.append(FINDING_SIGNING_CERTIFICATE)
    if removed:
        flags["mfa_enabled"] = NOT_APPLICABLE
    elif flags["mfa_enabled"] is False:
        findings.append(FINDING_NO_MFA)
    for name, value in flags.items():
        if value is None:
            unknown.append("iam:GetAccountSummary did not return %s" % SUMMARY_KEYS[name])
            flags[name] = UNKNOWN
    result.update(flags)
    result["credentials_removed"] = removed
    result["findings"] = findings
    result["unknown"] = unknown
    if findings:
        result["status"] = "findings"
    elif any(flags[name] == UNKNOWN for name in ("mfa_enabled", "access_keys_present", "signing_certificates_present")):
        result["status"] = UNKNOWN
    else:
        result["status"] = "ok"
    return result


def describe(root_credentials):
    """One short cell for report.md."""
    if not root_credentials:
        return "not checked"
    if root_credentials["status"] == UNKNOWN:
        return "UNKNOWN"
    if root_credentials["findings"]:
        return "; ".join(root_credentials["findings"])
    if root_credentials.get("credentials_removed"):
        return "no root credentials (centralized root access)"
    return "MFA, no access key"


class RootCredentialsReader(ResourceManager):
    """Reads the root user's credential posture; nothing here writes.

    ``read()`` costs one ``iam:GetAccountSummary``; ``read_organization_features()``, asked
    only of the management account, one ``iam:ListOrganizationsFeatures``.
    """

    def read(self):
        try:
            summary = self.client("iam").get_account_summary(aws_retry=True)["SummaryMap"]
        except (BotoCoreError, ClientError) as exc:
            return {"summary": None, "error": "%s (%s)" % (error_code(exc) or type(exc).__name__, exc)}
        return {"summary": dict((key, summary.get(key)) for key in SUMMARY_KEYS.values() if key in summary)}

    def read_organization_features(self):
        """``{"organization_id", "enabled_features"}``, ``{"organization_id": None, "enabled_features": [],
        "reason"}`` when the organization cannot have the features on, or ``{"enabled_features": None, "error"}``.

        One attempt, not retried: an endpoint that does not implement the call (the emulator
        answers HTTP 500 with an HTML page) would otherwise cost the whole retry budget, and
        the answer is ``unknown`` either way.
        """
        try:
            response = self.clients("iam", self.region, attempts=1).list_organizations_features(aws_retry=False)
        except (BotoCoreError, ClientError, ResponseParserError) as exc:
            code = error_code(exc) or type(exc).__name__
            off = [why for name, why in FEATURES_OFF_CODES.items() if _bare(name) == _bare(code)]
            if off:
                return {"organization_id": None, "enabled_features": [], "reason": "iam:ListOrganizationsFeatures: %s (%s)" % (off[0], code)}
            answerable = _bare(code) not in [_bare(name) for name in NOT_ANSWERABLE_CODES]
            why = "the call failed" if answerable else "not the management account or a delegated administrator"
            return {"enabled_features": None, "error": "iam:ListOrganizationsFeatures: %s (%s)" % (why, code)}
        return {"organization_id": response.get("OrganizationId"), "enabled_features": list(response.get("EnabledFeatures") or [])}


def _bare(code):
    """An error code without "Exception": botocore's model names these errors ``ServiceAccessNotEnabledException``
    and so on, the IAM API reference ``ServiceAccessNotEnabled``; either spelling is the same error."""
    return code[:-len("Exception")] if code.endswith("Exception") else code
