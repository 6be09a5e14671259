"""``python -m benchmarks``: the same as ``chatbus bench``."""

import argparse
import sys

from .command import run_bench
from .options import add_arguments

parser = argparse.ArgumentParser(prog="python -m benchmarks", description=run_bench.__doc__)
add_arguments(parser)
sys.exit(run_bench(parser.parse_args()))
