import sys

from ecs_deploy.cli import main

sys.exit(main())
