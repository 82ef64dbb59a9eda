# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The organization report of root sign-in alerting.

Pure functions: ``account_entry`` turns what the role left for one host (the
delivery-path verdict of ``delivery_path.evaluate``, or its failure) into a
report entry; ``build_report`` turns every entry into JSON, Markdown and a summary.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import destinations as destination_verdict
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import root_credentials
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import COMPLIANT
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import FAILED
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import NEEDS_ACTION
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import NOT_RUN
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import REMOVED
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import STATUS_ORDER
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import UNKNOWN
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.status import worst

# What the role's later task (after every member) registers: the hub's removal, a member's retirement.
AFTER_MEMBERS_RESULT = "root_login_alerts_after_members"


def verdict_entry(account, verdict, changes):
    """A report entry from the delivery-path verdict; ``changes``: what the run changed (or would)."""
    return {
        "account": account,
        "status": verdict["status"],
        "paths": verdict["paths"],
        "event_source": verdict["event_source"],
        "problems": list(verdict["problems"]) + ["unknown: %s" % reason for reason in verdict.get("unknown") or []],
        # What holds but is worth knowing (a custom event could trigger a counted path's rule); never a status.
        "notes": list(verdict.get("notes") or []),
        "drift": list(changes or []),
        # The kinds of destination with a complete path: email, slack, teams, webhook:<name>.
        "reaches": list(verdict["reaches"]) if "reaches" in verdict else destination_verdict.reaches(verdict["paths"]),
    }


def sign_in_profile(verdict):
    """console_sign_in in the report's ``profiles`` shape, from the account's main verdict (its one Region)."""
    problems = list(verdict["problems"]) + ["unknown: %s" % reason for reason in verdict.get("unknown") or []]
    return {"status": verdict["status"], "problems": problems,
            "regions": {delivery_path.sign_in_region("aws"): {"status": verdict["status"], "problems": list(problems)}}}


def with_profiles(entry, verdict, profiles):
    """The entry with ``profiles`` (console_sign_in from ``verdict``, the others as the host judged them,
    ``profile_verdict``), and its ``status`` the worst of them all; each profile's problems join the entry's."""
    found = dict(console_sign_in=sign_in_profile(verdict), **dict(profiles or {}))
    problems = list(entry["problems"]) + ["profile %s, %s" % (name, problem) for name in sorted(profiles or {})
                                          for problem in found[name]["problems"]]
    return dict(entry, profiles=found, problems=problems, status=worst([entry["status"]] + [p["status"] for p in found.values()]))


def failed_entry(account, message):
    return {"account": account, "status": FAILED, "problems": [message], "drift": []}


def not_run_entry(account):
    return {"account": account, "status": NOT_RUN, "problems": ["no result: the account was not processed"], "drift": []}


def organization_features(results):
    """The organization features a run read in its management account, or None.

    ``results``: each host's ``root_login_alerts_result``. Members cannot tell which organization
    they belong to without another call, so the features apply to the run's accounts only when
    exactly one organization's were read.
    """
    found = {}
    for result in results:
        features = (result or {}).get("organization_features") or {}
        if features.get("enabled_features") is not None:
            found[features.get("organization_id")] = features
    return list(found.values())[0] if len(found) == 1 else None


def hub_summaries(results):
    """{hub account: its ``hub`` summary} from the hosts' results: what members are judged with (hub mode)."""
    return dict((result["hub"]["account_id"], result["hub"]) for result in results if (result or {}).get("hub"))


def hub_path_proof(result, results):
    """Is a member's path through its hub proven in this run? ``{"proven", "reason"}`` from the member's
    result and every host's results of the same run (the hub's among them), for retire_account_topic:
    a member keeps its own topic until the report would count a complete path through the hub."""
    member = (result or {}).get("member")
    if not member:
        return {"proven": False, "reason": "this account's result has no hub-mode member summary"}
    hubs = hub_summaries(results)
    if member["hub_account_id"] not in hubs:
        return {"proven": False, "reason": "the hub account %s is not in this run, or it failed" % member["hub_account_id"]}
    verdict = hub_mode.member_verdict(member, hubs[member["hub_account_id"]])
    if verdict["status"] == delivery_path.COMPLIANT and any(p["complete"] and p.get("via_hub") for p in verdict["paths"]):
        return {"proven": True, "reason": ""}
    why = list(verdict.get("problems") or []) + list(verdict.get("unknown") or [])
    return {"proven": False, "reason": "; ".join(why) or "no complete path through hub bus %s" % member["hub_bus_arn"]}


def account_verdict(result, hubs):
    """The verdict of one account: its own, a member's through its hub, or the hub's with its bus."""
    if result.get("member"):
        return hub_mode.member_verdict(result["member"], (hubs or {}).get(result["member"]["hub_account_id"]))
    if result.get("hub"):
        return hub_mode.hub_row_verdict(result["compliance"], result["hub"])
    return delivery_path.with_undelivered_events(result["compliance"], result.get("dead_letter_queue"))


def account_entry(host, host_vars, features=None, hubs=None):
    """The report entry of one inventory host, from what the role left in its variables.

    ``host_vars``: the host's variables (``root_login_alerts_result`` registered by
    the role, ``root_login_alerts_failure`` set when the account failed). ``features``:
    :func:`organization_features` of the run, for the root credential posture.
    ``hubs``: :func:`hub_summaries` of the run, for members in hub mode.
    """
    result = host_vars.get("root_login_alerts_result") or {}
    later = host_vars.get(AFTER_MEMBERS_RESULT) or {}
    if result.get("hub_deferred"):  # hub mode, absent: the hub was removed by the role's later task
        result = later
    elif result.get("retire_pending") and later.get("changes"):
        # The member's own topic, retired by the role's later task once its hub path was proven in this run.
        result = dict(result, changes=list(result.get("changes") or []) + list(later["changes"]))
    account = result.get("account_id") or str(host)
    if host_vars.get("root_login_alerts_failure"):
        entry = failed_entry(account, str(host_vars["root_login_alerts_failure"]))
    elif result.get("compliance"):
        verdict = account_verdict(result, hubs)
        entry = with_profiles(verdict_entry(account, verdict, result.get("changes")), verdict, result.get("profiles"))
        entry["orphaned_topics"] = list(result.get("orphaned_topics") or [])
        if result.get("cis_cloudwatch1"):
            entry["cis_cloudwatch1"] = result["cis_cloudwatch1"]
    elif result.get("changes") is not None:
        # state=absent: nothing to judge, but say what was (or would be) removed.
        entry = {"account": account, "status": REMOVED, "problems": [], "drift": result["changes"]}
    else:
        entry = not_run_entry(account)
    if result.get("root_credentials_read") is not None:
        entry["root_credentials"] = root_credentials.evaluate(
            result["root_credentials_read"], features or result.get("organization_features"))
    if result.get("root_last_used") is not None:
        entry["root_last_used"] = result["root_last_used"]
    if result.get("hub_mode"):
        entry["hub_mode"] = result["hub_mode"]
    entry["host"] = str(host)
    entry["reached"] = bool(result.get("account_id"))  # the run worked in this account
    return entry


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _paths_cell(entry):
    paths = entry.get("paths")
    if paths is None:
        return ""
    working = [p for p in paths if p["complete"]]
    if not paths:
        return "none"
    return "; ".join(
        "%s%s -> %s%s (%s)" % ("" if p["complete"] else "BROKEN ", p["rule"], "hub bus -> " if p.get("via_hub") else "",
                               (p["topic"] or "no target").rsplit(":", 1)[-1], "ours" if p["ours"] else "not ours")
        for p in (working or paths)
    )


def _recipients_cell(entry):
    paths = entry.get("paths")
    if paths is None:
        return ""
    confirmed = sorted(set(r for p in paths if p["complete"] for r in p["recipients"]))
    pending = sorted(set(r for p in paths for r in p["pending"]))
    reaches = entry.get("reaches") or []
    return "%d / %d%s" % (len(confirmed), len(pending), " (reaches %s)" % ", ".join(reaches) if reaches else "")


def _reaches_line(entries):
    """The summary's count of accounts per kind of destination with a complete path, when any is not email."""
    counts = {}
    for entry in entries:
        for kind in entry.get("reaches") or []:
            counts[kind] = counts.get(kind, 0) + 1
    if not counts or list(counts) == [destination_verdict.EMAIL]:
        return None
    return "alerts reach: %s" % ", ".join("%s in %d account%s" % (kind, n, "" if n == 1 else "s") for kind, n in sorted(counts.items()))


def _trail_cell(entry):
    source = entry.get("event_source")
    if not source:
        return ""
    return {True: "yes", False: "NO", None: "UNKNOWN"}[source["ok"]]


def _cloudwatch1_cell(entry):
    verdict = entry.get("cis_cloudwatch1")
    if not verdict:
        return "not checked"
    return {"passed": "passes", "failed": "FAILS", "unknown": "UNKNOWN", "no_data": "no data"}.get(verdict["status"], verdict["status"])


def _profiles_cell(entry):
    """Each enabled profile's status, with the Regions that are not compliant."""
    cells = []
    for name, found in sorted((entry.get("profiles") or {}).items()):
        regions = sorted(region for region, verdict in found["regions"].items() if verdict["status"] != COMPLIANT)
        cells.append("%s: %s%s" % (name, found["status"], " (%s)" % ", ".join(regions) if regions else ""))
    return "; ".join(cells)


def _root_credentials_line(entries):
    """The summary's count of the second dimension: root credential findings, and unknowns."""
    judged = [e["root_credentials"] for e in entries if e.get("root_credentials")]
    if not judged:
        return None
    by_finding = {}
    for posture in judged:
        for finding in posture["findings"]:
            by_finding[finding] = by_finding.get(finding, 0) + 1
    with_findings = sum(1 for posture in judged if posture["findings"])
    unknown = sum(1 for posture in judged if posture["status"] == root_credentials.UNKNOWN)
    line = "root credentials of %d accounts: %d with findings" % (len(judged), with_findings)
    if by_finding:
        line += " (%s)" % ", ".join("%s: %d" % item for item in sorted(by_finding.items()))
    return line + ", %d unknown" % unknown


def _root_last_used_line(entries):
    """The summary's count of accounts whose root was used recently, from the credential reports read."""
    checked = [e["root_last_used"] for e in entries if e.get("root_last_used")]
    if not checked:
        return None
    recent = sum(1 for used in checked if used["used_recently"])
    not_read = sum(1 for used in checked if used["status"] != root_credentials.READ)
    return "root used in the last %d days: %d account%s (of %d checked, %d not read)" % (
        root_credentials.RECENT_DAYS, recent, "" if recent == 1 else "s", len(checked), not_read)


def _count_line(total, counts, check_mode=False):
    line = "%d accounts: %d compliant, %d need action, %d unknown, %d failed, %d not run" % (
        total, counts[COMPLIANT], counts[NEEDS_ACTION], counts[UNKNOWN], counts[FAILED], counts[NOT_RUN])
    if counts.get(REMOVED):
        line += ", %d %s" % (counts[REMOVED], "would be removed" if check_mode else "removed")
    return line


def flag_shared_accounts(entries):
    """Entries of hosts that reach the same account become failed: each account must be one host."""
    hosts_by_account = {}
    for entry in entries:
        if entry.get("reached"):
            hosts_by_account.setdefault(entry["account"], []).append(entry.get("host") or entry["account"])
    flagged = []
    for entry in entries:
        hosts = hosts_by_account.get(entry["account"], [])
        if len(hosts) > 1 and entry.get("host") in hosts:
            problem = "hosts %s all reach account %s; each account must be one inventory host" % (", ".join(sorted(hosts)), entry["account"])
            entry = dict(entry, status=FAILED, shared_account=True, problems=[problem] + list(entry.get("problems") or []))
        flagged.append(entry)
    return flagged


def superseded_note(run):
    """The line that marks an earlier report while a later run is under way."""
    return ("> **This report may be out of date.** Run %s started at %s, after it was written, and has not "
            "written its own report yet; if that run was interrupted, re-run.\n\n" % (run["id"], run["started_at"]))


def build_report(entries, check_mode, generated_at, run=None, concurrent=()):
    """``{"document", "markdown", "summary_lines"}`` for a list of account entries."""
    entries = flag_shared_accounts(entries)
    ordered = sorted(entries, key=lambda e: (STATUS_ORDER.get(e["status"], 9), e["account"], e.get("host", "")))
    counts = dict((status, 0) for status in STATUS_ORDER)
    for entry in ordered:
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    judged = [e["root_credentials"] for e in ordered if e.get("root_credentials")]
    last_used = [e["root_last_used"] for e in ordered if e.get("root_last_used")]
    document = {
        "generated_at": generated_at,
        "mode": "check" if check_mode else "apply",
        "counts": dict(counts, accounts=len(ordered), root_credential_findings=sum(1 for p in judged if p["findings"]),
                       root_credentials_unknown=sum(1 for p in judged if p["status"] == root_credentials.UNKNOWN)),
        "accounts": ordered,
    }
    if last_used:
        document["counts"]["root_used_recently"] = sum(1 for used in last_used if used["used_recently"])
    if run:
        document["run"] = run
    if concurrent:
        document["concurrent_runs"] = list(concurrent)
    lines = [
        "# Root sign-in alerts: compliance report",
        "",
        "Generated %s (%s run%s). %s." % (
            generated_at, document["mode"], " %s" % run["id"] if run else "", _count_line(len(ordered), counts, check_mode)),
        "",
    ]
    for other in concurrent:
        lines += ["> Run %s finished while this run was working; its report is kept as %s." % (other.get("id"), other["kept_as"]), ""]
    lines += [
        "| Account | Host | Status | Profiles (Regions not compliant) | Delivery paths | Recipients (confirmed / pending, reaches) | "
        "Trail delivers | CloudWatch.1 | Root credentials | Root last used | Problems | Drift |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in ordered:
        lines.append("| %s |" % " | ".join(_cell(c) for c in (
            entry["account"] + (" (hub)" if entry.get("hub_mode") == hub_mode.HUB else ""),
            entry.get("host", ""),
            entry["status"],
            _profiles_cell(entry),
            _paths_cell(entry),
            _recipients_cell(entry),
            _trail_cell(entry),
            _cloudwatch1_cell(entry),
            root_credentials.describe(entry.get("root_credentials")) if entry["status"] != REMOVED else "",
            root_credentials.describe_last_used(entry.get("root_last_used")) if entry["status"] != REMOVED else "",
            "; ".join(list(entry.get("problems") or []) + ["orphaned topic %s (ours, no longer used)" % t for t in entry.get("orphaned_topics") or []]
                      + ["note: %s" % note for note in entry.get("notes") or []]),
            "; ".join(entry.get("drift") or []),
        )))
    summary = [_count_line(len(ordered), counts, check_mode)]
    if _reaches_line(ordered):
        summary.append(_reaches_line(ordered))
    if _root_credentials_line(ordered):
        summary.append(_root_credentials_line(ordered))
    if _root_last_used_line(ordered):
        summary.append(_root_last_used_line(ordered))
    summary.extend("run %s finished while this run was working; its report is kept as %s" % (o.get("id"), o["kept_as"]) for o in concurrent)
    for entry in ordered:
        if entry["status"] == REMOVED:
            summary.append("%s %s: %s" % (entry["account"], "would remove" if check_mode else "removed",
                                          "; ".join(entry.get("drift") or []) or "nothing left to remove"))
        elif entry["status"] != COMPLIANT:
            summary.append("%s %s: %s" % (entry["account"], entry["status"], "; ".join(entry.get("problems") or [])))
        if (entry.get("root_credentials") or {}).get("findings"):
            summary.append("%s root credentials: %s" % (entry["account"], "; ".join(entry["root_credentials"]["findings"])))
    return {"document": document, "markdown": "\n".join(lines) + "\n", "summary_lines": summary}
