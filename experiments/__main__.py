import sys

from experiments.framework.cli import main

sys.exit(main())
