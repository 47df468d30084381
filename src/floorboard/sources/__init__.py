"""Source adapters: contact-centre platforms' own records in, canonical events out.

Each adapter is a pure mapping (``asterisk``, …) plus a thin reader; ``outcome`` holds what
every mapping returns and ``output`` where the events and rejected records go.
"""
