"""Descent itself: the model, the optimizer and its schedules, the fast full-batch and mini-batch ways, and the textbook loop they equal."""
