"""What the content side (blocks/) and the sending side (mailer/) share.

- problems.py: `Problem` (one located mistake: file, line, key, message, hint) and `FieldError`.
- errors.py: `NewsletterError`, the one user-error type every command turns into a message
  and an exit code, and its families (configuration, store, provider).
- emails.py: `check_email`, the one email validator (the email-validator package).
- yaml_source.py: the strict YAML loader that knows the line of every key, and refuses aliases,
  nesting deeper than 50 levels and files over 1 MB (every YAML file is read through it).

Imports nothing from the rest of the project.
"""
