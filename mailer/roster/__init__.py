"""District roster exports into the store.

spreadsheet.py reads .csv/.tsv/.txt/.xlsx; families.read_roster maps columns and folds
siblings into one Family per address; importer.import_roster plans every change and applies
it in one transaction; suppress.py applies suppression lists (bounces, complaints, opt-outs).
"""
