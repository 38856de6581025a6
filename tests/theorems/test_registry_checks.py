"""Every registered theorem verifies and every negative control is refuted (one item each)."""

import pytest

from verify.pytest_plugin import assert_control_refuted, assert_theorem_verified, theorem_params


@pytest.mark.parametrize("check", theorem_params())
def test_check(check, request):
    theorem, control = check
    if control is None:
        assert_theorem_verified(theorem, request.config)
    else:
        assert_control_refuted(theorem, control, request.config)
