"""A message as every backend sees it.

headers.py is the one header builder (From/To, List-Id, one-click List-Unsubscribe,
Message-ID) for the MIME path and the SendGrid payload alike; mime.MessageTemplate is one
language's message, finished per family (Envelope) by a string join.
"""
