pytest_plugins = ["ecs_deploy.emulator.pytest_plugin"]
