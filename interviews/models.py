"""Independent return interviews (built by the return interview issue on top of episodes)."""
