#!/usr/bin/env python3
"""The action's entrypoint from a checkout: no arguments = GitHub Action mode; else the CLI.

The image runs the installed package instead (`python -I -m ecs_deploy.container`).
"""

import sys

from ecs_deploy.container import container_main

if __name__ == "__main__":
    sys.exit(container_main(sys.argv[1:]))
