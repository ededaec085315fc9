"""Risk assessments, escalation rules and meetings (built by the risk issue on top of episodes)."""
