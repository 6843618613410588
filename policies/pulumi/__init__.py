"""Pulumi CrossGuard adapter: planned resources in, the same ``policies`` rules out."""
