"""Files of a run: run folders (no silent overwrite, summary written last), checkpoints of
transient runs (N-to-M restart) and the rank-0 console."""
