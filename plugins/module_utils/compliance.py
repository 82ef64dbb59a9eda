# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compliance of one account's root sign-in alerting, and the organization report.

Pure functions: ``assess`` judges one account from what the stack module read;
``build_report`` turns every account's verdict into JSON, Markdown and a summary.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

COMPLIANT = "compliant"
NEEDS_ACTION = "needs_action"
FAILED = "failed"
NOT_RUN = "not_run"
REMOVED = "removed"
# Accounts needing action come first in the report.
STATUS_ORDER = {FAILED: 0, NOT_RUN: 1, NEEDS_ACTION: 2, COMPLIANT: 3, REMOVED: 4}


def assess(rule_present, rule_enabled, pattern_matches, rule_targets_topic, policy_statement_present,
           subscriptions, trail_covered, trail_name, trail_logging, trail_reason, drift):
    """One account's verdict.

    ``subscriptions`` is a list of ``{"endpoint", "pending"}`` for the wanted
    addresses (a missing one has ``"missing": True``); ``drift`` is the list of
    changes this run made or, in check mode, would make.
    """
    confirmed = sorted(s["endpoint"] for s in subscriptions if not s.get("pending") and not s.get("missing"))
    pending = sorted(s["endpoint"] for s in subscriptions if s.get("pending"))
    missing = sorted(s["endpoint"] for s in subscriptions if s.get("missing"))
    problems = []
    if not rule_present:
        problems.append("rule missing")
    else:
        if not rule_enabled:
            problems.append("rule disabled")
        if not pattern_matches:
            problems.append("rule pattern differs")
        if not rule_targets_topic:
            problems.append("rule does not target the topic")
    if not policy_statement_present:
        problems.append("topic policy lacks the EventBridge publish statement")
    if missing:
        problems.append("not subscribed: %s" % ", ".join(missing))
    if not confirmed:
        problems.append("no confirmed subscription" + (" (pending: %s)" % ", ".join(pending) if pending else ""))
    if trail_covered is False:
        problems.append("no trail logs management write events: %s" % (trail_reason or "none found"))
    return {
        "status": NEEDS_ACTION if problems else COMPLIANT,
        "rule": {
            "present": bool(rule_present),
            "enabled": bool(rule_enabled),
            "pattern_matches": bool(pattern_matches),
            "targets_topic": bool(rule_targets_topic),
        },
        "topic_policy": {"statement_present": bool(policy_statement_present)},
        "subscriptions": {"confirmed": confirmed, "pending": pending, "missing": missing},
        "trail": {"covered": trail_covered, "name": trail_name, "logging": trail_logging, "reason": trail_reason},
        "problems": problems,
        "drift": list(drift),
    }


def failed_entry(account, message):
    return {"account": account, "status": FAILED, "problems": [message], "drift": []}


def not_run_entry(account):
    return {"account": account, "status": NOT_RUN, "problems": ["no result: the account was not processed"], "drift": []}


def account_entry(host, host_vars):
    """The report entry of one inventory host, from what the role left in its variables.

    ``host_vars``: the host's variables (``root_login_alerts_result`` registered by
    the role, ``root_login_alerts_failure`` set when the account failed).
    """
    result = host_vars.get("root_login_alerts_result") or {}
    account = result.get("account_id") or str(host)
    if host_vars.get("root_login_alerts_failure"):
        return failed_entry(account, str(host_vars["root_login_alerts_failure"]))
    if result.get("compliance"):
        return dict(result["compliance"], account=account)
    if result.get("changes") is not None:
        # state=absent: nothing to judge, but say what was removed.
        return {"account": account, "status": REMOVED, "problems": [], "drift": result["changes"]}
    return not_run_entry(account)


def _yes_no(value):
    if value is None:
        return "n/a"
    return "yes" if value else "NO"


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _count_line(total, counts):
    line = "%d accounts: %d compliant, %d need action, %d failed, %d not run" % (
        total, counts[COMPLIANT], counts[NEEDS_ACTION], counts[FAILED], counts[NOT_RUN])
    if counts.get(REMOVED):
        line += ", %d removed" % counts[REMOVED]
    return line


def build_report(entries, check_mode, generated_at):
    """``{"document", "markdown", "summary_lines"}`` for a list of account entries."""
    ordered = sorted(entries, key=lambda e: (STATUS_ORDER.get(e["status"], 9), e["account"]))
    counts = dict((status, 0) for status in STATUS_ORDER)
    for entry in ordered:
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    document = {
        "generated_at": generated_at,
        "mode": "check" if check_mode else "apply",
        "counts": dict(counts, accounts=len(ordered)),
        "accounts": ordered,
    }
    lines = [
        "# Root sign-in alerts: compliance report",
        "",
        "Generated %s (%s run). %s." % (generated_at, document["mode"], _count_line(len(ordered), counts)),
        "",
        "| Account | Status | Rule | Topic policy | Subscriptions (confirmed / pending) | Trail | Problems | Drift |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in ordered:
        rule = entry.get("rule") or {}
        subs = entry.get("subscriptions") or {}
        trail = entry.get("trail") or {}
        if rule:
            rule_text = "present, %s, pattern %s" % (
                "enabled" if rule.get("enabled") else "DISABLED",
                "matches" if rule.get("pattern_matches") else "DIFFERS",
            ) if rule.get("present") else "MISSING"
        else:
            rule_text = ""
        trail_text = ""
        if trail:
            trail_text = "not checked" if trail.get("covered") is None else (
                "%s (logging: %s)" % (trail.get("name"), _yes_no(trail.get("logging"))) if trail.get("covered") else "NONE"
            )
        lines.append("| %s |" % " | ".join(_cell(c) for c in (
            entry["account"],
            entry["status"],
            rule_text,
            _yes_no((entry.get("topic_policy") or {}).get("statement_present")) if entry.get("topic_policy") else "",
            "%d / %d" % (len(subs.get("confirmed", [])), len(subs.get("pending", []))) if subs else "",
            trail_text,
            "; ".join(entry.get("problems") or []),
            "; ".join(entry.get("drift") or []),
        )))
    summary = [_count_line(len(ordered), counts)]
    for entry in ordered:
        if entry["status"] == REMOVED:
            summary.append("%s removed: %s" % (entry["account"], "; ".join(entry.get("drift") or []) or "nothing left to remove"))
        elif entry["status"] != COMPLIANT:
            summary.append("%s %s: %s" % (entry["account"], entry["status"], "; ".join(entry.get("problems") or [])))
    return {"document": document, "markdown": "\n".join(lines) + "\n", "summary_lines": summary}
