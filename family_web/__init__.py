"""The families' side: one-click unsubscribe, the preference center, delivery webhooks."""
