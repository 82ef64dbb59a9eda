# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When root was last used: the IAM credential report, read in at most two requests.

The emulator's report has no ``<root_account>`` row and a fixed 2015 GeneratedTime, so the states here
are botocore Stubber answers shaped like the IAM API reference (GenerateCredentialReport: State
STARTED | INPROGRESS | COMPLETE; GetCredentialReport: Content, ReportFormat text/csv, GeneratedTime;
errors ReportNotPresent, ReportExpired, ReportInProgress) and reports laid out as the IAM user guide's
"Getting credential reports for your AWS account" describes (the columns in that order, N/A for never,
no_information for no record).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import root_credentials as rc
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.root_credentials import RootCredentialsReader

from aws_stubs import Stubs  # pylint: disable=import-error

ACCOUNT = "111111111111"
NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.timezone.utc)
GENERATED = datetime.datetime(2026, 12, 3, 11, 0, tzinfo=datetime.timezone.utc)
HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
          "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
          "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
          "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
          "cert_2_last_rotated\n")
ROOT_SIGNED_IN = ("<root_account>,arn:aws:iam::111111111111:root,2019-03-01T09:00:00+00:00,not_supported,"
                  "2026-11-20T10:15:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
                  "false,N/A,false,N/A\n")
ROOT_KEY_USED = ("<root_account>,arn:aws:iam::111111111111:root,2019-03-01T09:00:00+00:00,not_supported,"
                 "2025-01-05T08:00:00+00:00,not_supported,not_supported,false,true,2020-02-02T00:00:00+00:00,"
                 "2026-12-01T23:59:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")
ROOT_NEVER = ("<root_account>,arn:aws:iam::111111111111:root,2019-03-01T09:00:00+00:00,not_supported,"
              "no_information,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
              "false,N/A,false,N/A\n")
USER = ("alice,arn:aws:iam::111111111111:user/alice,2020-01-01T00:00:00+00:00,true,2026-12-03T11:30:00+00:00,"
        "2020-01-01T00:00:00+00:00,N/A,true,true,2020-01-01T00:00:00+00:00,2026-12-03T11:00:00+00:00,us-east-1,iam,"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")


def ready(content, generated=GENERATED):
    return {"state": "COMPLETE", "content": content.encode("utf-8"), "generated_at": generated}


def test_a_recent_console_sign_in_is_the_last_use():
    used = rc.last_used(ready(HEADER + ROOT_SIGNED_IN + USER), NOW)
    assert used["status"] == "read"
    assert used["last_used"] == "2026-11-20T10:15:00+00:00" == used["password_last_used"]
    assert used["access_keys"] == [] and used["used_recently"] is True and used["notes"] == []
    assert used["report_generated_at"] == "2026-12-03T11:00:00+00:00"


def test_an_access_key_used_after_the_password_is_the_last_use():
    used = rc.last_used(ready(HEADER + USER + ROOT_KEY_USED), NOW)
    assert used["last_used"] == "2026-12-01T23:59:00+00:00"
    assert used["password_last_used"] == "2025-01-05T08:00:00+00:00"
    assert used["access_keys"] == [{"number": 1, "active": True, "last_used": "2026-12-01T23:59:00+00:00",
                                    "last_used_service": "s3", "last_used_region": "eu-west-1"}]


def test_an_iam_user_is_never_taken_for_root():
    """alice signed in an hour ago; root has no record of use."""
    used = rc.last_used(ready(HEADER + USER + ROOT_NEVER), NOW)
    assert used["status"] == "read" and used["last_used"] is None and used["used_recently"] is False
    assert used["notes"] == ["IAM has no record of the root password's use (no_information)"]


def test_use_older_than_90_days_is_not_recent():
    used = rc.last_used(ready(HEADER + ROOT_SIGNED_IN), datetime.datetime(2027, 3, 1, tzinfo=datetime.timezone.utc))
    assert used["used_recently"] is False and used["last_used"] == "2026-11-20T10:15:00+00:00"


def test_a_report_older_than_four_hours_is_said_so():
    old = datetime.datetime(2026, 12, 3, 6, 0, tzinfo=datetime.timezone.utc)
    used = rc.last_used(ready(HEADER + ROOT_SIGNED_IN, generated=old), NOW)
    assert used["status"] == "read"
    assert used["notes"] == ["the credential report is from 2026-12-03T06:00:00+00:00, more than 4 hours old: "
                             "uses since then are not in it"]


def test_a_report_without_a_root_row_is_unknown():
    used = rc.last_used(ready(HEADER + USER), NOW)
    assert used["status"] == "unknown" and used["unknown"] == ["the credential report has no <root_account> row"]
    assert rc.describe_last_used(used) == "UNKNOWN"


@pytest.mark.parametrize("read, status, cell", [
    ({"state": "STARTED"}, "generating", "report being generated"),
    ({"error": "iam:GenerateCredentialReport: AccessDenied (denied)"}, "unknown", "UNKNOWN"),
    (None, "unknown", "UNKNOWN"),
])
def test_a_report_not_read_is_never_a_guess(read, status, cell):
    used = rc.last_used(read, NOW)
    assert used["status"] == status and used["last_used"] is None and used["used_recently"] is None
    assert rc.describe_last_used(used) == cell


def test_cells():
    assert rc.describe_last_used(rc.last_used(ready(HEADER + ROOT_SIGNED_IN), NOW)) == "2026-11-20"
    assert rc.describe_last_used(rc.last_used(ready(HEADER + ROOT_NEVER), NOW)) == "never"
    assert rc.describe_last_used(None) == "not checked"


def reader(stubs):
    return RootCredentialsReader(stubs.factory, "us-east-1", account_id=ACCOUNT)


def read_report(stubs):
    managed = reader(stubs)
    return managed.read_credential_report(managed.start_credential_report())


def test_a_report_younger_than_four_hours_costs_two_requests():
    stubs = Stubs()
    iam = stubs.stub("iam")
    iam.add_response("generate_credential_report", {"State": "COMPLETE"}, {})
    iam.add_response("get_credential_report", {"Content": (HEADER + ROOT_SIGNED_IN).encode("utf-8"),
                                               "ReportFormat": "text/csv", "GeneratedTime": GENERATED}, {})
    read = read_report(stubs)
    stubs.assert_done()
    assert read["state"] == "COMPLETE" and read["generated_at"] == GENERATED
    assert rc.last_used(read, NOW)["last_used"] == "2026-11-20T10:15:00+00:00"


def test_a_report_started_by_this_run_and_ready_by_its_end_is_read():
    """The stack starts the report before its other reads and reads it after them."""
    stubs = Stubs()
    iam = stubs.stub("iam")
    iam.add_response("generate_credential_report",
                     {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}, {})
    iam.add_response("get_credential_report", {"Content": (HEADER + ROOT_NEVER).encode("utf-8"),
                                               "ReportFormat": "text/csv", "GeneratedTime": GENERATED}, {})
    read = read_report(stubs)
    stubs.assert_done()
    assert read["state"] == "COMPLETE"


@pytest.mark.parametrize("state", ["STARTED", "INPROGRESS"])
def test_a_report_still_in_progress_is_read_next_run(state):
    stubs = Stubs()
    iam = stubs.stub("iam")
    iam.add_response("generate_credential_report", {"State": state}, {})
    iam.add_client_error("get_credential_report", "ReportInProgress", http_status_code=404)
    read = read_report(stubs)
    stubs.assert_done()
    assert read == {"state": state}
    assert rc.last_used(read, NOW)["status"] == "generating"


@pytest.mark.parametrize("code", ["ReportNotPresent", "ReportExpired", "AccessDenied"])
def test_a_failed_get_is_unknown_with_the_code(code):
    stubs = Stubs()
    iam = stubs.stub("iam")
    iam.add_response("generate_credential_report", {"State": "COMPLETE"}, {})
    iam.add_client_error("get_credential_report", code, http_status_code=410)
    read = read_report(stubs)
    stubs.assert_done()
    assert code in read["error"] and read["error"].startswith("iam:GetCredentialReport")
    assert rc.last_used(read, NOW)["status"] == "unknown"


def test_a_denied_generate_costs_one_request():
    stubs = Stubs()
    stubs.stub("iam").add_client_error("generate_credential_report", "AccessDenied", http_status_code=403)
    read = read_report(stubs)
    stubs.assert_done()
    assert read["error"].startswith("iam:GenerateCredentialReport: AccessDenied")


def host_vars(account, last_used_object):
    return {"root_login_alerts_result": {
        "account_id": account, "changes": [],
        "compliance": {"status": "compliant", "paths": [], "problems": [], "unknown": [], "notes": [], "event_source": None},
        "root_last_used": last_used_object}}


def test_the_report_counts_root_used_recently_and_never_changes_the_status():
    from ansible_collections.rootwatch.aws.plugins.plugin_utils import report as compliance
    entries = [
        compliance.account_entry("a", host_vars("111111111111", rc.last_used(ready(HEADER + ROOT_SIGNED_IN), NOW))),
        compliance.account_entry("b", host_vars("222222222222", rc.last_used(ready(HEADER + ROOT_NEVER), NOW))),
        compliance.account_entry("c", host_vars("333333333333", rc.last_used({"state": "STARTED"}, NOW))),
    ]
    assert [e["status"] for e in entries] == ["compliant"] * 3
    report = compliance.build_report(entries, True, "2026-12-03T12:00:00Z")
    assert report["document"]["counts"]["root_used_recently"] == 1
    assert "root used in the last 90 days: 1 account (of 3 checked, 1 not read)" in report["summary_lines"]
    assert "| Root last used |" in report["markdown"]
    assert "| 2026-11-20 |" in report["markdown"] and "| never |" in report["markdown"]
    assert "| report being generated |" in report["markdown"]
