"""Seconds per account against accounts, from benchmarks/scale.py's results (``make bench`` draws it).

Needs matplotlib, a bench-only dependency (benchmarks/requirements.txt, installed by ``make bench``
into a virtual environment of its own). Usage: ``plot.py RESULTS.json [MORE.json ...] OUT.png``;
a second results file (for example ``scale.py --module-process``) is drawn dashed, for comparison.
Left: wall seconds per account; right: the controller's CPU seconds per account, which a shared
machine disturbs less.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  pylint: disable=wrong-import-position

RUNS = [("ping", "one ping per host", "tab:gray"), ("fresh_audit", "check-mode audit, fresh accounts", "tab:blue"),
        ("converged_audit", "check-mode audit, converged", "tab:green"), ("noop", "converged no-op apply", "tab:orange")]
PANELS = [("seconds_per_account", "wall seconds per account"), ("controller_cpu_ms_per_account", "controller CPU seconds per account")]


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    *sources, out = argv
    figure, panels = plt.subplots(1, 2, figsize=(11, 4.6), dpi=100)
    title, sizes_seen = [], set()
    for index, source in enumerate(sources):
        with open(source, encoding="utf-8") as handle:
            results = json.load(handle)
        sizes_seen.update(size["accounts"] for size in results["sizes"])
        style, marker = ("-", "o") if index == 0 else ("--", "s")
        for axes, (field, unused) in zip(panels, PANELS):
            scale = 0.001 if field.endswith("_ms_per_account") else 1.0
            for key, label, colour in RUNS:
                if index and key == "ping":
                    continue
                # A size may lack a run (scale.py --runs): draw the sizes that have it.
                points = [(size["accounts"], scale * size["runs"][key][field]) for size in results["sizes"] if key in size["runs"]]
                if points:
                    axes.plot([p[0] for p in points], [p[1] for p in points], style, marker=marker, color=colour,
                              label=label if key == "ping" else "%s (%s)" % (label, results["engine"]))
        title.append("%s: %s, %s, forks %d, %d CPUs" % ("solid, circles" if index == 0 else "dashed, squares", results["date"][:10], results["engine"],
                                                        results["forks"], results["cpus"]))
    ticks = sorted(sizes_seen)
    for axes, (unused, ylabel) in zip(panels, PANELS):
        axes.set_xscale("log")
        axes.minorticks_off()
        axes.set_xticks(ticks)
        axes.set_xticklabels([str(s) for s in ticks])
        axes.set_ylim(bottom=0)
        axes.set_xlabel("accounts (inventory hosts)")
        axes.set_ylabel(ylabel)
        axes.grid(True, alpha=0.3)
    panels[0].legend(fontsize=7)
    figure.suptitle("rootwatch.aws: cost per account (flat = linear)\n" + "; ".join(title), fontsize=9)
    figure.tight_layout()
    figure.savefig(out)
    print("plot: %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
