"""Where a deploy comes from (the commit, the CI run), as the CI platform says it.

Variables, as each platform documents them:
- GitHub Actions ("Store information in variables", default environment variables):
  GITHUB_SHA; the run's page is GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID.
- GitLab CI (predefined CI/CD variables): CI_COMMIT_SHA, CI_JOB_URL.
- AWS CodeBuild ("Environment variables in build environments"):
  CODEBUILD_RESOLVED_SOURCE_VERSION, CODEBUILD_BUILD_URL, and CODEBUILD_BUILD_ARN (used where
  the console URL cannot be a tag value: it holds '?' and '#').
Only the variables of the platform the run is in (config.platforms.platform_of) are read, so
values of two platforms never mix and a variable left over from elsewhere is not taken.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ecs_deploy.config.platforms import Platform, platform_of


@dataclass(frozen=True, slots=True)
class Provenance:
    commit: str | None = None  # the commit (or source version) deployed
    run_url: str | None = None  # the CI run's page
    run_id: str | None = None  # an identifier of the run, where its URL cannot be a tag value

    @property
    def empty(self) -> bool:
        return not (self.commit or self.run_url or self.run_id)


def provenance_of(env: Mapping[str, str]) -> Provenance:
    platform = platform_of(env)
    return Provenance() if platform is None else _READERS[platform](env)


def _github(env: Mapping[str, str]) -> Provenance:
    parts = [env.get(name, "").strip() for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY")]
    run_id = env.get("GITHUB_RUN_ID", "").strip()
    run_url = f"{parts[0].rstrip('/')}/{parts[1]}/actions/runs/{run_id}" if all(parts) else None
    return Provenance(
        commit=_value(env, "GITHUB_SHA"), run_url=run_url if run_id else None, run_id=None
    )


def _gitlab(env: Mapping[str, str]) -> Provenance:
    return Provenance(commit=_value(env, "CI_COMMIT_SHA"), run_url=_value(env, "CI_JOB_URL"))


def _codebuild(env: Mapping[str, str]) -> Provenance:
    return Provenance(
        commit=_value(env, "CODEBUILD_RESOLVED_SOURCE_VERSION"),
        run_url=_value(env, "CODEBUILD_BUILD_URL"),
        run_id=_value(env, "CODEBUILD_BUILD_ARN"),
    )


def _value(env: Mapping[str, str], name: str) -> str | None:
    return env.get(name, "").strip() or None


_READERS: dict[Platform, Callable[[Mapping[str, str]], Provenance]] = {
    Platform.GITHUB_ACTIONS: _github,
    Platform.GITLAB_CI: _gitlab,
    Platform.CODEBUILD: _codebuild,
}
