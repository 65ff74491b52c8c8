"""The dashboard's shared code: charts, URL state, cached engine calls, widgets."""
