"""``python -m benchmarks``: the same as ``chatbus bench``."""

import argparse
import sys

from services.ops.cli import add_bench

from .command import run_bench

parser = argparse.ArgumentParser(prog="python -m benchmarks", description=run_bench.__doc__)
add_bench(parser)
sys.exit(run_bench(parser.parse_args()))
