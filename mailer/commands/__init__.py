"""The sending side's click commands, registered by compose.py: subscribers, audience, send,
demo, report. send.py is the command; send_steps.py its steps (set up, proofs, confirmation,
the printed report); progress.py the progress bar.

The only CLI layer of mailer/: user mistakes arrive here as common.errors.NewsletterError
and click prints them; nothing here catches errors to turn them into exit codes.
"""
