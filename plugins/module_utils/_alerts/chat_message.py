# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chat alert: an EventBridge InputTransformer whose output is a custom notification of
AWS Chatbot (Amazon Q Developer in chat applications). Pure functions, no I/O.

The format ("Custom notifications using Amazon Q Developer in chat applications", admin guide,
https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html): an object with
``version`` ("Must be 1.0", required), ``source`` ("Must be custom", required), optional ``id``,
``content`` (``textType``: "Only client-markdown textType is currently supported"; ``title``;
``description``, the one required content field; optional ``nextSteps`` and ``keywords`` lists)
and optional ``metadata`` (``threadId``, ``summary``, ``eventType``, ``relatedResources``,
``additionalContext``: a map of string values). The page names EventBridge input transformers
as a way to produce it, through an SNS topic mapped to the channel.

Who writes what. ``title`` and ``description`` are rendered as the channel's markdown ("Supports
markdown content, including emojis and Slack links"), and EventBridge escapes nothing for markdown.
So they hold only our fixed text and the envelope's ``account`` and ``region``, which EventBridge
itself sets (``alert_message.ENVELOPE_PATHS``). Every CloudTrail field (``userAgent``,
``sourceIPAddress``, ... chosen by whoever signed in or called) is a placeholder outside any JSON
string, the whole value of its own ``metadata.additionalContext`` key: EventBridge inserts it as
one JSON value, so it cannot end a string, add a key, or reach the rendered title or description.
The facts are the email's own (read from each profile's email template, their one home).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import PLACEHOLDER_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import placeholder_name
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import canonical_template
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import samples as alert_samples

NOTIFICATION_VERSION = "1.0"
NOTIFICATION_SOURCE = "custom"
TEXT_TYPE = "client-markdown"
KEYWORD = "root-login-alerts"

# Headlines per profile: fixed text, envelope placeholders only.
TITLES = {
    "console_sign_in": ":rotating_light: Root user console sign-in to AWS account <account>",
    "api_activity": ":rotating_light: Root user API call in AWS account <account>",
    "credential_changes": ":rotating_light: Root user credential change in AWS account <account>",
    "assume_root": ":rotating_light: sts:AssumeRoot called in AWS account <account>",
}
_DESCRIPTION = (
    "Recorded in <region>. The fields copied from the CloudTrail record (source IP, user agent, event ID, ...) "
    "are in this notification's metadata and in the email alert; they are not shown as text here because "
    "whoever made the call chose some of them. CloudTrail event history: %s"
)


def email_facts(name):
    """``[(key, placeholder)]`` of a profile's email: every key whose value is a bare placeholder, sorted by key."""
    profile = alert_profiles.get_profile(name)
    kind, text = canonical_template(profile["input_template"])
    if kind != "json":
        raise ValidationError("the email template of profile %s is not a JSON object" % name)
    return [(key, placeholder_name(value)) for key, value in sorted(json.loads(text).items()) if placeholder_name(value) is not None]


def _template(name):
    facts = email_facts(name)
    lines = [
        "{",
        '  "version": %s,' % json.dumps(NOTIFICATION_VERSION),
        '  "source": %s,' % json.dumps(NOTIFICATION_SOURCE),
    ]
    if ("event_id", "eventid") in facts:
        lines.append('  "id": <eventid>,')
    lines.extend([
        '  "content": {',
        '    "textType": %s,' % json.dumps(TEXT_TYPE),
        '    "title": "%s",' % TITLES[name],
        '    "description": "%s",' % (_DESCRIPTION % alert_message.history_link()),
        '    "keywords": [%s, %s]' % (json.dumps(KEYWORD), json.dumps(name)),
        "  },",
        '  "metadata": {',
        '    "summary": "%s",' % TITLES[name].split(" ", 1)[1],
        '    "eventType": %s,' % json.dumps("%s-%s" % (KEYWORD, name.replace("_", "-"))),
        '    "additionalContext": {',
        ",\n".join('      "%s": <%s>' % (key, placeholder) for key, placeholder in facts),
        "    }",
        "  }",
        "}",
    ])
    return "\n".join(lines)


def input_transformer(name):
    """``{"input_paths_map", "input_template"}`` for a profile's chat target (the eventbridge_targets option form).

    The paths map keeps only the placeholders the template uses. Raises ValueError if a sender-written
    field would land inside a JSON string (it cannot, by construction; checked, not assumed).
    """
    profile = alert_profiles.get_profile(name)
    template = _template(name)
    used = set(PLACEHOLDER_RE.findall(template))
    paths = dict((key, path) for key, path in profile["input_paths_map"].items() if key in used)
    missing = sorted(used - set(paths))
    if missing:
        raise ValidationError("chat template of profile %s uses placeholders with no path: %s" % (name, ", ".join(missing)))
    quoted = alert_message.quoted_sender_fields(template, paths)
    if quoted:
        raise ValidationError("chat template of profile %s puts sender-written fields inside strings: %s" % (name, ", ".join(quoted)))
    return {"input_paths_map": paths, "input_template": template}


def render(transformer, event):
    """The notification EventBridge would publish for ``event``, decoded (``alert_message.render`` does the placeholders)."""
    return json.loads(alert_message.render(transformer["input_template"], transformer["input_paths_map"], event))


def sample_payloads(name, account_id="111111111111", region=GLOBAL_REGION):
    """``{sample: notification}`` for each sample event the profile must match."""
    transformer = input_transformer(name)
    return dict((sample, render(transformer, event))
                for sample, (event, should_match) in sorted(alert_samples.sample_events(name, account_id, region).items())
                if should_match)
