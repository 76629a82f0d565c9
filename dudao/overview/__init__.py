"""The pages people read: county cockpit, school page, city and province views, balance analysis and
what-if. Read-only; every figure comes from a stored evaluation run or the pure engine."""
