"""ecs_deploy.config: typed, frozen settings and the application file; the only env reader."""
