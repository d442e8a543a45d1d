"""ecs_deploy.plan"""
