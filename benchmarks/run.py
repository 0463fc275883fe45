"""Run every benchmark and print one table of medians and ratios from this run.

    python -m benchmarks                 everything (about 6 minutes on 2 cores)
    python benchmarks/run.py --quick     fewer repeats, chains up to N = 10^5 (a few minutes)
    python -m benchmarks --markdown      the table as Markdown, for the README

Each workload runs in its own Python process (so one cannot leave garbage, threads or
imports behind for another), with BLAS/OpenMP pinned to one thread. W3, W4 and the
per-op overhead then run again with the libraries' default number of threads; W1 and W2
are scalar Python and use one thread either way. Every script also runs on its own, e.g.
`python benchmarks/w3_digits_mlp.py --threads default`; see the README's "Performance".
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLAS_QUIRKS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def run_script(name, threads, extra=()):
    """Run benchmarks/<name>.py --json and return its JSON result."""
    command = [sys.executable, str(HERE / f"{name}.py"), "--json", "--threads", threads, *extra]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed (exit {done.returncode}); run it alone to see why: "
                         f"{' '.join(command[1:])}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine_line():
    code = ("import sys; sys.path.insert(0, %r); import _common; print(_common.machine())"
            % str(HERE))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                          env=env).stdout.strip()


def fmt_s(seconds):
    if seconds is None:
        return "—"
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def holds(ok):
    return "yes" if ok else "**no**"


def build_rows(results):
    """(workload, tiny_grad, NumPy by hand, PyTorch, micrograd, target, holds) rows."""
    rows = []
    one = results["1"]
    w1 = one["w1_micrograd_demo"]["data"]
    tg, mg = w1["median_s"]["tiny_grad"], w1["median_s"].get("micrograd")
    rows.append((f"W1 micrograd demo step, s/step, collector on ({w1['nodes']['tiny_grad']:,} nodes)",
                 fmt_s(tg), "", "", fmt_s(mg), "micrograd ≥ 5x tiny_grad",
                 f"{mg / tg:.1f}x: {holds(mg / tg >= 5)}" if mg else "n/a"))
    w2 = one["w2_chain"]["data"]
    for n, cols in w2.items():
        ours = cols["tiny_grad Value"]["total_s"]
        torch_col = cols.get("PyTorch (0-d float64)")
        theirs = torch_col["total_s"] if torch_col else None
        mg_col = cols.get("micrograd Value", "absent")
        mg_text = "RecursionError" if mg_col is None else ("" if mg_col == "absent"
                                                           else fmt_s(mg_col["total_s"]))
        tensor = cols["tiny_grad Tensor (0-d)"]["total_s"]
        target, ok = "", ""
        if int(n) == 10**6:
            target = "completes; ≤ PyTorch"
            ok = holds(theirs is None or ours <= theirs)
        rows.append((f"W2 chain N = {int(n):,}, forward + backward (Tensor 0-d: {fmt_s(tensor)})",
                     fmt_s(ours), "", fmt_s(theirs), mg_text, target,
                     f"{theirs / ours:.2f}x faster: {ok}" if ok and theirs else ok))
    for key, label, limit in (("w3_digits_mlp", "W3 MLP 64-128-10 epoch", 1.3),
                              ("w4_wide_mlp", "W4 MLP 784-512-512-10 epoch", 1.1)):
        for threads in ("1", "default"):
            if key not in results.get(threads, {}):
                continue
            d = results[threads][key]["data"]
            med, ratio = d["median_s"], d["ratio_to_numpy"]
            torch_text = (f"{fmt_s(med['PyTorch'])} ({ratio['PyTorch']:.2f}x)"
                          if "PyTorch" in med else "")
            pin = "1 thread" if threads == "1" else "default threads"
            rows.append((f"{label} ({pin})", f"{fmt_s(med['tiny_grad'])} ({ratio['tiny_grad']:.2f}x)",
                         fmt_s(med["NumPy by hand"]), torch_text, "",
                         f"≤ {limit}x NumPy" if threads == "1" else "(for reference)",
                         holds(ratio["tiny_grad"] <= limit) if threads == "1" else ""))
    w4 = one["w4_wide_mlp"]["data"]
    mem = w4["peak_bytes"]
    working = mem["tiny_grad"] / mem["NumPy by hand"]
    whole = (mem["tiny_grad"] + w4["data_bytes"]) / (mem["NumPy by hand"] + w4["data_bytes"])
    rows.append(("W4 peak memory of an epoch (working memory, above data and weights)",
                 f"{mem['tiny_grad'] / 1e6:.1f} MB ({working:.2f}x)",
                 f"{mem['NumPy by hand'] / 1e6:.1f} MB", "", "", "≤ 1.3x NumPy", holds(working <= 1.3)))
    rows.append(("W4 peak memory, with the 25.7 MB data set counted",
                 f"{(mem['tiny_grad'] + w4['data_bytes']) / 1e6:.1f} MB ({whole:.2f}x)",
                 f"{(mem['NumPy by hand'] + w4['data_bytes']) / 1e6:.1f} MB", "", "",
                 "≤ 1.3x NumPy", holds(whole <= 1.3)))
    for threads in ("1", "default"):
        if "overhead" not in results.get(threads, {}):
            continue
        us = results[threads]["overhead"]["data"]["median_us"]
        base = us["NumPy a + b (64x128 float64)"]
        pin = "1 thread" if threads == "1" else "default threads"
        for name, label in (("Tensor a + b, no grad", "Tensor a + b, 64x128 float64, no grad"),
                            ("Tensor a + b, records a node", "Tensor a + b, 64x128 float64, recording")):
            extra = us[name] - base
            torch_name = name.replace("Tensor", "PyTorch")
            torch_text = f"{us[torch_name]:.2f} us (+{us[torch_name] - base:.2f})" if torch_name in us else ""
            rows.append((f"{label} ({pin})", f"{us[name]:.2f} us (+{extra:.2f})", f"{base:.2f} us",
                         torch_text, "", "≤ NumPy + 1.5 us" if threads == "1" else "(for reference)",
                         holds(extra <= 1.5) if threads == "1" else ""))
        if threads == "1":
            rows.append(("Value + Value", f"{us['Value + Value (tiny_grad)']:.2f} us", "", "",
                         f"{us['Value + Value (micrograd)']:.2f} us"
                         if "Value + Value (micrograd)" in us else "", "", ""))
    return rows


def print_table(rows, markdown):
    header = ("Workload", "tiny_grad", "NumPy by hand", "PyTorch", "micrograd", "Target", "Holds")
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats, and chains only up to N = 10^5")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", metavar="PATH", help="also save every raw result to PATH")
    args = parser.parse_args()

    quick = ("--repeats", "3") if args.quick else ()
    plan = [("w1_micrograd_demo", "1", ("--repeats", "2") if args.quick else ()),
            ("w2_chain", "1", ("--max", "1e5") if args.quick else ()),
            ("w3_digits_mlp", "1", ("--repeats", "10") if args.quick else ()),
            ("w4_wide_mlp", "1", quick),
            ("overhead", "1", ("--repeats", "7") if args.quick else ()),
            ("w3_digits_mlp", "default", ("--repeats", "10") if args.quick else ()),
            ("w4_wide_mlp", "default", quick),
            ("overhead", "default", ("--repeats", "7") if args.quick else ())]
    results = {}
    for name, threads, extra in plan:
        print(f"running {name} (threads: {threads}) ...", file=sys.stderr, flush=True)
        results.setdefault(threads, {})[name] = run_script(name, threads, extra)

    machine = machine_line()
    quirks = [f"{v}={os.environ[v]}" for v in BLAS_QUIRKS if v in os.environ]
    print(f"tiny_grad benchmarks, {datetime.date.today().isoformat()}")
    print(f"machine: {machine}")
    print("BLAS variables: " + (", ".join(quirks) if quirks else
                                "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE not set"))
    print()
    print_table(build_rows(results), args.markdown)
    for threads, by_name in results.items():
        for name, result in by_name.items():
            for note in result["notes"]:
                print(f"  [{name}, threads {threads}] {note}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine, "results": results}, indent=1))


if __name__ == "__main__":
    main()
