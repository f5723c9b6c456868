"""Config JSON is parsed strictly: no NaN, no Infinity, no overflow to infinity."""

import pytest

from vae_tutorial.core.strict_json import parse_json
from vae_tutorial.errors import ConfigError


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": -Infinity}', '{"a": 1e999}'])
def test_non_finite_numbers_are_refused(text):
    with pytest.raises(ConfigError, match="finite number"):
        parse_json(text)


def test_valid_json_and_syntax_errors():
    assert parse_json('{"a": [1, 2.5e3]}') == {"a": [1, 2500.0]}
    with pytest.raises(ConfigError, match="not valid JSON"):
        parse_json('{"a": 1,}')
