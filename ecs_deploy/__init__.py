"""ecs-deploy: deploy applications to Amazon ECS with true verdicts."""

__version__ = "0.1.0"
