"""The send loop: every family of a segment, in the edition they read, exactly once.

sender.Sender (entry point) streams recipients, routes each (routing.Router), claims them in
the send log (sendlog.py) before handing them to a backend and records each result;
personalize.py makes each family's envelope with signed links (links.py).
"""
