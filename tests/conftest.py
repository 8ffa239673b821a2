"""Test-suite root: pytest puts this folder on sys.path, so tests in sub-folders can share the helpers of test_reliability."""
