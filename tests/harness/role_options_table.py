"""The variables table of roles/root_login_alerts/README.md, written from the role's own files.

meta/argument_specs.yml holds each variable's type, choices and description, defaults/main.yml its
default; the README's table is rendered from them, so there is nothing to keep in step by hand.

    python tests/harness/role_options_table.py          rewrite the table between its markers
    python tests/harness/role_options_table.py --check  exit 1 when the table is not current

tests/unit/docs/test_stack_options_agree.py fails when the table is not current.
"""

import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(ROOT, "roles", "root_login_alerts")
README = os.path.join(ROLE, "README.md")
BEGIN = "<!-- The table below is generated from meta/argument_specs.yml and defaults/main.yml by tests/harness/role_options_table.py. -->"
END = "<!-- End of the generated table. -->"
# Ansible's markup: C() and the like end at the first ")", as ansible-doc reads them.
MARKUP = re.compile(r"(?<![A-Za-z])(RV|O|V|C|M|I|B|U|E|L)\(([^)]*)\)")


def load_yaml(*parts):
    with open(os.path.join(ROLE, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def role_options():
    return load_yaml("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]


def role_defaults():
    return load_yaml("defaults", "main.yml")


def markdown_text(text):
    """One description item of argument_specs.yml as Markdown (markup as code, links as links)."""

    def convert(match):
        kind, content = match.groups()
        if kind == "L":
            label, unused, url = content.rpartition(",")
            return "[%s](%s)" % (label.strip(), url.strip())
        if kind == "U":
            return "<%s>" % content
        if kind == "I":
            return "*%s*" % content
        if kind == "B":
            return "**%s**" % content
        return "`%s`" % content

    return MARKUP.sub(convert, " ".join(text.split()))


def value_text(value):
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "`%s`" % str(value).lower()
    if isinstance(value, (list, dict)):
        return "`%s`" % yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    return "`%s`" % value


def type_text(option):
    text = option.get("type", "str")
    if option.get("elements"):
        text = "%s of %s" % (text, option["elements"])
    if option.get("choices"):
        text += ": " + ", ".join("`%s`" % choice for choice in option["choices"])
    if option.get("required"):
        text += ", required"
    if option.get("no_log"):
        text += ", never shown"
    return text


def cell(text):
    return text.replace("|", "\\|")


def table(options=None, defaults=None):
    """The Markdown table, one row per variable in the order of argument_specs.yml."""
    options = role_options() if options is None else options
    defaults = role_defaults() if defaults is None else defaults
    rows = ["| variable | type | default | meaning |", "| --- | --- | --- | --- |"]
    for name, option in options.items():
        description = option.get("description") or []
        items = [description] if isinstance(description, str) else description
        rows.append("| `%s` | %s | %s | %s |" % (
            name, cell(type_text(option)), cell(value_text(defaults.get(name))), cell(" ".join(markdown_text(item) for item in items))))
    return "\n".join(rows) + "\n"


def readme_with_table(readme_text, table_text):
    before, begin, rest = readme_text.partition(BEGIN + "\n")
    unused, end, after = rest.partition(END + "\n")
    if not begin or not end:
        raise ValueError("%s has no generated table between %r and %r" % (README, BEGIN, END))
    return before + begin + "\n" + table_text + "\n" + end + after


def main(argv):
    with open(README, encoding="utf-8") as handle:
        current = handle.read()
    wanted = readme_with_table(current, table())
    if "--check" in argv:
        if current != wanted:
            print("%s: the variables table is not current; run python tests/harness/role_options_table.py" % README)
            return 1
        return 0
    if current != wanted:
        with open(README, "w", encoding="utf-8") as handle:
            handle.write(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
