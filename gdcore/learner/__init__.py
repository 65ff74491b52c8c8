"""The learner's own work: training logs read, their loop checked, runs exported as code, exercises graded."""
