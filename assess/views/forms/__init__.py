"""The web pages' forms: WTForms classes, and reading a posted page back into answers.

Only the views use them. ``accounts`` (sign-in, passwords, organisations, members), ``answers``
(a questionnaire section as fields), ``kept`` (what a person typed, kept across an error),
``plan`` (the action plan), ``register`` (one stakeholder group), ``reports`` (finalising and
downloads), ``csv`` (answers from a spreadsheet file), ``api_tokens`` (a personal API token),
``benchmark`` (taking part in the peer benchmark).
"""
