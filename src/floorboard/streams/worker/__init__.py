"""``floorboard worker``: a Faust app running one KPI engine per source partition."""
