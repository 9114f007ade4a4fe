"""SLA: policies, the business calendar and clock, deadline timers and the sweep."""
