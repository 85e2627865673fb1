"""Loading one SavedModel version and calling its signature."""
