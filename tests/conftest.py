"""Shared pytest set-up: the emulator harness is importable as ``emulator``."""

import os
import sys

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness")
if HARNESS not in sys.path:
    sys.path.insert(0, HARNESS)
