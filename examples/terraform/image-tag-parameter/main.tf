# Terraform owns the service AND the task definition; ecs-deploy changes the image and writes
# the tag it deployed to SSM (image-tag-parameter), so the next `terraform apply` registers the
# same image instead of putting the old one back.
#
# The pattern is terraform-aws-modules/ecs's own (docs/README.md of
# terraform-aws-modules/terraform-aws-ecs, "ignore_task_definition_changes"): Terraform reads
# the tag from a shared location, here SSM Parameter Store, and resolves it to a digest.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.8" # insecure_value on the aws_ssm_parameter data source (v5.8.0)
    }
  }
}

variable "cluster_arn" {
  type = string
}

variable "repository_name" {
  type    = string
  default = "my-app"
}

# Created once by Terraform; from then on only the deployer writes it (ignore_changes), with
# PutParameter Overwrite, type String, as ecs-deploy does.
resource "aws_ssm_parameter" "image_tag" {
  name  = "/my-app/image-tag"
  type  = "String"
  value = "bootstrap" # the tag of the first image pushed

  lifecycle {
    ignore_changes = [value]
  }
}

data "aws_ssm_parameter" "image_tag" {
  name = aws_ssm_parameter.image_tag.name
}

data "aws_ecr_repository" "app" {
  name = var.repository_name
}

locals {
  # ecs-deploy writes the tag, or the digest when the image it deployed was pinned by one.
  deployed      = data.aws_ssm_parameter.image_tag.insecure_value
  pinned_digest = startswith(local.deployed, "sha256:")
}

data "aws_ecr_image" "app" {
  repository_name = data.aws_ecr_repository.app.name
  image_tag       = local.pinned_digest ? null : local.deployed
  image_digest    = local.pinned_digest ? local.deployed : null
}

module "ecs_service" {
  source  = "terraform-aws-modules/ecs/aws//modules/service"
  version = ">= 6.0"

  name        = "my-app"
  cluster_arn = var.cluster_arn

  container_definitions = {
    app = {
      # aws_ecr_image exports id: "SHA256 digest of the image manifest".
      image = "${data.aws_ecr_repository.app.repository_url}@${data.aws_ecr_image.app.id}"
      # ... ports, logging, environment
    }
  }

  # The default: Terraform keeps the task definition, and follows the image ecs-deploy
  # deployed through the parameter. desired_count is always ignored by the module.
  ignore_task_definition_changes = false

  # ... subnet_ids, security_group_rules, load_balancer, autoscaling
}
