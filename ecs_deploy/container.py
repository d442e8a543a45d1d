"""The image's entrypoint: no arguments = GitHub Action mode (INPUT_* variables); else the CLI.

Run as `python -I -m ecs_deploy.container` (the Dockerfile's ENTRYPOINT) so that the installed
package runs, never a directory of the same name in the working directory.
"""

from __future__ import annotations

import sys

from ecs_deploy.cli import action_main, main


def container_main(argv: list[str]) -> int:
    return main(argv) if argv else action_main()


def run() -> int:
    """The `ecs-deploy-action` command: what the image runs, for a job that runs commands in it
    (GitLab CI with `entrypoint: [""]`, a CodeBuild buildspec)."""
    return container_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(run())
