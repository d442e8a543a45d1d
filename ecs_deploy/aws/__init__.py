"""ecs_deploy.aws: the only boto3 importer: clients, retries, pagination, errors."""
