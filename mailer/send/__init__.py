"""The send loop: every family of a segment, in the edition they read, exactly once.

sender.Sender (entry point) routes each family language to an edition (routing.Router), claims
whole batches of one edition for this worker (batches.py, over sendlog.py's atomic claims with
leases, so several workers share one send), hands them to a backend and records each result;
its dry run (`run(dry_run=True)`) plans without claiming;
personalize.py makes each family's envelope with signed links (links.py); report.py is what a
run did per language (kept as JSON); proofs.py sends staff a [TEST] copy of each language.
"""
