# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The readable root sign-in alert: pattern, input transformer, rendering (its sample events: ``samples``).

Pure functions. ``render`` evaluates an input transformer the way EventBridge
does for the simple JSONPaths used here, so the email text can be shown before
anything exists (check mode included).

Who wrote what. Sources beginning with ``aws.`` are reserved for AWS services:
"Customer-generated events can have any value here, as long as it doesn't begin
with aws." (EventBridge user guide, event structure, field ``source``). So the
pattern pins ``source``; without it a custom event that copies the detail-type
and ``userIdentity`` matches. The envelope's ``account`` and ``region`` are set by EventBridge (PutEventsRequestEntry
has no such fields); everything under ``detail`` is what the sender wrote, and
some of it (``userAgent``, ``requestParameters``) is chosen by whoever made the
call or sign-in attempt, even in a genuine CloudTrail record.

The message. An input transformer puts a value inside a JSON string of the
template as its text; of its predefined event variables AWS's user guide says
they "can only be used as a value for a JSON field, as it's contents are not
escaped" ("Amazon EventBridge input transformation"). This module assumes the worst
for every value: a quote in a value placed inside a string ends that string,
and the value then writes the rest of the message, or makes it invalid JSON.
Placed outside a string, a value goes in as its own JSON (a string stays one
quoted, escaped JSON string), and a path missing from the event as ``""``
(answers recorded against AWS in LocalStack's snapshot tests,
tests/aws/services/events/test_events_inputs.snapshot.json). Hence the
templates here are JSON objects: only ``$.account`` and ``$.region``
(:data:`ENVELOPE_PATHS`) appear inside strings;
every ``detail`` field is a JSON value of its own key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import PLACEHOLDER_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import template_segments

# AWS Sign-In events, as EventBridge delivers them: "source: aws.signin" (EventBridge
# events reference, "AWS Sign-In events"; https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-signin.html).
SIGN_IN_SOURCE = "aws.signin"
CONSOLE_SIGN_IN = "AWS Console Sign In via CloudTrail"

ROOT_SIGN_IN_PATTERN = {
    "source": [SIGN_IN_SOURCE],
    "detail-type": [CONSOLE_SIGN_IN],
    "detail": {"userIdentity": {"type": ["Root"]}},
}

# Fields EventBridge sets itself, the only ones a template may put inside a JSON string.
ENVELOPE_PATHS = ("$.account", "$.region")

INPUT_PATHS = {
    "account": "$.account",
    "region": "$.region",
    "time": "$.detail.eventTime",
    "ip": "$.detail.sourceIPAddress",
    "mfa": "$.detail.additionalEventData.MFAUsed",
    "result": "$.detail.responseElements.ConsoleLogin",
    "agent": "$.detail.userAgent",
    "eventid": "$.detail.eventID",
}


def history_link():
    """The region's CloudTrail event history (the event ID is a field of its own: it is not ours to put in a string)."""
    return "https://<region>.console.aws.amazon.com/cloudtrailv2/home?region=<region>#/events"


def json_template(alert, fields):
    """A JSON object template: ``alert`` (text with envelope placeholders only), then one line per
    ``(key, placeholder)`` of ``fields`` with the placeholder outside any string, then the history link."""
    lines = ['  "alert": "%s",' % alert]
    lines.extend('  "%s": <%s>,' % (key, name) for key, name in fields)
    lines.append('  "event_history": "%s"' % history_link())
    return "{\n%s\n}" % "\n".join(lines)


# A JSON object: SNS sends its text as the email body.
INPUT_TEMPLATE = json_template(
    "Root user console sign-in to AWS account <account> (recorded in <region>). The other fields are copied from "
    "the CloudTrail record.",
    [("result", "result"), ("mfa_used", "mfa"), ("time", "time"), ("source_ip", "ip"), ("user_agent", "agent"),
     ("event_id", "eventid")],
)

_MISSING = object()


def _lookup(event, path):
    value = event
    for part in path[2:].split(".") if path != "$" else []:
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def json_path(event, path):
    """Value at a simple JSONPath (``$.a.b``); None when missing."""
    value = _lookup(event, path)
    return None if value is _MISSING else value


def quoted_sender_fields(template, paths_map):
    """The placeholders of ``template`` inside a JSON string whose path is not one EventBridge sets
    (:data:`ENVELOPE_PATHS`): the values a sender could use to write the message. Empty for ours."""
    found = []
    for run, in_string in template_segments(template):
        if in_string:
            found.extend(name for name in PLACEHOLDER_RE.findall(run)
                         if name in (paths_map or {}) and paths_map[name] not in ENVELOPE_PATHS and name not in found)
    return found


def render(template, paths_map, event):
    """The text EventBridge would send for ``event``, assuming nothing is escaped.

    Inside a JSON string a placeholder becomes its value's raw text, so a quote
    in it ends the string; outside a string it becomes the value's JSON. A path
    missing from the event gives an empty string (``""`` outside a string). A
    string template is returned decoded, as SNS shows it in the email; any other
    text as it is.
    """
    values = dict((name, _lookup(event, path)) for name, path in (paths_map or {}).items())

    def substitute(match, in_string):
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        if value is _MISSING:
            return "" if in_string else '""'
        if in_string:
            return value if isinstance(value, str) else json.dumps(value)
        return json.dumps(value)

    out = [PLACEHOLDER_RE.sub(lambda m: substitute(m, in_string), run) for run, in_string in template_segments(template)]
    text = "".join(out)
    try:
        decoded = json.loads(text)
    except ValueError:
        return text
    return decoded if isinstance(decoded, str) else text
