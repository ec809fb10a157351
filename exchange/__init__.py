"""Exchange rates from Norges Bank's open data API (the ``RateSource`` port)."""
