"""`python -m benchmarks`: run every benchmark (see run.py)."""

from .run import main

main()
