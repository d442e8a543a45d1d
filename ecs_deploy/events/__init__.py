"""The event entry point: a Lambda handler and `ecs-deploy event`, on the action's engine."""
