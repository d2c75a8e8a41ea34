"""District roster exports into the store.

spreadsheet.py reads .csv/.tsv/.txt (UTF-8, UTF-16, Windows-1252) and .xlsx, refusing broken
quotes and cleaning control characters, its rows streaming (open_table); columns.py finds the
columns (refusing duplicated ones); families.read_roster folds siblings into one Family per
address and keeps values nobody knows, merging rows in a scratch database (staging.py) so that
any size of roster fits in bounded memory; importer.import_roster plans every change and
applies it a chunk of families at a time in one transaction;
suppress.py applies suppression lists (bounces, complaints, opt-outs).
"""
