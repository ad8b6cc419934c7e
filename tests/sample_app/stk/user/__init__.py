"""Users, roles and the activity log."""
