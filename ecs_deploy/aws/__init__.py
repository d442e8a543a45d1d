"""ecs_deploy.aws"""
