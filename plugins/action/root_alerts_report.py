# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the compliance report of a root_alerts run on the controller (see the module docs)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import tempfile
import uuid

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.rootwatch.aws.plugins.module_utils import compliance

ARGUMENT_SPEC = {
    "phase": {"type": "str", "choices": ["start", "finish"], "default": "finish"},
    "accounts": {"type": "list", "elements": "str"},
    "dest": {"type": "path", "required": True},
    "run": {"type": "dict"},
}
REPORT_JSON = "report.json"
REPORT_MD = "report.md"


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_atomically(path, text):
    """Replace ``path`` in one step, so a reader never sees half a report."""
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def read_report(dest):
    """The report.json in ``dest``, or None (missing or unreadable)."""
    try:
        with open(os.path.join(dest, REPORT_JSON), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


class ActionModule(ActionBase):
    # Runs on the controller only: no module process, whatever the connection.
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        unused, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        dest = args["dest"]
        try:
            os.makedirs(dest, mode=0o755, exist_ok=True)
            # The report is the run's output, not configuration: written in check mode too.
            if args["phase"] == "start":
                result.update(changed=False, run=self._start(dest))
            else:
                if args["accounts"] is None:
                    raise AnsibleActionFail("accounts: required when phase is finish")
                result.update(changed=False, **self._finish(dest, args, task_vars or {}))
        except OSError as exc:
            raise AnsibleActionFail("dest: could not write the report into %s: %s" % (dest, exc))
        return result

    @staticmethod
    def _start(dest):
        """A new run's identity; the report of an earlier run is marked until this run replaces it.

        A run killed before it writes its report leaves that mark, so an out-of-date report
        never reads as current.
        """
        run = {"id": uuid.uuid4().hex[:12], "started_at": utc_now()}
        previous = read_report(dest)
        if previous is not None:
            previous["superseded_by"] = dict(run, note="a later run started after this report was written; "
                                                       "if that run did not finish, this report may be out of date")
            write_atomically(os.path.join(dest, REPORT_JSON), json.dumps(previous, indent=4, sort_keys=True) + "\n")
            markdown = os.path.join(dest, REPORT_MD)
            if os.path.exists(markdown):
                with open(markdown, encoding="utf-8") as handle:
                    text = handle.read()
                write_atomically(markdown, compliance.superseded_note(run) + text)
        return run

    def _finish(self, dest, args, task_vars):
        hostvars = task_vars.get("hostvars") or {}
        results = [(hostvars.get(host) or {}).get("root_login_alerts_result") for host in args["accounts"]]
        features = compliance.organization_features(results)
        hubs = compliance.hub_summaries(results)  # hub mode: the hub is read once, by its own host
        entries = [compliance.account_entry(host, hostvars.get(host) or {}, features, hubs) for host in args["accounts"]]
        run = dict(args.get("run") or {"id": uuid.uuid4().hex[:12], "started_at": None})
        run.update(finished_at=utc_now(), hosts=len(entries), limit=task_vars.get("ansible_limit"))
        # Another run that finished while this one worked: its report is kept beside ours, never lost.
        previous = read_report(dest)
        kept = []
        previous_run = (previous or {}).get("run") or {}
        if previous_run.get("id") and previous_run["id"] != run["id"] and run.get("started_at") and \
                (previous_run.get("finished_at") or "") >= run["started_at"]:
            name = "report-%s" % previous_run["id"]
            for ending in (".json", ".md"):
                source = os.path.join(dest, "report" + ending)
                if os.path.exists(source):
                    os.replace(source, os.path.join(dest, name + ending))
            kept.append(dict(previous_run, kept_as=name + ".json"))
        report = compliance.build_report(entries, bool(self._play_context.check_mode), run["finished_at"], run=run, concurrent=kept)
        paths = {"json_path": os.path.join(dest, REPORT_JSON), "markdown_path": os.path.join(dest, REPORT_MD)}
        write_atomically(paths["json_path"], json.dumps(report["document"], indent=4, sort_keys=True) + "\n")
        write_atomically(paths["markdown_path"], report["markdown"])
        failed = sorted(e["host"] for e in report["document"]["accounts"] if e["status"] == compliance.FAILED)
        shared = sorted(e["host"] for e in report["document"]["accounts"] if e.get("shared_account"))
        return dict(report=report["document"], summary=report["summary_lines"], failed_hosts=failed,
                    shared_account_hosts=shared, run=run, **paths)
