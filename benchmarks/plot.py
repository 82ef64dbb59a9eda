"""Seconds per account against accounts, from benchmarks/scale.py's results (``make bench`` draws it).

Needs matplotlib, a bench-only dependency (benchmarks/requirements.txt, installed by ``make bench``
into a virtual environment of its own). Usage: ``plot.py RESULTS.json [MORE.json ...] OUT.png``;
a second results file (for example ``scale.py --module-process``) is drawn dashed, for comparison.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  pylint: disable=wrong-import-position

RUNS = [("ping", "one ping per host", "tab:gray"), ("fresh_audit", "check-mode audit, fresh accounts", "tab:blue"),
        ("converged_audit", "check-mode audit, converged", "tab:green"), ("noop", "converged no-op apply", "tab:orange")]


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    *sources, out = argv
    figure, axes = plt.subplots(figsize=(7.5, 4.5), dpi=110)
    title = []
    for index, source in enumerate(sources):
        with open(source, encoding="utf-8") as handle:
            results = json.load(handle)
        sizes = [size["accounts"] for size in results["sizes"]]
        style = "-" if index == 0 else "--"
        for key, label, colour in RUNS:
            if index and key == "ping":
                continue
            values = [size["runs"][key]["seconds_per_account"] for size in results["sizes"]]
            axes.plot(sizes, values, style, marker="o", color=colour, label="%s (%s)" % (label, results["engine"]))
        title.append("%s, %s, forks %d, %d CPUs" % (results["date"][:10], results["engine"], results["forks"], results["cpus"]))
    axes.set_xscale("log")
    axes.set_xticks(sizes)
    axes.set_xticklabels([str(s) for s in sizes])
    axes.set_ylim(bottom=0)
    axes.set_xlabel("accounts (inventory hosts)")
    axes.set_ylabel("wall seconds per account")
    axes.set_title("rootwatch.aws per-account cost (flat = linear)\n" + "; ".join(title), fontsize=9)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(out)
    print("plot: %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
