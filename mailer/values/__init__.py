"""Normal forms of what rosters and families write: one per value, so nothing is stored twice.

emails.normalize_email, languages.language_code/language_name, grades.grade_code,
topics.TOPICS. Pure functions; imports nothing else from the project but common/.
"""
