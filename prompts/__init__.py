"""The prompt templates, shipped as package data (read by argmap.prompts)."""
