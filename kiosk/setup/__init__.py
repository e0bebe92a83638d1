"""The setup wizard without its screens: steps.py (input -> next form, errors by field, done),
state.py (where it is, on disk, so an interrupted wizard resumes)."""
