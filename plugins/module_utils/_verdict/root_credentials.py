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

When root was last used comes from the IAM credential report (IAM user guide, "Getting credential
reports for your AWS account"): its ``<root_account>`` row has ``password_last_used`` and each access
key's ``access_key_N_last_used_date``; ``N/A`` means never used (or no such credential) and
``no_information`` that IAM has no record (it tracks password use since October 2014). IAM keeps one
report per account and generates a new one at most every four hours: ``GenerateCredentialReport``
answers ``COMPLETE`` while the last report is younger than that, ``STARTED`` or ``INPROGRESS`` while a new
one is being built (IAM API reference, GenerateCredentialReport, GetCredentialReport).

Pure: :func:`evaluate` turns what was read into the report's ``root_credentials`` object, and
:func:`last_used` the credential report into ``root_last_used``.
Edge: :class:`RootCredentialsReader` reads; a read that fails, or a key the endpoint does not
return, is ``unknown``, never a guess.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import datetime
import io

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.parsers import ResponseParserError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing botocore
    BotoCoreError = ClientError = ResponseParserError = Exception

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager

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


# The credential report: its root row, the columns read, and how old a report may be.
ROOT_ROW = "<root_account>"
ACCESS_KEY_NUMBERS = (1, 2)
NEVER = ("N/A",)
NO_INFORMATION = "no_information"
REPORT_MAX_AGE = datetime.timedelta(hours=4)
REPORT_READY = "COMPLETE"
# GetCredentialReport while a report is being generated (botocore's model: CredentialReportNotReadyException).
REPORT_NOT_READY_CODES = ("ReportInProgress", "CredentialReportNotReadyException")
GENERATING = "generating"
READ = "read"
# Root used this recently counts in the report's summary line.
RECENT_DAYS = 90


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


def _unread_cell(checked, unread_statuses):
    """The report.md cell of a check that has no answer to show: not run, or a status of ``unread_statuses``;
    None when there is an answer."""
    if not checked:
        return "not checked"
    return unread_statuses.get(checked["status"])


def describe(root_credentials):
    """One short cell for report.md."""
    unread = _unread_cell(root_credentials, {UNKNOWN: "UNKNOWN"})
    if unread:
        return unread
    if root_credentials["findings"]:
        return "; ".join(root_credentials["findings"])
    if root_credentials.get("credentials_removed"):
        return "no root credentials (centralized root access)"
    return "MFA, no access key"


def _timestamp(text):
    """A credential report time (ISO 8601 with an offset, e.g. ``2026-11-20T10:15:00+00:00``) as an aware
    datetime; None for ``N/A``, ``no_information`` or anything else that is not a time."""
    if not text or text in NEVER or text == NO_INFORMATION:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _use(text):
    """One ``*_last_used`` cell: ``{"last_used": ISO time or None, "recorded": bool}``; ``recorded`` is False
    for ``no_information`` (IAM keeps no record), which is not the same as never used."""
    when = _timestamp(text)
    return {"last_used": when.isoformat() if when else None, "recorded": text != NO_INFORMATION}


def root_row(content):
    """The ``<root_account>`` row of a credential report (CSV text or bytes) as a dict, or None."""
    if isinstance(content, bytes):
        content = content.decode("utf-8")
    for row in csv.DictReader(io.StringIO(content or "")):
        if row.get("user") == ROOT_ROW:
            return row
    return None


def last_used(read, now, recent_days=RECENT_DAYS):
    """The report's ``root_last_used`` object from what :meth:`RootCredentialsReader.read_last_used` returned.

    ``{"status": "read"|"generating"|"unknown", "last_used", "password_last_used", "access_keys",
    "report_generated_at", "used_recently", "notes", "unknown"}``. ``last_used`` is the latest of the
    password's and the access keys' last use (None: never, as far as IAM records). A finding beside the
    verdict: it never changes whether the account alerts. ``now``: an aware datetime.
    """
    result = {"status": UNKNOWN, "last_used": None, "password_last_used": None, "access_keys": [],
              "report_generated_at": None, "used_recently": None, "notes": [], "unknown": []}
    if not read:
        result["unknown"].append("the credential report was not read")
        return result
    if read.get("error"):
        result["unknown"].append(read["error"])
        return result
    if read.get("state") != REPORT_READY:
        result["status"] = GENERATING
        result["notes"].append("IAM is generating the credential report (%s); the next run reads it" % read.get("state"))
        return result
    generated = read.get("generated_at")
    if generated is not None:
        result["report_generated_at"] = generated.isoformat()
        if now - generated > REPORT_MAX_AGE:
            result["notes"].append("the credential report is from %s, more than 4 hours old: uses since then are not in it"
                                   % generated.isoformat())
    row = root_row(read.get("content"))
    if row is None:
        result["unknown"].append("the credential report has no %s row" % ROOT_ROW)
        return result
    password = _use(row.get("password_last_used"))
    result["password_last_used"] = password["last_used"]
    uses = [password["last_used"]]
    if not password["recorded"]:
        result["notes"].append("IAM has no record of the root password's use (no_information)")
    for number in ACCESS_KEY_NUMBERS:
        prefix = "access_key_%d_" % number
        if row.get(prefix + "active") != "true" and _timestamp(row.get(prefix + "last_used_date")) is None:
            continue
        key = _use(row.get(prefix + "last_used_date"))
        result["access_keys"].append({
            "number": number,
            "active": row.get(prefix + "active") == "true",
            "last_used": key["last_used"],
            "last_used_service": None if row.get(prefix + "last_used_service") in NEVER else row.get(prefix + "last_used_service"),
            "last_used_region": None if row.get(prefix + "last_used_region") in NEVER else row.get(prefix + "last_used_region"),
        })
        uses.append(key["last_used"])
    known = [datetime.datetime.fromisoformat(use) for use in uses if use]
    latest = max(known) if known else None
    result["last_used"] = latest.isoformat() if latest else None
    result["used_recently"] = bool(latest and now - latest <= datetime.timedelta(days=recent_days))
    result["status"] = READ
    return result


def describe_last_used(root_last_used):
    """One short cell for report.md."""
    unread = _unread_cell(root_last_used, {GENERATING: "report being generated"})
    if unread:
        return unread
    if root_last_used["status"] != READ:
        return "UNKNOWN"
    if not root_last_used["last_used"]:
        return "never"
    return root_last_used["last_used"][:10]


class RootCredentialsReader(ResourceManager):
    """Reads the root user's credential posture; nothing here writes.

    ``read()`` costs one ``iam:GetAccountSummary``; ``read_organization_features()``, asked
    only of the management account, one ``iam:ListOrganizationsFeatures``.
    """

    def read(self):
        try:
            summary = self.client("iam").get_account_summary(aws_retry=True)["SummaryMap"]
        except (BotoCoreError, ClientError) as exc:
            return {"summary": None, "error": _failed_read(None, exc)}
        return {"summary": dict((key, summary.get(key)) for key in SUMMARY_KEYS.values() if key in summary)}

    def start_credential_report(self):
        """``iam:GenerateCredentialReport``: ``{"state"}`` (``COMPLETE`` when a report younger than four hours
        exists, ``STARTED`` or ``INPROGRESS`` while IAM builds one) or ``{"error"}``. The stack asks it before its
        other reads and :meth:`read_credential_report` after them, so that IAM builds the report meanwhile, with no
        wait. It writes no resource: IAM builds the account's report (a Read in the Service Authorization Reference).
        """
        try:
            return {"state": self.client("iam").generate_credential_report(aws_retry=True).get("State")}
        except (BotoCoreError, ClientError) as exc:
            return {"error": _failed_read("iam:GenerateCredentialReport", exc)}

    def read_credential_report(self, started):
        """One ``iam:GetCredentialReport`` after :meth:`start_credential_report` (no request when that failed):
        ``{"state": "COMPLETE", "content", "generated_at"}``, ``{"state": "INPROGRESS"}`` when the report is still
        being built (the next run reads it), or ``{"error"}``. Two requests in all."""
        if started.get("error"):
            return started
        try:
            response = self.client("iam").get_credential_report(aws_retry=True)
        except (BotoCoreError, ClientError) as exc:
            if _code(exc) in REPORT_NOT_READY_CODES:
                return {"state": "INPROGRESS" if started.get("state") == REPORT_READY else started.get("state")}
            return {"error": _failed_read("iam:GetCredentialReport", exc)}
        generated = response.get("GeneratedTime")
        if isinstance(generated, datetime.datetime) and generated.tzinfo is None:
            generated = generated.replace(tzinfo=datetime.timezone.utc)
        return {"state": REPORT_READY, "content": response.get("Content"), "generated_at": generated}

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
            code = _code(exc)
            off = [why for name, why in FEATURES_OFF_CODES.items() if _bare(name) == _bare(code)]
            if off:
                return {"organization_id": None, "enabled_features": [], "reason": "iam:ListOrganizationsFeatures: %s (%s)" % (off[0], code)}
            answerable = _bare(code) not in [_bare(name) for name in NOT_ANSWERABLE_CODES]
            why = "the call failed" if answerable else "not the management account or a delegated administrator"
            return {"enabled_features": None, "error": "iam:ListOrganizationsFeatures: %s (%s)" % (why, code)}
        return {"organization_id": response.get("OrganizationId"), "enabled_features": list(response.get("EnabledFeatures") or [])}


def _code(exc):
    """The AWS error code, or the error's class when AWS gave none (a connection error)."""
    return error_code(exc) or type(exc).__name__


def _failed_read(what, exc):
    """How the verdict names a read that failed: ``what: CODE (AWS's message)``."""
    text = "%s (%s)" % (_code(exc), exc)
    return "%s: %s" % (what, text) if what else text


def _bare(code):
    """An error code without "Exception": botocore's model names these errors ``ServiceAccessNotEnabledException``
    and so on, the IAM API reference ``ServiceAccessNotEnabled``; either spelling is the same error."""
    return code[:-len("Exception")] if code.endswith("Exception") else code
