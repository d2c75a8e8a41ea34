"""What staff read: text.py (import, subscriber, suppression and segment reports) and
reach.py (an issue's reach per language and school, as a table and an HTML page)."""
