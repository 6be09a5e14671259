"""``python -m services`` is the ``chatbus`` command."""

import sys

from services.cli import main

sys.exit(main())
