"""UN/EDIFACT PAXLST (passenger and crew lists) as the WCO/IATA/ICAO API guidelines profile it."""
