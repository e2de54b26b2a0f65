"""The worker pool deals the items out in groups and gives every result exactly once, as groups finish."""

from __future__ import annotations

import os

import pytest

from raylint import workers


def _square_and_pid(item):
    return item, item * item, os.getpid()


def _fail_on_seven(item):
    if item == 7:
        raise ValueError("seven")
    return item


def test_every_item_once_over_several_workers():
    results = list(workers.imap_unordered(_square_and_pid, list(range(50)), jobs=2, chunks=8))
    assert sorted((item, square) for item, square, _ in results) == [(i, i * i) for i in range(50)]
    assert os.getpid() not in {pid for _, _, pid in results}


def test_more_groups_than_items():
    assert sorted(workers.imap_unordered(_fail_on_seven, [1, 2, 3], jobs=2, chunks=32)) == [1, 2, 3]


def test_an_error_in_one_item_is_raised_in_the_caller():
    with pytest.raises(ValueError, match="seven"):
        list(workers.imap_unordered(_fail_on_seven, list(range(20)), jobs=2, chunks=4))
