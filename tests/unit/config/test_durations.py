import pytest

from ecs_deploy.config.durations import format_duration, parse_duration
from ecs_deploy.errors import InputError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("10m", 600),
        ("1h", 3600),
        ("1h30m", 5400),
        ("250ms", 0.25),
        ("45", 45),
        ("1.5m", 90),
    ],
)
def test_parses_durations(text: str, seconds: float) -> None:
    assert parse_duration(text, name="timeout") == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["soon", "", "10 minutes", "m10", "-5s", "1d"])
def test_rejects_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(InputError, match=r"^timeout: .* is not a duration"):
        parse_duration(text, name="timeout")


def test_formats_short_and_long_durations() -> None:
    assert format_duration(4.2) == "4.2s"
    assert format_duration(45) == "45s"
    assert format_duration(125) == "2m05s"
    assert format_duration(3720) == "1h02m"


def test_rejects_a_duration_too_long_to_be_finite() -> None:
    with pytest.raises(InputError, match=r"^timeout: .* is not a finite duration"):
        parse_duration("9" * 400, name="timeout")
    with pytest.raises(InputError, match="is not a finite duration"):
        parse_duration("9" * 400 + "h", name="timeout")
