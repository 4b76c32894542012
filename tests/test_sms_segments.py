"""Python's SMS segment arithmetic against the table the dashboard's counter is checked on too."""

from __future__ import annotations

import pytest

from tests.segments import SegmentCase, segment_cases
from warmline.crisis.scripts import sms_segments


@pytest.mark.parametrize("case", segment_cases(), ids=lambda case: case.case)
def test_python_counts_the_segments_the_table_gives(case: SegmentCase):
    assert sms_segments(case.text) == case.segments
