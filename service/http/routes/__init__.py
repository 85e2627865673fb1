"""The HTTP routes of each protocol family, over the one core."""
