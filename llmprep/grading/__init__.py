"""Grading of handwritten code. Only the judge and the worker import torch, and only when grading."""
