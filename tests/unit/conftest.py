"""Make ``ansible_collections.rootwatch.aws`` importable from the checkout.

``.collections/ansible_collections/rootwatch/aws`` links to the repository root;
``ansible_collections.amazon.aws`` comes from site-packages, and the two merge as
one namespace package.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

# Shared stubs (botocore Stubber helpers, fake CloudTrail and Organizations) import by name.
STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs")
if STUBS not in sys.path:
    sys.path.insert(0, STUBS)
