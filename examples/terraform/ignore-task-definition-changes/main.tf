# Terraform owns the service; ecs-deploy owns the task definition. With
# ignore_task_definition_changes the module ignores the service's task_definition and
# load_balancer (and always desired_count), so `terraform apply` never undoes a deploy
# (terraform-aws-modules/terraform-aws-ecs, modules/service/main.tf: the
# "ignore_task_definition" aws_ecs_service has lifecycle ignore_changes = [desired_count,
# task_definition, load_balancer]).

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "cluster_arn" {
  type = string
}

module "ecs_service" {
  source  = "terraform-aws-modules/ecs/aws//modules/service"
  version = ">= 6.0"

  name        = "my-app"
  cluster_arn = var.cluster_arn

  # Registers the first revision; ecs-deploy registers the next ones from the revision the
  # service runs (task-definition unset), or deploys one Terraform registered
  # (task-definition: my-app:7 or its ARN) without registering another.
  container_definitions = {
    app = {
      image = "public.ecr.aws/docker/library/nginx:1.27"
      # ...
    }
  }

  # Changing this after the service exists re-creates the service (the module's README).
  ignore_task_definition_changes = true

  # ... subnet_ids, security_group_rules, load_balancer, autoscaling
}

# What the deployer's role needs beyond the deploy itself, for image-tag-parameter.
data "aws_iam_policy_document" "deployer_parameter" {
  statement {
    actions   = ["ssm:PutParameter"]
    resources = ["arn:aws:ssm:*:*:parameter/my-app/image-tag"]
  }
}
