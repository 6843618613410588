"""A small AST mutator for the guard's safety core (``make mutate``); not shipped."""
