# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hub mode, the pure part: settings, names, and the verdict of a member account.

In hub mode (``hub_account_id`` set) one account of the organization, the hub,
holds the only topic and its subscriptions, and a custom event bus in us-east-1.
Every other account, a member, forwards its root events to that bus with a
rule on its default bus, an IAM role EventBridge assumes, a dead-letter queue
and a retry policy (``event_hub``). No I/O here.

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
   (``event_hub.forwarding_link``);
4. then the links of a working path on the hub bus: ``rule`` (a hub bus rule
   that matches the member's events: forwarded events keep the member's
   ``account``, EventBridge user guide, "Sending and receiving events between AWS
   accounts"), ``target``,
   ``topic_policy``, ``encryption``, ``recipients`` (``delivery_path.evaluate``
   on the hub bus, its rule link judged again with the member's account).

The member and the hub are read by their own hosts; the hub once per run. The
member's summary (:func:`member_summary`) and the hub's (:func:`hub_summary`)
meet in the report (``compliance``), where :func:`member_verdict` judges them
together. Without the hub's summary (the hub was not in the run, or failed) a
member that forwards is ``unknown``, never compliant.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import event_hub
from ansible_collections.rootwatch.aws.plugins.module_utils._resources import iam_role as iam_roles
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import ACCOUNT_ID_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.iam_role import ROLE_NAME_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError

HUB_DEFAULT_NAMES = {
    "hub_bus_name": "root-login-alerts-hub",
    "forwarding_role_name": "root-login-alerts-forwarding",
    "dead_letter_queue_name": "root-login-alerts-undelivered",
}
HUB_REGION = event_hub.HUB_REGION
HUB_NOT_READ = ("the hub account was not read in this run (it was not among the hosts, or it failed), so no member "
                "can be judged through it")
MEMBER = "member"
HUB = "hub"


def hub_names(settings):
    """The hub-mode resource names: the settings' own, else the defaults."""
    return dict(HUB_DEFAULT_NAMES, **dict((key, settings[key]) for key in HUB_DEFAULT_NAMES if settings.get(key)))


def hub_bus_arn(settings, partition="aws"):
    return "arn:%s:events:%s:%s:event-bus/%s" % (partition, HUB_REGION, settings["hub_account_id"], hub_names(settings)["hub_bus_name"])


def dead_letter_queue_arn(settings, region, account_id):
    return build_arn("sqs", region, account_id, hub_names(settings)["dead_letter_queue_name"])


def forwarding_role_arn(settings, account_id):
    return build_arn("iam", "", account_id, "role/%s" % hub_names(settings)["forwarding_role_name"])


def own_default_bus_arn(account_id, partition="aws"):
    """The account's us-east-1 default bus: where its other regions forward, outside hub mode."""
    return "arn:%s:events:%s:%s:event-bus/default" % (partition, HUB_REGION, account_id)


def validate_hub_settings(settings, name):
    """The hub-mode checks that need no AWS call (and the dead-letter queue's name, which every mode uses);
    ``name(option)`` is what the message calls an option. Returns None without ``hub_account_id``; raise
    ValueError on the first problem."""
    hub = settings.get("hub_account_id")
    organization = settings.get("organization_id")
    members = settings.get("member_accounts")
    queue = hub_names(settings)["dead_letter_queue_name"]
    if not isinstance(queue, str) or not event_hub.QUEUE_NAME_RE.match(queue):
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
            event_hub.validate_organization_id(organization)
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
    checks = (
        ("hub_bus_name", event_hub.CUSTOM_BUS_NAME_RE, "1-256 letters, digits, '.', '-' or '_', not 'default'"),
        ("forwarding_role_name", ROLE_NAME_RE, "1-64 letters, digits or +=,.@_-"),
    )
    for option, pattern, what in checks:
        value = names[option]
        if not isinstance(value, str) or not pattern.match(value) or value == "default":
            raise ValidationError("%s must be %s, got %r" % (name(option), what, value))
    if settings.get("region") and settings["region"] != HUB_REGION:
        raise ValidationError("%s must be %s in hub mode, got %r" % (name("region"), HUB_REGION, settings["region"]))
    try:  # the bus policy fits, before anything changes in any account
        event_hub.bus_policy_statements(hub_bus_arn(settings), organization or None, [a for a in members or [] if a != hub],
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
    ``iam_roles.role_reference`` of each role of the targets that are the hub bus
    (ours with its inline policy); ``local``: the member's own ``delivery_path.evaluate``
    (a topic of its own still alerts, during a move to hub mode); ``queue``:
    :func:`queue_summary`; ``ours``: our rule ARNs and target ID; ``role_checks``: the
    ``iam_roles.RoleVerifier`` result views (``usable``, ``problems``) of the roles the
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
        policy = event_hub._parse_policy((bus or {}).get("Policy"), "the policy of the hub bus")
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
    ok, reason = event_hub.forwarding_link({"rule": rule, "targets": [target], "roles": member["roles"]}, hub["bus_policy"],
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
    is missing or may not do what they need (``iam_roles.with_role_checks``).
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
    verdict = {"status": status, "paths": paths, "problems": problems, "unknown": delivery_path._unique(unknown),
               "event_source": member["event_source"], "hub_account_id": member["hub_account_id"],
               "notes": delivery_path.path_notes(paths), "reaches": destination_verdict.reaches(paths)}
    verdict = iam_roles.with_role_checks(verdict, member.get("role_checks") or [])
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
