"""The adversarial property test of the guard (``tests/guard/test_adversarial.py``,
``make fuzz``): generated fleets over HTTP, an independent oracle, and the checks that
every delete was allowed, snapshotted and done once."""
