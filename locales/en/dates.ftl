# Dates and times, always in UTC so merchants in any timezone read them the same: "26 Nov 2026, 08:20 UTC".
date-utc = { $day } { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $year }, { $time } UTC
