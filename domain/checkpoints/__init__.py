"""The checkpoints context: saved states of workflow threads, so a pipeline can resume."""
