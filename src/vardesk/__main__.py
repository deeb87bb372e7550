"""``python -m vardesk`` runs the command line."""

import sys

from vardesk.cli.main import main

sys.exit(main())
