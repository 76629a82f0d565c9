"""One module per page: county (cockpit and school list), school, region (city and province),
balance, whatif."""
