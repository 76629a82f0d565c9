"""The planning app's stored inputs (births, known changes) and plans; each part adds its own models."""
