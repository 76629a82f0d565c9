"""Rectification pages: one module per screen."""
