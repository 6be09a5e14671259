"""``python -m benchmarks``: the same as ``chatbus bench``."""

import argparse
import sys

from .chatbus_command import add_arguments
from .command import run_bench

parser = argparse.ArgumentParser(prog="python -m benchmarks", description=run_bench.__doc__)
add_arguments(parser)
sys.exit(run_bench(parser.parse_args()))
