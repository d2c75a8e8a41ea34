"""Sending side: subscribers, audiences, personalization, backends, send log (in progress)."""
