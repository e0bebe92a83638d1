"""Staff: PIN sign-in that works offline, roles, manager overrides, who opened the drawer."""
