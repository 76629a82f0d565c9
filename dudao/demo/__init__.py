"""Demo and benchmark data: synthetic but realistic school tables (pure numpy/pandas, no Django)."""

from dudao.demo.synthetic import demo_county, synthetic_schools

__all__ = ["demo_county", "synthetic_schools"]
