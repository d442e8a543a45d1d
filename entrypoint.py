#!/usr/bin/env python3
"""The container's entrypoint: no arguments = GitHub Action mode (INPUT_* env); else the CLI."""

import sys

from ecs_deploy.cli import action_main, main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) if len(sys.argv) > 1 else action_main())
