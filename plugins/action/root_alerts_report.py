# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the compliance report of a root_alerts run on the controller (see the module docs)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.rootwatch.aws.plugins.module_utils import compliance

ARGUMENT_SPEC = {
    "accounts": {"type": "list", "elements": "str", "required": True},
    "dest": {"type": "path", "required": True},
}


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


class ActionModule(ActionBase):
    # Runs on the controller only: no module process, whatever the connection.
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        unused, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        hostvars = (task_vars or {}).get("hostvars") or {}
        entries = [compliance.account_entry(host, hostvars.get(host) or {}) for host in args["accounts"]]
        generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        report = compliance.build_report(entries, bool(self._play_context.check_mode), generated)

        dest = args["dest"]
        paths = {"json_path": os.path.join(dest, "report.json"), "markdown_path": os.path.join(dest, "report.md")}
        try:
            os.makedirs(dest, mode=0o755, exist_ok=True)
            # The report is the run's output, not configuration: written in check mode too.
            write_atomically(paths["json_path"], json.dumps(report["document"], indent=4, sort_keys=True) + "\n")
            write_atomically(paths["markdown_path"], report["markdown"])
        except OSError as exc:
            raise AnsibleActionFail("dest: could not write the report into %s: %s" % (dest, exc))
        result.update(changed=False, report=report["document"], summary=report["summary_lines"], **paths)
        return result
