"""ecs_deploy.config"""
