"""ecs_deploy.report"""
