# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNS subscriptions: endpoint and attribute checks, meaning-based comparison,
and :class:`SubscriptionManager`, which lists a topic's subscriptions once and
serves any number of endpoints from that one listing.

A subscription that awaits confirmation is listed with the SubscriptionArn
``PendingConfirmation``. Nobody can delete it; SNS deletes it after 48 hours.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

from urllib.parse import urlparse

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ROLE_ARN_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import canonical_json
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import parse_json_text
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import as_manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import is_not_found
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

PROTOCOLS = ("email", "email-json", "https", "http", "sqs", "lambda", "sms", "application", "firehose")
PENDING = "PendingConfirmation"
# Listed while an unsubscribe completes; such an entry no longer exists.
DELETED = "Deleted"
# Protocols whose endpoint is an ARN, and the service that ARN must belong to.
ARN_PROTOCOLS = {"sqs": "sqs", "lambda": "lambda", "firehose": "firehose", "application": "sns"}
ARN_RE = re.compile(r"^arn:aws[a-z\-]*:([a-z0-9\-]+):[a-z0-9\-]+:\d{12}:(.+)$")
ARN_RESOURCE_RE = {
    "sqs": re.compile(r"^[A-Za-z0-9_-]{1,80}(\.fifo)?$"),
    "lambda": re.compile(r"^function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$"),
    "firehose": re.compile(r"^deliverystream/[A-Za-z0-9_.-]{1,64}$"),
    "application": re.compile(r"^endpoint/.+$"),
}
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
E164_RE = re.compile(r"^\+[1-9][0-9]{1,14}$")
PHONE_SEPARATORS_RE = re.compile(r"[\s().-]")
# Attribute -> the protocols it applies to (None: all).
ATTRIBUTES = {
    "DeliveryPolicy": ("http", "https"),
    "FilterPolicy": None,
    "FilterPolicyScope": None,
    "RawMessageDelivery": ("http", "https", "sqs", "firehose"),
    "RedrivePolicy": None,
    "SubscriptionRoleArn": ("firehose",),
}
JSON_ATTRIBUTES = ("DeliveryPolicy", "FilterPolicy", "RedrivePolicy")
FILTER_POLICY_SCOPES = ("MessageAttributes", "MessageBody")
# Protocols whose new subscriptions wait for the endpoint's owner to confirm.
CONFIRMED_BY_OWNER = ("email", "email-json", "http", "https")
# The chat service (AWS Chatbot) subscribes a topic its channel configuration lists with this endpoint, and
# confirms it itself (see ``destinations``).
CHAT_ENDPOINT = "https://global.sns-api.chatbot.amazonaws.com"


def is_chat_subscription(subscription):
    """The chat service's own subscription to a topic (protocol https, its endpoint)."""
    endpoint = (subscription.get("Endpoint") or "").rstrip("/")
    return (subscription.get("Protocol") or "").lower() == "https" and endpoint == CHAT_ENDPOINT


# -- endpoints -------------------------------------------------------------
def canonical_endpoint(protocol, endpoint, param="endpoint"):
    """The endpoint as AWS lists it; raise ValueError when it does not fit ``protocol``.

    Email addresses are kept as given; ``endpoint_key`` says when two are one mailbox.
    Phone numbers lose spaces, dots, dashes and brackets, then must be E.164.
    """
    if protocol not in PROTOCOLS:
        raise ValidationError("protocol must be one of %s, got %r" % (", ".join(PROTOCOLS), protocol))
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ValidationError("%s must be a non-empty string for protocol %s" % (param, protocol))
    endpoint = endpoint.strip()
    if protocol in ("email", "email-json"):
        if not EMAIL_RE.match(endpoint):
            raise ValidationError("%s %r is not a valid email address (protocol %s)" % (param, endpoint, protocol))
        return endpoint
    if protocol in ("http", "https"):
        parsed = urlparse(endpoint)
        if parsed.scheme != protocol or not parsed.netloc:
            raise ValidationError(
                "%s %r does not match protocol %s: it must be a URL starting with %s://" % (param, endpoint, protocol, protocol)
            )
        return endpoint
    if protocol == "sms":
        number = PHONE_SEPARATORS_RE.sub("", endpoint)
        if not E164_RE.match(number):
            raise ValidationError(
                "%s %r is not a phone number in E.164 form (a '+', the country code and the number, at most 15 "
                "digits, e.g. +14155550100)" % (param, endpoint)
            )
        return number
    match = ARN_RE.match(endpoint)
    service = ARN_PROTOCOLS[protocol]
    if not match or match.group(1) != service or not ARN_RESOURCE_RE[protocol].match(match.group(2)):
        raise ValidationError(
            "%s %r is not the ARN of %s (protocol %s needs e.g. %s)" % (param, endpoint, _ARN_WHAT[protocol], protocol, _ARN_EXAMPLE[protocol])
        )
    return endpoint


_ARN_WHAT = {
    "sqs": "an SQS queue",
    "lambda": "a Lambda function",
    "firehose": "a Firehose delivery stream",
    "application": "an SNS platform application endpoint",
}
_ARN_EXAMPLE = {
    "sqs": "arn:aws:sqs:us-east-1:123456789012:my-queue",
    "lambda": "arn:aws:lambda:us-east-1:123456789012:function:my-function",
    "firehose": "arn:aws:firehose:us-east-1:123456789012:deliverystream/my-stream",
    "application": "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/my-app/0123abcd",
}


def canonical_endpoints(protocol, endpoints, param="endpoints"):
    """Validate a list of endpoints; drop repeats (``endpoint_key``), keep the first spelling and the order."""
    seen, keys = [], set()
    for index, endpoint in enumerate(endpoints):
        canonical = canonical_endpoint(protocol, endpoint, "%s[%d]" % (param, index))
        if endpoint_key(protocol, canonical) not in keys:
            keys.add(endpoint_key(protocol, canonical))
            seen.append(canonical)
    return seen


# -- attributes ------------------------------------------------------------
def _sorted_lists(value, key=None):
    """Filter policy values are sets of alternatives: their order carries no meaning.

    Except in a ``numeric`` condition, where ``[">", 0, "<=", 5]`` is a sequence.
    """
    if isinstance(value, dict):
        return {name: _sorted_lists(item, name) for name, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_lists(item) for item in value]
        return items if key == "numeric" else sorted(items, key=canonical_json)
    return value


def _bool_text(value, what):
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return "true"
    if text in ("false", "no", "off", "0"):
        return "false"
    raise ValidationError("%s must be a boolean, got %r" % (what, value))


def normalize_attribute(name, value, what=None):
    """One subscription attribute in its comparable form (raise ValueError if invalid)."""
    what = what or "attributes.%s" % name
    if name in JSON_ATTRIBUTES:
        parsed = parse_json_text(value, what) if value not in ("", None) else None
        if parsed is not None and not isinstance(parsed, dict):
            raise ValidationError("%s must be a JSON object, got %r" % (what, value))
        if name == "FilterPolicy" and parsed is not None:
            return _sorted_lists(parsed)
        if name == "RedrivePolicy" and parsed is not None and not parsed.get("deadLetterTargetArn"):
            raise ValidationError("%s must name deadLetterTargetArn (the ARN of an SQS queue)" % what)
        return parsed
    if name == "RawMessageDelivery":
        return _bool_text(value, what)
    if name == "FilterPolicyScope":
        if value not in FILTER_POLICY_SCOPES:
            raise ValidationError("%s must be one of %s, got %r" % (what, ", ".join(FILTER_POLICY_SCOPES), value))
        return value
    if name == "SubscriptionRoleArn":
        if not isinstance(value, str) or not ROLE_ARN_RE.match(value):
            raise ValidationError("%s must be the ARN of an IAM role, got %r" % (what, value))
        return value
    raise ValidationError("attributes: unknown subscription attribute %r; known: %s" % (name, ", ".join(sorted(ATTRIBUTES))))


def normalize_attributes(protocol, attributes, param="attributes"):
    """Validate the wanted attributes for ``protocol``; return their comparable forms."""
    attributes = attributes or {}
    if not isinstance(attributes, dict):
        raise ValidationError("%s must be a dictionary of subscription attributes" % param)
    normalized = {}
    for name, value in attributes.items():
        if name not in ATTRIBUTES:
            raise ValidationError("%s: unknown subscription attribute %r; known: %s" % (param, name, ", ".join(sorted(ATTRIBUTES))))
        allowed = ATTRIBUTES[name]
        if allowed is not None and protocol not in allowed:
            raise ValidationError("%s.%s applies only to protocol %s, not %s" % (param, name, " or ".join(allowed), protocol))
        normalized[name] = normalize_attribute(name, value, "%s.%s" % (param, name))
    if protocol == "firehose" and not normalized.get("SubscriptionRoleArn"):
        raise ValidationError("%s.SubscriptionRoleArn is required for protocol firehose (the role SNS uses to write)" % param)
    return normalized


def attribute_text(name, value):
    """A normalized attribute as the API takes it (text)."""
    if value is None:
        return ""
    if name in JSON_ATTRIBUTES:
        return json.dumps(value, sort_keys=True)
    return value


def current_attribute(name, attributes):
    """The comparable form of attribute ``name`` in GetSubscriptionAttributes' answer."""
    value = attributes.get(name)
    if name == "FilterPolicyScope" and not value:
        return "MessageAttributes"  # the scope AWS applies when none is set
    if name == "RawMessageDelivery" and not value:
        return "false"
    if value in (None, ""):
        return None
    try:
        return normalize_attribute(name, value)
    except ValueError:
        return value  # not ours to judge: it differs from any valid wanted value


def attributes_to_change(current, wanted):
    """{name: API text} for the wanted attributes whose meaning differs from ``current``."""
    return {
        name: attribute_text(name, value)
        for name, value in sorted(wanted.items())
        if current_attribute(name, current) != value
    }


def readable_attributes(attributes):
    """Subscription attributes for the return value: JSON ones as objects."""
    readable = {}
    for name, value in (attributes or {}).items():
        if name in JSON_ATTRIBUTES and isinstance(value, str) and value:
            try:
                value = json.loads(value)
            except ValueError:
                pass
        readable[name] = value
    return readable


# -- listing ---------------------------------------------------------------
def is_pending(entry):
    return entry.get("SubscriptionArn") == PENDING


def endpoint_key(protocol, endpoint):
    """What makes two endpoints the same: an email address is one mailbox whatever its case.

    SNS compares addresses as given, so ``SecOps@Acme.test`` and ``secops@acme.test``
    would be two subscriptions to one mailbox, and every alert would arrive twice.
    """
    endpoint = endpoint or ""
    return endpoint.lower() if protocol in ("email", "email-json") else endpoint


def matching(listing, protocol, endpoint):
    """The listed subscriptions of ``protocol`` to ``endpoint`` (see ``endpoint_key``), confirmed first."""
    key = endpoint_key(protocol, endpoint)
    found = [
        entry for entry in listing
        if entry.get("Protocol") == protocol and endpoint_key(protocol, entry.get("Endpoint")) == key
        and entry.get("SubscriptionArn") != DELETED
    ]
    return sorted(found, key=is_pending)


def pending_message(topic_arn, protocol, endpoint):
    if protocol in ("email", "email-json"):
        how = (
            "the recipient must click the 'Confirm subscription' link in the email 'AWS Notification - "
            "Subscription Confirmation' that AWS sent to %s (check spam folders)" % endpoint
        )
    elif protocol in ("http", "https"):
        how = "the endpoint must confirm it by visiting the SubscribeURL of the SubscriptionConfirmation message"
    else:
        how = "the owner of the endpoint must confirm it"
    return (
        "The %s subscription of %s to SNS topic %s is pending confirmation: %s. Until then it receives nothing. "
        "An unconfirmed subscription cannot be deleted; SNS deletes it after 48 hours, and a later run then "
        "subscribes again, which sends a new confirmation message." % (protocol, endpoint, topic_arn, how)
    )


def subscription_facts(topic_arn, protocol, endpoint, arn=None, pending=False, attributes=None, owner=None):
    return {
        "subscription_arn": arn,
        "topic_arn": topic_arn,
        "protocol": protocol,
        "endpoint": endpoint,
        "pending_confirmation": bool(pending),
        "attributes": readable_attributes(attributes),
        "owner": owner,
    }


def _diff_side(facts):
    if not facts:
        return {}
    side = {"pending_confirmation": facts["pending_confirmation"]}
    if facts.get("attributes"):
        side["attributes"] = facts["attributes"]
    return side


class TopicSubscriptions:
    """Subscriptions of one topic: one ListSubscriptionsByTopic listing serves every endpoint.

    ``client``: a retrying SNS client (``_core.clients.AwsClients``; calls take ``aws_retry``).
    The listing is read on first use and kept up to date with this manager's
    own writes, so a caller managing N endpoints makes one listing.
    """

    def __init__(self, client, topic_arn, check_mode=False, warn=None, new_topic=False, listing=None):
        self.client = client
        self.topic_arn = topic_arn
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self.topic_exists = None
        self._listing = None
        self._warned_missing_topic = False
        if new_topic:
            # The caller has just created the topic (or would, in check mode): nothing to list.
            self.topic_exists = not check_mode
            self._listing = []
        elif listing is not None:
            # The caller has listed the topic's subscriptions in this run already.
            self.topic_exists = True
            self._listing = list(listing)

    def listing(self):
        """The topic's subscriptions (all pages), read once; [] when the topic does not exist."""
        if self._listing is None:
            entries, token = [], None
            try:
                while True:
                    params = {"TopicArn": self.topic_arn}
                    if token:
                        params["NextToken"] = token
                    page = aws_call(
                        "list the subscriptions of SNS topic %s" % self.topic_arn,
                        self.client.list_subscriptions_by_topic,
                        **params
                    )
                    entries.extend(page.get("Subscriptions", []))
                    token = page.get("NextToken")
                    if not token:
                        break
                self.topic_exists = True
            except AwsCallError as exc:
                if not is_not_found(exc.exception):
                    raise
                self.topic_exists = False
                entries = []
            self._listing = entries
        return self._listing

    def _attributes(self, arn):
        return aws_call(
            "read the attributes of subscription %s" % arn,
            self.client.get_subscription_attributes,
            SubscriptionArn=arn,
        )["Attributes"]

    def ensure_present(self, protocol, endpoint, attributes=None):
        """Subscribe ``endpoint`` unless it is subscribed (or pending); fix its ``attributes``.

        ``endpoint`` and ``attributes`` are validated here too (ValueError).
        Returns a dict: changed, action (created, updated, unchanged or pending),
        subscription (facts), diff ({before, after}).
        """
        endpoint = canonical_endpoint(protocol, endpoint)
        wanted = normalize_attributes(protocol, attributes)
        listing = self.listing()
        if not self.topic_exists:
            if not self.check_mode:
                raise ValidationError("SNS topic %s does not exist; create it before subscribing %s to it" % (self.topic_arn, endpoint))
            if not self._warned_missing_topic:
                self._warned_missing_topic = True
                self.warn("SNS topic %s does not exist; in check mode its subscriptions are predicted as new" % self.topic_arn)
        found = matching(listing, protocol, endpoint)
        if not found:
            return self._subscribe(protocol, endpoint, wanted)
        entry = found[0]
        if is_pending(entry):
            self.warn(pending_message(self.topic_arn, protocol, endpoint))
            if wanted:
                self.warn("The attributes of the pending subscription of %s can be checked only once it is confirmed" % endpoint)
            facts = subscription_facts(self.topic_arn, protocol, endpoint, pending=True, owner=entry.get("Owner"))
            return {"changed": False, "action": "pending", "subscription": facts, "diff": {"before": _diff_side(facts), "after": _diff_side(facts)}}

        arn = entry["SubscriptionArn"]
        current = self._attributes(arn) if wanted else {}
        pending = current.get("PendingConfirmation") == "true"
        if pending:
            self.warn(pending_message(self.topic_arn, protocol, endpoint))
        changes = attributes_to_change(current, wanted)
        before = subscription_facts(self.topic_arn, protocol, endpoint, arn, pending, _shown(current, wanted), entry.get("Owner"))
        if changes and not self.check_mode:
            for name, text in changes.items():
                aws_call(
                    "set %s of subscription %s (%s)" % (name, arn, endpoint),
                    self.client.set_subscription_attributes,
                    SubscriptionArn=arn,
                    AttributeName=name,
                    AttributeValue=text,
                )
        after = copy.deepcopy(before)
        after["attributes"].update(readable_attributes(changes))
        return {
            "changed": bool(changes),
            "action": "updated" if changes else ("pending" if pending else "unchanged"),
            "subscription": after,
            "diff": {"before": _diff_side(before), "after": _diff_side(after)},
        }

    def _subscribe(self, protocol, endpoint, wanted):
        api_attributes = {name: attribute_text(name, value) for name, value in wanted.items()}
        arn, owner = None, None
        pending = protocol in CONFIRMED_BY_OWNER
        if not self.check_mode:
            params = {"TopicArn": self.topic_arn, "Protocol": protocol, "Endpoint": endpoint, "ReturnSubscriptionArn": True}
            if api_attributes:
                params["Attributes"] = api_attributes
            arn = aws_call(
                "subscribe %s (%s) to SNS topic %s" % (endpoint, protocol, self.topic_arn),
                self.client.subscribe,
                **params
            )["SubscriptionArn"]
            try:
                state = self._attributes(arn)
                pending = state.get("PendingConfirmation") == "true"
                owner = state.get("Owner")
            except AwsCallError:
                pass  # eventual consistency: keep the prediction by protocol
            self._listing.append(
                {"SubscriptionArn": PENDING if pending else arn, "Protocol": protocol, "Endpoint": endpoint,
                 "TopicArn": self.topic_arn, "Owner": owner}
            )
        if pending:
            self.warn(pending_message(self.topic_arn, protocol, endpoint))
        facts = subscription_facts(self.topic_arn, protocol, endpoint, arn, pending, api_attributes, owner)
        return {"changed": True, "action": "created", "subscription": facts, "diff": {"before": {}, "after": _diff_side(facts)}}

    def ensure_absent(self, protocol, endpoint):
        """Unsubscribe ``endpoint``'s confirmed subscription; report a pending one.

        Returns a dict: changed, action (deleted, absent or pending), subscription
        (facts of what was there, {} when nothing), diff.
        """
        endpoint = canonical_endpoint(protocol, endpoint)
        results = [self._remove(entry) for entry in matching(self.listing(), protocol, endpoint)]
        if not results:
            return {"changed": False, "action": "absent", "subscription": {}, "diff": {"before": {}, "after": {}}}
        return results[0]

    def _remove(self, entry):
        protocol, endpoint = entry.get("Protocol"), entry.get("Endpoint")
        if is_pending(entry):
            self.warn(
                "The %s subscription of %s to SNS topic %s is pending confirmation and cannot be deleted; SNS deletes "
                "it after 48 hours unless the recipient confirms it" % (protocol, endpoint, self.topic_arn)
            )
            facts = subscription_facts(self.topic_arn, protocol, endpoint, pending=True, owner=entry.get("Owner"))
            return {"changed": False, "action": "pending", "subscription": facts, "diff": {"before": _diff_side(facts), "after": _diff_side(facts)}}
        arn = entry["SubscriptionArn"]
        if not self.check_mode:
            aws_call(
                "unsubscribe %s (%s) from SNS topic %s" % (endpoint, protocol, self.topic_arn),
                self.client.unsubscribe,
                SubscriptionArn=arn,
            )
            self._listing.remove(entry)
        facts = subscription_facts(self.topic_arn, protocol, endpoint, arn, False, None, entry.get("Owner"))
        return {"changed": True, "action": "deleted", "subscription": facts, "diff": {"before": _diff_side(facts), "after": {}}}

    def purge(self, protocol, keep):
        """Unsubscribe every other ``protocol`` subscription whose endpoint is not in ``keep``."""
        keep = set(endpoint_key(protocol, endpoint) for endpoint in keep)
        others = [entry for entry in self.listing() if entry.get("Protocol") == protocol
                  and endpoint_key(protocol, entry.get("Endpoint")) not in keep and entry.get("SubscriptionArn") != DELETED]
        return [self._remove(entry) for entry in others]


def _shown(current, wanted):
    """The current values of the attributes the caller manages (others are not shown)."""
    return {name: current[name] for name in wanted if name in current}


class SubscriptionManager(ResourceManager):
    """The subscriptions of a topic to a list of endpoints, built like every manager (``managers``).

    ``ensure(params, known)`` takes ``topic_arn``, ``protocol``, ``endpoints``,
    ``state``, ``attributes``, ``purge`` and ``new_topic`` (the caller has just
    created the topic, or would in check mode: nothing to list) and, in
    ``known["subscriptions"]``, the topic's listing when the caller has read it.
    """

    def ensure(self, params, known=None):
        known = known or {}
        topic = TopicSubscriptions(
            self.client("sns"), params["topic_arn"], self.check_mode, self.warn,
            new_topic=params.get("new_topic", False), listing=known.get("subscriptions"),
        )
        before = copy.deepcopy(topic.listing())
        result = manage_endpoints(
            topic, params["protocol"], params.get("endpoints") or [], state=params.get("state", "present"),
            attributes=params.get("attributes"), purge=params.get("purge", False), single=params.get("single", False),
        )
        changes = []
        for entry in result["subscriptions"]:
            if entry["action"] == "created":
                changes.append("subscribe %s" % entry["endpoint"])
            elif entry["action"] == "deleted":
                changes.append("unsubscribe %s" % entry["endpoint"])
            elif entry["action"] == "updated":
                changes.append("update subscription %s" % entry["endpoint"])
        facts = {"topic_arn": params["topic_arn"], "topic_exists": topic.topic_exists, "subscriptions": before}
        return as_manager_result(dict(result, facts=facts), changes)


def manage_endpoints(manager, protocol, endpoints, state="present", attributes=None, purge=False, single=False):
    """Apply one task to several endpoints with one manager (one listing).

    Returns a dict: changed, pending_confirmation (any), subscriptions (one
    entry per endpoint and per purged subscription, each with ``action``),
    pending_endpoints, removed_endpoints, diff ({before, after} keyed by
    endpoint); with ``single`` also subscription and subscription_arn.
    """
    if state == "present":
        outcomes = [(endpoint, manager.ensure_present(protocol, endpoint, attributes)) for endpoint in endpoints]
        if purge:
            outcomes.extend((outcome["subscription"]["endpoint"], outcome) for outcome in manager.purge(protocol, endpoints))
    else:
        outcomes = [(endpoint, manager.ensure_absent(protocol, endpoint)) for endpoint in endpoints]

    subscriptions = []
    for endpoint, outcome in outcomes:
        entry = dict(outcome["subscription"] or {"endpoint": endpoint, "protocol": protocol, "pending_confirmation": False})
        entry["action"] = outcome["action"]
        subscriptions.append(entry)
    result = {
        "changed": any(outcome["changed"] for unused, outcome in outcomes),
        "pending_confirmation": any(entry["pending_confirmation"] for entry in subscriptions),
        "subscriptions": subscriptions,
        "pending_endpoints": [entry["endpoint"] for entry in subscriptions if entry["pending_confirmation"]],
        "removed_endpoints": [entry["endpoint"] for entry in subscriptions if entry["action"] == "deleted"],
        "diff": {
            side: {endpoint: outcome["diff"][side] for endpoint, outcome in outcomes if outcome["diff"][side]}
            for side in ("before", "after")
        },
    }
    if single:
        subscription = outcomes[0][1]["subscription"]
        result["subscription"] = subscription
        result["subscription_arn"] = subscription.get("subscription_arn") if subscription else None
    return result
