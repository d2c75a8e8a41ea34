"""The send loop: every family of a segment, in the edition they read, exactly once.

sender.Sender (entry point) streams recipients, routes each (routing.Router), queues them per
language, claims them for this worker in the send log (sendlog.py: atomic claims with leases,
so several workers share one send), hands them to a backend and records each result;
personalize.py makes each family's envelope with signed links (links.py); report.py is what a
run did per language (kept as JSON); proofs.py sends staff a [TEST] copy of each language.
"""
