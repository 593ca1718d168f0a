"""The cooperation register (issue 17): activities with the parallel areas, agreements and
action items, budget allocations and spending lines, all audited (see ``docs/cooperation.md``)."""
