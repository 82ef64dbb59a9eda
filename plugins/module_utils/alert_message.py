# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The readable root sign-in alert: pattern, input transformer, sample events, rendering.

Pure functions. ``render`` evaluates an input transformer the way EventBridge
does for the simple JSONPaths used here, so the email text can be shown before
anything exists (check mode included).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.rootwatch.aws.plugins.module_utils.eventbridge_targets import PLACEHOLDER_RE
from ansible_collections.rootwatch.aws.plugins.module_utils.eventbridge_targets import template_segments

ROOT_SIGN_IN_PATTERN = {
    "detail-type": ["AWS Console Sign In via CloudTrail"],
    "detail": {"userIdentity": {"type": ["Root"]}},
}

INPUT_PATHS = {
    "account": "$.detail.recipientAccountId",
    "time": "$.detail.eventTime",
    "ip": "$.detail.sourceIPAddress",
    "mfa": "$.detail.additionalEventData.MFAUsed",
    "result": "$.detail.responseElements.ConsoleLogin",
    "agent": "$.detail.userAgent",
    "eventid": "$.detail.eventID",
    "region": "$.region",
}

# A JSON string template: SNS sends it as the plain-text email body.
INPUT_TEMPLATE = (
    '"Root user console sign-in to AWS account <account> at <time> from <ip>. '
    "MFA used: <mfa>. Result: <result>. User agent: <agent>. Event ID: <eventid>. "
    "CloudTrail event history: https://<region>.console.aws.amazon.com/cloudtrailv2/home"
    '?region=<region>#/events/<eventid>"'
)

SAMPLE_ROOT_SIGN_IN = {
    "version": "0",
    "id": "6f0c2b1e-0000-4000-8000-000000000001",
    "detail-type": "AWS Console Sign In via CloudTrail",
    "source": "aws.signin",
    "account": "111111111111",
    "time": "2026-11-24T06:35:38Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "Root",
            "principalId": "111111111111",
            "arn": "arn:aws:iam::111111111111:root",
            "accountId": "111111111111",
        },
        "eventTime": "2026-11-24T06:35:38Z",
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        "requestParameters": None,
        "responseElements": {"ConsoleLogin": "Success"},
        "additionalEventData": {
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "No",
        },
        "eventID": "3b7a9f1c-0000-4000-8000-000000000002",
        "readOnly": False,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": True,
        "recipientAccountId": "111111111111",
        "eventCategory": "Management",
    },
}


def sample_events(account_id=None, region="us-east-1"):
    """{name: (event, should_match)}: a root sign-in, a failed one, an IAM user's."""
    success = copy.deepcopy(SAMPLE_ROOT_SIGN_IN)
    if account_id:
        success["account"] = account_id
        success["detail"]["recipientAccountId"] = account_id
        success["detail"]["userIdentity"].update(
            principalId=account_id, accountId=account_id, arn="arn:aws:iam::%s:root" % account_id
        )
    success["region"] = success["detail"]["awsRegion"] = region
    failure = copy.deepcopy(success)
    failure["detail"]["responseElements"] = {"ConsoleLogin": "Failure"}
    failure["detail"]["errorMessage"] = "Failed authentication"
    iam_user = copy.deepcopy(success)
    iam_user["detail"]["userIdentity"] = {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE",
        "arn": "arn:aws:iam::%s:user/alice" % success["account"],
        "accountId": success["account"],
        "userName": "alice",
    }
    return {
        "root_sign_in": (success, True),
        "failed_root_sign_in": (failure, True),
        "iam_user_sign_in": (iam_user, False),
    }


def json_path(event, path):
    """Value at a simple JSONPath (``$.a.b``); None when missing."""
    if path == "$":
        return event
    value = event
    for part in path[2:].split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def render(template, paths_map, event):
    """The text EventBridge would send for ``event``.

    Inside a JSON string a placeholder is replaced by its value's text; outside
    a string by its JSON value, as EventBridge does. A string template is returned
    decoded, as SNS shows it in the email.
    """
    values = dict((name, json_path(event, path)) for name, path in (paths_map or {}).items())

    def substitute(match, in_string):
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        if in_string:
            text = value if isinstance(value, str) else json.dumps(value)
            return json.dumps(text)[1:-1]
        return json.dumps(value)

    out = [PLACEHOLDER_RE.sub(lambda m: substitute(m, in_string), run) for run, in_string in template_segments(template)]
    text = "".join(out)
    try:
        decoded = json.loads(text)
    except ValueError:
        return text
    return decoded if isinstance(decoded, str) else text


def sample_email(region="us-east-1", account_id=None):
    """The alert text for a sample root sign-in, as the email will read."""
    event = sample_events(account_id, region)["root_sign_in"][0]
    return render(INPUT_TEMPLATE, INPUT_PATHS, event)
