"""`python -m ecs_deploy.emulator`: the same as `ecs-deploy emulator`."""

from .cli import main

raise SystemExit(main())
