# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Would a root console sign-in in this account reach a confirmed recipient?

Pure functions, no I/O: :func:`evaluate` judges what ``delivery_reader`` read
from the account, whoever built what it finds. A delivery path is one rule on
the default event bus in the sign-in Region with one of its targets, and it is
walked link by link, each with a reason:

1. ``event_source``: a trail that logs management write events and global
   service events in the sign-in Region, and is logging (organization trails count);
2. ``rule``: enabled, its pattern matches every root sign-in (success and failure,
   any MFA, address, user agent, sign-in endpoint Region), judged by meaning
   (``pattern_coverage``); a narrowed pattern is partial: not counted, its gaps named;
3. ``target``: an SNS topic of this account in the sign-in Region, which exists;
4. ``topic_policy``: lets ``events.amazonaws.com`` call ``sns:Publish`` for this
   rule (Allow and Deny, principal, action, resource, ``aws:SourceArn`` and
   ``aws:SourceAccount``);
5. ``encryption``: none, or a customer-managed key that exists, is enabled and
   whose key policy lets ``events.amazonaws.com`` use ``kms:Decrypt`` and
   ``kms:GenerateDataKey*``;
6. ``recipients``: at least one confirmed subscription whose filter policy passes every
   alert (``filter_policy``: EventBridge sets no message attributes; the body is our template);
   the chat service's subscription counts only with an ENABLED channel configuration that lists
   the topic (``destination_verdict``).

A target that is an API destination (a webhook) has, after the rule, the links ``target`` (one of
our webhooks), ``role``, ``connection`` (``AUTHORIZED``) and ``api_destination`` (``ACTIVE``).
Each complete path names the kinds of destination it ``reaches`` (email, slack, teams, webhook:<name>).

A link is ``True`` (proven), ``False`` (broken) or ``None`` (a read it needs
failed). The account is ``compliant`` with one complete path, ``unknown`` when
a path that might be complete, or the rule listing itself, could not be read,
and ``needs_action`` otherwise.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import profiles as alert_profiles
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import filter_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import pattern_coverage
from ansible_collections.rootwatch.aws.plugins.module_utils._policy import evaluation as policy_evaluation
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import MUST_MATCH
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import sign_in_samples
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.profiles import SIGN_IN_PROFILE
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import COMPLIANT
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import NEEDS_ACTION
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import UNKNOWN
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.trail_coverage import trail_covers
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import EVENTS_SERVICE_PRINCIPAL
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import DELETED
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import PENDING
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import is_aws_managed_sns_key
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import PatternError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import DEFAULT_BUS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION

# "If you sign in as the root user, CloudTrail records the event in us-east-1"
# (CloudTrail user guide, "AWS Management Console sign-in events"):
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
SIGN_IN_REGIONS = {"aws": GLOBAL_REGION}
ENABLED_STATES = ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
EVENTS_PRINCIPAL = {"Service": EVENTS_SERVICE_PRINCIPAL}
KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"]
LINKS = ("event_source", "rule", "target", "topic_policy", "encryption", "recipients")
# A path whose rule a custom event can trigger still alerts, so it counts; the report says so.
NO_SOURCE_NOTE = "a custom event could trigger it (no source in its pattern)"
FOREIGN_SOURCE_NOTE = "a custom event could trigger it (its pattern admits a source that does not begin with aws.)"


def link(name, ok, reason):
    return {"link": name, "ok": ok, "reason": reason}


def sign_in_region(partition):
    """The Region where CloudTrail records root console sign-ins, or None where AWS documents none."""
    return SIGN_IN_REGIONS.get(partition)


def rule_matches(rule, account_id, region, profile=SIGN_IN_PROFILE):
    """(True, False or None for "cannot evaluate", reason): does the pattern match every event of ``profile``'s
    event set, judged by meaning (``pattern_coverage``)? A partial pattern is False, its gaps named."""
    pattern = rule.get("EventPattern")
    name = rule.get("Name")
    if not pattern:
        return False, "rule %s has no event pattern" % name
    events = alert_profiles.event_set(profile, account_id, region)
    try:
        verdict = pattern_coverage.judge(pattern, events)
        # The sign-in samples only name what is missed in the words earlier reports used.
        samples = sign_in_samples(account_id, region) if profile == SIGN_IN_PROFILE else {}
        missed = [sample for sample in MUST_MATCH if samples and not event_pattern.matches(pattern, samples[sample][0])]
    except PatternError as exc:
        return None, "the pattern of rule %s could not be evaluated here: %s" % (name, exc)
    gaps = "; ".join(verdict["gaps"])
    if verdict["covers"] is True:
        return True, events["covered"]
    if verdict["covers"] is None:
        return None, "whether the pattern of rule %s matches every %s cannot be decided: %s" % (name, events["one"], gaps)
    if missed:
        return False, "the pattern of rule %s does not match a %s: %s" % (
            name, " or a ".join(sample.replace("_", " ") for sample in missed), gaps)
    return False, "the pattern of rule %s does not match every %s: %s" % (name, events["one"], gaps)


def custom_event_note(rule, account_id, region):
    """The note for a rule that a forged root sign-in (a custom source, the same detail-type and identity)
    would trigger, or None. Only AWS sends ``aws.`` sources, so a pattern that pins one is safe from it."""
    pattern = rule.get("EventPattern")
    if not pattern:
        return None
    forged = sign_in_samples(account_id, region)["forged_custom_event"][0]
    try:
        if not event_pattern.matches(pattern, forged):
            return None
        return FOREIGN_SOURCE_NOTE if "source" in event_pattern.parse(pattern) else NO_SOURCE_NOTE
    except PatternError:
        return None  # the rule link already says it cannot be evaluated


def path_notes(paths, prefix=""):
    """One line per note of each complete path: ``rule R -> TOPIC: note``."""
    return _unique(["%srule %s -> %s: %s" % (prefix, p["rule"], p.get("via_hub") or p["topic"] or "no target", note)
                    for p in paths if p["complete"] for note in p.get("notes") or []])


# -- links ----------------------------------------------------------------------
def event_source_link(trails, account_id, region):
    """The trail link, shared by every path of the account."""
    if trails.get("error"):
        return link("event_source", None, "the trails could not be read: %s" % trails["error"])
    reasons, unread = [], []
    for entry in trails.get("trails") or []:
        trail = entry["trail"]
        if entry.get("error"):
            unread.append("trail %s: %s" % (trail.get("Name"), entry["error"]))
            continue
        covers, why = trail_covers(trail, entry.get("status"), entry.get("selectors"), region, account_id)
        if covers:
            return link("event_source", True, "trail %s: %s" % (trail.get("Name"), why))
        reasons.append("trail %s: %s" % (trail.get("Name"), why))
    if unread:
        return link("event_source", None, "no trail is proven to log console sign-ins; not readable: %s" % "; ".join(unread))
    if not reasons:
        return link("event_source", False, "no CloudTrail trail logs management events in %s (there is no trail)" % region)
    return link("event_source", False, "no trail delivers console sign-in events in %s: %s" % (region, "; ".join(reasons)))


def rule_link(rule, account_id, region):
    name = rule.get("Name")
    if rule.get("State") not in ENABLED_STATES:
        return link("rule", False, "rule %s is %s" % (name, rule.get("State") or "not enabled"))
    ok, why = rule_matches(rule, account_id, region)
    return link("rule", ok, why if ok is not True else "rule %s is enabled and %s" % (name, why))


def target_link(target, topic, account_id, region, partition):
    arn = target.get("Arn") or ""
    parsed = parse_aws_arn(arn) if arn.startswith("arn:") else None
    if not parsed or parsed.get("service") != "sns" or parsed.get("partition") != partition:
        return link("target", False, "target %s (%s) is not an SNS topic" % (target.get("Id"), arn))
    if parsed.get("account_id") != account_id or parsed.get("region") != region:
        return link("target", False, "topic %s is not in this account's %s" % (arn, region))
    if topic is None or topic.get("error"):
        return link("target", None, "topic %s could not be read: %s" % (arn, (topic or {}).get("error") or "not read"))
    if topic.get("attributes") is None:
        return link("target", False, "topic %s does not exist" % arn)
    return link("target", True, "SNS topic %s" % arn)


def topic_policy_link(topic_arn, attributes, rule_arn, account_id):
    try:
        decision = policy_evaluation.evaluate(
            attributes.get("Policy"), EVENTS_PRINCIPAL, "sns:Publish", topic_arn,
            {"aws:SourceArn": rule_arn, "aws:SourceAccount": account_id},
        )
    except ValueError as exc:
        return link("topic_policy", False, "the policy of topic %s cannot be read as a policy: %s" % (topic_arn, exc))
    if decision["allowed"]:
        return link("topic_policy", True, "lets %s publish for rule %s (%s)" % (EVENTS_SERVICE_PRINCIPAL, rule_arn, decision["reason"]))
    return link("topic_policy", False, "the policy of topic %s does not let %s publish for rule %s: %s"
                % (topic_arn, EVENTS_SERVICE_PRINCIPAL, rule_arn, decision["reason"]))


def encryption_link(topic_arn, attributes, keys):
    key_id = attributes.get("KmsMasterKeyId") or ""
    if not key_id:
        return link("encryption", True, "topic %s is not encrypted" % topic_arn)
    name = topic_arn.rsplit(":", 1)[-1]
    if is_aws_managed_sns_key(key_id):
        return link("encryption", False, "topic %s is encrypted with alias/aws/sns; EventBridge cannot publish to it" % name)
    key = keys.get(key_id)
    if key is None or key.get("error"):
        return link("encryption", None, "KMS key %s of topic %s could not be read: %s" % (key_id, name, (key or {}).get("error") or "not read"))
    metadata = key.get("metadata")
    if metadata is None:
        return link("encryption", False, "topic %s is encrypted with KMS key %s, which does not exist" % (name, key_id))
    if metadata.get("KeyManager") != "CUSTOMER":
        return link("encryption", False, "topic %s is encrypted with the AWS-managed key %s; EventBridge cannot use it" % (name, key_id))
    if metadata.get("KeyState") != "Enabled":
        return link("encryption", False, "topic %s is encrypted with KMS key %s, which is %s" % (name, key_id, metadata.get("KeyState")))
    # The request context of SNS's KMS calls for EventBridge's Publish: SNS encrypts with the encryption context
    # aws:sns:topicArn = the topic ARN (AWS's key policies for services publishing to encrypted topics condition on
    # kms:EncryptionContext:aws:sns:topicArn: SNS developer guide, "Key management",
    # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html; GameLift FlexMatch guide, "Set up an SNS
    # topic with server-side encryption"). No other key is known: whether aws:SourceArn/aws:SourceAccount,
    # kms:CallerAccount or kms:ViaService reach KMS for a service principal here is not documented, so a
    # condition on them leaves the link unknown, never broken.
    context_key = "kms:EncryptionContext:aws:sns:topicArn"
    try:
        allowed, why = policy_evaluation.decide(key.get("policy"), EVENTS_PRINCIPAL, KMS_ACTIONS, metadata.get("Arn") or "*",
                                                {context_key: topic_arn}, [context_key])
    except ValueError as exc:
        return link("encryption", False, "the key policy of %s cannot be read as a policy: %s" % (key_id, exc))
    if allowed is None:
        return link("encryption", None, "the key policy of %s (topic %s) lets %s use the key only under conditions this audit "
                    "cannot decide on the EventBridge-to-SNS path: %s" % (key_id, name, EVENTS_SERVICE_PRINCIPAL, why))
    if not allowed:
        return link("encryption", False, "the key policy of %s (topic %s) does not let %s use kms:Decrypt and "
                    "kms:GenerateDataKey*: %s" % (key_id, name, EVENTS_SERVICE_PRINCIPAL, why))
    return link("encryption", True, "customer-managed key %s, enabled, usable by %s" % (key_id, EVENTS_SERVICE_PRINCIPAL))


def recipients_link(topic_arn, topic, profile=SIGN_IN_PROFILE, chat=None):
    """At least one confirmed subscription whose filter policy passes every alert of ``profile`` (``filter_policy``).
    One whose filter policy could not be read is unknown, never counted nor broken. A confirmed one with no
    filter read counts only in facts that carry no ``filters`` at all (built without ``delivery_reader``): the
    reader stops at the first that receives everything, so those after it need no judgement. The chat service's
    subscription counts only with an ENABLED channel configuration listing the topic (``destination_verdict``;
    ``chat`` None: not read). The link's ``kinds`` are the destinations it reaches (email, slack, teams...)."""
    if topic.get("subscriptions_error"):
        return link("recipients", None, "the subscriptions of %s could not be listed: %s" % (topic_arn, topic["subscriptions_error"]))
    listed = [s for s in topic.get("subscriptions") or [] if s.get("SubscriptionArn") != DELETED]
    confirmed = [s for s in listed if s.get("SubscriptionArn") != PENDING]
    pending = [s for s in listed if s.get("SubscriptionArn") == PENDING]
    filters = topic.get("filters")
    transformer = alert_profiles.input_transformer(profile)
    body = filter_policy.message_body(transformer["input_template"], transformer["input_paths_map"])
    counted, dropped, unread, kinds = [], [], [], set()

    def count(subscription, label):
        if not destination_verdict.is_chat_subscription(subscription):
            counted.append(label)
            kinds.add(destination_verdict.subscription_kind(subscription))
            return
        ok, found, why = destination_verdict.chat_recipient(topic_arn, chat)
        if ok:
            counted.append("%s: %s" % (label, why))
            kinds.update(found)
        elif ok is False:
            dropped.append("%s: %s" % (label, why))
        else:
            unread.append("%s: %s" % (label, why))

    for subscription in confirmed:
        label = "%s (%s)" % (subscription.get("Endpoint"), subscription.get("Protocol"))
        read = (filters or {}).get(subscription.get("SubscriptionArn"))
        if read is None:
            if filters is None:
                count(subscription, label)
            continue
        if read.get("error"):
            unread.append("%s: its filter policy could not be read: %s" % (label, read["error"]))
            continue
        if read.get("attributes") is None:
            continue  # deleted since it was listed
        attributes = read["attributes"]
        ok, why = filter_policy.judge(attributes.get("FilterPolicy"), attributes.get("FilterPolicyScope"), body)
        if ok:
            count(subscription, label)
        elif ok is False:
            dropped.append("%s: its filter policy drops our messages: %s" % (label, why))
        else:
            unread.append("%s: %s" % (label, why))
    if counted:
        return dict(link("recipients", True, "confirmed: %s" % ", ".join(sorted(counted))), kinds=sorted(kinds))
    name = topic_arn.rsplit(":", 1)[-1]
    if unread:
        return link("recipients", None, "topic %s has no confirmed subscription proven to receive our alerts; %s" % (
            name, "; ".join(sorted(unread) + sorted(dropped))))
    if dropped:
        return link("recipients", False, "topic %s has no confirmed subscription that receives our alerts: %s" % (
            name, "; ".join(sorted(dropped))))
    return link("recipients", False, "topic %s has no confirmed subscription%s" % (
        name, " (pending: %s)" % ", ".join(sorted(s.get("Endpoint") for s in pending)) if pending else ""))


# -- paths and the verdict --------------------------------------------------------
def _path(rule, target, facts, source):
    account, region, partition = facts["account_id"], facts["region"], facts["partition"]
    ours = facts.get("ours") or {}
    topic_arn = (target or {}).get("Arn")
    topic = (facts.get("topics") or {}).get(topic_arn)
    links = ([source] if source else []) + [rule_link(rule, account, region)]
    kinds = []
    if rule.get("targets_error"):
        links.append(link("target", None, "the targets of rule %s could not be read: %s" % (rule.get("Name"), rule["targets_error"])))
    elif target is None:
        links.append(link("target", False, "rule %s has no target" % rule.get("Name")))
    elif destination_verdict.is_api_destination_arn(topic_arn):
        found, kinds = destination_verdict.webhook_links(target, facts)
        links.extend(found)
    else:
        links.append(target_link(target, topic, account, region, partition))
        if links[-1]["ok"]:
            attributes = topic["attributes"]
            links.append(topic_policy_link(topic_arn, attributes, rule.get("Arn"), account))
            links.append(encryption_link(topic_arn, attributes, facts.get("keys") or {}))
            links.append(recipients_link(topic_arn, topic, chat=facts.get("chat")))
            kinds = links[-1].get("kinds") or []
    recipients = []
    pending = []
    if topic and topic.get("subscriptions"):
        recipients = sorted(s.get("Endpoint") for s in topic["subscriptions"] if s.get("SubscriptionArn") not in (PENDING, DELETED))
        pending = sorted(s.get("Endpoint") for s in topic["subscriptions"] if s.get("SubscriptionArn") == PENDING)
    broken = [entry for entry in links if entry["ok"] is False]
    unread = [entry for entry in links if entry["ok"] is None]
    complete = not broken and not unread and len(links) == len(LINKS) - (0 if source else 1)
    return {
        "rule": rule.get("Name"),
        "rule_arn": rule.get("Arn"),
        "target_id": (target or {}).get("Id"),
        "topic": topic_arn,
        "ours": bool(ours) and rule.get("Arn") == ours.get("rule_arn") and destination_verdict.is_our_target(target, ours),
        "complete": complete,
        # The kinds of destination this path reaches when complete: email, slack, teams, webhook:<name>.
        "reaches": list(kinds) if complete else [],
        "recipients": recipients,
        "pending": pending,
        "links": links,
        "problem": (broken or unread or [{"reason": ""}])[0]["reason"],
        "notes": [note for note in [custom_event_note(rule, account, region)] if note],
    }


def evaluate(facts):
    """The account's verdict from ``delivery_reader`` facts.

    Returns ``{"status", "paths", "problems", "unknown", "event_source", "notes", "reaches"}``:
    ``problems`` names the first broken link of each path (or why there is none),
    ``unknown`` the reads that failed, ``notes`` what holds but is worth knowing
    about a complete path (a custom event could trigger its rule); a note never
    changes the status. With ``facts["bus"]`` a custom bus (the hub's), the paths
    start at its rules and have no ``event_source`` link: the events on it come
    from other accounts, whose own trails their verdicts judge (``hub_mode``).
    """
    account, region = facts["account_id"], facts["region"]
    bus = facts.get("bus") or DEFAULT_BUS
    source = event_source_link(facts.get("trails") or {}, account, region) if bus == DEFAULT_BUS else None
    rules = facts.get("rules") or {}
    paths = []
    for rule in rules.get("rules") or []:
        targets = rule.get("targets") or []
        for target in targets or [None]:
            paths.append(_path(rule, target, facts, source))
    unknown = []
    if rules.get("error"):
        unknown.append("the rules of %s in %s could not be listed: %s" % (bus_label(bus), region, rules["error"]))
    unknown.extend(p["problem"] for p in paths if not p["complete"] and not [x for x in p["links"] if x["ok"] is False])
    problems = []
    if any(p["complete"] for p in paths):
        status = COMPLIANT
    elif unknown:
        status = UNKNOWN
    else:
        status = NEEDS_ACTION
        if not paths:
            if source and source["ok"] is False:
                problems.append(source["reason"])
            problems.append("no enabled rule on %s in %s matches a root console sign-in" % (bus_label(bus), region))
        for path in paths:
            line = "rule %s -> %s: %s" % (path["rule"], path["topic"] or "no target", path["problem"])
            if line not in problems:
                problems.append(line)
    return {
        "status": status,
        "paths": paths,
        "problems": problems,
        "unknown": _unique(unknown),
        "event_source": source,
        "notes": path_notes(paths),
        # The kinds of destination with a complete path (destination_verdict.reaches).
        "reaches": destination_verdict.reaches(paths),
    }


def with_undelivered_events(verdict, queue):
    """The verdict, ``needs_action`` with a problem when the dead-letter ``queue`` (``hub_mode.queue_summary``)
    holds events, in flight and delayed ones too (EventBridge could not deliver them, so an alert may have been
    lost), or is missing while targets name it: EventBridge then keeps nothing it fails to deliver (it counts
    such events in ``InvocationsFailedToBeSentToDLQ``, EventBridge user guide, "Using dead-letter queues")."""
    queue = queue or {}
    problems = []
    if queue.get("exists") is False and queue.get("named_by"):
        problems.append("dead-letter queue %s does not exist, yet %s send(s) to it what EventBridge cannot deliver: "
                        "such events, root alerts among them, are lost; an apply recreates it"
                        % (queue.get("name") or queue.get("arn"), ", ".join(queue["named_by"])))
    if queue.get("messages"):
        held = [(queue.get("visible"), "available"), (queue.get("in_flight"), "received by someone but not deleted"),
                (queue.get("delayed"), "delayed")]
        detail = ", ".join("%d %s" % (count, what) for count, what in held if count)
        problems.append("dead-letter queue %s holds %d event(s) that EventBridge could not deliver%s: a root alert may "
                        "have been lost; read them, fix the cause, then purge the queue"
                        % (queue.get("name"), queue["messages"], " (%s)" % detail if detail else ""))
    if not problems:
        return verdict
    return dict(verdict, status=NEEDS_ACTION, problems=list(verdict["problems"]) + problems)


def bus_label(bus):
    return "the default event bus" if bus == DEFAULT_BUS else "event bus %s" % bus


def working_paths(verdict, ours=None):
    """The complete paths; with ``ours`` True or False only ours or only others'."""
    return [p for p in verdict["paths"] if p["complete"] and (ours is None or p["ours"] is ours)]


def _unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
