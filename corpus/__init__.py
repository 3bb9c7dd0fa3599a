"""Data package: files found with importlib.resources in editable and wheel installs."""
