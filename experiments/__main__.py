import sys

if sys.argv[1:2] == ["runs"]:  # the catalog verbs start without the numeric stack
    from experiments.framework.cli_runs import main
else:
    from experiments.framework.cli import main

sys.exit(main())
