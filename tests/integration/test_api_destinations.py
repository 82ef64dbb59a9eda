# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WebhookManager against the emulator's EventBridge connections and API destinations.

moto models both (create, describe, update, delete). Where it differs from AWS:
- DescribeConnection sends back the secret values it was given (ApiKeyValue, Password); AWS returns only
  ApiKeyName / Username / ClientID (ConnectionAuthResponseParameters). botocore drops the fields that
  response shape lacks, and the manager reads only the fields AWS returns: nothing secret reaches its result.
- Every connection is AUTHORIZED at once; AWS goes through AUTHORIZING and may fall to DEAUTHORIZED
  (the Stubber unit tests cover those states).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

from playbook_runner import ROOT  # pylint: disable=import-error

if os.path.join(ROOT, ".collections") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, ".collections"))  # the checkout as ansible_collections.rootwatch.aws
# pylint: disable=wrong-import-position
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper  # noqa: E402

from ansible_collections.rootwatch.aws.plugins.module_utils._resources import api_destinations as ad  # noqa: E402
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import webhook_formats as wf  # noqa: E402
from ansible_collections.rootwatch.aws.plugins.module_utils._core.clients import retry_decorator  # noqa: E402
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError

ACCOUNT = "123456789012"  # moto's default account for the base credentials
REGION = "us-east-1"
SECRET = "GenieKey 0f2b5c1e-aaaa-4bbb-8ccc-0123456789ab"
URL = "https://api.opsgenie.com/v2/alerts"


def _manager(emulator, check_mode=False, warnings=None):
    cache = {}

    def clients(service, region=None):
        key = (service, region or REGION)
        if key not in cache:
            cache[key] = RetryingBotoClientWrapper(emulator.client(service, region=key[1]), retry_decorator())
        return cache[key]

    return ad.WebhookManager(clients, REGION, check_mode=check_mode, warn=None if warnings is None else warnings.append, account_id=ACCOUNT)


def _webhook(value=SECRET):
    return wf.validate_webhooks([{"name": "oncall", "url": URL, "format": "opsgenie",
                                  "auth": {"type": "api_key", "value": value}}], prefix="root-login-alerts")[0]


def _writes(emulator):
    return [request.action for request in emulator.write_requests() if request.service == "events"]


def test_apply_no_op_rotate_and_absent(emulator):
    name = "root-login-alerts-oncall"
    created = _manager(emulator).ensure({"name": name, "webhook": _webhook()})
    assert created["changed"] and _writes(emulator) == ["CreateConnection", "CreateApiDestination"]
    events = emulator.client("events")
    destination = events.describe_api_destination(Name=name)
    assert destination["ConnectionArn"] == created["connection_arn"] and destination["InvocationEndpoint"] == URL
    assert events.describe_connection(Name=name)["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "Authorization"}

    emulator.clear_recording()
    again = _manager(emulator).ensure({"name": name, "webhook": _webhook()})
    assert not again["changed"] and _writes(emulator) == []
    assert len([r for r in emulator.requests() if r.service == "events"]) == 2
    read = _manager(emulator).read(name)
    assert ad.webhook_path_problems(read) == ("ok", [])
    for result in (created, again, read):
        text = json.dumps(result, default=str)
        assert SECRET not in text and "/v2/alerts" not in text

    emulator.clear_recording()
    rotated = _manager(emulator).ensure({"name": name, "webhook": _webhook("GenieKey rotated-0000")})
    assert rotated["changes"] == ["update connection %s: secret value" % name]
    assert _writes(emulator) == ["UpdateConnection"]
    emulator.clear_recording()
    assert not _manager(emulator).ensure({"name": name, "webhook": _webhook("GenieKey rotated-0000")})["changed"]

    emulator.clear_recording()
    check = _manager(emulator, check_mode=True).ensure({"name": name, "state": "absent"})
    assert check["changed"] and _writes(emulator) == []
    gone = _manager(emulator).ensure({"name": name, "state": "absent"})
    assert gone["changes"] == ["delete API destination %s" % name, "delete connection %s" % name]
    assert events.list_connections()["Connections"] == [] and events.list_api_destinations()["ApiDestinations"] == []


def test_a_foreign_connection_is_left_alone(emulator):
    name = "root-login-alerts-oncall"
    events = emulator.client("events")
    events.create_connection(Name=name, Description="the on-call team's own", AuthorizationType="API_KEY",
                             AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "Authorization", "ApiKeyValue": "theirs"}})
    emulator.clear_recording()
    try:
        _manager(emulator).ensure({"name": name, "webhook": _webhook()})
        raise AssertionError("a foreign connection was accepted")
    except ForeignResourceError as exc:
        assert "not created by rootwatch.aws" in str(exc)
    warnings = []
    kept = _manager(emulator, warnings=warnings).ensure({"name": name, "state": "absent"})
    assert not kept["changed"] and warnings
    assert _writes(emulator) == []
    assert events.describe_connection(Name=name)["Description"] == "the on-call team's own"
