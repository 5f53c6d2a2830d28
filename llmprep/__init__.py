"""llmprep: drill LLM-algorithm interview questions with spaced repetition and graded handwriting."""

__version__ = "0.1.0"
