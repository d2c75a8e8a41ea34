"""audiences.yaml: the district's schools and the named segments staff send to.

loader.load_audiences reads and validates the file (every problem at once, with lines);
parse.py turns a segment's YAML rule into a mailer.store.rules tree (one SQL condition).
"""
