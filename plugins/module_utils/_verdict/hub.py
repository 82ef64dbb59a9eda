# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hub mode, the pure part: settings, names, and the verdict of a member account.

In hub mode (``hub_account_id`` set) one account of the organization, the hub,
holds the only topic and its subscriptions, and a custom event bus in us-east-1.
Every other account, a member, forwards its root events to that bus with a
rule on its default bus, an IAM role EventBridge assumes, a dead-letter queue
and a retry policy (``bus``, ``queue``). No I/O here.

The verdict of a member is proven link by link, like ``delivery_path``'s:

1. ``event_source``: the member's own trail (read in the member);
2. ``rule``: the member's rule on its default bus is enabled and matches a root
   sign-in, success and failure;
3. ``forwarding``: one of its targets is the hub bus, with a role of the member
   that EventBridge may use for it (its trust admits events.amazonaws.com for the
   rule, its inline policy allows events:PutEvents on the bus), or none when the
   bus admits the member account directly, and the hub bus policy admits that
   principal with the member's own identity: its account, its rule as
   ``aws:SourceArn`` and its organization as read in the member
   (:func:`forwarding_link`);
4. then the links of a working path on the hub bus: ``rule`` (a hub bus rule
   that matches the member's events: forwarded events keep the member's
   ``account``, EventBridge user guide, "Sending and receiving events between AWS
   accounts"), ``target``,
   ``topic_policy``, ``encryption``, ``recipients`` (``delivery_path.evaluate``
   on the hub bus, its rule link judged again with the member's account).

The member and the hub are read by their own hosts; the hub once per run. The
member's summary (:func:`member_summary`) and the hub's (:func:`hub_summary`)
meet in the report (``plugin_utils/report``), where :func:`member_verdict` judges them
together. Without the hub's summary (the hub was not in the run, or failed) a
member that forwards is ``unknown``, never compliant.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.messages import SIGN_IN_SOURCE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import root_principal
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import GLOBAL_REGION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_account_id
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_organization_id
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.evaluation import evaluate
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import parse_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import bus_policy_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import CUSTOM_BUS_NAME_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import parse_bus_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.iam_role import EVENTS_SERVICE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.iam_role import forwarding_needs
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.iam_role import judge_role
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_role_name
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.queue import QUEUE_NAME_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.delivery_path import ENABLED_STATES
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.roles import with_role_checks

HUB_DEFAULT_NAMES = {
    "hub_bus_name": "root-login-alerts-hub",
    "forwarding_role_name": "root-login-alerts-forwarding",
    "dead_letter_queue_name": "root-login-alerts-undelivered",
}
HUB_NOT_READ = ("the hub account was not read in this run (it was not among the hosts, or it failed), so no member "
                "can be judged through it")
MEMBER = "member"
HUB = "hub"


def hub_names(settings):
    """The hub-mode resource names: the settings' own, else the defaults."""
    return dict(HUB_DEFAULT_NAMES, **dict((key, settings[key]) for key in HUB_DEFAULT_NAMES if settings.get(key)))


def hub_bus_arn(settings, partition="aws"):
    return "arn:%s:events:%s:%s:event-bus/%s" % (partition, GLOBAL_REGION, settings["hub_account_id"], hub_names(settings)["hub_bus_name"])


def dead_letter_queue_arn(settings, region, account_id):
    return build_arn("sqs", region, account_id, hub_names(settings)["dead_letter_queue_name"])


def forwarding_role_arn(settings, account_id):
    return build_arn("iam", "", account_id, "role/%s" % hub_names(settings)["forwarding_role_name"])


def own_default_bus_arn(account_id, partition="aws"):
    """The account's us-east-1 default bus: where its other regions forward, outside hub mode."""
    return "arn:%s:events:%s:%s:event-bus/default" % (partition, GLOBAL_REGION, account_id)


def validate_hub_settings(settings, name):
    """The hub-mode checks that need no AWS call (and the dead-letter queue's name, which every mode uses);
    ``name(option)`` is what the message calls an option. Returns None without ``hub_account_id``; raise
    ValueError on the first problem."""
    hub = settings.get("hub_account_id")
    organization = settings.get("organization_id")
    members = settings.get("member_accounts")
    queue = hub_names(settings)["dead_letter_queue_name"]
    if not isinstance(queue, str) or not QUEUE_NAME_RE.match(queue):
        raise ValidationError("%s must be 1-80 letters, digits, '-' or '_', got %r" % (name("dead_letter_queue_name"), queue))
    if not hub:
        for option, value in (("organization_id", organization), ("member_accounts", members),
                              ("retire_account_topic", settings.get("retire_account_topic"))):
            if value:
                raise ValidationError("%s is set but %s is not: it applies to hub mode only" % (name(option), name("hub_account_id")))
        return None
    if not isinstance(hub, str) or not ACCOUNT_ID_RE.match(hub):
        raise ValidationError("%s must be a 12-digit AWS account ID (a string, quoted in YAML), got %r" % (name("hub_account_id"), hub))
    if organization:
        try:
            validate_organization_id(organization)
        except ValueError as exc:
            raise ValidationError("%s: %s" % (name("organization_id"), exc))
    if members is not None and (isinstance(members, str) or not isinstance(members, (list, tuple))):
        raise ValidationError("%s must be a list of 12-digit account IDs, got %r" % (name("member_accounts"), members))
    for account in members or []:
        if not isinstance(account, str) or not ACCOUNT_ID_RE.match(account):
            raise ValidationError("%s: %r is not a 12-digit AWS account ID (a string, quoted in YAML)" % (name("member_accounts"), account))
    if not organization and not [a for a in members or [] if a != hub]:
        raise ValidationError(
            "hub mode needs the accounts the hub bus admits: set %s (the organization, through aws:PrincipalOrgID) or "
            "%s (the member account IDs); nothing was changed" % (name("organization_id"), name("member_accounts")))
    names = hub_names(settings)
    bus = names["hub_bus_name"]
    if not isinstance(bus, str) or not CUSTOM_BUS_NAME_RE.match(bus) or bus == "default":
        raise ValidationError("%s must be 1-256 letters, digits, '.', '-' or '_', not 'default', got %r" % (name("hub_bus_name"), bus))
    validate_role_name(names["forwarding_role_name"], name("forwarding_role_name"))
    if settings.get("region") and settings["region"] != GLOBAL_REGION:
        raise ValidationError("%s must be %s in hub mode, got %r" % (name("region"), GLOBAL_REGION, settings["region"]))
    try:  # the bus policy fits, before anything changes in any account
        bus_policy_statements(hub_bus_arn(settings), organization or None, [a for a in members or [] if a != hub],
                              forwarding_role_name=names["forwarding_role_name"])
    except ValueError as exc:
        raise ValidationError("%s: %s" % (name("member_accounts"), exc))
    return hub


def role_of(settings, account_id):
    """HUB or MEMBER: the hub is the account whose ID is ``hub_account_id``."""
    return HUB if account_id == settings["hub_account_id"] else MEMBER


# -- summaries (what each host leaves for the report) ------------------------------------
def _rule_view(rule):
    keep = ("Name", "Arn", "State", "EventPattern", "EventBusName", "targets_error")
    view = dict((key, rule.get(key)) for key in keep if key in rule)
    view["targets"] = [dict((key, t.get(key)) for key in ("Id", "Arn", "RoleArn") if t.get(key)) for t in rule.get("targets") or []]
    return view


def queue_summary(outcome, rules=(), applied=False):
    """The dead-letter queue as the audit reports it, from ``DeadLetterQueueManager``'s result.

    ``rules``: rules as read before any write (``Name``, ``targets`` in the API's shape), for the
    targets whose ``DeadLetterConfig`` names the queue (``named_by``). ``applied``: an apply ensured
    the queue, so it exists now; check mode reports it as found.
    """
    queue = outcome.get("queue") or {}
    facts = outcome["facts"]
    arn = outcome.get("queue_arn")
    named_by = sorted(set("rule %s target %s" % (rule.get("Name"), target.get("Id")) for rule in rules or []
                          for target in rule.get("targets") or [] if arn and (target.get("DeadLetterConfig") or {}).get("Arn") == arn))
    return {"name": queue.get("name"), "arn": arn,
            "exists": bool(outcome.get("queue_url") if applied else facts.get("queue_url")),
            "messages": facts.get("messages"), "visible": facts.get("ApproximateNumberOfMessages"),
            "in_flight": facts.get("ApproximateNumberOfMessagesNotVisible"), "delayed": facts.get("ApproximateNumberOfMessagesDelayed"),
            "named_by": named_by}


def organization_summary(read):
    """The member's organization as the report judges it, from ``DeliveryPathReader.read_organization``'s
    answer (None when it was not read): ``{"id": "o-..." or None (in no organization), "error": text or None}``."""
    if read is None:
        return None
    return {"id": read.get("id"), "error": read.get("error")}


def member_summary(facts, roles, settings, local, queue, ours, role_checks=(), organization=None):
    """What a member host leaves for the report: only JSON-safe values, no timestamps.

    ``facts``: ``delivery_reader`` facts of the member's default bus; ``roles``:
    ``iam_role.role_reference`` of each role of the targets that are the hub bus
    (ours with its inline policy); ``local``: the member's own ``delivery_path.evaluate``
    (a topic of its own still alerts, during a move to hub mode); ``queue``:
    :func:`queue_summary`; ``ours``: our rule ARNs and target ID; ``role_checks``: the
    ``iam_role.RoleVerifier`` result views (``usable``, ``problems``) of the roles the
    member's rules need; ``organization``: :func:`organization_summary` (None: not read).
    """
    rules = facts["rules"]
    return {
        "account_id": facts["account_id"],
        "region": facts["region"],
        "partition": facts["partition"],
        "hub_account_id": settings["hub_account_id"],
        "hub_bus_arn": hub_bus_arn(settings, facts["partition"]),
        "organization_id": settings.get("organization_id"),
        "event_source": local["event_source"],
        "rules": [_rule_view(rule) for rule in rules.get("rules") or []],
        "rules_error": rules.get("error"),
        "roles": roles,
        "local": local,
        "dead_letter_queue": queue,
        "ours": dict(ours),
        "role_checks": [dict(check) for check in role_checks],
        "organization": organization,
    }


def hub_summary(bus_read, bus_verdict, settings, queue, partition="aws", bus_rules=None):
    """What the hub host leaves for the report: the bus, its policy, the paths from the bus and its rules
    (``bus_rules``: ``delivery_reader.read_rules`` of the bus), which each member's events are matched with."""
    bus = bus_read.get("bus")
    if bus_read.get("error"):
        policy = {"error": bus_read["error"]}
    else:
        policy = parse_policy((bus or {}).get("Policy"), "the policy of the hub bus")
    return {
        "account_id": settings["hub_account_id"],
        "bus_arn": hub_bus_arn(settings, partition),
        "bus_exists": None if bus_read.get("error") else bus is not None,
        "bus_policy": policy,
        "organization_id": settings.get("organization_id"),
        "verdict": bus_verdict,
        "dead_letter_queue": queue,
        "rules": dict((rule.get("Name"), dict((key, rule.get(key)) for key in ("Name", "Arn", "State", "EventPattern")))
                      for rule in (bus_rules or {}).get("rules") or []),
    }


# -- the member verdict -------------------------------------------------------------------
def _for_member(path, hub, member):
    """A path from the hub bus as the member's events meet it: its rule link judged again with the member's
    account and Region (forwarded events keep them), when the hub left its rules."""
    rule = (hub.get("rules") or {}).get(path["rule"])
    if rule is None:
        return path
    found = delivery_path.rule_link(rule, member["account_id"], member["region"])
    links = list(path["links"])
    index = [i for i, entry in enumerate(links) if entry["link"] == "rule"]
    if not index or (found["ok"] is links[index[0]]["ok"] and found["ok"] is True):
        return path
    if found["ok"] is not True:
        found = dict(found, reason="%s, for the events of account %s (forwarded events keep the sender's account, EventBridge "
                     "user guide, \"Sending and receiving events between AWS accounts\")" % (found["reason"], member["account_id"]))
    links[index[0]] = found
    broken = [entry for entry in links if entry["ok"] is not True]
    # A bus path has no event_source link: the events come from the members, whose trails their verdicts judge.
    complete = not broken and len(links) == len(delivery_path.LINKS) - 1
    return dict(path, links=links, complete=complete, problem=(broken or [{"reason": ""}])[0]["reason"])


def _hub_links(hub, member):
    """The links of the hub's best path from its bus for this member's events, or one link saying why there is none."""
    if hub is None:
        return None, [delivery_path.link("forwarding", None, HUB_NOT_READ)]
    verdict = hub["verdict"]
    paths = [_for_member(p, hub, member) for p in verdict["paths"]]
    best = ([p for p in paths if p["complete"] and p["ours"]] or [p for p in paths if p["complete"]] or paths or [None])[0]
    if best is None:
        reasons = verdict["unknown"] or verdict["problems"] or ["no rule on hub bus %s matches a root console sign-in" % hub["bus_arn"]]
        return None, [delivery_path.link("rule", None if verdict["unknown"] else False, "hub %s: %s" % (hub["account_id"], "; ".join(reasons)))]
    links = [dict(entry, reason="hub %s: %s" % (hub["account_id"], entry["reason"])) for entry in best["links"]]
    return best, links


def _forwarding_link(member, rule, target, hub):
    if hub is None:
        return None
    if hub.get("bus_exists") is False:
        return delivery_path.link("forwarding", False, "hub bus %s does not exist" % hub["bus_arn"])
    organization = member.get("organization") or {}
    read = bool(member.get("organization")) and not organization.get("error")
    ok, reason = forwarding_link({"rule": rule, "targets": [target], "roles": member["roles"]}, hub["bus_policy"],
                                 member["account_id"], member["hub_bus_arn"], organization.get("id") if read else None,
                                 organization_read=read)
    if ok is None and not read and "aws:PrincipalOrgID" in reason:
        reason += "; the organization of account %s %s" % (
            member["account_id"], "could not be read: %s" % organization["error"] if organization.get("error") else
            "was not read (it is read with root_login_alerts_organization_id set)")
    return delivery_path.link("forwarding", ok, reason)


def _forwarding_path(member, rule, target, hub):
    account, region = member["account_id"], member["region"]
    links = [member["event_source"], delivery_path.rule_link(rule, account, region)]
    if rule.get("targets_error"):
        links.append(delivery_path.link("forwarding", None, "the targets of rule %s could not be read: %s" % (rule.get("Name"), rule["targets_error"])))
        best = None
    else:
        forwarding = _forwarding_link(member, rule, target, hub)
        best, hub_links = _hub_links(hub, member)
        links.extend(([forwarding] if forwarding else []) + hub_links)
    broken = [entry for entry in links if entry["ok"] is False]
    unread = [entry for entry in links if entry["ok"] is None]
    # The member's event source and rule, forwarding, and the hub's five (its rule to the recipients).
    expected = len(delivery_path.LINKS) + 2
    ours = member.get("ours") or {}
    return {
        "rule": rule.get("Name"),
        "rule_arn": rule.get("Arn"),
        "target_id": target.get("Id"),
        "topic": (best or {}).get("topic"),
        "via_hub": member["hub_bus_arn"],
        "ours": rule.get("Arn") in (ours.get("rule_arns") or []) and target.get("Id") == ours.get("target_id") and bool(best and best["ours"]),
        "complete": not broken and not unread and len(links) == expected,
        # What the member's events reach through the hub: every kind of the hub's complete paths from its bus.
        "reaches": destination_verdict.reaches([_for_member(p, hub, member) for p in hub["verdict"]["paths"]])
        if hub and not broken and not unread and len(links) == expected else [],
        "recipients": list((best or {}).get("recipients") or []) if not broken and not unread else [],
        "pending": list((best or {}).get("pending") or []),
        "links": links,
        "problem": (broken or unread or [{"reason": ""}])[0]["reason"],
        "notes": [note for note in [delivery_path.custom_event_note(rule, account, region)] if note]
        + ["hub %s rule %s: %s" % (hub["account_id"], best["rule"], note) for note in (best or {}).get("notes") or []],
    }


def member_verdict(member, hub):
    """A member's verdict, ``delivery_path.evaluate``'s shape, from its summary and the hub's (or None).

    Its paths are its own working paths to a topic of its own, and every rule of
    its default bus that matches a root sign-in with a target that is the hub bus,
    each walked through the hub. A dead-letter queue that holds events makes it
    ``needs_action``: an alert was not delivered; so does a role its rules need that
    is missing or may not do what they need (``roles.with_role_checks``).
    """
    local = member["local"]
    paths = [p for p in local["paths"] if p["topic"] != member["hub_bus_arn"] and (p["complete"] or p["ours"])]
    for rule in member["rules"]:
        for target in rule.get("targets") or []:
            if target.get("Arn") == member["hub_bus_arn"]:
                paths.append(_forwarding_path(member, rule, target, hub))
    unknown = []
    if member.get("rules_error"):
        unknown.append("the rules of the default event bus in %s could not be listed: %s" % (member["region"], member["rules_error"]))
    unknown.extend(p["problem"] for p in paths if not p["complete"] and not [x for x in p["links"] if x["ok"] is False])
    problems = []
    if any(p["complete"] for p in paths):
        status = delivery_path.COMPLIANT
    elif unknown:
        status = delivery_path.UNKNOWN
    else:
        status = delivery_path.NEEDS_ACTION
    if status != delivery_path.COMPLIANT:
        if not paths:
            if member["event_source"]["ok"] is False:
                problems.append(member["event_source"]["reason"])
            problems.append("no enabled rule on the default event bus in %s forwards root console sign-ins to hub bus %s"
                            % (member["region"], member["hub_bus_arn"]))
        for path in paths:
            if path["complete"]:
                continue
            line = "rule %s -> %s: %s" % (path["rule"], path.get("via_hub") or path["topic"] or "no target", path["problem"])
            if line not in problems and path["problem"] not in unknown:
                problems.append(line)
    verdict = {"status": status, "paths": paths, "problems": problems, "unknown": list(dict.fromkeys(unknown)),
               "event_source": member["event_source"], "hub_account_id": member["hub_account_id"],
               "notes": delivery_path.path_notes(paths), "reaches": destination_verdict.reaches(paths)}
    verdict = with_role_checks(verdict, member.get("role_checks") or [])
    return delivery_path.with_undelivered_events(verdict, member.get("dead_letter_queue"))


def hub_row_verdict(own, hub):
    """The hub's own row: its account's verdict (its own sign-ins, to its topic directly), with what its
    bus lacks and a dead-letter queue that holds events; the worst of them is its status."""
    verdict = dict(own, problems=list(own["problems"]), unknown=list(own.get("unknown") or []))
    bus = hub["verdict"]
    if not [p for p in bus["paths"] if p["complete"]]:
        reasons = bus["unknown"] or bus["problems"]
        verdict["problems"].append("hub bus %s: %s" % (hub["bus_arn"], "; ".join(reasons)))
        if verdict["status"] == delivery_path.COMPLIANT:
            verdict["status"] = delivery_path.UNKNOWN if bus["unknown"] else delivery_path.NEEDS_ACTION
    if hub.get("bus_exists") is False:
        verdict["problems"].append("hub bus %s does not exist" % hub["bus_arn"])
    verdict["notes"] = list(own.get("notes") or []) + delivery_path.path_notes(bus["paths"], "hub bus %s: " % hub["bus_arn"])
    return delivery_path.with_undelivered_events(verdict, hub.get("dead_letter_queue"))


# -- the forwarding link: does a member rule reach the hub bus? ----------------------------------
def forwarding_link(member_rule, hub_bus_policy, member_account, hub_bus_arn, organization_id=None, event_source=SIGN_IN_SOURCE,
                    organization_read=True):
    """Does this member rule deliver to the hub bus? -> (True, False or None, reason).

    ``member_rule``: what was read in the member account:

    - ``rule``: the rule (DescribeRule or ListRules item: Name, Arn, State), None when absent;
    - ``targets``: its ListTargetsByRule targets;
    - ``roles``: {role ARN: ``iam_role.role_reference`` (trust, boundary and, for our role, its
      inline policy), None when the role does not exist, ``{"error"}`` when its read failed};
      a target role missing from it was not read;
    - ``error``: text, when a read failed.

    ``hub_bus_policy``: the hub bus policy (dict or JSON text; None: no policy), or
    ``{"error": text}`` when it could not be read. ``organization_id``: the member's own
    organization (DescribeOrganization in the member), None when it is in none;
    ``organization_read`` False when that read was not made or failed: ``aws:PrincipalOrgID``
    is then unknown, and a bus statement conditioned on it is undecided (None).

    The link holds when the rule is enabled and one target is ``hub_bus_arn`` that EventBridge
    can put the event with:

    - with a RoleArn: that role may be used for it (:func:`_judge_role`: its trust lets
      events.amazonaws.com assume it for this rule, its inline policy allows events:PutEvents
      on the bus and denies it nowhere), and the bus policy admits the role's sessions;
    - without one: the bus policy admits the member account directly. "If you're setting an
      event bus in another account as the target and that account granted permission to your
      account through an organization instead of directly by the account ID, you must specify a
      RoleArn" (EventBridge API reference, PutTargets, Target ``RoleArn``; PutPermission says the
      same), so an organization statement does not count for it.

    The bus policy is evaluated by ``evaluate`` for the request EventBridge
    makes (:func:`_judge_bus_policy`), with the keys this audit knows: ``aws:PrincipalArn``
    (the role), ``aws:PrincipalAccount`` and ``aws:SourceAccount`` (the member), ``aws:SourceArn``
    (the rule), ``events:source`` (``event_source``: ``aws.signin`` for a console sign-in) and
    ``aws:PrincipalOrgID`` (the member's organization, when read). A condition on another key is
    undecided. None means unknown: a needed read failed, or a statement could not be decided.
    """
    member_rule = member_rule or {}
    partition, unused_region, hub_account, bus = parse_bus_arn(hub_bus_arn)
    validate_account_id(member_account, "member_account")
    if organization_id is not None:
        validate_organization_id(organization_id)
    if member_rule.get("error"):
        return None, "the forwarding rule of account %s could not be read: %s" % (member_account, member_rule["error"])
    rule = member_rule.get("rule")
    if not rule:
        return False, "account %s has no rule forwarding to hub bus %s" % (member_account, hub_bus_arn)
    name = rule.get("Name") or rule.get("Arn") or "?"
    if rule.get("State") not in ENABLED_STATES:
        return False, "rule %s of account %s is %s" % (name, member_account, rule.get("State") or "in no known state")
    targets = [t for t in member_rule.get("targets") or [] if t.get("Arn") == hub_bus_arn]
    if not targets:
        return False, "rule %s of account %s has no target %s" % (name, member_account, hub_bus_arn)
    organization = (organization_id, organization_read)
    unknown, failed = [], []
    for target in targets:
        if not target.get("RoleArn"):
            ok, reason = _judge_bus_policy(hub_bus_policy, member_account, hub_bus_arn, rule, None, organization, event_source)
            how = "without a role"
        else:
            ok, reason = _judge_role(member_rule.get("roles") or {}, target, rule, member_account)
            if ok is True:
                ok, reason = _judge_bus_policy(hub_bus_policy, member_account, hub_bus_arn, rule, target["RoleArn"], organization,
                                               event_source)
            how = "with role %s" % target["RoleArn"]
        if ok is True:
            return True, "rule %s of account %s -> hub bus %s (account %s) %s; %s" % (name, member_account, bus, hub_account, how, reason)
        (unknown if ok is None else failed).append("target %s: %s" % (target.get("Id"), reason))
    if unknown:
        return None, "; ".join(unknown)
    return False, "; ".join(failed)


def _judge_role(roles, target, rule, member_account):
    """Whether EventBridge may use the target's role for this rule: by what the role may do (``iam_role``).

    Its trust must let events.amazonaws.com assume it with ``aws:SourceAccount`` the member and
    ``aws:SourceArn`` the rule, and its inline policy (the template's, ``rootwatch-forward-to-hub-bus``)
    must allow ``events:PutEvents`` on the target bus, with no explicit Deny of it in that policy. Attached
    managed policies and the permissions boundary's document are not read (one more request each): a role
    with a ``PermissionsBoundary`` in GetRole's answer is unknown, never usable. A role whose inline policy
    was not read (one the role variables do not name) is unknown too. Not iam:SimulatePrincipalPolicy: it
    would be one more request per member on every run (over the per-account budget) and needs
    iam:SimulatePrincipalPolicy on the role, which the least-privilege automation policy does not grant.
    """
    role_arn = target["RoleArn"]
    if role_arn not in roles:
        return None, "role %s was not read" % role_arn
    role = roles[role_arn]
    if role and role_arn.split(":")[4] != member_account:
        return False, "its role %s is not in account %s; EventBridge uses a role of the rule's account" % (role_arn, member_account)
    needs = forwarding_needs(member_account, role_arn, [rule.get("Arn") or ""], [target["Arn"]])
    ok, reasons = judge_role(dict(role, Arn=role_arn) if role and not role.get("error") else role, EVENTS_SERVICE, needs)
    if ok:
        return True, "role %s may forward: %s" % (role_arn, "; ".join(reasons))
    return ok, "its role %s %s" % (role_arn, "; ".join(reasons))


BUS_REQUEST_KEYS = ("aws:PrincipalArn", "aws:PrincipalAccount", "aws:SourceAccount", "aws:SourceArn", "events:source")


def _judge_bus_policy(policy, member_account, bus_arn, rule, role_arn, organization, event_source):
    """Does the bus policy admit PutEvents of ``event_source`` events from this member rule?

    With ``role_arn`` the principal is the role (a policy naming it, or its account, or ``*``); its
    sessions' ``aws:PrincipalArn`` is the role's ARN. A policy of an older version (``Principal "*"``
    with ``aws:PrincipalOrgID`` only, or the listed accounts' roots) still admits it. Without a role
    the principal is the member account itself, whose ``aws:PrincipalArn`` AWS does not document (judged
    absent and as the account root; undecided unless both agree), and only a direct admission counts (``aws:PrincipalOrgID`` taken
    as absent: an organization grant needs a RoleArn, PutTargets). ``organization``: (the member's
    organization ID or None, whether it was read).
    """
    if isinstance(policy, dict) and set(policy) == set(["error"]):
        return None, "the policy of hub bus %s could not be read: %s" % (bus_arn, policy["error"])
    organization_id, organization_read = organization
    context = {"aws:PrincipalAccount": member_account, "aws:SourceAccount": member_account, "events:source": [event_source]}
    known = list(BUS_REQUEST_KEYS)
    if rule.get("Arn"):
        context["aws:SourceArn"] = rule["Arn"]
    if role_arn:
        principal, who = role_arn, "role %s" % role_arn
        context["aws:PrincipalArn"] = role_arn
        if organization_read:
            known.append("aws:PrincipalOrgID")
            if organization_id:
                context["aws:PrincipalOrgID"] = organization_id
    else:
        principal, who = root_principal(parse_bus_arn(bus_arn)[0], member_account), "account %s (a target without RoleArn)" % member_account
        known.append("aws:PrincipalOrgID")
    result = evaluate(policy, {"AWS": principal}, "events:PutEvents", bus_arn, context, known)
    if not role_arn:
        # No role session exists, so aws:PrincipalArn is no role's; AWS does not document whether it is absent or the
        # account's root: judged both ways, and undecided unless they agree.
        rooted = evaluate(policy, {"AWS": principal}, "events:PutEvents", bus_arn,
                          dict(context, **{"aws:PrincipalArn": principal}), known)
        if rooted["outcome"] is not result["outcome"]:
            result = dict(result, outcome=None, unevaluated=result["unevaluated"] + [
                "The decision depends on aws:PrincipalArn, which AWS does not document for a target without RoleArn."])
    if result["outcome"] is True:
        return True, "the bus policy admits %s events from %s (statement %s)" % (event_source, who, ", ".join(result["statements"]))
    if result["outcome"] is None:
        return None, "the hub bus policy could not be decided for %s events from %s: %s %s" % (
            event_source, who, result["reason"], " ".join(result["unevaluated"]))
    reason = "the hub bus policy does not admit %s events from %s of account %s: %s" % (event_source, who, member_account, result["reason"])
    if not role_arn:
        reason += (" A target without RoleArn counts only when the bus admits the account directly: one admitted through "
                   "an organization needs a RoleArn (EventBridge API reference, PutTargets, RoleArn)")
    return False, reason
