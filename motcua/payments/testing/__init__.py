"""Stand-ins on loopback for the payment gateway (the tests, bench/ipn.py and the demo)."""
