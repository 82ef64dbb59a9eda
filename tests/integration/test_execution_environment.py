"""meta/execution-environment.yml: ansible-builder writes a complete build context, offline.

There is no container engine here, so ``ansible-builder create`` writes the build context
and the tests replay, outside a container, what its galaxy and builder stages run: the
collection install from the context's requirements and the dependency introspection.
Nothing reaches the internet: proxies and the Galaxy server point at a closed local port.
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
DEFINITION = os.path.join("meta", "execution-environment.yml")
CLOSED = "http://127.0.0.1:9"  # the discard port: any attempt to go online fails at once
OFFLINE = {
    "http_proxy": CLOSED, "https_proxy": CLOSED, "HTTP_PROXY": CLOSED, "HTTPS_PROXY": CLOSED,
    "no_proxy": "", "NO_PROXY": "", "ANSIBLE_GALAXY_SERVER": CLOSED,
    "ANSIBLE_GALAXY_DISABLE_GPG_VERIFY": "1",  # as the Containerfile runs it without a keyring
}


def run(cmd, cwd=ROOT, hint=""):
    proc = subprocess.run(cmd, cwd=cwd, env=dict(os.environ, **OFFLINE), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, "%s\n%s\n%s\n%s" % (" ".join(cmd), proc.stdout[-3000:], proc.stderr[-3000:], hint)
    return proc.stdout


def create_context(definition, context, cwd=ROOT):
    run([os.path.join(BIN, "ansible-builder"), "create", "--file", definition, "--context", str(context),
         "--output-filename", "Containerfile"], cwd=cwd)
    with open(os.path.join(context, "Containerfile"), encoding="utf-8") as handle:
        return handle.read()


def load_yaml(*parts):
    with open(os.path.join(*parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def pins(path):
    """{name: 'name==version'} for the pinned lines of a pip requirements file."""
    found = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                found[re.split(r"[=<>!~\[ ]", line, maxsplit=1)[0].lower()] = line
    return found


def stage(containerfile, name):
    """The instructions of one build stage (``FROM ... AS name``) of the Containerfile."""
    stages = re.split(r"^FROM ", containerfile, flags=re.M)
    matches = [text for text in stages if text.split("\n", 1)[0].endswith(" AS " + name)]
    assert len(matches) == 1, (name, containerfile)
    return matches[0]


def test_create_writes_the_build_context(tmp_path):
    context = tmp_path / "context"
    containerfile = create_context(DEFINITION, context)
    built = context / "_build"

    # The requirements files, copied in as the names the Containerfile uses.
    assert pins(built / "requirements.txt") == pins(os.path.join(ROOT, "meta", "ee-requirements.txt"))
    assert set(pins(built / "requirements.txt")) == {"boto3", "botocore"}
    assert load_yaml(built, "requirements.yml") == load_yaml(ROOT, "meta", "ee-requirements.yml")

    # Base stage: Python 3.11 from the distribution, then the pinned ansible-core and ansible-runner.
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    dependencies = load_yaml(ROOT, DEFINITION)["dependencies"]
    refs = "%s %s" % (dependencies["ansible_core"]["package_pip"], dependencies["ansible_runner"]["package_pip"])
    assert 'ARG ANSIBLE_INSTALL_REFS="%s"' % refs in containerfile
    assert "RUN $PYCMD -m pip install --no-cache-dir $ANSIBLE_INSTALL_REFS" in stage(containerfile, "base")

    # Galaxy stage: the context's requirements.yml installs the collections.
    galaxy = stage(containerfile, "galaxy")
    assert "COPY _build /build\nWORKDIR /build" in galaxy
    assert re.search(r"^RUN .*ansible-galaxy collection install .*-r requirements\.yml "
                     r'--collections-path "/usr/share/ansible/collections"$', galaxy, flags=re.M), galaxy

    # Builder stage: requirements.txt joins the collections' Python requirements into wheels.
    builder = stage(containerfile, "builder")
    assert "COPY _build/requirements.txt requirements.txt" in builder
    assert "introspect.py introspect --user-pip=requirements.txt" in builder
    assert "RUN /output/scripts/assemble" in builder

    # Final stage: the collections and the assembled Python packages, checked for ansible and runner.
    final = stage(containerfile, "final")
    for step in ("RUN /output/scripts/check_ansible $PYCMD",
                 "COPY --from=galaxy /usr/share/ansible /usr/share/ansible",
                 "COPY --from=builder /output/ /output/",
                 "RUN /output/scripts/install-from-bindep"):
        assert step in final, (step, final)


def test_pins_match_the_tested_tool_chain():
    # The image runs what the test suite runs: requirements.txt at the root, and galaxy.yml.
    tested = pins(os.path.join(ROOT, "requirements.txt"))
    image = pins(os.path.join(ROOT, "meta", "ee-requirements.txt"))
    for name, pin in image.items():
        assert tested[name] == pin, (name, pin, tested.get(name))
    definition = load_yaml(ROOT, DEFINITION)
    assert definition["version"] == 3
    assert definition["dependencies"]["ansible_core"]["package_pip"] == tested["ansible-core"]
    assert definition["dependencies"]["ansible_runner"]["package_pip"] == tested["ansible-runner"]

    galaxy = load_yaml(ROOT, "galaxy.yml")
    collections = load_yaml(ROOT, "meta", "ee-requirements.yml")["collections"]
    by_name = {entry["name"]: entry for entry in collections}
    for dependency, version in galaxy["dependencies"].items():
        assert by_name[dependency]["version"] == version, dependency
    # The tarball name carries the version: bump it with galaxy.yml.
    tarball = "collections/%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], galaxy["version"])
    assert by_name[tarball]["type"] == "file", by_name


@pytest.mark.skipif(not os.path.isdir(os.path.join(sysconfig.get_paths()["purelib"], "ansible_collections", "amazon", "aws")),
                    reason="amazon.aws is not installed next to ansible-core")
def test_collection_tarball_installs_from_the_context(tmp_path):
    # What a user does: build the collection tarball at the repository root, then the image.
    # Here the root is a scratch copy holding the definition and the tarball of this checkout.
    scratch = tmp_path / "checkout"
    shutil.copytree(os.path.join(ROOT, "meta"), scratch / "meta")
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(scratch), ROOT])
    galaxy = load_yaml(ROOT, "galaxy.yml")
    tarball = "%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], galaxy["version"])
    context = tmp_path / "context"
    create_context(str(scratch / DEFINITION), context, cwd=str(tmp_path))
    built = context / "_build"
    assert os.listdir(built / "collections") == [tarball]

    # Galaxy stage, offline: amazon.aws stands in for Galaxy as already installed (the version
    # the tests run), so only rootwatch.aws comes from the context, through requirements.yml.
    collections = tmp_path / "collections"
    (collections / "ansible_collections" / "amazon").mkdir(parents=True)
    os.symlink(os.path.join(sysconfig.get_paths()["purelib"], "ansible_collections", "amazon", "aws"),
               collections / "ansible_collections" / "amazon" / "aws")
    output = run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "-r", "requirements.yml",
                  "--collections-path", str(collections)], cwd=str(built))
    assert "'amazon.aws:" in output and "is already installed" in output, output
    installed = collections / "ansible_collections" / "rootwatch" / "aws"
    manifest = load_yaml(installed, "MANIFEST.json")["collection_info"]
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (galaxy["namespace"], galaxy["name"], galaxy["version"])
    assert os.path.isfile(installed / "playbooks" / "root_alerts.yml")

    # Builder stage: the context's own introspect.py reads every installed collection's
    # dependency metadata (a collection's meta/execution-environment.yml, with paths relative
    # to the collection root) and joins it with requirements.txt.
    output = run([sys.executable, os.path.join(built, "scripts", "introspect.py"), "introspect",
                  "--user-pip=requirements.txt", str(collections)], cwd=str(built),
                 hint="If rootwatch/aws/meta/execution-environment.yml is the image definition, its paths are "
                      "relative to meta/, not to the collection root: galaxy.yml must leave it out of the build.")
    python = yaml.safe_load(output)["python"]
    for pin in pins(built / "requirements.txt").values():
        assert "%s  # from collection user" % pin in python, output
