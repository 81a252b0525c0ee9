"""`python -m paramsched`: the same command line as the `paramsched` script."""

import sys

from ._cli import main

sys.exit(main())
