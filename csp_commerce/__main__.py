"""``python -m csp_commerce``: the same as the ``csp-commerce`` command."""

from __future__ import annotations

import sys

from csp_commerce.cli import main

sys.exit(main())
