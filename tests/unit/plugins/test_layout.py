# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layout of plugins/: which package may import which, no private name across files, files of a readable size.

The packages of ``plugins/module_utils`` form one ladder; a file imports only from its own package or from one
to its left. ``plugins/plugin_utils`` (controller-only) may import module_utils, never the reverse: a module
runs where plugin_utils is not shipped. See docs/architecture.md.
"""

import ast
import os

import pytest

PLUGINS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))), "plugins")
PREFIX = "ansible_collections.rootwatch.aws.plugins."
LADDER = ["_core", "_policy", "_alerts", "_resources", "_verdict", "_stack"]
MAX_LINES = 650
MAX_STACK_LINES = 350


def python_files(*parts):
    top = os.path.join(PLUGINS, *parts)
    for directory, unused, names in os.walk(top):
        for name in sorted(names):
            if name.endswith(".py"):
                yield os.path.join(directory, name)


def our_imports(path):
    """(dotted module, imported names) for every import of this collection's plugins in ``path``."""
    with open(path, encoding="utf-8") as source:
        tree = ast.parse(source.read(), path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PREFIX):
            found.append((node.module[len(PREFIX):], [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name[len(PREFIX):], []) for alias in node.names if alias.name.startswith(PREFIX))
    return found


def package_of(path):
    """The ladder package of a module_utils file, e.g. ``_verdict``."""
    return os.path.relpath(path, os.path.join(PLUGINS, "module_utils")).split(os.sep)[0]


def imported_package(module, names):
    """The ladder package an import reaches: ``module_utils._core.arns`` or ``module_utils._core`` + [arns]."""
    parts = module.split(".")
    if parts[0] != "module_utils":
        return parts[0]
    return parts[1] if len(parts) > 1 else None


def test_the_packages_exist_and_nothing_is_left_flat():
    flat = [name for name in os.listdir(os.path.join(PLUGINS, "module_utils")) if name.endswith(".py") and name != "__init__.py"]
    assert flat == [], "module_utils files outside a package: %s" % flat
    for package in LADDER:
        assert os.path.isfile(os.path.join(PLUGINS, "module_utils", package, "__init__.py")), package


@pytest.mark.parametrize("path", list(python_files("module_utils")), ids=lambda p: os.path.relpath(p, PLUGINS))
def test_module_utils_import_only_to_their_left(path):
    own = LADDER.index(package_of(path))
    for module, names in our_imports(path):
        target = imported_package(module, names)
        assert target not in ("plugin_utils", "modules", "action", "filter", "inventory"), \
            "%s imports %s: module_utils must not depend on controller code" % (path, module)
        assert target in LADDER, "%s imports %s, outside the ladder" % (path, module)
        assert LADDER.index(target) <= own, "%s (%s) imports %s, a package to its right" % (
            os.path.relpath(path, PLUGINS), LADDER[own], module)


@pytest.mark.parametrize("path", list(python_files()), ids=lambda p: os.path.relpath(p, PLUGINS))
def test_no_private_name_is_imported_across_files(path):
    for module, names in our_imports(path):
        private = [name for name in names if name.startswith("_") and not name.startswith("__")]
        if module.split(".")[:1] == ["module_utils"] and len(module.split(".")) == 1:
            private = []  # ``from module_utils import _core``: a package, not a private name
        private = [name for name in private if name not in LADDER]
        assert private == [], "%s imports the private %s from %s" % (os.path.relpath(path, PLUGINS), private, module)


@pytest.mark.parametrize("path", list(python_files("module_utils")), ids=lambda p: os.path.relpath(p, PLUGINS))
def test_files_stay_readable(path):
    with open(path, encoding="utf-8") as source:
        lines = sum(1 for unused in source)
    limit = MAX_STACK_LINES if path.endswith(os.path.join("_stack", "stack.py")) else MAX_LINES
    assert lines <= limit, "%s has %d lines (at most %d)" % (os.path.relpath(path, PLUGINS), lines, limit)


def test_one_exception_root():
    """Every exception class defined in plugins/ derives from RootwatchError, defined once in _core/errors."""
    defined = {}
    for path in python_files():
        with open(path, encoding="utf-8") as source:
            tree = ast.parse(source.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = [getattr(base, "id", getattr(base, "attr", "")) for base in node.bases]
                if any(base.endswith(("Error", "Exception")) for base in bases) or node.name.endswith("Error"):
                    defined[node.name] = (os.path.relpath(path, PLUGINS), bases)
    outside = dict((name, where) for name, where in defined.items() if where[0] != os.path.join("module_utils", "_core", "errors.py"))
    assert outside == {}, "exception classes outside _core/errors.py: %s" % outside
    roots = [name for name, (unused, bases) in defined.items() if "AnsibleAWSError" in bases]
    assert roots == ["RootwatchError"], roots
