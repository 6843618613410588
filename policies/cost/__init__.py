"""The cost model: pure formulas over numbers and the price book, no I/O.

``tokens``: pay per token against provisioned model units (break-even, utilisation).
``gpu``: pay per GPU-second against a dedicated instance, with cold starts and keep-warm.
``coldstart``: a cold start's physical minimum and expected duration from the model size.
``commitment``: commitment terms, their discounts, and what a forgotten PTU costs.
``resource``: one resource's hourly and monthly cost, used by every rule's findings.

Every input is validated; a bad one raises :class:`gpukit.policies.errors.InputError` whose
messages start with the field's name.
"""
