"""``python -m player`` is the same as the ``signage`` command."""

import sys

from player.cli import main

sys.exit(main())
