"""``make demo``: the main job, playbooks/root_alerts.yml, against the embedded emulator.

Emulator up with three simulated accounts -> preview (--check --diff) -> apply ->
no-op re-run -> the alert email, the chat notification and the compliance report (with its
Root last used column) -> teardown with
``root_login_alerts_state=absent`` (what was removed and what was kept) -> emulator stopped.

``make demo-hub`` (``--hub``): the same in hub mode, with a hub account 999999999999 that holds
the only topic, and the three accounts as members that forward to its bus. Each account first gets
docs/member-role.yml (deployed through the emulator's CloudFormation), which creates the forwarding
role: rootwatch.aws only verifies and uses it, and never writes to IAM.
"""

import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import time

import member_roles
from emulator import Emulator
from emulator import role_arn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(ROOT, "playbooks", "root_alerts.yml")
ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
HUB = "999999999999"
RECAP_RE = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


def banner(text):
    print("\n" + "=" * 78 + "\n== " + text + "\n" + "=" * 78, flush=True)


def write_inventory(directory, accounts, hub=None):
    """The accounts in group aws_accounts, entered through sts:AssumeRole; with ``hub``, in hub mode."""
    hosts = dict(
        (account, {"root_login_alerts_assume_role_arn": role_arn(account, "OrganizationAccountAccessRole")})
        for account in accounts
    )
    common = {"root_login_alerts_emails": ["security@example.com", "oncall@example.com"]}
    if hub:
        common.update(root_login_alerts_hub_account_id=hub, root_login_alerts_member_accounts=list(accounts))
    inventory = {"aws_accounts": {"vars": common, "hosts": hosts}}
    path = os.path.join(directory, "accounts.yml")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle, indent=2)  # JSON is YAML
    return path


def playbook(emulator, inventory, report_dir, *args):
    env = dict(os.environ, **emulator.environ())
    env.update(ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), PLAYBOOK, "-i", inventory,
           "-e", "root_alerts_report_dir=%s" % report_dir] + list(args)
    print("$ ansible-playbook playbooks/root_alerts.yml -i accounts.yml %s" % " ".join(args), flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    sys.stdout.write(proc.stderr)
    if proc.returncode != 0:
        raise SystemExit("demo: ansible-playbook failed with exit code %d" % proc.returncode)
    return dict((host, int(changed)) for host, _ok, changed, _u, _f in RECAP_RE.findall(proc.stdout))


def email_subscriptions(emulator, accounts):
    """Every email subscription of every account: one per address in hub mode."""
    found = []
    for account in accounts:
        sns = emulator.session(account, "us-east-1").client("sns", endpoint_url=emulator.endpoint)
        found.extend("%s in %s" % (s["Endpoint"], account) for s in sns.list_subscriptions()["Subscriptions"] if s["Protocol"] == "email")
    return found


def security(emulator, account, report_dir):
    """Show, on the converged emulator, the defences a reader can check for themselves."""
    sys.path.insert(0, os.path.join(ROOT, ".collections"))
    # pylint: disable=import-outside-toplevel
    from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import samples as alert_samples
    from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import event_pattern

    events = emulator.session(account, "us-east-1").client("events", endpoint_url=emulator.endpoint)
    pattern = json.loads(events.describe_rule(Name="root-login-alerts")["EventPattern"])
    samples = alert_samples.sample_events("console_sign_in", account)
    print("The rule's pattern, as stored in account %s: %s" % (account, json.dumps(pattern, sort_keys=True)))
    for name in sorted(samples):
        event, expected = samples[name]
        found = event_pattern.matches(pattern, event)
        print("  %-24s source=%-34s matches=%s" % (name, event.get("source"), found))
        if found != expected:
            raise SystemExit("demo: the pattern judged sample %s wrongly" % name)
    print("A custom event that copies a root sign-in (any source but aws.*, which only AWS may send) never alerts;\n"
          "the email takes the account from $.account, which EventBridge sets, not from the event's detail.")
    for name in ("report.json", "report.md"):
        mode = stat.S_IMODE(os.lstat(os.path.join(report_dir, name)).st_mode)
        print("%s is mode %04o (directory %04o): it lists recipients and each account's root posture"
              % (name, mode, stat.S_IMODE(os.lstat(report_dir).st_mode)))
    print("\nThe member role of docs/member-role.yml trusts one principal (AutomationPrincipalArn, with ExternalId),\n"
          "has no IAM write at all, writes only resources named root-login-alerts*, targets only its own topics,\n"
          "its own us-east-1 bus and the hub's bus, and cannot touch GuardDuty's or anyone's trail, rule, bucket or\n"
          "topic. Each attack is a test against AWS's Service Authorization Reference data: docs/iam-policy.md,\n"
          "'What this role cannot do'.")


def chat_payload():
    """The custom notification a Slack or Teams channel gets for the sample root sign-in (docs/destinations.md)."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import chat_message
    from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import sign_in_samples

    event = sign_in_samples()["root_sign_in"][0]
    payload = chat_message.render(chat_message.input_transformer("console_sign_in"), event)
    print("With root_login_alerts_chat_channels, a Slack or Microsoft Teams channel gets this custom notification of the\n"
          "chat service (AWS Chatbot) from the chat topic: the title and description hold only our text and the account\n"
          "and Region EventBridge sets; every CloudTrail field is a JSON value of its own in metadata.additionalContext:\n")
    print(json.dumps(payload, indent=2) + "\n")


def root_last_used(report, report_json):
    """Point at the report's Root last used column (the IAM credential report, audits only)."""
    lines = [line for line in report.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")] if lines else []
    if "Root last used" not in header:
        raise SystemExit("demo: report.md has no Root last used column")
    column = header.index("Root last used")
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    print("Root last used, per account (the IAM credential report's password and access-key last use; read by audits,\n"
          "root_login_alerts_report_last_used): %s" % "; ".join("%s: %s" % (row[0], row[column] or "-") for row in rows if len(row) > column))
    with open(report_json, encoding="utf-8") as handle:
        first = json.load(handle)["accounts"][0].get("root_last_used") or {}
    # Emulator quirk: moto's credential report has no <root_account> row (and a fixed 2015 date), so it says UNKNOWN;
    # against AWS the column gives the password's and each access key's last use, and the summary counts recent uses.
    print("(The emulator's credential report: %s. Against AWS the column shows when root's password and each access key\n"
          "were last used, and the summary line counts the accounts whose root was used in the last 90 days.)\n"
          % "; ".join((first.get("unknown") or []) + (first.get("notes") or []) or ["no finding"]))


def main():
    started = time.monotonic()
    hub = HUB if "--hub" in sys.argv[1:] else None
    accounts = ([hub] if hub else []) + ACCOUNTS
    workdir = tempfile.mkdtemp(prefix="rootwatch-demo-")
    inventory = write_inventory(workdir, accounts, hub)
    report_dir = os.path.join(workdir, "reports")
    if hub:
        banner("1/7 Hub mode: hub %s holds the only topic; members %s forward to its bus" % (hub, ", ".join(ACCOUNTS)))
    else:
        banner("1/7 Local AWS emulator (moto server on 127.0.0.1) with three accounts: %s" % ", ".join(ACCOUNTS))
    with Emulator() as emulator:
        print("moto server at %s, pid %s; each account is entered through sts:AssumeRole" % (emulator.endpoint, emulator.pid))
        if hub:
            member_roles.deploy_all(emulator, accounts, hub_account_id=hub)
            print("docs/member-role.yml deployed in every account (HubAccountId=%s): it creates the forwarding role %s, "
                  "which rootwatch.aws verifies and uses but never writes" % (hub, member_roles.FORWARDING_ROLE))

        banner("2/7 Preview: --check --diff shows what would be created, and writes nothing")
        emulator.clear_recording()
        playbook(emulator, inventory, report_dir, "--check", "--diff")
        preview_writes = len(emulator.write_requests())
        print("\nWrite calls made by the preview: %d (of %d requests)" % (preview_writes, len(emulator.requests())))

        banner("3/7 Apply")
        playbook(emulator, inventory, report_dir)

        banner("4/7 Re-run: every account is converged, so nothing changes")
        emulator.clear_recording()
        recap = playbook(emulator, inventory, report_dir)
        changed = sum(recap.get(account, 0) for account in accounts)
        requests = emulator.requests()
        print("\nchanged=%d across %d accounts; %d API requests (%.1f per account), %d of them writes"
              % (changed, len(accounts), len(requests), len(requests) / float(len(accounts)), len(emulator.write_requests())))
        if preview_writes or changed or emulator.write_requests():
            raise SystemExit("demo: expected a write-free preview and a changed=0 re-run")
        if hub:
            checked = len([r for r in requests if r.action in ("GetRole", "GetRolePolicy")])
            print("The forwarding role was verified with %d IAM reads (GetRole and GetRolePolicy in each account that "
                  "forwards) and no IAM write" % checked)
        if hub:
            subscriptions = email_subscriptions(emulator, accounts)
            print("Email subscriptions in the whole organization: %d (%s): each recipient confirms once"
                  % (len(subscriptions), "; ".join(subscriptions)))
            if len(subscriptions) != 2:
                raise SystemExit("demo: expected one subscription per address in hub mode")

        banner("5/7 Security: what an attacker cannot do with this collection")
        security(emulator, accounts[0], report_dir)

        banner("6/7 What the security team receives on a root sign-in, and the compliance report")
        sys.path.insert(0, os.path.join(ROOT, ".collections"))
        from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import sample_email  # pylint: disable=import-outside-toplevel

        print("Subject: AWS Notification Message\n\n%s\n" % sample_email())
        chat_payload()
        # An audit (--check) also reads when root was last used; a no-op apply does not (one request less).
        audit_dir = os.path.join(workdir, "audit")
        playbook(emulator, inventory, audit_dir, "--check")
        with open(os.path.join(audit_dir, "report.md"), encoding="utf-8") as handle:
            report = handle.read()
        print(report)
        print("(Root credentials: the emulator's iam:GetAccountSummary reports no root MFA in any account, so every row has "
              "that finding. Against AWS the column shows each account's real posture.)")
        root_last_used(report, os.path.join(audit_dir, "report.json"))

        banner("7/7 Teardown: root_login_alerts_state=absent removes what the role built, and keeps the rest")
        removal = os.path.join(workdir, "removal")
        playbook(emulator, inventory, removal, "-e", "root_login_alerts_state=absent")
        with open(os.path.join(removal, "report.md"), encoding="utf-8") as handle:
            print(handle.read())
        template_roles = ", and the roles of docs/member-role.yml (the template's, never written by rootwatch.aws)" if hub else ""
        print("Kept in every account: the trail's log bucket and its logs (an audit record is never deleted), "
              "and anything the role cannot prove it created%s." % template_roles)
        pid = emulator.pid

    banner("Emulator stopped")
    try:
        os.kill(pid, 0)
        raise SystemExit("demo: emulator process %s is still running" % pid)
    except ProcessLookupError:
        print("Emulator stopped; no process left behind. The demo took %.1f s." % (time.monotonic() - started))


if __name__ == "__main__":
    main()
