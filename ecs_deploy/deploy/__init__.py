"""ecs_deploy.deploy"""
