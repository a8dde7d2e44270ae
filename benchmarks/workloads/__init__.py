"""The benchmark workloads behind `benchmarks/run.py`; see benchmarks/README.md."""
