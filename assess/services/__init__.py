"""Business operations: views and commands call these; only here is the session committed."""
