# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the compliance report of a root_alerts run on the controller (see the module docs)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import errno
import json
import os
import re
import stat
import uuid

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import MODULE_ERRORS
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_text
from ansible_collections.rootwatch.aws.plugins.plugin_utils import report as compliance

ARGUMENT_SPEC = {
    "phase": {"type": "str", "choices": ["start", "finish"], "default": "finish"},
    "accounts": {"type": "list", "elements": "str"},
    "dest": {"type": "path", "required": True},
    "run": {"type": "dict"},
    "mode": {"type": "raw", "default": "0600"},
}
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
# What new_run_id() makes. Anything else read from report.json is planted or damaged, and never
# becomes part of a file name (report-<id>.json).
RUN_ID = re.compile(r"\A[0-9a-f]{12}\Z")
OCTAL_MODE = re.compile(r"\A(?:0o?)?([0-7]{3})\Z")
MODE_VARIABLE = "mode (root_alerts_report_mode)"
# O_NOFOLLOW: a link in place of a report file fails the open instead of being followed.
# O_NONBLOCK: a FIFO planted there cannot hang the run (it is refused as not a regular file).
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
# O_EXCL with O_CREAT fails on anything already at the path, a link included (POSIX open()).
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id():
    return uuid.uuid4().hex[:12]


def valid_run_id(value):
    return isinstance(value, str) and RUN_ID.match(value) is not None


def temporary_name(name):
    """A fresh name beside ``name`` for the file that replaces it."""
    return ".%s.%s" % (name, uuid.uuid4().hex)


def file_mode(value):
    """The report files' mode from option mode: an octal string (V('0640')) or a number (YAML 0640 is 416)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 0o777:
            raise AnsibleActionFail("%s: %r is not a file mode; give it as a quoted octal string such as '0640' "
                                    "(the number 640 is not 0640)" % (MODE_VARIABLE, value))
        mode = value
    else:
        match = OCTAL_MODE.match(value) if isinstance(value, str) else None
        if match is None:
            raise AnsibleActionFail("%s: %r is not an octal mode such as '0600' or '0640'" % (MODE_VARIABLE, value))
        mode = int(match.group(1), 8)
    if mode & 0o600 != 0o600:
        raise AnsibleActionFail("%s: %s: the owner must keep read and write (the run reads and replaces its report); "
                                "an unquoted 0640 in YAML is the number 416, so quote it: '0640'" % (MODE_VARIABLE, value))
    if mode & 0o111:
        raise AnsibleActionFail("%s: %s gives the report files execute bits; give a file mode such as '0640' "
                                "(a directory the action creates gets x wherever r is set)" % (MODE_VARIABLE, value))
    return mode


def directory_mode(mode):
    """The mode of a directory the action creates: the files' mode with x wherever r is set (0600 -> 0700)."""
    return mode | (mode & 0o444) >> 2


def checked_run(run):
    """Option run as phase=start returned it; bad input is named before anything is written."""
    if run is None:
        return None
    if not valid_run_id(run.get("id")):
        raise AnsibleActionFail("run: id %r is not a run id (12 lowercase hex digits); pass the run that phase=start returned"
                                % (run.get("id"),))
    if not isinstance(run.get("started_at"), (str, type(None))):
        raise AnsibleActionFail("run: started_at %r is not a time; pass the run that phase=start returned" % (run["started_at"],))
    return dict(run)


def previous_run(document):
    """The run an earlier report names, or None when it names none whose id can go into a file name."""
    run = document.get("run") if isinstance(document, dict) else None
    return run if isinstance(run, dict) and valid_run_id(run.get("id")) else None


def make_directories(dest, mode):
    """Create ``dest`` and its missing parents with ``mode``, whatever the umask; existing ones are left as they are."""
    missing = []
    path = dest
    while not os.path.lexists(path) and os.path.dirname(path) != path:
        missing.append(path)
        path = os.path.dirname(path)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue  # made meanwhile by someone else (another slice of the job): not ours to chmod
        handle = os.open(path, DIRECTORY_FLAGS)
        try:
            os.fchmod(handle, mode)
        finally:
            os.close(handle)


class ReportDirectory:
    """``dest``, opened once without following a link; every report file is reached relative to it,
    never through a link, so nothing outside it is read, written or moved."""

    def __init__(self, dest, mode):
        self.dest = dest
        self.mode = mode
        if stat.S_ISLNK(os.lstat(dest).st_mode):
            raise AnsibleActionFail("dest: %s is a symbolic link; the report is written only into a real directory, "
                                    "give its target instead" % dest)
        self.handle = os.open(dest, DIRECTORY_FLAGS)

    def close(self):
        os.close(self.handle)

    def path(self, name):
        return os.path.join(self.dest, name)

    def _refuse(self, name, what):
        raise AnsibleActionFail("dest: %s %s; the report files are never read or written through a link. "
                                "Remove it, or choose another dest." % (self.path(name), what))

    def kind(self, name):
        """None (missing), "file" (a regular file); a link is refused, naming it."""
        try:
            found = os.lstat(name, dir_fd=self.handle).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(found):
            self._refuse(name, "is a symbolic link")
        return "file" if stat.S_ISREG(found) else "other"

    def read(self, name):
        """The text of ``name``, or None when it is missing."""
        try:
            handle = os.open(name, READ_FLAGS, dir_fd=self.handle)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW met a link (EMLINK on FreeBSD)
                self._refuse(name, "is a symbolic link")
            raise
        with os.fdopen(handle, "r", encoding="utf-8") as stream:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                self._refuse(name, "is not a regular file")
            return stream.read()

    def write(self, name, text):
        """Replace ``name`` in one step, so a reader never sees half a report, with the report's mode."""
        self.kind(name)
        temporary = temporary_name(name)
        try:
            handle = os.open(temporary, CREATE_FLAGS, 0o600, dir_fd=self.handle)
        except FileExistsError:
            self._refuse(temporary, "already exists (a planted file or link?)")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                os.fchmod(handle, self.mode)  # on the open file, whatever the umask and whatever is at the path
                stream.write(text)
            os.replace(temporary, name, src_dir_fd=self.handle, dst_dir_fd=self.handle)
        except BaseException:
            os.unlink(temporary, dir_fd=self.handle)
            raise

    def move(self, source, target):
        os.replace(source, target, src_dir_fd=self.handle, dst_dir_fd=self.handle)


def read_report(directory):
    """The report.json in ``directory`` as a dict, or None (missing, unreadable or not a report); a link is refused."""
    try:
        text = directory.read(REPORT_JSON)
    except (OSError, UnicodeError):
        return None
    try:
        document = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


class ActionModule(ActionBase):
    # Runs on the controller only: no module process, whatever the connection.
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        unused, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        mode = file_mode(args["mode"])
        run = checked_run(args["run"])
        if args["phase"] == "finish" and args["accounts"] is None:
            raise AnsibleActionFail("accounts: required when phase is finish")
        dest = os.path.abspath(args["dest"])
        try:
            make_directories(dest, directory_mode(mode))
            directory = ReportDirectory(dest, mode)
            try:
                # The report is the run's output, not configuration: written in check mode too.
                if args["phase"] == "start":
                    result.update(changed=False, run=self._start(directory))
                else:
                    result.update(changed=False, **self._finish(directory, args["accounts"], run, task_vars or {}))
            finally:
                directory.close()
        except OSError as exc:
            raise AnsibleActionFail("dest: could not write the report into %s: %s" % (dest, exc))
        except MODULE_ERRORS as exc:
            # A host's result the report cannot judge: a clean failure that says so, not a traceback.
            raise AnsibleActionFail("accounts: the report could not be built from the hosts' results: %s" % error_text(exc))
        result["file_mode"] = "%04o" % mode
        return result

    @staticmethod
    def _start(directory):
        """A new run's identity; the report of an earlier run is marked until this run replaces it.

        A run killed before it writes its report leaves that mark, so an out-of-date report
        never reads as current.
        """
        run = {"id": new_run_id(), "started_at": utc_now()}
        for name in (REPORT_JSON, REPORT_MD):
            directory.kind(name)  # a link in either is refused before anything is written
        previous = read_report(directory)
        if previous is not None:
            previous["superseded_by"] = dict(run, note="a later run started after this report was written; "
                                                       "if that run did not finish, this report may be out of date")
            directory.write(REPORT_JSON, json.dumps(previous, indent=4, sort_keys=True) + "\n")
            text = directory.read(REPORT_MD)
            if text is not None:
                directory.write(REPORT_MD, compliance.superseded_note(run) + text)
        return run

    def _finish(self, directory, accounts, run, task_vars):
        hostvars = task_vars.get("hostvars") or {}
        results = [(hostvars.get(host) or {}).get("root_login_alerts_result") for host in accounts]
        features = compliance.organization_features(results)
        hubs = compliance.hub_summaries(results)  # hub mode: the hub is read once, by its own host
        entries = [compliance.account_entry(host, hostvars.get(host) or {}, features, hubs) for host in accounts]
        run = run or {"id": new_run_id(), "started_at": None}
        run.update(finished_at=utc_now(), hosts=len(entries), limit=task_vars.get("ansible_limit"))
        for name in (REPORT_JSON, REPORT_MD):
            directory.kind(name)
        # Another run that finished while this one worked: its report is kept beside ours, never lost.
        # A report whose run id is not one of ours is treated as a report without a run: replaced.
        previous = previous_run(read_report(directory)) or {}
        kept = []
        if previous and previous["id"] != run["id"] and run.get("started_at") and \
                isinstance(previous.get("finished_at"), str) and previous["finished_at"] >= run["started_at"]:
            name = "report-%s" % previous["id"]
            moves = [("report" + ending, name + ending) for ending in (".json", ".md")]
            for unused, target in moves:
                directory.kind(target)  # every link refused before anything moves
            for source, target in moves:
                if directory.kind(source) is not None:
                    directory.move(source, target)
            kept.append(dict(previous, kept_as=name + ".json"))
        report = compliance.build_report(entries, bool(self._play_context.check_mode), run["finished_at"], run=run, concurrent=kept)
        directory.write(REPORT_JSON, json.dumps(report["document"], indent=4, sort_keys=True) + "\n")
        directory.write(REPORT_MD, report["markdown"])
        failed = sorted(e["host"] for e in report["document"]["accounts"] if e["status"] == compliance.FAILED)
        shared = sorted(e["host"] for e in report["document"]["accounts"] if e.get("shared_account"))
        return dict(report=report["document"], summary=report["summary_lines"], failed_hosts=failed, shared_account_hosts=shared,
                    run=run, json_path=directory.path(REPORT_JSON), markdown_path=directory.path(REPORT_MD))
