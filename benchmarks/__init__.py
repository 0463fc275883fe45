"""tiny_grad's benchmarks: one script per workload, and run.py for all of them.

    python -m benchmarks [--quick] [--markdown]

They are not part of the installed package and not tests: timing goals live here, as
ratios measured in one run, never in the test suite.
"""
