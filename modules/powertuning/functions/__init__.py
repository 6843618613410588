"""Lambda entry points of the power tuner: one thin ``handler`` per file."""
