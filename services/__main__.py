"""``python -m services`` is the ``chatbus`` command."""

import sys

from services.ops.cli import main

sys.exit(main())
