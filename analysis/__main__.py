"""``python -m analysis`` is the ``stance`` command."""

from analysis.cli import main

raise SystemExit(main())
