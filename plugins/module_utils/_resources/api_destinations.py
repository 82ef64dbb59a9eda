# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EventBridge connections and API destinations for ``root_login_alerts_webhooks``: :class:`WebhookManager`.

One manager for the pair a webhook needs in one Region: a connection (the
authorization; EventBridge keeps its secret values in a Secrets Manager secret
of its own) and an API destination (the HTTPS endpoint) that uses it. Both are
named ``<prefix>-<webhook name>``.

Facts relied on (EventBridge API reference unless said otherwise):

- CreateConnection takes ``Name``, ``Description`` (512), ``AuthorizationType``
  (``API_KEY`` | ``BASIC`` | ``OAUTH_CLIENT_CREDENTIALS``) and ``AuthParameters``
  with only the parameters of that type ("You must include only authorization
  parameters for the AuthorizationType you specify",
  CreateConnectionAuthRequestParameters); it takes no tags, and TagResource says
  "In EventBridge, rules and event buses can be tagged". So ownership is proved by
  the :data:`OWNER_MARKER` at the start of the Description, and the secret's
  fingerprint is kept there too (``webhook_formats`` explains the trade-off).
- DescribeConnection returns ``ConnectionState`` (``CREATING``, ``UPDATING``,
  ``DELETING``, ``AUTHORIZED``, ``DEAUTHORIZED``, ``AUTHORIZING``,
  ``DEAUTHORIZING``, ``ACTIVE``, ``FAILED_CONNECTIVITY``), ``StateReason`` and
  the non-secret auth parameters only (ConnectionAuthResponseParameters:
  ``ApiKeyName``, ``Username``, ``ClientID``...). UpdateConnection takes the
  same parameters as CreateConnection, each optional.
- "EventBridge de-authorizes a connection if ... EventBridge cannot retrieve the
  secret because it has been deleted ... cannot refresh the necessary OAuth
  token ... [for Basic or API Key] receives a 401 or 407 error code. In this
  case, update the connection with appropriate credentials to resolve the
  error." (user guide, "De-authorizing connections"). So an apply sends the
  credentials again to a ``DEAUTHORIZED`` connection; an audit reports it.
- CreateApiDestination takes ``Name``, ``Description``, ``ConnectionArn``,
  ``InvocationEndpoint`` (HTTPS), ``HttpMethod`` and
  ``InvocationRateLimitPerSecond``; DescribeApiDestination returns them with
  ``ApiDestinationState`` (``ACTIVE`` | ``INACTIVE``). Both ARNs end in a UUID
  AWS chooses (``connection/<name>/<uuid>``), so check mode cannot predict them.

Secrets never leave this module: results, diffs, ``changes`` and facts carry the
auth type, the non-secret names, whether the secret changed, and the endpoint's
host only (a Slack webhook URL is its credential). Requests per webhook and
Region in a converged run: DescribeConnection and DescribeApiDestination (2).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import webhook_formats
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

OWNER_MARKER = "Managed by rootwatch.aws (root_login_alerts_webhooks)."
FINGERPRINT_RE = re.compile(r"secret-hmac-sha256=([0-9a-f]{64})")
AUTHORIZED = "AUTHORIZED"
DEAUTHORIZED = "DEAUTHORIZED"
ACTIVE = "ACTIVE"
# States in which AWS is still working on the connection: judged "pending", not broken.
PENDING_STATES = ("CREATING", "UPDATING", "AUTHORIZING")
NOT_FOUND = ("ResourceNotFoundException",)
_API_KEYS = {"API_KEY": "ApiKeyAuthParameters", "BASIC": "BasicAuthParameters", "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters"}


# -- pure helpers ---------------------------------------------------------------------
def connection_description(fingerprint):
    return "%s secret-hmac-sha256=%s" % (OWNER_MARKER, fingerprint)


def destination_description(connection_name):
    return "%s connection=%s" % (OWNER_MARKER, connection_name)


def is_ours(description):
    """A Description written by this module (the only proof: connections and API destinations take no tags)."""
    return isinstance(description, str) and description.startswith(OWNER_MARKER)


def stored_fingerprint(description):
    match = FINGERPRINT_RE.search(description or "")
    return match.group(1) if match else None


def _http_parameters(auth):
    params = {}
    for key, api in (("body_parameters", "BodyParameters"), ("header_parameters", "HeaderParameters"),
                     ("query_string_parameters", "QueryStringParameters")):
        if auth.get(key):
            params[api] = [{"Key": name, "Value": value, "IsValueSecret": False} for name, value in sorted(auth[key].items())]
    return params


def auth_parameters(auth):
    """A validated ``auth`` (webhook_formats) -> ``(AuthorizationType, AuthParameters)`` of CreateConnection."""
    kind = auth["type"]
    if kind == "api_key":
        return "API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": auth["header"], "ApiKeyValue": auth["value"]}}
    if kind == "basic":
        return "BASIC", {"BasicAuthParameters": {"Username": auth["username"], "Password": auth["password"]}}
    oauth = {
        "ClientParameters": {"ClientID": auth["client_id"], "ClientSecret": auth["client_secret"]},
        "AuthorizationEndpoint": auth["authorization_endpoint"],
        "HttpMethod": auth["http_method"],
    }
    http = _http_parameters(auth)
    if http:
        oauth["OAuthHttpParameters"] = http
    return "OAUTH_CLIENT_CREDENTIALS", {"OAuthParameters": oauth}


def public_auth_view(auth_type, auth_params):
    """The non-secret part of AuthParameters (request or DescribeConnection shape), for comparison and diffs.

    Only the fields AWS returns are read, so a secret sent in a request never reaches the view.
    """
    params = (auth_params or {}).get(_API_KEYS.get(auth_type, ""), {}) or {}
    if auth_type == "API_KEY":
        return {"authorization_type": auth_type, "header": params.get("ApiKeyName")}
    if auth_type == "BASIC":
        return {"authorization_type": auth_type, "username": params.get("Username")}
    if auth_type == "OAUTH_CLIENT_CREDENTIALS":
        http = params.get("OAuthHttpParameters") or {}
        view = {
            "authorization_type": auth_type,
            "client_id": (params.get("ClientParameters") or {}).get("ClientID"),
            "authorization_endpoint": webhook_formats.endpoint_display(params.get("AuthorizationEndpoint")),
            "http_method": params.get("HttpMethod"),
        }
        for api, key in (("BodyParameters", "body_parameters"), ("HeaderParameters", "header_parameters"),
                         ("QueryStringParameters", "query_string_parameters")):
            # Parameters marked secret are not returned with a value: compare their names only.
            view[key] = dict((item.get("Key"), None if item.get("IsValueSecret") else item.get("Value"))
                             for item in http.get(api) or [])
        return view
    return {"authorization_type": auth_type}


def _public_compare_key(auth_type, auth_params):
    """The view with the OAuth endpoint in full (the view shows its host only)."""
    view = public_auth_view(auth_type, auth_params)
    if auth_type == "OAUTH_CLIENT_CREDENTIALS":
        view["authorization_endpoint"] = ((auth_params or {}).get("OAuthParameters") or {}).get("AuthorizationEndpoint")
    return view


def connection_view(connection):
    """What output may show of a DescribeConnection answer (None: missing)."""
    if not connection:
        return {}
    view = {"name": connection.get("Name"), "arn": connection.get("ConnectionArn"), "state": connection.get("ConnectionState")}
    if connection.get("StateReason"):
        view["state_reason"] = connection["StateReason"]
    view.update(public_auth_view(connection.get("AuthorizationType"), connection.get("AuthParameters")))
    view["secret"] = "set" if stored_fingerprint(connection.get("Description")) else "unknown"
    return view


def destination_view(destination):
    """What output may show of a DescribeApiDestination answer: the endpoint's host only."""
    if not destination:
        return {}
    view = {
        "name": destination.get("Name"),
        "arn": destination.get("ApiDestinationArn"),
        "state": destination.get("ApiDestinationState"),
        "connection_arn": destination.get("ConnectionArn"),
        "endpoint": webhook_formats.endpoint_display(destination.get("InvocationEndpoint")),
        "http_method": destination.get("HttpMethod"),
    }
    if destination.get("InvocationRateLimitPerSecond") is not None:
        view["rate_limit_per_second"] = destination["InvocationRateLimitPerSecond"]
    return view


def webhook_path_problems(read):
    """Pure verdict on :meth:`WebhookManager.read`'s answer: ``(status, problems)``.

    ``status``: ``ok`` (connection AUTHORIZED, destination ACTIVE on it), ``pending``
    (AWS still creating or authorizing), ``broken``.
    """
    connection, destination = read.get("connection") or {}, read.get("api_destination") or {}
    problems = []
    if not connection.get("exists"):
        problems.append("connection %s does not exist" % read.get("name"))
    elif not connection.get("owned"):
        problems.append("connection %s was not created by rootwatch.aws" % read.get("name"))
    elif connection.get("state") != AUTHORIZED:
        reason = connection.get("state_reason")
        problems.append("connection %s is %s%s" % (read.get("name"), connection.get("state"), ": %s" % reason if reason else ""))
    if not destination.get("exists"):
        problems.append("API destination %s does not exist" % read.get("name"))
    else:
        if not destination.get("owned"):
            problems.append("API destination %s was not created by rootwatch.aws" % read.get("name"))
        if destination.get("state") != ACTIVE:
            problems.append("API destination %s is %s" % (read.get("name"), destination.get("state")))
        if connection.get("arn") and destination.get("connection_arn") != connection.get("arn"):
            problems.append("API destination %s does not use connection %s" % (read.get("name"), read.get("name")))
    if not problems:
        return "ok", []
    pending = (len(problems) == 1 and connection.get("state") in PENDING_STATES and destination.get("exists"))
    return ("pending" if pending else "broken"), problems


def _foreign(kind, name, region):
    return ForeignResourceError(
        "%s %s in %s exists but was not created by rootwatch.aws (its Description does not begin with %r; "
        "EventBridge %ss take no tags), so it is left exactly as it is. Choose another name, or delete it yourself."
        % (kind, name, region, OWNER_MARKER, kind.lower())
    )


class WebhookManager(ResourceManager):
    """Connection + API destination of one webhook in one Region (see the module docstring).

    ``ensure(params, known=None)``: ``params`` = ``name`` (the resources' name, prefix
    included), ``state`` (present | absent), ``webhook`` (one entry of
    ``webhook_formats.validate_webhooks``), ``fingerprint_key`` (optional). ``known``
    may hold ``connection`` and ``api_destination``: Describe answers already read
    (None: missing), so they are not read again.
    """

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(WebhookManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.events = clients("events", region)

    # -- reads ----------------------------------------------------------------------
    def describe_connection(self, name):
        """DescribeConnection's answer; None when there is no such connection."""
        return aws_call("describe connection %s" % name, self.events.describe_connection, not_found=NOT_FOUND, Name=name)

    def describe_api_destination(self, name):
        """DescribeApiDestination's answer; None when there is no such API destination."""
        return aws_call("describe API destination %s" % name, self.events.describe_api_destination, not_found=NOT_FOUND, Name=name)

    def _current(self, name, known):
        known = known or {}
        connection = known["connection"] if "connection" in known else self.describe_connection(name)
        destination = known["api_destination"] if "api_destination" in known else self.describe_api_destination(name)
        return connection, destination

    def read(self, name, known=None):
        """For the verdict: each resource's existence, ownership, state, ARN; endpoint host and method (no secret)."""
        connection, destination = self._current(name, known)
        con = dict(connection_view(connection), exists=connection is not None, owned=bool(connection) and is_ours(connection.get("Description")))
        dest = dict(destination_view(destination), exists=destination is not None,
                    owned=bool(destination) and is_ours(destination.get("Description")))
        return {"name": name, "region": self.region, "connection": con, "api_destination": dest}

    # -- ensure ---------------------------------------------------------------------
    def ensure(self, params, known=None):
        name = params["name"]
        if not isinstance(name, str) or not webhook_formats.NAME_RE.fullmatch(name):
            raise ValidationError("name must be 1-64 letters, digits, '.', '-' or '_', got %r" % (name,))
        connection, destination = self._current(name, known)
        facts = {"connection": connection_view(connection), "api_destination": destination_view(destination)}
        if params.get("state", "present") == "absent":
            return self._absent(name, connection, destination, facts)
        webhook = params["webhook"]
        if connection is not None and not is_ours(connection.get("Description")):
            raise _foreign("Connection", name, self.region)
        if destination is not None and not is_ours(destination.get("Description")):
            raise _foreign("API destination", name, self.region)
        changes = []
        con_before, con_after, connection_arn = self._ensure_connection(name, webhook, connection, params.get("fingerprint_key"), changes)
        dest_before, dest_after, destination_arn = self._ensure_destination(name, webhook, destination, connection_arn, changes)
        diff = {"before": {"connection": con_before, "api_destination": dest_before},
                "after": {"connection": con_after, "api_destination": dest_after}}
        return manager_result(bool(changes), diff, changes, facts, connection_arn=connection_arn,
                              api_destination_arn=destination_arn)

    def _ensure_connection(self, name, webhook, current, fingerprint_key, changes):
        auth = webhook["auth"]
        auth_type, auth_params = auth_parameters(auth)
        fingerprint = webhook_formats.secret_fingerprint(auth, self.account_id, self.region, name, fingerprint_key)
        description = connection_description(fingerprint)
        after = dict(public_auth_view(auth_type, auth_params), name=name, secret="set")
        if current is None:
            changes.append("create connection %s (%s)" % (name, auth_type))
            arn = None
            if not self.check_mode:
                arn = aws_call("create connection %s" % name, self.events.create_connection, Name=name, Description=description,
                               AuthorizationType=auth_type, AuthParameters=auth_params)["ConnectionArn"]
            return {}, after, arn
        before = dict(public_auth_view(current.get("AuthorizationType"), current.get("AuthParameters")), name=name, secret="set")
        why = []
        if current.get("AuthorizationType") != auth_type:
            why.append("authorization type %s -> %s" % (current.get("AuthorizationType"), auth_type))
        elif _public_compare_key(current.get("AuthorizationType"), current.get("AuthParameters")) != _public_compare_key(auth_type, auth_params):
            why.append("authorization parameters")
        if not webhook_formats.fingerprints_equal(stored_fingerprint(current.get("Description")), fingerprint):
            why.append("secret value")
            after["secret"] = "set (new value)"
        if current.get("ConnectionState") == DEAUTHORIZED:
            reason = current.get("StateReason")
            why.append("re-authorize (was DEAUTHORIZED%s)" % (": %s" % reason if reason else ""))
        if why:
            changes.append("update connection %s: %s" % (name, ", ".join(why)))
            if not self.check_mode:
                aws_call("update connection %s" % name, self.events.update_connection, Name=name, Description=description,
                         AuthorizationType=auth_type, AuthParameters=auth_params)
        return before, after, current.get("ConnectionArn")

    def _ensure_destination(self, name, webhook, current, connection_arn, changes):
        desired = {
            "Name": name,
            "Description": destination_description(name),
            "InvocationEndpoint": webhook["url"],
            "HttpMethod": webhook_formats.HTTP_METHOD,
        }
        if webhook.get("rate_limit_per_second") is not None:
            desired["InvocationRateLimitPerSecond"] = webhook["rate_limit_per_second"]
        if connection_arn:
            desired["ConnectionArn"] = connection_arn
        # Over what AWS has, so a rate limit left to AWS's default shows as it is.
        after = destination_view(dict(current or {}, **desired))
        if current is None:
            changes.append("create API destination %s -> %s" % (name, webhook_formats.endpoint_display(webhook["url"])))
            arn = None
            if not self.check_mode:
                arn = aws_call("create API destination %s" % name, self.events.create_api_destination, **desired)["ApiDestinationArn"]
            return {}, after, arn
        before = destination_view(current)
        why = []
        if current.get("InvocationEndpoint") != webhook["url"]:
            why.append("endpoint")
            after["endpoint"] += " (changed)"
        if current.get("HttpMethod") != webhook_formats.HTTP_METHOD:
            why.append("HTTP method")
        if "InvocationRateLimitPerSecond" in desired and current.get("InvocationRateLimitPerSecond") != desired["InvocationRateLimitPerSecond"]:
            why.append("rate limit")
        if connection_arn is None or current.get("ConnectionArn") != connection_arn:
            why.append("connection")
        if current.get("Description") != desired["Description"]:
            why.append("description")
        if why:
            changes.append("update API destination %s: %s" % (name, ", ".join(why)))
            if not self.check_mode:
                aws_call("update API destination %s" % name, self.events.update_api_destination, **desired)
        return before, after, current.get("ApiDestinationArn")

    def _absent(self, name, connection, destination, facts):
        changes, kept = [], []
        before = {"connection": connection_view(connection), "api_destination": destination_view(destination)}
        after = dict(before)
        # The destination first: it uses the connection.
        for key, kind, current, delete in (("api_destination", "API destination", destination, self.events.delete_api_destination),
                                           ("connection", "connection", connection, self.events.delete_connection)):
            if current is None:
                continue
            if not is_ours(current.get("Description")):
                kept.append("%s %s was not created by rootwatch.aws" % (kind, name))
                continue
            changes.append("delete %s %s" % (kind, name))
            after[key] = {}
            if not self.check_mode:
                aws_call("delete %s %s" % (kind, name), delete, Name=name)
        for reason in kept:
            self.warn("%s in %s: left as it is (%s)" % (name, self.region, reason))
        return manager_result(bool(changes), {"before": before, "after": after}, changes, facts, kept_because=kept)
