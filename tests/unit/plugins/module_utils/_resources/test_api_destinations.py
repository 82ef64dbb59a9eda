# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WebhookManager against botocore Stubber answers shaped like the EventBridge API reference
(DescribeConnection returns only the non-secret auth parameters; CreateConnection answers ARN and state)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import hmac
import json

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources import api_destinations as ad
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import webhook_formats as wf
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError

from aws_stubs import Stubs  # pylint: disable=import-error

ACCOUNT = "111111111111"
REGION = "us-east-1"
NAME = "root-login-alerts-oncall"
SECRET = "GenieKey 0f2b5c1e-aaaa-4bbb-8ccc-0123456789ab"
URL = "https://api.opsgenie.com/v2/alerts"
CONNECTION_ARN = "arn:aws:events:us-east-1:111111111111:connection/root-login-alerts-oncall/0a1b2c3d-0000-4000-8000-000000000001"
DESTINATION_ARN = "arn:aws:events:us-east-1:111111111111:api-destination/root-login-alerts-oncall/0a1b2c3d-0000-4000-8000-000000000002"
NOW = datetime.datetime(2026, 11, 24, 6, 0, 0)
MARKER = "Managed by rootwatch.aws (root_login_alerts_webhooks)."


def fingerprint(value):
    """Written out independently of the code under test (see webhook_formats.secret_fingerprint)."""
    key = ("rootwatch.aws/webhook-secret/v1\n%s\n%s\n%s\n" % (ACCOUNT, REGION, NAME)).encode("utf-8")
    message = json.dumps({"secrets": [value], "type": "api_key"}, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def webhook(value=SECRET, url=URL):
    return wf.validate_webhooks([{"name": "oncall", "url": url, "format": "opsgenie",
                                  "auth": {"type": "api_key", "header": "Authorization", "value": value}}],
                                prefix="root-login-alerts")[0]


def described_connection(value=SECRET, state="AUTHORIZED", description=None, reason=None):
    answer = {
        "ConnectionArn": CONNECTION_ARN,
        "Name": NAME,
        "Description": description if description is not None else "%s secret-hmac-sha256=%s" % (MARKER, fingerprint(value)),
        "ConnectionState": state,
        "AuthorizationType": "API_KEY",
        "SecretArn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:events!connection/root-login-alerts-oncall/0a1b-AbCdEf",
        "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "Authorization"}},
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
        "LastAuthorizedTime": NOW,
    }
    if reason:
        answer["StateReason"] = reason
    return answer


def described_destination(url=URL, description=None):
    return {
        "ApiDestinationArn": DESTINATION_ARN,
        "Name": NAME,
        "Description": description if description is not None else "%s connection=%s" % (MARKER, NAME),
        "ApiDestinationState": "ACTIVE",
        "ConnectionArn": CONNECTION_ARN,
        "InvocationEndpoint": url,
        "HttpMethod": "POST",
        "InvocationRateLimitPerSecond": 300,
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
    }


def not_found(stub, method, what):
    stub.add_client_error(method, service_error_code="ResourceNotFoundException",
                          service_message="%s '%s' does not exist." % (what, NAME), expected_params={"Name": NAME})


def manager(stubs, check_mode=False):
    return ad.WebhookManager(stubs.factory, REGION, check_mode=check_mode, warn=stubs.warn, account_id=ACCOUNT)


def assert_no_secret(result, *secrets):
    text = json.dumps(result, default=str)
    for secret in secrets:
        assert secret not in text


def test_create_makes_a_connection_then_a_destination_and_shows_no_secret():
    stubs = Stubs()
    events = stubs.stub("events")
    not_found(events, "describe_connection", "Connection")
    not_found(events, "describe_api_destination", "An api-destination")
    events.add_response("create_connection", {"ConnectionArn": CONNECTION_ARN, "ConnectionState": "AUTHORIZED",
                                              "CreationTime": NOW, "LastModifiedTime": NOW}, {
        "Name": NAME,
        "Description": "%s secret-hmac-sha256=%s" % (MARKER, fingerprint(SECRET)),
        "AuthorizationType": "API_KEY",
        "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "Authorization", "ApiKeyValue": SECRET}},
    })
    events.add_response("create_api_destination", {"ApiDestinationArn": DESTINATION_ARN, "ApiDestinationState": "ACTIVE",
                                                   "CreationTime": NOW, "LastModifiedTime": NOW}, {
        "Name": NAME,
        "Description": "%s connection=%s" % (MARKER, NAME),
        "ConnectionArn": CONNECTION_ARN,
        "InvocationEndpoint": URL,
        "HttpMethod": "POST",
    })
    result = manager(stubs).ensure({"name": NAME, "webhook": webhook()})
    stubs.assert_done()
    assert result["changed"]
    assert result["changes"] == ["create connection %s (API_KEY)" % NAME,
                                 "create API destination %s -> https://api.opsgenie.com/..." % NAME]
    assert result["connection_arn"] == CONNECTION_ARN and result["api_destination_arn"] == DESTINATION_ARN
    assert result["diff"]["after"]["connection"]["header"] == "Authorization"
    assert_no_secret(result, SECRET, "/v2/alerts", fingerprint(SECRET))


def test_converged_is_two_reads_and_no_write():
    stubs = Stubs()
    events = stubs.stub("events")
    events.add_response("describe_connection", described_connection(), {"Name": NAME})
    events.add_response("describe_api_destination", described_destination(), {"Name": NAME})
    result = manager(stubs).ensure({"name": NAME, "webhook": webhook()})
    stubs.assert_done()  # no write was queued: any write would fail the Stubber
    assert not result["changed"] and result["changes"] == []
    assert result["diff"]["before"] == result["diff"]["after"]
    assert_no_secret(result, SECRET, "/v2/alerts")


def test_known_reads_are_not_repeated():
    stubs = Stubs()
    result = manager(stubs).ensure({"name": NAME, "webhook": webhook()},
                                   known={"connection": described_connection(), "api_destination": described_destination()})
    stubs.assert_done()
    assert not result["changed"]


def test_a_rotated_secret_updates_the_connection_without_showing_either_value():
    rotated = "GenieKey 99999999-aaaa-4bbb-8ccc-0123456789ab"
    stubs = Stubs()
    events = stubs.stub("events")
    events.add_response("describe_connection", described_connection(SECRET), {"Name": NAME})
    events.add_response("describe_api_destination", described_destination(), {"Name": NAME})
    events.add_response("update_connection", {"ConnectionArn": CONNECTION_ARN, "ConnectionState": "AUTHORIZING",
                                              "CreationTime": NOW, "LastModifiedTime": NOW}, {
        "Name": NAME,
        "Description": "%s secret-hmac-sha256=%s" % (MARKER, fingerprint(rotated)),
        "AuthorizationType": "API_KEY",
        "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "Authorization", "ApiKeyValue": rotated}},
    })
    result = manager(stubs).ensure({"name": NAME, "webhook": webhook(rotated)})
    stubs.assert_done()
    assert result["changes"] == ["update connection %s: secret value" % NAME]
    assert result["diff"]["before"]["connection"]["secret"] == "set"
    assert result["diff"]["after"]["connection"]["secret"] == "set (new value)"
    assert_no_secret(result, SECRET, rotated, fingerprint(rotated))


def test_a_deauthorized_connection_is_sent_its_credentials_again_and_check_mode_only_says_so():
    reason = "Received 401 from the endpoint"
    stubs = Stubs()
    events = stubs.stub("events")
    events.add_response("describe_connection", described_connection(state="DEAUTHORIZED", reason=reason), {"Name": NAME})
    events.add_response("describe_api_destination", described_destination(), {"Name": NAME})
    result = manager(stubs, check_mode=True).ensure({"name": NAME, "webhook": webhook()})
    stubs.assert_done()
    assert result["changed"]
    assert result["changes"] == ["update connection %s: re-authorize (was DEAUTHORIZED: %s)" % (NAME, reason)]
    assert result["facts"]["connection"]["state"] == "DEAUTHORIZED"


def test_a_changed_url_updates_the_destination_and_shows_the_host_only():
    new_url = "https://api.eu.opsgenie.com/v2/alerts"
    stubs = Stubs()
    events = stubs.stub("events")
    events.add_response("describe_connection", described_connection(), {"Name": NAME})
    events.add_response("describe_api_destination", described_destination(), {"Name": NAME})
    events.add_response("update_api_destination", {"ApiDestinationArn": DESTINATION_ARN, "ApiDestinationState": "ACTIVE",
                                                   "CreationTime": NOW, "LastModifiedTime": NOW}, {
        "Name": NAME, "Description": "%s connection=%s" % (MARKER, NAME), "ConnectionArn": CONNECTION_ARN,
        "InvocationEndpoint": new_url, "HttpMethod": "POST"})
    result = manager(stubs).ensure({"name": NAME, "webhook": webhook(url=new_url)})
    stubs.assert_done()
    assert result["changes"] == ["update API destination %s: endpoint" % NAME]
    assert result["diff"]["after"]["api_destination"]["endpoint"] == "https://api.eu.opsgenie.com/... (changed)"
    assert_no_secret(result, "/v2/alerts")


def test_check_mode_create_writes_nothing():
    stubs = Stubs()
    events = stubs.stub("events")
    not_found(events, "describe_connection", "Connection")
    not_found(events, "describe_api_destination", "An api-destination")
    result = manager(stubs, check_mode=True).ensure({"name": NAME, "webhook": webhook()})
    stubs.assert_done()
    assert result["changed"] and len(result["changes"]) == 2
    assert result["connection_arn"] is None and result["api_destination_arn"] is None


@pytest.mark.parametrize("foreign", ["connection", "api_destination"])
def test_a_same_named_resource_of_someone_else_is_left_alone(foreign):
    stubs = Stubs()
    events = stubs.stub("events")
    connection = described_connection(description="Our team's PagerDuty" if foreign == "connection" else None)
    destination = described_destination(description="" if foreign == "api_destination" else None)
    events.add_response("describe_connection", connection, {"Name": NAME})
    events.add_response("describe_api_destination", destination, {"Name": NAME})
    with pytest.raises(ForeignResourceError, match="not created by rootwatch.aws"):
        manager(stubs).ensure({"name": NAME, "webhook": webhook()})
    stubs.assert_done()


def test_absent_deletes_ours_destination_first():
    stubs = Stubs()
    events = stubs.stub("events")
    events.add_response("describe_connection", described_connection(), {"Name": NAME})
    events.add_response("describe_api_destination", described_destination(), {"Name": NAME})
    events.add_response("delete_api_destination", {}, {"Name": NAME})
    events.add_response("delete_connection", {"ConnectionArn": CONNECTION_ARN, "ConnectionState": "DELETING",
                                              "CreationTime": NOW, "LastModifiedTime": NOW}, {"Name": NAME})
    result = manager(stubs).ensure({"name": NAME, "state": "absent"})
    stubs.assert_done()
    assert result["changes"] == ["delete API destination %s" % NAME, "delete connection %s" % NAME]
    assert result["diff"]["after"] == {"connection": {}, "api_destination": {}}


def test_absent_leaves_a_foreign_connection_and_warns():
    stubs = Stubs()
    events = stubs.stub("events")
    events.add_response("describe_connection", described_connection(description="someone else's"), {"Name": NAME})
    not_found(events, "describe_api_destination", "An api-destination")
    result = manager(stubs).ensure({"name": NAME, "state": "absent"})
    stubs.assert_done()
    assert not result["changed"] and result["kept_because"] == ["connection %s was not created by rootwatch.aws" % NAME]
    assert stubs.warnings and "left as it is" in stubs.warnings[0]


def test_absent_when_nothing_exists_is_a_no_op():
    stubs = Stubs()
    events = stubs.stub("events")
    not_found(events, "describe_connection", "Connection")
    not_found(events, "describe_api_destination", "An api-destination")
    result = manager(stubs).ensure({"name": NAME, "state": "absent"})
    stubs.assert_done()
    assert not result["changed"]


def test_bad_name_is_refused_before_any_call():
    stubs = Stubs()
    with pytest.raises(ValueError, match="name must be"):
        manager(stubs).ensure({"name": "bad name", "webhook": webhook()})
    stubs.assert_done()


# -- read and the pure verdict ------------------------------------------------------------
def test_read_and_verdict_of_a_working_path():
    stubs = Stubs()
    events = stubs.stub("events")
    events.add_response("describe_connection", described_connection(), {"Name": NAME})
    events.add_response("describe_api_destination", described_destination(), {"Name": NAME})
    read = manager(stubs).read(NAME)
    stubs.assert_done()
    assert read["connection"]["state"] == "AUTHORIZED" and read["connection"]["owned"]
    assert read["api_destination"]["endpoint"] == "https://api.opsgenie.com/..." and read["api_destination"]["http_method"] == "POST"
    assert ad.webhook_path_problems(read) == ("ok", [])
    assert_no_secret(read, "/v2/alerts")


def test_verdict_reports_a_deauthorized_connection_with_its_reason():
    read = {"name": NAME,
            "connection": {"exists": True, "owned": True, "arn": CONNECTION_ARN, "state": "DEAUTHORIZED", "state_reason": "401"},
            "api_destination": {"exists": True, "owned": True, "state": "ACTIVE", "connection_arn": CONNECTION_ARN}}
    assert ad.webhook_path_problems(read) == ("broken", ["connection %s is DEAUTHORIZED: 401" % NAME])


def test_verdict_pending_and_missing():
    authorizing = {"name": NAME,
                   "connection": {"exists": True, "owned": True, "arn": CONNECTION_ARN, "state": "AUTHORIZING"},
                   "api_destination": {"exists": True, "owned": True, "state": "ACTIVE", "connection_arn": CONNECTION_ARN}}
    assert ad.webhook_path_problems(authorizing)[0] == "pending"
    missing = {"name": NAME, "connection": {"exists": False}, "api_destination": {"exists": False}}
    assert ad.webhook_path_problems(missing) == ("broken", ["connection %s does not exist" % NAME,
                                                            "API destination %s does not exist" % NAME])
    elsewhere = dict(authorizing, connection=dict(authorizing["connection"], state="AUTHORIZED"),
                     api_destination=dict(authorizing["api_destination"], connection_arn=CONNECTION_ARN + "x"))
    assert ad.webhook_path_problems(elsewhere) == ("broken", ["API destination %s does not use connection %s" % (NAME, NAME)])


def test_oauth_view_compares_without_the_secret():
    auth = wf.validate_webhooks([{"name": "o", "url": URL, "format": "raw", "auth": {
        "type": "oauth", "client_id": "cid", "client_secret": "topsecret", "authorization_endpoint": "https://idp.example.com/token",
        "body_parameters": {"grant_type": "client_credentials"}}}])[0]["auth"]
    auth_type, params = ad.auth_parameters(auth)
    assert auth_type == "OAUTH_CLIENT_CREDENTIALS"
    assert params["OAuthParameters"]["ClientParameters"] == {"ClientID": "cid", "ClientSecret": "topsecret"}
    view = ad.public_auth_view(auth_type, params)
    assert "topsecret" not in json.dumps(view)
    assert view == {"authorization_type": auth_type, "client_id": "cid", "authorization_endpoint": "https://idp.example.com/...",
                    "http_method": "POST", "body_parameters": {"grant_type": "client_credentials"},
                    "header_parameters": {}, "query_string_parameters": {}}
