"""One module per deployment strategy: rolling, ECS-native blue/green, CodeDeploy."""
