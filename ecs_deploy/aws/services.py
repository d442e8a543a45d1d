"""The AWS services the action calls: the one list the clients and the image's botocore share.

The image ships botocore's data for these services only (scripts/container/trim-botocore.py
reads this list), which is most of what makes it small: botocore carries models for over
400 services. A client for a service not listed here is a programming error, caught by the
tests before an image without its model is published.
"""

from __future__ import annotations

# Services whose clients ecs_deploy creates: the deploy itself (ssm for image-tag-parameter),
# and where the event entry point sends verdicts (an SNS topic, an EventBridge bus).
CALLED_SERVICES: frozenset[str] = frozenset({"ecs", "codedeploy", "logs", "ssm", "sns", "events"})

# Services botocore itself calls to obtain credentials: AssumeRole / AssumeRoleWithWebIdentity
# (GitHub's OIDC role, a profile's role_arn) and IAM Identity Center (an SSO profile).
CREDENTIAL_SERVICES: frozenset[str] = frozenset({"sts", "sso", "sso-oidc"})

BOTOCORE_SERVICES: frozenset[str] = CALLED_SERVICES | CREDENTIAL_SERVICES
