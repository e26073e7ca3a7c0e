"""The web layer: one blueprint per area. Views parse the request, check access, call a service
and render; the rules live elsewhere."""
