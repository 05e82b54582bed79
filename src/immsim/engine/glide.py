"""Funded beds that fall below the people held: a glide path to the fiscal year's end.

``detention.funded_beds`` is the average daily population a year's appropriation pays for, not
a ceiling on any one day. When the funded level steps down below the people ICE holds, the
record shows the agency and Congress reaching the new level over the rest of the year rather
than on its first day: the Consolidated Appropriations Act, 2019 (15 February 2019) funded "an
average of 45,274" from then to 30 September, designed to bring ICE from the 49,057 it held to
40,520 by the year's end (a congressional aide to Vox, 12 February 2019), a "glide path" in
House Democratic aides' words. Holding the money's average over a straight path from the level
held to the year's end fixes the path without any further number: it starts where the people
held are and ends at twice the funded level less that, so that its average is the funded level
(on the deal's own figures: from 49,057 with an average of 45,274 it ends at 41,491, 2% above
the 40,520 the aides named).

Until 2026-12-04 the engine's beds fell to the new level in the step's first week, releasing
everyone beyond it and then admitting only as people left: on 1 October 2019 the 6,800 beds
DHS's transfer of 26 July 2019 had paid for to 30 September fell away while ICE held 50,218 on
an average day in October 2019 and 46,171 in November (continuing resolutions P.L. 116-59 and
116-69 until the Consolidated Appropriations Act, 2020 of 20 December 2019), and the back-test
refused 4,863 admissions in October (FY2020's book-ins after ICE arrests 12% under the record,
8% on the path)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from immsim.dates import fiscal_year


@dataclass(frozen=True)
class Glide:
    """A straight path from ``level`` on ``start`` to the fiscal year's ``end`` whose average
    is ``funded``."""

    funded: float
    start: dt.date
    end: dt.date
    level: float

    def at(self, day: dt.date) -> float:
        done = min(1.0, max(0.0, (day - self.start).days / (self.end - self.start).days))
        return max(0.0, self.level + 2.0 * (self.funded - self.level) * done)


def year_end(day: dt.date) -> dt.date:
    """The first day of the next fiscal year (FY2020 ends on 1 October 2020)."""
    return dt.date(fiscal_year(day), 10, 1)


@dataclass
class BedPath:
    """The run's funded beds week by week: the tree's level, or a glide to it after a step down
    below the people held (kept until the year's end or the next change of the funded level)."""

    glide: Glide | None = None
    funded: float | None = None  # the tree's level last week
    beds: float | None = None  # the beds last week (the glide's, while one runs)

    def week(self, funded: float, day: dt.date, held: float) -> float:
        """The week's funded beds, given the tree's ``funded`` level and the people ``held``
        (border's included) at last week's end."""
        before, self.funded = self.funded, funded
        if before is not None and funded != before:
            self.glide = None
            level = min(held, before if self.beds is None else self.beds)
            if funded < before and level > funded:
                self.glide = Glide(funded, day, year_end(day), level)
        if self.glide is not None and day >= self.glide.end:
            self.glide = None
        self.beds = funded if self.glide is None else self.glide.at(day)
        return self.beds
