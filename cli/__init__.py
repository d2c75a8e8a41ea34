"""The sending side's click commands, registered by compose.py: subscribers, audience, send,
demo, report: a face of the core (workflows/). send.py is the command; send_steps.py what it
shows (plan, proofs, confirmation, the run's report); progress.py the progress bar.

User mistakes arrive here as common.errors.NewsletterError; compose.py prints them and sets the
exit code. Nothing here catches errors to turn them into exit codes.
"""
