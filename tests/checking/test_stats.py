"""verify.checking.stats: fits and intervals."""

import numpy as np
import pytest

from verify.checking.stats import growth_fit
from verify.errors import InvalidArgument


def test_growth_fit_classifies_and_breaking_the_exponent_flips_it():
    k = np.arange(2, 20, 2.0)
    noise = np.exp(0.05 * np.sin(k))
    assert growth_fit(k, np.exp(0.5 * k) * noise).kind(0.05) == "exponential"
    assert growth_fit(k, k ** 3 * noise).kind(0.05) == "polynomial"
    with pytest.raises(InvalidArgument):
        growth_fit([1, 2, 3], [1, 2, 3])
