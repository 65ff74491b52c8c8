"""What the bowl says before a run: theory, the fastest rate, forecasts and slices of the error surface."""
