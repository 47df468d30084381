"""``floorboard worker``: Faust agents running one KPI engine per source partition."""
