"""Demo data for `make run`: a province, its agencies and staff, the real procedure catalogue.

Only an interface (the ``demo_load`` command) over the other apps' demo builders; it refuses
to run with DEBUG off so that a production database never receives demo accounts.
"""
