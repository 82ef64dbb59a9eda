# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Webhooks through EventBridge API destinations: the variable, the payloads, the secret fingerprints.

Pure module, no I/O. ``root_login_alerts_webhooks`` is a list of
``{name, url, format, auth, routing_key, rate_limit_per_second}``;
:func:`validate_webhooks` checks it before anything changes and names
``root_login_alerts_webhooks[<i>].<key>`` in its errors. :func:`input_transformer`
gives, for a format and an alert profile, the InputTransformer (the shape of
``alert_profiles.input_transformer``) that renders the receiver's payload.

The receivers' documented request bodies:

- PagerDuty Events API v2, ``POST https://events.pagerduty.com/v2/enqueue``:
  ``routing_key`` (the 32-character integration key), ``event_action``
  (``trigger``), ``payload.summary`` (at most 1024 characters),
  ``payload.source`` and ``payload.severity`` (critical, error, warning, info)
  are required; ``dedup_key`` (at most 255 characters) correlates events
  (PagerDuty developer docs, "Send an Alert Event",
  https://developer.pagerduty.com/docs/events-api-v2/trigger-events/). The
  routing key travels in the body, so it is part of the target's template.
- Opsgenie Alert API, ``POST https://api.opsgenie.com/v2/alerts`` with the
  header ``Authorization: GenieKey <key>``: ``message`` is mandatory (130
  characters); ``alias`` (the de-duplication key, 512), ``description``
  (15,000), ``priority`` (P1-P5, default P3), ``details``, ``entity``, ``tags``,
  ``source`` are optional (https://docs.opsgenie.com/docs/alert-api, Create Alert).
- Slack incoming webhooks: a POST of a JSON body with ``text`` to the webhook's
  URL, which itself carries the credential ("Incoming webhooks", Slack developer
  docs, https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks).
- ``raw``: the event as EventBridge delivers it (no InputTransformer).

Attacker-influenced values. Every ``detail`` field of a CloudTrail record may be
chosen by whoever made the call (``userAgent``, ``requestParameters``...). As in
``alert_message`` (which cites the EventBridge user guide and the recorded AWS
answers), a value is inserted only as a JSON value of its own: its placeholder
stands outside any JSON string, so EventBridge writes it as one escaped JSON
string and it cannot end a string or add keys. Only ``$.account`` and
``$.region`` (set by EventBridge) appear inside strings, and :func:`input_transformer`
refuses any template where another path would (``alert_message.quoted_sender_fields``).
The Slack ``text`` is one string, so it carries only the account, the Region and
the event-history link; the other fields are in the email and in CloudTrail.

Secrets. EventBridge keeps a connection's credentials in a Secrets Manager secret
it manages ("When you create an EventBridge API destination, EventBridge stores
the connection in a secret managed by Secrets Manager with the prefix events",
Secrets Manager user guide, "How EventBridge uses AWS Secrets Manager"), and
DescribeConnection returns only the non-secret parts (``ApiKeyName``,
``Username``, ``ClientID``: ConnectionAuthResponseParameters, EventBridge API
reference). So a run cannot read a secret back to compare it. It compares a
fingerprint instead: HMAC-SHA256 over the secret values, keyed by the
connection's account, Region and name (known before the connection exists, so
creating it is one write) and, when given, a key of the user's
(``fingerprint_key``). The fingerprint is kept in the connection's
``Description``: EventBridge connections take no tags ("In EventBridge, rules
and event buses can be tagged", TagResource, EventBridge API reference), and
the Description is also where the ownership marker lives. The trade-off:

- A reader of the Description (events:DescribeConnection) learns the
  fingerprint. Without a ``fingerprint_key`` it can test guesses of the secret
  offline: infeasible for the random keys PagerDuty and Opsgenie issue, possible
  for a weak Basic-auth password. With a ``fingerprint_key`` it learns nothing.
  The same secret in two connections gives two unrelated fingerprints.
- A value rotated in the inventory changes the fingerprint: the next run updates
  the connection. A change made outside the collection (the console, the CLI)
  leaves the Description as it was, so it is not detected until the value
  given here changes, or the connection falls to ``DEAUTHORIZED``, which the
  verdict reports and an apply repairs by sending the value again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import json
import re

from urllib.parse import urlsplit

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import messages as alert_message
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import PLACEHOLDER_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import placeholder_name
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.input_template import canonical_template
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

PARAM = "webhooks"
FORMATS = ("pagerduty_v2", "opsgenie", "slack_webhook", "raw")
AUTH_TYPES = {"api_key": "API_KEY", "basic": "BASIC", "oauth": "OAUTH_CLIENT_CREDENTIALS"}
# Receivers that authenticate by the body (PagerDuty's routing key) or by the URL (Slack): auth may be left out.
# CreateConnection still requires an authorization, so they get an API key header no one reads (not a secret).
AUTH_OPTIONAL = ("pagerduty_v2", "slack_webhook")
PLACEHOLDER_AUTH = {"type": "api_key", "header": "X-Rootwatch-Source", "value": "rootwatch.aws"}
DEFAULT_API_KEY_HEADER = "Authorization"
OAUTH_METHODS = ("GET", "POST", "PUT")  # ConnectionOAuthHttpMethod
HTTP_METHOD = "POST"  # every receiver here takes a POST

# EventBridge API reference: ConnectionName / ApiDestinationName "[\.\-_A-Za-z0-9]+", 1-64.
NAME_RE = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
MAX_NAME = 64
# HttpsEndpoint (InvocationEndpoint, AuthorizationEndpoint), at most 2048 characters.
HTTPS_ENDPOINT_RE = re.compile(r"^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$")
MAX_URL = 2048
# AuthHeaderParameters(Sensitive): ApiKeyName/Value, Username/Password, ClientID/Secret, at most 512.
AUTH_VALUE_RE = re.compile(r"^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$")
# HeaderKey (OAuth header parameters).
HEADER_KEY_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$")
MAX_AUTH_VALUE = 512
# "This is the 32 character Integration Key" (PagerDuty, "Send an Alert Event").
ROUTING_KEY_RE = re.compile(r"^[A-Za-z0-9]{32}$")
WEBHOOK_KEYS = ("name", "url", "format", "auth", "routing_key", "rate_limit_per_second")
AUTH_KEYS = {
    "api_key": ("type", "header", "value"),
    "basic": ("type", "username", "password"),
    "oauth": ("type", "client_id", "client_secret", "authorization_endpoint", "http_method",
              "body_parameters", "header_parameters", "query_string_parameters"),
}
SECRET_AUTH_KEYS = {"api_key": ("value",), "basic": ("password",), "oauth": ("client_secret",)}
# A Slack webhook URL is its own credential, and a routing key is PagerDuty's.
SECRET_WEBHOOK_KEYS = ("url", "routing_key")
OPTION_TYPES = {"auth": "dict", "rate_limit_per_second": "int",
                "body_parameters": "dict", "header_parameters": "dict", "query_string_parameters": "dict"}


def webhooks_argument_spec():
    """The module option ``webhooks``, built from the keys above. Every secret is no_log by sub-option, so
    Ansible masks it wherever it appears (a routing key in a target's input template too), while names and
    formats stay readable."""
    def option(key, secrets):
        spec = dict(type=OPTION_TYPES.get(key, "str"))
        if key in secrets:
            spec["no_log"] = True
        return spec
    auth_keys = [key for keys in AUTH_KEYS.values() for key in keys]
    auth_secrets = [key for keys in SECRET_AUTH_KEYS.values() for key in keys]
    options = dict((key, option(key, SECRET_WEBHOOK_KEYS)) for key in WEBHOOK_KEYS)
    options["auth"]["options"] = dict((key, option(key, auth_secrets)) for key in auth_keys)
    return dict(type="list", elements="dict", default=[], options=options)


# The envelope's event ID, set by EventBridge: the de-duplication key of PagerDuty and Opsgenie.
EVENT_ID_NAME = "id"
EVENT_ID_PATH = "$.id"
# Short titles (Opsgenie's message has 130 characters): only the envelope's account and Region.
TITLES = {
    "console_sign_in": "Root user console sign-in to AWS account <account>",
    "api_activity": "Root user API call in AWS account <account> (<region>)",
    "credential_changes": "Root user credential change in AWS account <account>",
    "assume_root": "sts:AssumeRoot called in AWS account <account> (<region>)",
}
CLIENT = "rootwatch.aws"


def _problem(where, text):
    return ValueError("%s %s" % (where, text))


def _check_text(value, where):
    # fullmatch: "$" alone would let a trailing newline through. The value is never shown: it may be a secret.
    if not isinstance(value, str) or not value or len(value) > MAX_AUTH_VALUE or not AUTH_VALUE_RE.fullmatch(value):
        raise _problem(where, "must be a non-empty string of at most %d characters without control characters or ':'"
                       % MAX_AUTH_VALUE)
    return value


def validate_url(url, where):
    """An https URL EventBridge accepts as an endpoint; the URL is never shown (a Slack URL is the credential)."""
    if not isinstance(url, str) or not url:
        raise _problem(where, "must be an https URL")
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise _problem(where, "must be an https URL (API destinations call HTTPS endpoints only), got scheme %r" % parts.scheme)
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise _problem(where, "must name a host and carry no user name or password (put credentials in auth)")
    if len(url) > MAX_URL or not HTTPS_ENDPOINT_RE.fullmatch(url):
        raise _problem(where, "must be at most %d characters of those EventBridge allows in an endpoint "
                              "(percent-encode spaces and other characters)" % MAX_URL)
    return url


def _string_map(value, where):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _problem(where, "must be a mapping of names to strings")
    for key, item in value.items():
        if not isinstance(key, str) or not key or not isinstance(item, str) or not item:
            raise _problem("%s.%s" % (where, key), "must be a non-empty string")
    return dict(value)


def _validate_auth(auth, where, fmt):
    if auth is None:
        if fmt in AUTH_OPTIONAL:
            return dict(PLACEHOLDER_AUTH)
        raise _problem(where, "is required for format %s: {type: api_key|basic|oauth, ...}" % fmt)
    if not isinstance(auth, dict):
        raise _problem(where, "must be a mapping {type: api_key|basic|oauth, ...}")
    kind = auth.get("type")
    if kind not in AUTH_TYPES:
        raise _problem("%s.type" % where, "must be one of %s, got %r" % (", ".join(AUTH_TYPES), kind))
    unknown = sorted(set(auth) - set(AUTH_KEYS[kind]))
    if unknown:
        raise _problem(where, "has keys that auth type %s does not take: %s (allowed: %s)"
                       % (kind, ", ".join(unknown), ", ".join(AUTH_KEYS[kind])))
    result = {"type": kind}
    if kind == "api_key":
        result["header"] = _check_text(auth.get("header") or DEFAULT_API_KEY_HEADER, "%s.header" % where)
        result["value"] = _check_text(auth.get("value"), "%s.value" % where)
    elif kind == "basic":
        result["username"] = _check_text(auth.get("username"), "%s.username" % where)
        result["password"] = _check_text(auth.get("password"), "%s.password" % where)
    else:
        result["client_id"] = _check_text(auth.get("client_id"), "%s.client_id" % where)
        result["client_secret"] = _check_text(auth.get("client_secret"), "%s.client_secret" % where)
        result["authorization_endpoint"] = validate_url(auth.get("authorization_endpoint"), "%s.authorization_endpoint" % where)
        method = auth.get("http_method") or "POST"
        if method not in OAUTH_METHODS:
            raise _problem("%s.http_method" % where, "must be one of %s, got %r" % (", ".join(OAUTH_METHODS), method))
        result["http_method"] = method
        for key in ("body_parameters", "header_parameters", "query_string_parameters"):
            result[key] = _string_map(auth.get(key), "%s.%s" % (where, key))
        for key in result["header_parameters"]:
            if not HEADER_KEY_RE.fullmatch(key):
                raise _problem("%s.header_parameters.%s" % (where, key), "is not a valid HTTP header name")
    return result


def resource_name(prefix, name):
    """The connection's and the API destination's name: ``<prefix>-<name>``."""
    return "%s-%s" % (prefix, name) if prefix else name


def validate_webhooks(webhooks, param=PARAM, prefix=None):
    """Return the webhooks with defaults filled in, or raise ValueError naming ``<param>[<i>].<key>``.

    ``prefix`` (the resource prefix) is checked with each name: ``<prefix>-<name>`` must fit 64 characters.
    Secret values never appear in a message.
    """
    if webhooks is None:
        return []
    if isinstance(webhooks, (str, dict)) or not isinstance(webhooks, (list, tuple)):
        raise ValidationError("%s must be a list of {name, url, format, auth}, got %s" % (param, type(webhooks).__name__))
    result, seen = [], {}
    for index, webhook in enumerate(webhooks):
        where = "%s[%d]" % (param, index)
        if not isinstance(webhook, dict):
            raise _problem(where, "must be a mapping {name, url, format, auth}")
        unknown = sorted(set(webhook) - set(WEBHOOK_KEYS))
        if unknown:
            raise _problem(where, "has unknown keys %s (allowed: %s)" % (", ".join(unknown), ", ".join(WEBHOOK_KEYS)))
        name = webhook.get("name")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise _problem("%s.name" % where, "must be 1-64 letters, digits, '.', '-' or '_', got %r" % (name,))
        full = resource_name(prefix, name)
        if len(full) > MAX_NAME:
            raise _problem("%s.name" % where, "%r makes the connection name %r, longer than EventBridge's %d characters"
                           % (name, full, MAX_NAME))
        if name in seen:
            raise _problem("%s.name" % where, "%r is also the name of %s[%d]; names must be unique" % (name, param, seen[name]))
        seen[name] = index
        fmt = webhook.get("format")
        if fmt not in FORMATS:
            raise _problem("%s.format" % where, "must be one of %s, got %r" % (", ".join(FORMATS), fmt))
        entry = {"name": name, "format": fmt, "url": validate_url(webhook.get("url"), "%s.url" % where)}
        routing_key = webhook.get("routing_key")
        if fmt == "pagerduty_v2":
            if not isinstance(routing_key, str) or not ROUTING_KEY_RE.fullmatch(routing_key):
                raise _problem("%s.routing_key" % where, "must be the 32-character PagerDuty integration key "
                                                         "(letters and digits) for format pagerduty_v2")
            entry["routing_key"] = routing_key
        elif routing_key is not None:
            raise _problem("%s.routing_key" % where, "is only for format pagerduty_v2, not %s" % fmt)
        entry["auth"] = _validate_auth(webhook.get("auth"), "%s.auth" % where, fmt)
        rate = webhook.get("rate_limit_per_second")
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int) or rate < 1):
            raise _problem("%s.rate_limit_per_second" % where, "must be a whole number of at least 1, got %r" % (rate,))
        entry["rate_limit_per_second"] = rate
        result.append(entry)
    return result


# -- secrets ------------------------------------------------------------------------
def secret_values(webhook):
    """Every secret string of a validated webhook (for no_log registration): auth secret, routing key, URL."""
    auth = webhook.get("auth") or {}
    values = [auth[key] for key in SECRET_AUTH_KEYS.get(auth.get("type"), ()) if auth.get(key)]
    values.extend(webhook[key] for key in ("routing_key", "url") if webhook.get(key))
    return [value for value in values if value != PLACEHOLDER_AUTH["value"]]


def secret_fingerprint(auth, account_id, region, connection_name, fingerprint_key=None):
    """HMAC-SHA256 (hex) of the auth's secret values, keyed by where the connection lives (and ``fingerprint_key``)."""
    kind = auth["type"]
    message = json.dumps({"type": kind, "secrets": [auth[key] for key in SECRET_AUTH_KEYS[kind]]},
                         sort_keys=True, separators=(",", ":")).encode("utf-8")
    key = "\n".join(["rootwatch.aws/webhook-secret/v1", str(account_id), str(region), connection_name,
                     fingerprint_key or ""]).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def fingerprints_equal(left, right):
    """Constant-time comparison of two fingerprints (None never equals)."""
    return bool(left) and bool(right) and hmac.compare_digest(str(left), str(right))


def endpoint_display(url):
    """What output may show of an endpoint: scheme and host; the path may be the credential (Slack)."""
    parts = urlsplit(url or "")
    return "%s://%s/..." % (parts.scheme, parts.hostname) if parts.hostname else ""


# -- payloads -------------------------------------------------------------------------
class _Bare(object):
    """A placeholder written outside any JSON string."""

    def __init__(self, name):
        self.name = name


def _template_text(value):
    """Template text for a structure: literals as JSON, :class:`_Bare` placeholders bare."""
    if isinstance(value, _Bare):
        return "<%s>" % value.name
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s: %s" % (json.dumps(key), _template_text(item)) for key, item in value.items())
    if isinstance(value, list):
        return "[%s]" % ", ".join(_template_text(item) for item in value)
    return json.dumps(value)


def profile_fields(profile_name):
    """``(alert_text, [(key, placeholder name)], event_history_link)`` of a profile's email template."""
    profile = alert_profiles.get_profile(profile_name)
    parsed = json.loads(canonical_template(profile["input_template"])[1])
    fields = []
    for key, value in sorted(parsed.items()):
        if placeholder_name(value) in profile["input_paths_map"]:
            fields.append((key, placeholder_name(value)))
    return parsed["alert"], fields, parsed["event_history"]


def _details(fields):
    return dict((key, _Bare(name)) for key, name in fields)


def payload_structure(fmt, profile_name, routing_key=None):
    """The payload of ``fmt`` for a profile, as a structure of literals and :class:`_Bare` placeholders."""
    alert, fields, link = profile_fields(profile_name)
    title = TITLES[profile_name]
    if fmt == "pagerduty_v2":
        details = _details(fields)
        details["event_history"] = link
        return {
            "routing_key": routing_key,
            "event_action": "trigger",
            "dedup_key": _Bare(EVENT_ID_NAME),
            "client": CLIENT,
            "payload": {
                "summary": alert,
                "source": "AWS account <account>",
                "severity": "critical",
                "class": profile_name,
                "custom_details": details,
            },
            "links": [{"href": link, "text": "CloudTrail event history (<region>)"}],
        }
    if fmt == "opsgenie":
        return {
            "message": title,
            "alias": _Bare(EVENT_ID_NAME),
            "description": "%s CloudTrail event history: %s" % (alert, link),
            "priority": "P1",
            "source": CLIENT,
            "entity": "AWS account <account>",
            "tags": [CLIENT, profile_name],
            "details": _details(fields),
        }
    if fmt == "slack_webhook":
        return {"text": ":rotating_light: %s (recorded in <region>). Details are in the email alert and in the "
                        "CloudTrail event history: %s" % (title.replace(" (<region>)", ""), link)}
    raise ValidationError("format must be one of %s, got %r" % (", ".join(f for f in FORMATS if f != "raw"), fmt))


def input_transformer(fmt, profile_name, routing_key=None):
    """``{"input_paths_map", "input_template"}`` rendering ``fmt`` for a profile; None for ``raw`` (the event).

    Raises ValueError if a sender-written path would land inside a JSON string.
    """
    if fmt == "raw":
        return None
    if fmt == "pagerduty_v2" and not (isinstance(routing_key, str) and ROUTING_KEY_RE.fullmatch(routing_key)):
        raise ValidationError("pagerduty_v2 needs the 32-character routing key")
    profile = alert_profiles.get_profile(profile_name)
    paths = dict(profile["input_paths_map"])
    if fmt in ("pagerduty_v2", "opsgenie"):
        if EVENT_ID_NAME in paths:
            raise ValidationError("profile %s already uses the placeholder name %r" % (profile_name, EVENT_ID_NAME))
        paths[EVENT_ID_NAME] = EVENT_ID_PATH
    template = _template_text(payload_structure(fmt, profile_name, routing_key))
    used = set(PLACEHOLDER_RE.findall(template))
    paths = dict((name, path) for name, path in paths.items() if name in used)
    quoted = alert_message.quoted_sender_fields(template, paths)
    if quoted:
        raise ValidationError("the %s template for %s puts sender-written fields inside strings: %s"
                              % (fmt, profile_name, ", ".join(quoted)))
    return {"input_paths_map": paths, "input_template": template}


def render_payload(fmt, profile_name, event, routing_key=None):
    """The JSON body EventBridge would send for ``event`` (decoded), using ``alert_message.render``."""
    transformer = input_transformer(fmt, profile_name, routing_key)
    if transformer is None:
        return json.loads(json.dumps(event))
    return json.loads(alert_message.render(transformer["input_template"], transformer["input_paths_map"], event))
