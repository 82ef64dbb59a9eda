"""Module documentation as ansible-doc shows it: DOCUMENTATION with its fragments merged by ansible-core itself.

ansible-core's ``get_docstring`` reads the module file and merges ``extends_documentation_fragment``; its
fragment loader needs Ansible's collection finder, so a small loader here imports the fragment classes
(ours from the checkout, amazon.aws's and ansible.builtin's from site-packages) instead.
"""

import importlib
import os

from ansible.utils.plugin_docs import add_fragments
from ansible.utils.plugin_docs import get_docstring

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = os.path.join(ROOT, "plugins", "modules")


class FragmentLoader(object):
    """``get(name)``: the fragment class of ``namespace.collection.name`` (or ``ansible.builtin.name``), or None."""

    @staticmethod
    def get(name):
        parts = name.split(".")
        if len(parts) != 3:
            return None
        if parts[:2] == ["ansible", "builtin"]:
            package = "ansible.plugins.doc_fragments"
        else:
            package = "ansible_collections.%s.%s.plugins.doc_fragments" % tuple(parts[:2])
        try:
            fragment = importlib.import_module("%s.%s" % (package, parts[2])).ModuleDocFragment()
        except ImportError:
            return None
        fragment.ansible_name = name
        return fragment


def module_names():
    return sorted(name[:-3] for name in os.listdir(MODULES) if name.endswith(".py") and not name.startswith("_"))


def module_path(name):
    return os.path.join(MODULES, name + ".py")


def read_module_docs(name):
    """(documentation with fragments merged, EXAMPLES text, RETURN docs) of plugins/modules/<name>.py."""
    doc, examples, returns, unused = get_docstring(module_path(name), FragmentLoader(), is_module=True)
    return doc, examples, returns


def fragment_options(*fragment_names):
    """The options the named fragments give, merged in order."""
    options = {}
    for fragment_name in fragment_names:
        doc = {"extends_documentation_fragment": [fragment_name]}
        add_fragments(doc, os.path.join(ROOT, "plugins", "doc_fragments"), FragmentLoader(), is_module=True)
        options.update(doc.get("options") or {})
    return options
